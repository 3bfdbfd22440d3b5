"""What a fix would save (issue 25, item 2): a period's credits replayed with the equipment or policy changed.

``what_if`` reads the period's outages, the sessions they touched and what those received,
in a fixed number of statements, and replays them through the real policy in memory
(``domain.replay``): nothing is written, on SQLite or PostgreSQL alike, and the caller may
(and should) read in a read-only unit of work. "Before" is what the policy really credited for
the period's outages as the database holds it (each compensation's figures as they stand after
corrections); "after" is the replay under the changes. Replayed with no change, "after"
equals "before" (the tests hold it to that).

The period's outages are the counted outages (``COUNTED_OUTAGE_STATUSES``) that began in it and
have ended: a cut across the period's end counts whole in the period it began in, and one
still going on is left out (it has not been settled yet).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from compensator.domain.darkness import OutageFacts
from compensator.domain.kinds import OutageStatus, ScopeKind
from compensator.domain.ledger import SessionFacts
from compensator.domain.records import record
from compensator.domain.replay import Received, ReplayTerms, SettledOutage, replay
from compensator.domain.stretches import PriorCompensation
from compensator.domain.venue_day import day_bounds
from compensator.domain.whatif import Credits, WhatIfOutcome
from compensator.errors import InvalidInput
from compensator.services.outages.scopes import scope_seats
from compensator.services.outages.settlement import current_figures
from compensator.services.sessions.views import SessionLoader, sessions_not_ended_before
from compensator.services.whatif.changes import GENERATOR_KEY, WhatIfChanges, parse_changes
from compensator.store.bulk import fetch_tuples
from compensator.store.conditions import outage_counts
from compensator.store.database import UnitOfWork
from compensator.store.models import Compensation, LedgerEntry, Outage, OutageRevision

__all__ = ["GENERATOR_KEY", "WhatIfAnswer", "WhatIfChanges", "parse_changes", "what_if"]

OUTAGE_COLUMNS = (Outage.id, Outage.kind, Outage.started_at, Outage.ended_at, Outage.scope_kind, Outage.scope_ids)


@record
class WhatIfAnswer:
    """A what-if's question (the period and the changes) and its outcome."""

    first_day: date
    last_day: date
    changes: tuple[str, ...]
    outcome: WhatIfOutcome

    def as_dict(self) -> dict[str, object]:
        """The answer as the JSON document gives it: the outcome's keys, and only those."""
        return self.outcome.as_dict()


def what_if(uow: UnitOfWork, first_day: date, last_day: date, changes: WhatIfChanges,
            price_minor: int | None = None) -> WhatIfAnswer:
    """The credits of the venue days ``first_day`` to ``last_day`` before and after ``changes``."""
    if last_day < first_day:
        raise InvalidInput("the period ends before it begins", field="to")
    if price_minor is not None and price_minor < 0:
        raise InvalidInput("the price must be a whole number ≥ 0", field="price")
    settings = uow.settings
    tz = settings.venue.tz
    start, end = day_bounds(first_day, tz)[0], day_bounds(last_day, tz)[1]
    outages = _period_outages(uow, start, end)
    ids = [outage.facts.id for outage in outages]
    before = Credits()
    for figures in current_figures(uow, select(Compensation.id).where(Compensation.outage_id.in_(ids))).values():
        before = before.plus(figures)
    after = before
    if outages:
        sessions, around, received = _around(uow, outages)
        after = replay(outages, around, sessions, received, ReplayTerms(
            policy=changes.policy, seat_terms=changes.seat_terms(settings),
            seat_terms_as_they_were=settings.seat_terms, restore_within_minutes=changes.restore_within_minutes,
            timezone=tz, closing_time=settings.venue.closing_time))
    days = (last_day - first_day).days + 1
    return WhatIfAnswer(first_day, last_day, changes.texts, WhatIfOutcome(days, before, after, price_minor))


