"""What the crash checks read and what they report: the database snapshot, the findings and the figures.

``read_snapshot`` reads every row the checks of ``tests.support.crash_checks`` need, as plain data; each
broken invariant they find is a ``Finding`` in one of the categories below (an effect that no
successful request accounts for is blamed by ``Findings.blame``), and ``figures`` counts what a
run sent, what its kills interrupted and what the checks found, as the bench prints it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from compensator.domain.kinds import SessionEventKind
from compensator.store.models import (
    AuditRecord,
    Compensation,
    LedgerEntry,
    Notice,
    NoticeDelivery,
    Outage,
    SeatSession,
    SessionEvent,
    Voucher,
    VoucherRedemption,
)
from compensator.store.operations import IdempotencyRecord
from tests.support.crash_client import KeyedRequest
from tests.support.crash_load import CrashRun
from tests.support.crash_server import ACTOR

LOST = "lost"
DOUBLED = "doubled"
REFUSED_AFTER_COMMIT = "refused after commit"
HALF_APPLIED = "half-applied outage"
OTHER = "other"


@dataclass(frozen=True)
class Finding:
    """One broken invariant: its category, what is wrong, and the keys of the requests concerned."""

    category: str
    message: str
    keys: tuple[KeyedRequest, ...] = ()
    # What is counted: the outage for a half-applied one; else each key (or the effect, without one).
    subject: str | None = None

    def describe(self) -> str:
        """The finding with every request concerned, one per line."""
        lines = [f"[{self.category}] {self.message}"]
        lines.extend(f"    {request.describe()}" for request in self.keys)
        return "\n".join(lines)


@dataclass
class Findings:
    """Everything the checks found, in the order found."""

    items: list[Finding] = field(default_factory=list)

    def add(self, category: str, message: str, keys: Iterable[KeyedRequest] = (), subject: str | None = None) -> None:
        """Record a broken invariant."""
        self.items.append(Finding(category, message, tuple(keys), subject))

    def blame(self, what: str, candidates: Iterable[KeyedRequest]) -> None:
        """Record an effect no successful request accounts for: blame the re-sent requests that could have made it."""
        suspects = [request for request in candidates if request.resent]
        refused = [request for request in suspects if request.refused]
        if refused:
            self.add(REFUSED_AFTER_COMMIT, f"{what}, yet a re-sent request that could have made it was refused",
                     refused)
        else:
            self.add(DOUBLED, f"{what}: more than the successful requests account for", suspects or candidates)

    def count(self, category: str) -> int:
        """How many outages, requests (or, where none is to blame, effects) broke the invariants of ``category``."""
        subjects: set[str] = set()
        for finding in self.items:
            if finding.category == category:
                if finding.subject is not None:
                    subjects.add(finding.subject)
                else:
                    subjects.update([request.key for request in finding.keys] or [finding.message])
        return len(subjects)

    def describe(self) -> str:
        """Every finding, for a failure message."""
        return "\n".join(finding.describe() for finding in self.items)


@dataclass
class Snapshot:
    """The rows the checks read, as plain data."""

    sessions: dict[int, tuple[str, str, datetime]] = field(default_factory=dict)
    entries: list[tuple[int, int, str, int, int | None]] = field(default_factory=list)
    events: list[tuple[int, str, str | None]] = field(default_factory=list)
    outages: dict[int, tuple[str, str]] = field(default_factory=dict)
    compensations: dict[int, tuple[int, int, str, str]] = field(default_factory=dict)
    # Compensations made as their session ended in the dark (a leaver's), at the instant of its end event.
    leavers: set[int] = field(default_factory=set)
    vouchers: dict[int, tuple[str, int | None]] = field(default_factory=dict)
    redemptions: list[tuple[int, int]] = field(default_factory=list)
    notices: list[tuple[int, int]] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)
    audit: Counter[tuple[str, str]] = field(default_factory=Counter)
    records: dict[str, tuple[int | None, Any, datetime]] = field(default_factory=dict)


def read_snapshot(database_url: str) -> Snapshot:
    """Read every row the checks need from the database (the server stopped or idle)."""
    engine = create_engine(database_url)
    snapshot = Snapshot()
    try:
        with Session(engine) as db:
            snapshot.sessions = {row.id: (row.seat_id, row.mode.value, row.started_at) for row in db.execute(
                select(SeatSession.id, SeatSession.seat_id, SeatSession.mode, SeatSession.started_at))}
            snapshot.entries = [(row.id, row.seat_session_id, row.kind.value, row.minutes, row.compensation_id)
                                for row in db.execute(select(LedgerEntry.id, LedgerEntry.seat_session_id,
                                                             LedgerEntry.kind, LedgerEntry.minutes,
                                                             LedgerEntry.compensation_id))]
            snapshot.events = [(row.seat_session_id, row.kind.value, row.seat_id) for row in db.execute(
                select(SessionEvent.seat_session_id, SessionEvent.kind, SessionEvent.seat_id))]
            snapshot.outages = {row.id: (row.status.value, row.source.value) for row in db.execute(
                select(Outage.id, Outage.status, Outage.source))}
            snapshot.compensations = {row.id: (row.outage_id, row.seat_session_id, row.status.value, row.form.value)
                                      for row in db.execute(select(Compensation.id, Compensation.outage_id,
                                                                   Compensation.seat_session_id, Compensation.status,
                                                                   Compensation.form))}
            snapshot.leavers = set(db.scalars(
                select(Compensation.id).join(SessionEvent, (SessionEvent.seat_session_id == Compensation.seat_session_id)
                                             & (SessionEvent.kind == SessionEventKind.END)
                                             & (SessionEvent.at == Compensation.created_at))))
            snapshot.vouchers = {row.id: (row.code, row.compensation_id) for row in db.execute(
                select(Voucher.id, Voucher.code, Voucher.compensation_id))}
            snapshot.redemptions = [tuple(row) for row in db.execute(
                select(VoucherRedemption.voucher_id, VoucherRedemption.seat_session_id))]
            snapshot.notices = [tuple(row) for row in db.execute(select(Notice.id, Notice.compensation_id))]
            snapshot.deliveries = list(db.scalars(select(NoticeDelivery.notice_id)))
            snapshot.audit = Counter((row.action, row.target_id) for row in db.execute(
                select(AuditRecord.action, AuditRecord.target_id)))
            snapshot.records = {row.key: (row.status, row.body, row.created_at) for row in db.execute(
                select(IdempotencyRecord.key, IdempotencyRecord.status, IdempotencyRecord.body,
                       IdempotencyRecord.created_at).where(IdempotencyRecord.actor == ACTOR))}
    finally:
        engine.dispose()
    return snapshot


@dataclass(frozen=True)
class Figures:
    """The numbers of a run, as the bench prints them."""

    rounds: int
    requests: int
    attempts: int
    acknowledged_before_kills: int
    refusals: int
    in_flight_at_kills: int
    committed_but_unanswered: int
    resent: int
    replayed: int
    lost: int
    doubled: int
    refused_after_commit: int
    half_applied_outages: int
    other: int

    def lines(self) -> list[str]:
        """One ``name: value`` line per figure."""
        return [f"{name.replace('_', ' ')}: {value}" for name, value in vars(self).items()]


@dataclass(frozen=True)
class Report:
    """The findings of a run and its figures."""

    findings: Findings
    figures: Figures

    @property
    def ok(self) -> bool:
        """Whether every invariant held."""
        return not self.findings.items


def figures(run: CrashRun, snapshot: Snapshot, findings: Findings) -> Figures:
    """Count what a run sent, what its kills interrupted and what the checks found."""
    kills = {kill.round: kill for kill in run.kills}
    last_kill = max((kill.killed_at for kill in run.kills), default=0.0)
    in_flight = committed = 0
    for request in run.requests:
        kill = kills.get(request.round)
        if not request.interrupted or kill is None or request.attempts[0].sent_at >= kill.killed_at:
            continue
        in_flight += 1
        record = snapshot.records.get(request.key)
        if record is not None and record[2].timestamp() < kill.killed_at:
            committed += 1
    return Figures(
        rounds=len(run.kills),
        requests=len(run.requests),
        attempts=sum(len(request.attempts) for request in run.requests),
        acknowledged_before_kills=sum(1 for request in run.requests if request.succeeded
                                      and request.answers[0].finished_at < last_kill),
        refusals=sum(1 for request in run.requests if request.refused),
        in_flight_at_kills=in_flight,
        committed_but_unanswered=committed,
        resent=sum(1 for request in run.requests if request.resent),
        replayed=sum(1 for request in run.requests for answer in request.answers if answer.replayed),
        lost=findings.count(LOST),
        doubled=findings.count(DOUBLED),
        refused_after_commit=findings.count(REFUSED_AFTER_COMMIT),
        half_applied_outages=findings.count(HALF_APPLIED),
        other=findings.count(OTHER),
    )
