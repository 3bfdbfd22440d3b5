"""The random simulation's world as the database holds it, and the invariants checked after every step.

``Rows`` snapshots the tables, so that a refusal or a retry can be shown to change nothing;
``check`` reads the tables directly, asserts invariants 1 to 3 of ``tests.system.test_random_outages``
and returns the ``World`` the next step chooses from; ``current_figures`` is the one place that
knows where a compensation's figures live. The dark time it measures against comes from
``tests.support.random_darkness``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, inspect, select, text

from compensator.config import Settings
from compensator.domain.kinds import (
    CompensationForm,
    CompensationStatus,
    EntryKind,
    OutageStatus,
    SessionMode,
    SessionState,
)
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.services.sessions.views import load_sessions
from compensator.store.models import (
    AuditRecord,
    Compensation,
    CompensationAdjustment,
    LedgerEntry,
    Notice,
    Outage,
    OutageRevision,
    SeatDarkEvidence,
    SeatSession,
    Voucher,
)
from tests.support.random_darkness import (
    MINUTE,
    ZERO,
    OutageRow,
    dark_by_seat,
    overlap,
    running_paid,
    surely_dark_by_seat,
    versions_of,
)

# --- the database as rows ----------------------------------------------------------------------


# The tables whose rows the services change in place; every other table only ever gains rows
# (the history tables are append-only in the database, the rest are so in the code).
UPDATED_IN_PLACE = ("outages", "compensations", "idempotency_records", "open_seat_sessions", "vouchers", "notices")


class Rows:
    """The database's contents, to tell that a refusal or a retry changed nothing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.tables = sorted(set(inspect(engine).get_table_names()) - {"alembic_version"})
        # One statement counts every table: a snapshot is taken before most steps, and one
        # statement per table would cost more than the step itself.
        self.counts = text("SELECT " + ", ".join(f"(SELECT count(*) FROM {name})" for name in self.tables))

    def snapshot(self, *, without: Iterable[str] = ()) -> dict[str, Any]:
        """The row count of every table, and every row of the tables changed in place (but those in ``without``)."""
        skipped = set(without)
        with self.engine.connect() as connection:
            counts = connection.execute(self.counts).one()
            found: dict[str, Any] = {name: count for name, count in zip(self.tables, counts, strict=True)
                                     if name not in skipped}
            for name in UPDATED_IN_PLACE:
                if name not in skipped:
                    found[name + " rows"] = sorted(map(tuple, connection.execute(text(f"SELECT * FROM {name}"))),
                                                   key=repr)
        return found


def audit_count(uow: Callable[[], Any]) -> int:
    """How many mutations the audit log has recorded: each use case that has an effect records one."""
    with uow() as unit:
        return len(unit.db.scalars(select(AuditRecord.id)).all())


# --- what the tables say -----------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A compensation's figures as they now stand."""

    outage_id: int
    session_id: int
    status: CompensationStatus
    form: CompensationForm
    lost_minutes: int
    credit_minutes: int
    granted_minutes: int


ADJUSTABLE = ("lost_minutes", "credit_minutes", "granted_minutes")


def current_figures(db: Any) -> dict[int, Figures]:
    """Every compensation's current figures by id: its row, overridden by its newest adjustment if that has them."""
    # Today a correction rewrites the compensation's row and its adjustment repeats the new
    # credit. Should corrections only append adjustments that carry the figures, the newest
    # adjustment wins; this is the one place to change if the figures move elsewhere.
    columns = CompensationAdjustment.__table__.c
    adjusted = [name for name in ADJUSTABLE if name in columns]
    newest: dict[int, dict[str, int]] = {}
    if adjusted:
        for compensation_id, *values in db.execute(
                select(columns.compensation_id, *(columns[name] for name in adjusted))
                .order_by(columns.id)).tuples():
            newest[compensation_id] = dict(zip(adjusted, values, strict=True))
    found: dict[int, Figures] = {}
    for row in db.execute(select(
            Compensation.id, Compensation.outage_id, Compensation.seat_session_id, Compensation.status,
            Compensation.form, Compensation.lost_minutes, Compensation.credit_minutes,
            Compensation.granted_minutes)).tuples():
        compensation_id, outage_id, session_id, status, form, lost, credit, granted = row
        values = {"lost_minutes": lost, "credit_minutes": credit, "granted_minutes": granted}
        values.update(newest.get(compensation_id, {}))
        found[compensation_id] = Figures(outage_id, session_id, status, form, **values)
    return found


