"""A seeded random simulation of sessions, outages, corrections and keyed retries, checked after every step.

It drives the real service functions through the fake clock: sessions start, extend, pause,
resume, move and end on a handful of seats in both zones; outages (power or network, over the
venue, a zone or some seats, sometimes back-dated, sometimes first only suspected) start and
end; a manager corrects outages and approves large credits. Many steps go through ``run_once``
with an idempotency key, and some of those are retried with the same key: at once, a few steps
later, and as copies racing in threads, each with its own unit of work.

After every step the database is checked against what must always hold:

1. each (outage, session) has at most one compensation; each compensation has at most one
   first credit (a ledger entry or a voucher, never both), at most one top-up per correction
   and at most one notice, and what it granted is exactly what the ledger and vouchers hold;
2. no minute is credited twice: a session's lost minutes, summed over its compensations as
   they now stand, never exceed an independent measure of the time it ran, paid, on a dark
   seat (UPS bridging per zone for power, none for network); granted minutes never go down;
   and no minute is left out: a postpaid session gets back at least the time it ran on a seat
   that an ended outage surely darkened;
3. balances equal the entries, and remaining time is never negative;
4. every keyed retry returns the first answer and changes nothing.

A refusal (a ``DomainError``) is an allowed outcome of any step, and it leaves the database as
it was. The tables are read directly, not through the services' views, so that the check does
not lean on what it checks; ``current_figures`` is the one place that knows where a
compensation's figures live.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select, text

from compensator.config import Settings
from compensator.domain.kinds import (
    CompensationForm,
    CompensationStatus,
    EntryKind,
    OutageKind,
    OutageStatus,
    ScopeKind,
    SessionMode,
    SessionState,
)
from compensator.domain.ledger import balance
from compensator.errors import Conflict, DomainError, IdempotencyConflict, NotFound
from compensator.services import outages, session_views, sessions
from compensator.services.once import Answer, RequestKey, request_key, run_once
from compensator.services.session_views import load_sessions
from compensator.store.models import (
    AuditRecord,
    Compensation,
    CompensationAdjustment,
    LedgerEntry,
    Notice,
    Outage,
    OutageRevision,
    SeatSession,
    Voucher,
)

ATTENDANT = "attendant:random"
MANAGER = "manager:random"
# A handful of seats in each zone: few enough that outages, moves and busy seats collide often.
SEATS = ("A1", "A2", "A3", "A4", "G1", "G2", "G3")
STEPS = 150
COPIES = 5
MINUTE = timedelta(minutes=1)
ZERO = timedelta(0)
Span = tuple[datetime, datetime]

# How often each kind of step is drawn. Session starts lead so that there is usually someone
# to compensate; outage steps are frequent enough that outages overlap and get corrected.
WEIGHTS = {
    "session.start": 3.0, "session.extend": 1.0, "session.pause": 0.8, "session.resume": 0.8,
    "session.move": 0.8, "session.end": 1.2, "outage.start": 1.6, "outage.suspect": 0.4,
    "outage.end": 1.5, "outage.correct": 1.6, "outage.confirm": 0.4, "outage.dismiss": 0.3,
    "compensation.approve": 0.8,
}
# The steps that may write compensations, credits, vouchers or notices.
CREDITING = {"outage.end", "outage.correct", "outage.confirm", "compensation.approve"}
# Seconds to the next step: none, a few, about a minute either side, up to three quarters of an hour.
ADVANCE_SECONDS = (0, 1, 20, 59, 61, 150, 300, 600, 900, 1800, 2700)


# --- requests and their answers --------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One use case call: its name, its arguments as a client would send them, who asks, and how to run it."""

    operation: str
    payload: dict[str, Any]
    actor: str
    run: Callable[[Any], Any]


@dataclass(frozen=True)
class Keyed:
    """A request sent with an idempotency key, and the answer it got the first time."""

    request: Request
    key: RequestKey
    first: Answer


def plain(value: Any) -> Any:
    """A service's result as JSON-compatible data: dataclasses as dicts, enums as values, times as ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: plain(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(name): plain(item) for name, item in value.items()}
    return value


def answer_for(request: Request) -> Callable[[Any], Answer]:
    """How the answer to ``request`` is rendered, as an API would: a status and the result as plain data."""
    status = 201 if request.operation in ("session.start", "outage.start", "outage.suspect") else 200
    return lambda result: Answer(status, plain(result))


def refusal(error: DomainError) -> Answer:
    """A refusal rendered as an API would: a 4xx status and the error's code, message and field."""
    status = 404 if isinstance(error, NotFound) else 409 if isinstance(error, Conflict) else 400
    return Answer(status, {"error": {"code": error.code, "message": error.message, "field": error.field}})