def _period_outages(uow: UnitOfWork, start: datetime, end: datetime) -> list[SettledOutage]:
    """The ended counted outages that began in ``[start, end)``, and when each was settled (it first stood ended)."""
    rows = fetch_tuples(uow.db, select(*OUTAGE_COLUMNS).where(
        outage_counts(), Outage.status == OutageStatus.ENDED, Outage.started_at >= start,
        Outage.started_at < end).order_by(Outage.started_at, Outage.id))
    settled = dict(fetch_tuples(uow.db, select(OutageRevision.outage_id, func.min(OutageRevision.at)).where(
        OutageRevision.outage_id.in_([row[0] for row in rows]), OutageRevision.status == OutageStatus.ENDED)
        .group_by(OutageRevision.outage_id)))
    found = []
    for row in rows:
        facts = _facts(uow, row)
        assert facts.ended_at is not None
        found.append(SettledOutage(facts, settled.get(facts.id, facts.ended_at), row[4] is ScopeKind.SEATS))
    return found


def _facts(uow: UnitOfWork, row: tuple[object, ...]) -> OutageFacts:
    """An outage's columns (``OUTAGE_COLUMNS``) as the policy sees the outage."""
    outage_id, kind, started_at, ended_at, scope_kind, scope_ids = row
    assert isinstance(outage_id, int) and isinstance(started_at, datetime) and isinstance(scope_ids, list)
    assert ended_at is None or isinstance(ended_at, datetime)
    return OutageFacts(outage_id, kind, started_at, ended_at,  # type: ignore[arg-type]
                       scope_seats(uow, scope_kind, scope_ids))  # type: ignore[arg-type]


def _around(uow: UnitOfWork, outages: list[SettledOutage]) -> tuple[
        dict[int, SessionFacts], list[OutageFacts], list[Received]]:
    """The sessions the period's outages touched (without their real credits for them), the counted outages
    around, and what those sessions received for outages outside the period."""
    ids = [outage.facts.id for outage in outages]
    first = min(outage.facts.started_at for outage in outages)
    last = max(outage.facts.ended_at or outage.facts.started_at for outage in outages)
    settled = max(max(outage.settled_at for outage in outages), last)
    session_ids = sessions_not_ended_before(first, last)
    loaded = SessionLoader(session_ids).load(uow.db)
    # The credits the real settlement of the period's outages wrote; the replay gives its own.
    theirs = set(uow.db.scalars(select(LedgerEntry.id).where(LedgerEntry.compensation_id.in_(
        select(Compensation.id).where(Compensation.outage_id.in_(ids))))))
    sessions = {session_id: item.facts if not theirs else _without(item.facts, theirs)
                for session_id, item in loaded.items()}
    earliest = min((facts.started_at for facts in sessions.values()), default=first)
    around = [_facts(uow, row) for row in fetch_tuples(uow.db, select(*OUTAGE_COLUMNS).where(
        outage_counts(), Outage.started_at <= settled,
        (Outage.ended_at.is_(None)) | (Outage.ended_at >= earliest)).order_by(Outage.started_at, Outage.id))]
    outside = select(Compensation.id).where(Compensation.seat_session_id.in_(session_ids),
                                            Compensation.outage_id.not_in(ids))
    figures = current_figures(uow, outside)
    received = [
        Received(session_id, created_at, PriorCompensation(outage_id, figures[compensation_id].lost_minutes,
                                                           figures[compensation_id].extras_minutes,
                                                           figures[compensation_id].opened_stretch))
        for compensation_id, session_id, outage_id, created_at in fetch_tuples(uow.db, select(
            Compensation.id, Compensation.seat_session_id, Compensation.outage_id, Compensation.created_at)
            .where(Compensation.id.in_(outside)))]
    return sessions, around, received


def _without(facts: SessionFacts, entry_ids: set[int]) -> SessionFacts:
    """``facts`` without the ledger entries ``entry_ids``."""
    kept = tuple(entry for entry in facts.entries if entry.id not in entry_ids)
    return facts if len(kept) == len(facts.entries) else SessionFacts(
        facts.mode, facts.started_at, facts.seat_id, facts.events, kept)