@dataclass
class World:
    """What the last check read, for the next step to choose from."""

    open_sessions: list[int] = field(default_factory=list)
    all_sessions: list[int] = field(default_factory=list)
    outages: list[OutageRow] = field(default_factory=list)
    awaiting: list[int] = field(default_factory=list)
    applied: list[int] = field(default_factory=list)


@dataclass
class History:
    """What earlier checks saw, so that a later one can tell nothing went backwards."""

    # Per compensation: (status, granted minutes, number of credit writes).
    seen: dict[int, tuple[CompensationStatus, int, int]] = field(default_factory=dict)
    # How often each thing happened, to tell that a run exercised what it checks.
    stats: Counter[str] = field(default_factory=Counter)
    waived: set[int] = field(default_factory=set)
    topups: set[str] = field(default_factory=set)
    # Sessions that got back fewer minutes than they ran on a dark seat: (step's operation,
    # time, session, lost minutes of its compensations, dark running time).
    shortfalls: list[tuple[str, datetime, int, list[int], timedelta]] = field(default_factory=list)


# --- the invariants ----------------------------------------------------------------------------


# The steps that may write compensations, credits, vouchers or notices.
CREDITING = {"outage.end", "outage.correct", "outage.confirm", "compensation.approve", "session.end", "seat.report"}