def keyed_call(keyed_request: Request, key: RequestKey) -> Callable[[Any], Answer]:
    """The call of ``run_once`` for ``keyed_request`` under ``key``, in a given unit of work."""
    return lambda unit: run_once(unit, key, keyed_request.run, answer_for(keyed_request), refusal)


def race(uow: Callable[[], Any], call: Callable[[Any], Answer]) -> list[Answer]:
    """Run ``COPIES`` copies of ``call`` at once, each in a thread with its own unit of work; their answers."""
    barrier = threading.Barrier(COPIES)
    answers: list[Answer] = []
    errors: list[BaseException] = []

    def copy() -> None:
        try:
            barrier.wait()
            with uow() as unit:
                answers.append(call(unit))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=copy) for _ in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors
    return answers


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


@dataclass(frozen=True)
class OutageRow:
    """An outage as the table holds it now."""

    id: int
    kind: OutageKind
    scope_kind: ScopeKind
    scope_ids: tuple[str, ...]
    started_at: datetime
    ended_at: datetime | None
    status: OutageStatus


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


# --- an independent measure of dark, running, paid time ----------------------------------------


def merged(spans: Iterable[Span]) -> list[Span]:
    """The union of ``spans`` as sorted disjoint spans; spans that touch are joined."""
    result: list[Span] = []
    for start, end in sorted(span for span in spans if span[1] > span[0]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return result


def overlap(spans: Iterable[Span], others: Iterable[Span]) -> timedelta:
    """How long the union of ``spans`` and the union of ``others`` overlap."""
    others = merged(others)
    total = ZERO
    for start, end in merged(spans):
        for other_start, other_end in others:
            total += max(min(end, other_end) - max(start, other_start), ZERO)
    return total


def seats_of(settings: Settings, outage: OutageRow) -> set[str]:
    """The seats an outage covers."""
    if outage.scope_kind is ScopeKind.VENUE:
        return {seat.id for seat in settings.seats}
    if outage.scope_kind is ScopeKind.ZONES:
        return {seat.id for seat in settings.seats if seat.zone_id in outage.scope_ids}
    return set(outage.scope_ids)


@dataclass(frozen=True)
class Version:
    """An outage as one revision recorded it; ``until`` is when it stopped being ongoing (or now)."""

    kind: OutageKind
    seats: frozenset[str]
    started_at: datetime
    ended_at: datetime | None
    status: OutageStatus
    until: datetime


def versions_of(settings: Settings, outage_rows: list[OutageRow], revisions: list[tuple[Any, ...]],
                now: datetime) -> list[Version]:
    """Every version of every outage that the revisions recorded, oldest first."""
    by_id = {row.id: row for row in outage_rows}
    ended_at_moments: dict[int, datetime] = {}
    for outage_id, at, _started, _ended, status in revisions:
        if status is OutageStatus.ENDED:
            ended_at_moments.setdefault(outage_id, at)
    return [Version(by_id[outage_id].kind, frozenset(seats_of(settings, by_id[outage_id])), started_at, ended_at,
                    status, ended_at_moments.get(outage_id, now))
            for outage_id, _at, started_at, ended_at, status in revisions]


def dark_by_seat(settings: Settings, versions: list[Version]) -> dict[str, list[Span]]:
    """When each seat was dark because of an ended outage in any of its versions, by policy rule 1 worked out afresh.

    Power cuts that overlap or touch on a seat are one cut, whose start the zone's UPS bridges
    once; an ongoing cut joins that cut until it ended, since the seat's UPS was draining all
    the same. A network failure is dark from its start. Suspected and dismissed outages darken
    nothing. Every recorded version counts, not only the current one: a correction recomputes
    the compensations of the outage corrected, while those of an overlapping outage keep the
    darkness they were computed with (the UPS bridged a merged cut from its old start).
    """
    dark: dict[str, list[Span]] = {}
    for seat in settings.seats:
        bridge = timedelta(minutes=settings.zone(seat.zone_id).ups_minutes)
        covering = [item for item in versions if seat.id in item.seats]
        cuts = merged((item.started_at, item.ended_at or item.until) for item in covering
                      if item.kind is OutageKind.POWER and item.status in (OutageStatus.ONGOING, OutageStatus.ENDED))
        spans: list[Span] = []
        for item in covering:
            if item.status is not OutageStatus.ENDED:
                continue
            assert item.ended_at is not None
            if item.ended_at <= item.started_at:
                continue  # A corrected outage may last no time at all: it darkens nothing.
            start = item.started_at
            if item.kind is OutageKind.POWER:
                cut_start = next(cut[0] for cut in cuts if cut[0] <= item.started_at and item.ended_at <= cut[1])
                start = max(start, cut_start + bridge)
            spans.append((start, item.ended_at))
        dark[seat.id] = merged(spans)
    return dark


def surely_dark_by_seat(settings: Settings, outage_rows: list[OutageRow]) -> dict[str, list[Span]]:
    """When each seat was surely dark because of an ended outage as it stands: the UPS bridged that cut's own start."""
    dark: dict[str, list[Span]] = defaultdict(list)
    for row in outage_rows:
        if row.status is not OutageStatus.ENDED:
            continue
        assert row.ended_at is not None
        for seat_id in seats_of(settings, row):
            bridge = timedelta(minutes=settings.zone(settings.seat(seat_id).zone_id).ups_minutes)
            start = row.started_at + bridge if row.kind is OutageKind.POWER else row.started_at
            dark[seat_id].append((start, row.ended_at))
    return {seat_id: merged(spans) for seat_id, spans in dark.items()}


def running_paid(facts: Any, now: datetime) -> tuple[dict[str, list[Span]], timedelta, str]:
    """When a session ran with paid time left, by seat; the paid time it had left when it ended, and its last seat.

    The ledger gives the running intervals; the paid part is replayed here from the entries: a
    prepaid session uses its minutes while it runs, and an entry's minutes are there from its
    creation on. A postpaid session is paid for all the time it runs.
    """
    position = balance(facts, now)
    by_seat: dict[str, list[Span]] = defaultdict(list)
    if facts.mode is SessionMode.POSTPAID:
        for interval in position.intervals:
            by_seat[interval.seat_id].append((interval.start, interval.end))
        return by_seat, ZERO, position.seat_id
    entries = sorted((entry.created_at, entry.minutes) for entry in facts.entries)

    def credit_at(moment: datetime) -> timedelta:
        return sum((minutes * MINUTE for at, minutes in entries if at <= moment), ZERO)

    used = ZERO
    for interval in position.intervals:
        cursor = interval.start
        while cursor < interval.end:
            following = min([at for at, _ in entries if cursor < at < interval.end] + [interval.end])
            taken = min(following - cursor, max(credit_at(cursor) - used, ZERO))
            if taken > ZERO:
                by_seat[interval.seat_id].append((cursor, cursor + taken))
                used += taken
            cursor = following
    left = ZERO
    if position.ended_at is not None:
        left = max(credit_at(position.ended_at) - used, ZERO)
    return by_seat, left, position.seat_id


# --- the invariants ----------------------------------------------------------------------------


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

    corrections = Counter(outage_id for outage_id, *_, action in revisions if action == "correct")

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
        assert statuses[item.outage_id] is OutageStatus.ENDED, (compensation_id, statuses[item.outage_id])
        made = writes[compensation_id]
        first = [write for write in made if write[0].endswith("-credit")]
        topups = [write for write in made if write[0].endswith("-topup")]
        assert len(first) <= 1, (compensation_id, made)
        assert all(write[1] > 0 for write in made), (compensation_id, made)
        assert len({write[2] for write in made}) == len(made), (compensation_id, made)
        # A correction tops up the corrected outage's compensations and those of the outages
        # overlapping it, each at most once (its key names the correction's revision).
        assert len(topups) <= sum(corrections.values()), (compensation_id, made)
        assert notices[compensation_id] <= 1, compensation_id
        if item.status is CompensationStatus.AWAITING_APPROVAL:
            assert (made, notices[compensation_id], item.granted_minutes) == ([], 0, 0), compensation_id
        else:
            assert len(first) == 1 and notices[compensation_id] == 1, (compensation_id, made)
            by_voucher = first[0][0] == "voucher-credit"
            assert by_voucher == (item.form is CompensationForm.VOUCHER), (compensation_id, made)
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
    dark = dark_by_seat(settings, versions_of(settings, outage_rows, [row[:5] for row in revisions], now))
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
        assert sum(lost) * MINUTE <= bound + len(lost) * MINUTE, (session_id, lost, bound)

    # ... and no minute is left out: a postpaid session (paid for all the time it runs, so no
    # paid-time cap applies) gets back every minute it ran on a seat that an ended outage
    # surely darkened. Overlapping outages share those minutes out between them, but together
    # they count the whole union. Each compensation rounds its share on its own, and two of
    # them may group the seat's dark stretches differently (an ongoing outage joins stretches
    # only up to the end of the outage being settled), so up to one minute per compensation
    # may be missing from the sum.
    surely = surely_dark_by_seat(settings, outage_rows)
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


# --- drawing a step ----------------------------------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    """A moment as a client would send it."""
    return moment.isoformat() if moment is not None else None


def pick(rng: random.Random, preferred: list[int], others: list[int]) -> int:
    """Mostly one of ``preferred``; sometimes another (often refused), or an id nobody has."""
    if preferred and rng.random() < 0.85:
        return rng.choice(preferred)
    if others and rng.random() < 0.8:
        return rng.choice(others)
    return 10_000


def draw(rng: random.Random, world: World, now: datetime) -> Request:
    """A random next request, mostly one that makes sense in ``world``, sometimes one that will be refused."""
    operation = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    by_status: dict[OutageStatus, list[int]] = defaultdict(list)
    for row in world.outages:
        by_status[row.status].append(row.id)
    every_outage = [row.id for row in world.outages]
    session_id = pick(rng, world.open_sessions, world.all_sessions)

    if operation == "session.start":
        seat = rng.choice(SEATS)
        postpaid = rng.random() < 0.3
        minutes = None if postpaid else rng.choice([5, 20, 45, 60, 90, 120, 180, 240])
        return Request(operation, {"seat": seat, "minutes": minutes, "postpaid": postpaid}, ATTENDANT,
                       lambda unit: sessions.start_session(unit, seat_id=seat, minutes=minutes, postpaid=postpaid,
                                                           actor=ATTENDANT))
    if operation == "session.extend":
        minutes = rng.choice([1, 15, 30, 60, 120])
        return Request(operation, {"session": session_id, "minutes": minutes}, ATTENDANT,
                       lambda unit: sessions.extend_session(unit, session_id, minutes=minutes, actor=ATTENDANT))
    if operation == "session.move":
        seat = rng.choice(SEATS)
        return Request(operation, {"session": session_id, "seat": seat}, ATTENDANT,
                       lambda unit: sessions.move_session(unit, session_id, seat_id=seat, actor=ATTENDANT))
    if operation in ("session.pause", "session.resume", "session.end"):
        use_case = {"session.pause": sessions.pause_session, "session.resume": sessions.resume_session,
                    "session.end": sessions.end_session}[operation]
        return Request(operation, {"session": session_id}, ATTENDANT,
                       lambda unit: use_case(unit, session_id, actor=ATTENDANT))
    if operation in ("outage.start", "outage.suspect"):
        kind = "power" if rng.random() < 0.75 else "network"
        zones: list[str] | None = None
        seats: list[str] | None = None
        scope = rng.choice(["venue", "venue", "standard", "gaming", "both", "seats"])
        if scope in ("standard", "gaming"):
            zones = [scope]
        elif scope == "both":
            zones = ["gaming", "standard"]
        elif scope == "seats":
            seats = sorted(rng.sample(SEATS, rng.randint(1, 3)))
        suspected = operation == "outage.suspect"
        started_at: datetime | None = None
        ended_at: datetime | None = None
        if suspected or rng.random() < 0.25:
            # Noticed late: the cut began a few minutes ago (a suspected one also may have ended).
            started_at = now - timedelta(minutes=rng.randint(1, 20), seconds=rng.randint(0, 59))
        if suspected and rng.random() < 0.5:
            assert started_at is not None
            ended_at = started_at + (now - started_at) * rng.random()
        payload = {"kind": kind, "zones": zones, "seats": seats, "started_at": iso(started_at),
                   "ended_at": iso(ended_at), "suspected": suspected}
        return Request(operation, payload, ATTENDANT, lambda unit: outages.start_outage(
            unit, kind=kind, zones=zones, seats=seats, started_at=started_at, ended_at=ended_at,
            source="heartbeat" if suspected else "manual", suspected=suspected, actor=ATTENDANT))
    if operation == "outage.end":
        outage_id = pick(rng, by_status[OutageStatus.ONGOING], every_outage)
        # Sometimes power came back a little before the attendant pressed the button (or even
        # before the outage began, which is refused).
        ended_at = now - timedelta(minutes=rng.randint(0, 10)) if rng.random() < 0.25 else None
        return Request(operation, {"outage": outage_id, "ended_at": iso(ended_at)}, ATTENDANT,
                       lambda unit: outages.end_outage(unit, outage_id, ended_at=ended_at, actor=ATTENDANT))
    if operation == "outage.correct":
        outage_id = pick(rng, by_status[OutageStatus.ENDED], every_outage)
        row = next((item for item in world.outages if item.id == outage_id), None)
        base_start = row.started_at if row else now
        base_end = row.ended_at if row and row.ended_at else now
        what = rng.choice(["start", "end", "both"])

        def shift() -> timedelta:
            # Up to 25 minutes either way, so that a correction grows or shrinks the outage,
            # sometimes past another outage, now and then into the future or before its start.
            return timedelta(minutes=rng.randint(-25, 25), seconds=rng.choice([0, 0, 17, 45]))

        started_at = base_start + shift() if what in ("start", "both") else None
        ended_at = base_end + shift() if what in ("end", "both") else None
        payload = {"outage": outage_id, "started_at": iso(started_at), "ended_at": iso(ended_at),
                   "reason": "the generator log says otherwise"}
        return Request(operation, payload, MANAGER, lambda unit: outages.correct_outage(
            unit, outage_id, started_at=started_at, ended_at=ended_at, reason=payload["reason"], actor=MANAGER))
    if operation in ("outage.confirm", "outage.dismiss"):
        outage_id = pick(rng, by_status[OutageStatus.SUSPECTED], every_outage)
        if operation == "outage.confirm":
            return Request(operation, {"outage": outage_id}, ATTENDANT,
                           lambda unit: outages.confirm_outage(unit, outage_id, actor=ATTENDANT))
        return Request(operation, {"outage": outage_id, "reason": "a switch was unplugged"}, ATTENDANT,
                       lambda unit: outages.dismiss_outage(unit, outage_id, reason="a switch was unplugged",
                                                           actor=ATTENDANT))
    assert operation == "compensation.approve"
    compensation_id = pick(rng, world.awaiting, world.applied)
    return Request(operation, {"compensation": compensation_id}, MANAGER,
                   lambda unit: outages.approve_compensation(unit, compensation_id, actor=MANAGER))


# --- the simulation ----------------------------------------------------------------------------


class Simulation:
    """One seeded run: draws steps, runs them plainly or with a key, retries keys, and checks after each step."""

    def __init__(self, seed: int, uow: Callable[[], Any], clock: Any, settings: Settings, engine: Engine) -> None:
        self.rng = random.Random(seed)
        self.uow = uow
        self.clock = clock
        self.settings = settings
        self.rows = Rows(engine)
        self.history = History()
        self.keyed: list[Keyed] = []
        self.world = check(uow, settings, clock.now(), self.history, "start")

    def run(self, steps: int) -> Counter[str]:
        """Run ``steps`` steps; how often each thing happened."""
        for step in range(steps):
            self.clock.advance(seconds=self.rng.choice(ADVANCE_SECONDS))
            request = draw(self.rng, self.world, self.clock.now())
            chance = self.rng.random()
            if chance < 0.45:
                self.plainly(request)
            elif chance < 0.9:
                self.with_key(request, f"step-{step}")
            else:
                self.racing(request, f"step-{step}")
            self.world = check(self.uow, self.settings, self.clock.now(), self.history, request.operation)
            self.retries()
        return self.history.stats + Counter(waived=len(self.history.waived), topups=len(self.history.topups))

    def plainly(self, request: Request) -> None:
        """Run a request without a key; a refusal must change nothing."""
        before = self.rows.snapshot()
        try:
            with self.uow() as unit:
                request.run(unit)
        except DomainError:
            self.history.stats["refused"] += 1
            assert self.rows.snapshot() == before, request
            return
        self.history.stats[request.operation] += 1

    def with_key(self, request: Request, given: str) -> None:
        """Run a request with a key; a refusal keeps only the key (and its answer)."""
        key = request_key(request.actor, given, operation=request.operation, payload=request.payload)
        assert key is not None
        before = self.rows.snapshot(without=["idempotency_records"])
        with self.uow() as unit:
            first = keyed_call(request, key)(unit)
        assert not first.replayed, request
        self.remember(Keyed(request, key, first), before)

    def racing(self, request: Request, given: str) -> None:
        """Send copies of a new keyed request at once: one runs, all get its answer, one effect."""
        key = request_key(request.actor, given, operation=request.operation, payload=request.payload)
        assert key is not None
        before = self.rows.snapshot(without=["idempotency_records"])
        audits = audit_count(self.uow)
        answers = race(self.uow, keyed_call(request, key))
        firsts = [answer for answer in answers if not answer.replayed]
        assert len(firsts) == 1, answers
        first = firsts[0]
        assert all((answer.status, answer.body) == (first.status, first.body) for answer in answers), answers
        # Each use case that changes something audits it once: two runs would show two records.
        assert audit_count(self.uow) - audits <= 1, request
        self.history.stats["raced"] += 1
        self.remember(Keyed(request, key, first), before)

    def remember(self, keyed: Keyed, before: dict[str, Any]) -> None:
        """Keep a keyed request for later retries, after checking that a refused one left nothing but its key."""
        if keyed.first.status >= 400:
            self.history.stats["refused"] += 1
            assert self.rows.snapshot(without=["idempotency_records"]) == before, keyed.request
        else:
            self.history.stats[keyed.request.operation] += 1
        self.keyed.append(keyed)

    def retries(self) -> None:
        """Retry some keyed requests: the one just sent, an older one, copies at once, and once with other content."""
        if not self.keyed:
            return
        if self.rng.random() < 0.15:
            self.retry(self.keyed[-1])
        if self.rng.random() < 0.15:
            self.retry(self.rng.choice(self.keyed))
        if self.rng.random() < 0.06:
            self.retry(self.rng.choice(self.keyed), racing=True)
        if self.rng.random() < 0.03:
            self.conflict(self.rng.choice(self.keyed))

    def retry(self, keyed: Keyed, *, racing: bool = False) -> None:
        """Send a keyed request again: the first answer comes back, replayed, and nothing changes."""
        before = self.rows.snapshot()
        call = keyed_call(keyed.request, keyed.key)
        if racing:
            answers = race(self.uow, call)
        else:
            with self.uow() as unit:
                answers = [call(unit)]
        expected = Answer(keyed.first.status, keyed.first.body, replayed=True)
        assert answers == [expected] * len(answers), (keyed.request, answers, keyed.first)
        # The database and the clock are as they were, so the invariants hold as they did.
        assert self.rows.snapshot() == before, keyed.request
        self.history.stats["retried racing" if racing else "retried"] += 1

    def conflict(self, keyed: Keyed) -> None:
        """Send a used key with another request: refused as a conflict, and nothing changes."""
        other = request_key(keyed.request.actor, keyed.key.key, operation=keyed.request.operation,
                            payload={**keyed.request.payload, "changed": True})
        before = self.rows.snapshot()
        with pytest.raises(IdempotencyConflict), self.uow() as unit:
            run_once(unit, other, keyed.request.run, answer_for(keyed.request), refusal)
        assert self.rows.snapshot() == before, keyed.request
        self.history.stats["conflicts"] += 1


SQLITE_SEEDS = (1, 2, 3, 4, 5)
POSTGRES_SEEDS = (6, 7)


@pytest.mark.parametrize(
    ("seed", "database_url"),
    [(seed, "sqlite") for seed in SQLITE_SEEDS] + [(seed, "postgresql") for seed in POSTGRES_SEEDS],
    indirect=["database_url"],
)
def test_random_sessions_outages_corrections_and_retries_never_credit_a_minute_twice(
        seed, uow, clock, settings, runtime) -> None:
    simulation = Simulation(seed, uow, clock, settings, runtime.engine)
    stats = simulation.run(STEPS)
    # The run must have done what it is meant to check, or it proves nothing.
    assert all(stats[name] for name in ("outage.end", "outage.correct", "retried", "raced", "refused")), stats
    # No dark minute left out: a postpaid session got back every minute it ran on a surely dark seat.
    assert not simulation.history.shortfalls, simulation.history.shortfalls[0]