def check(uow: Callable[[], Any], settings: Settings, now: datetime, history: History, operation: str) -> World:
    """Check every invariant in the database after a step of ``operation``; what the next step can choose from."""
    with uow() as unit:
        db = unit.db
        figures = current_figures(db)
        outage_rows = [OutageRow(row.id, row.kind, row.scope_kind, tuple(row.scope_ids), row.started_at,
                                 row.ended_at, row.status)
                       for row in db.scalars(select(Outage).order_by(Outage.id))]
        revisions = db.execute(select(OutageRevision.outage_id, OutageRevision.at, OutageRevision.started_at,
                                      OutageRevision.ended_at, OutageRevision.status, OutageRevision.action)
                               .order_by(OutageRevision.id)).tuples().all()
        entries = db.execute(select(LedgerEntry.seat_session_id, LedgerEntry.kind, LedgerEntry.minutes,
                                    LedgerEntry.compensation_id, LedgerEntry.idempotency_key)).tuples().all()
        voucher_rows = db.execute(select(Voucher.compensation_id, Voucher.minutes,
                                         Voucher.idempotency_key)).tuples().all()
        notices = Counter(db.scalars(select(Notice.compensation_id)))
        session_ids = sorted(db.scalars(select(SeatSession.id)))
        loaded = load_sessions(db, session_ids)
        # What ``session_views.get_session`` shows, for every session, from one load rather than one per session.
        views = {session_id: sessions.view_of(unit, item) for session_id, item in loaded.items()}
        open_ids = session_views.open_session_ids(db)
        evidence = db.execute(select(SeatDarkEvidence.seat_id, SeatDarkEvidence.outage_id, SeatDarkEvidence.basis,
                                     SeatDarkEvidence.dark_from)).tuples().all()

    # A seat's evidence after Power back recomputes as a correction does (an ``evidence`` revision).
    corrections = Counter(outage_id for outage_id, *_, action in revisions if action in ("correct", "evidence"))

    # 3. Balances equal the entries, and remaining time is never negative.
    entry_sums: Counter[int] = Counter()
    for session_id, _kind, minutes, _compensation, _key in entries:
        entry_sums[session_id] += minutes
    for session_id, view in views.items():
        assert view.paid_minutes == sum(entry.minutes for entry in view.entries) == entry_sums[session_id], session_id
        assert view.remaining_minutes >= 0, session_id
        assert view.billed_minutes is None or view.billed_minutes >= 0, session_id
    occupied = [view.seat_id for view in views.values() if view.state is not SessionState.ENDED]
    assert len(occupied) == len(set(occupied)), "two open sessions share a seat"

    # 1. One compensation per (outage, session); one first credit, one top-up per correction,
    # one notice each; and the minutes granted are exactly those the ledger and vouchers hold.
    pairs = Counter((item.outage_id, item.session_id) for item in figures.values())
    assert max(pairs.values(), default=1) == 1, pairs.most_common(1)
    statuses = {row.id: row.status for row in outage_rows}
    writes: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for session_id, kind, minutes, compensation_id, key in entries:
        if compensation_id is None:
            assert kind not in (EntryKind.OUTAGE_CREDIT, EntryKind.OUTAGE_TOPUP), (session_id, kind)
            continue
        assert kind in (EntryKind.OUTAGE_CREDIT, EntryKind.OUTAGE_TOPUP), (compensation_id, kind)
        assert session_id == figures[compensation_id].session_id, compensation_id
        writes[compensation_id].append(("entry-credit" if kind is EntryKind.OUTAGE_CREDIT else "entry-topup",
                                        minutes, key))
    for compensation_id, minutes, key in voucher_rows:
        if compensation_id is None:
            continue
        # A voucher carries no kind: its deterministic key says whether it is the first credit.
        writes[compensation_id].append(("voucher-credit" if key.endswith(":credit") else "voucher-topup",
                                        minutes, key))
    assert set(writes) <= set(figures), set(writes) - set(figures)
    assert set(notices) <= set(figures), set(notices) - set(figures)
    for compensation_id, item in figures.items():
        # An outage still going on has compensated only customers who left while their seat was dark.
        assert statuses[item.outage_id] is OutageStatus.ENDED or (
            item.form is CompensationForm.VOUCHER and views[item.session_id].state is SessionState.ENDED), (
            compensation_id, statuses[item.outage_id])
        made = writes[compensation_id]
        first = [write for write in made if write[0].endswith("-credit")]
        topups = [write for write in made if write[0].endswith("-topup")]
        # A time credit past closing time comes partly (or wholly) as a voucher under the same key.
        assert len(first) <= (2 if item.form is CompensationForm.TIME else 1), (compensation_id, made)
        assert all(write[1] > 0 for write in made), (compensation_id, made)
        assert len({(write[0], write[2]) for write in made}) == len(made), (compensation_id, made)
        # A correction tops up the corrected outage's compensations and those of the outages
        # overlapping it, each at most once (its key names the correction's revision).
        assert len(topups) <= sum(corrections.values()), (compensation_id, made)
        assert notices[compensation_id] <= 1, compensation_id
        if item.status is CompensationStatus.AWAITING_APPROVAL or (
                item.granted_minutes == 0 and item.credit_minutes == 0 and not made):
            # Waiting for a manager, or applied with nothing due after a correction while it waited.
            assert (made, notices[compensation_id], item.granted_minutes) == ([], 0, 0), compensation_id
        else:
            assert first and notices[compensation_id] == 1, (operation, compensation_id, made, item)
            by_voucher = {write[0] == "voucher-credit" for write in first}
            assert by_voucher == {True} if item.form is CompensationForm.VOUCHER else (
                item.form is CompensationForm.TIME or by_voucher == {False}), (compensation_id, made)
            # Never clawed back: a smaller recomputed credit leaves what was granted (waived).
            assert item.granted_minutes >= item.credit_minutes, (compensation_id, item)
        assert item.granted_minutes == sum(write[1] for write in made), (compensation_id, item, made)
        if item.granted_minutes > item.credit_minutes:
            history.waived.add(compensation_id)
        history.topups.update(write[2] for write in topups)

    # What was granted never goes down, an applied credit stays applied, and only a step that
    # settles or approves writes credits: each compensation at most once per correction.
    for compensation_id, (status, granted, count) in history.seen.items():
        assert compensation_id in figures, f"compensation {compensation_id} disappeared"
        item = figures[compensation_id]
        assert item.granted_minutes >= granted, (compensation_id, granted, item)
        if status is CompensationStatus.APPLIED:
            assert item.status is CompensationStatus.APPLIED, compensation_id
        grown = len(writes[compensation_id]) - count
        if operation not in CREDITING:
            assert (item.status, item.granted_minutes, grown) == (status, granted, 0), (operation, compensation_id)
        assert grown <= 1, (operation, compensation_id, writes[compensation_id])
    if operation not in CREDITING:
        assert set(figures) == set(history.seen), (operation, set(figures) - set(history.seen))
    history.seen = {compensation_id: (item.status, item.granted_minutes, len(writes[compensation_id]))
                    for compensation_id, item in figures.items()}

    # 2. No minute credited twice: the lost minutes of a session's compensations stay within
    # the time it ran, paid, on a seat that was dark in some recorded version of the outages
    # (measured afresh). A customer who left while their seat was dark lost all the paid time
    # they had left (rule 2), which is added. Each compensation rounds its seconds up to a
    # minute, so the sum may pass the measure by up to one minute per compensation.
    dark = dark_by_seat(settings, versions_of(settings, outage_rows, [row[:5] for row in revisions], now), evidence)
    lost_by_session: dict[int, list[int]] = defaultdict(list)
    for item in figures.values():
        lost_by_session[item.session_id].append(item.lost_minutes)
    for session_id, lost in lost_by_session.items():
        facts = loaded[session_id].facts
        paid, left_at_end, seat_at_end = running_paid(facts, now)
        bound = sum((overlap(spans, dark.get(seat, [])) for seat, spans in paid.items()), ZERO)
        ended_at = facts.ended_at
        if ended_at is not None and facts.mode is SessionMode.PREPAID and any(
                start <= ended_at <= end for start, end in dark.get(seat_at_end, [])):
            bound += left_at_end
        assert sum(lost) * MINUTE <= bound + len(lost) * MINUTE, (operation, session_id, lost, bound)

    # ... and no minute is left out: a postpaid session (paid for all the time it runs, so no
    # paid-time cap applies) gets back every minute it ran on a seat that an ended outage
    # surely darkened. Overlapping outages share those minutes out between them, but together
    # they count the whole union. Each compensation rounds its share on its own, and two of
    # them may group the seat's dark stretches differently (an ongoing outage joins stretches
    # only up to the end of the outage being settled), so up to one minute per compensation
    # may be missing from the sum.
    surely = surely_dark_by_seat(settings, outage_rows, evidence)
    for session_id, item in loaded.items():
        if item.facts.mode is not SessionMode.POSTPAID:
            continue
        paid, _left, _seat = running_paid(item.facts, now)
        owed = sum((overlap(spans, surely.get(seat, [])) for seat, spans in paid.items()), ZERO)
        lost = lost_by_session.get(session_id, [])
        if (sum(lost) + len(lost)) * MINUTE < owed:
            history.shortfalls.append((operation, now, session_id, lost, owed))

    return World(
        open_sessions=list(open_ids),
        all_sessions=session_ids,
        outages=outage_rows,
        awaiting=sorted(key for key, item in figures.items() if item.status is CompensationStatus.AWAITING_APPROVAL),
        applied=sorted(key for key, item in figures.items() if item.status is CompensationStatus.APPLIED),
    )
