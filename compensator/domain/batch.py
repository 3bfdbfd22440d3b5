"""The compensations of one outage worked out together: sessions alike share the policy's work.

Every session compensated for one outage is seen against the same outages, at the same
instant, under the same policy, and ``SeatDarkness`` already works out once the darkness of
seats alike. A batch goes one step further: sessions that sat on seats dark alike (the same
dark spans, the same zone terms), never moved, and have the same history (mode, start, events,
the minutes bought or credited and when, and what they already received for other outages)
get the same result but for their seat, so the policy runs once for all of them. Venues that
start many sessions together (a class, a tournament, a night package) have many such; where
every session differs, it costs each one a dictionary lookup.

How much time was bought matters to the policy only where the paid time runs out (it caps the
lost minutes) and in the paid end a time credit moves. A prepaid session that is still running
or paused with time left, and bought all its time before its seat first went dark, never ran
out from then on: the cap cannot bind, so sessions alike in all but the minutes bought share
the policy's run, and each gets the result with its own paid end (``_ample``). A seat this
outage never darkened gets nothing, whatever was bought.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from compensator.domain.breakdown import Breakdown
from compensator.domain.darkness import NO_EVIDENCE, DarkEvidence, OutageFacts, SeatDarkness
from compensator.domain.explanation import explain, explain_delivery
from compensator.domain.intervals import Span, merge
from compensator.domain.kinds import SessionEventKind, SessionMode, SessionState
from compensator.domain.ledger import ZERO, Balance, SessionFacts, balance
from compensator.domain.policy import CompensationInput, CompensationResult, compensate, time_delivery
from compensator.domain.stretches import PriorCompensation
from compensator.domain.terms import PolicySettings, ZoneTerms

# The states in which a session with time left keeps it: its paid time did not run out.
HOLDING = (SessionState.RUNNING, SessionState.PAUSED)


class CompensationBatch:
    """The policy applied to the sessions of one outage, once per distinct kind of session."""

    def __init__(self, outage: OutageFacts, outages: tuple[OutageFacts, ...], seat_terms: Mapping[str, ZoneTerms],
                 policy: PolicySettings, timezone: ZoneInfo, now: datetime, closing: datetime | None = None,
                 evidence: Mapping[str, tuple[DarkEvidence, ...]] = NO_EVIDENCE) -> None:
        self.outage = outage
        self.closing = closing
        self.outages = outages
        self.seat_terms = seat_terms
        self.policy = policy
        self.timezone = timezone
        self.now = now
        self.evidence = evidence
        self.darkness = SeatDarkness(outage, outages, seat_terms, now, evidence)
        self._seats: dict[str, tuple[tuple[object, ...], datetime | None]] = {}
        self._results: dict[tuple[object, ...], CompensationResult] = {}
        # By the breakdown's identity (each kept alive beside its steps): a shared result's is worded once.
        self._explanations: dict[int, tuple[Breakdown, tuple[str, ...]]] = {}
        # A shared breakdown given another paid end, by its identity: it and the one it was made from.
        self._origins: dict[int, tuple[Breakdown, Breakdown]] = {}

    def compensate(self, session: SessionFacts, prior: tuple[PriorCompensation, ...]) -> CompensationResult:
        """The policy's result for ``session``, which already received ``prior`` for other outages."""
        key, position = self._key(session, prior)
        found = self._results.get(key) if key is not None else None
        if found is None:
            found = compensate(CompensationInput(
                session=session, outage=self.outage, outages=self.outages, prior=prior, seat_terms=self.seat_terms,
                policy=self.policy, timezone=self.timezone, now=self.now, darkness=self.darkness,
                closing=self.closing, evidence=self.evidence))
            if key is not None:
                self._results[key] = found
            return found
        breakdown, paid_end = found.breakdown, found.paid_end
        if position is not None and found.figures is not None and paid_end != position.paid_end:
            breakdown, paid_end = self._with_paid_end(breakdown, position.paid_end), position.paid_end
        # A session that never moved was dark on its own seat only.
        seat_id = session.seat_id if found.seat_id is not None else None
        if seat_id != found.seat_id or paid_end != found.paid_end:
            found = CompensationResult(found.outage_id, seat_id, found.figures, found.needs_approval,
                                       found.policy_fingerprint, breakdown, found.timezone, paid_end)
        return found

    def explanation(self, result: CompensationResult) -> str:
        """``result.explanation``, worded once for the sessions that share the result.

        One that shares it but for the paid end has only the step of its paid end worded again.
        """
        origin = self._origins.get(id(result.breakdown))
        if origin is None:
            return "; ".join(self._steps(result.breakdown))
        moved, shared = origin
        assert moved.delivery is not None and moved.credit is not None
        assert shared.delivery is not None and shared.credit is not None
        step = explain_delivery(shared.delivery, shared.credit, self.timezone)
        own = explain_delivery(moved.delivery, moved.credit, self.timezone)
        return "; ".join([own if item == step else item for item in self._steps(shared)])

    def _steps(self, breakdown: Breakdown) -> tuple[str, ...]:
        """The steps of ``breakdown``'s explanation, worded once."""
        known = self._explanations.get(id(breakdown))
        if known is None:
            known = self._explanations[id(breakdown)] = (breakdown, explain(breakdown, self.timezone))
        return known[1]

    def _with_paid_end(self, breakdown: Breakdown, paid_end: datetime | None) -> Breakdown:
        """``breakdown`` for a session alike but for the minutes bought: the same credit, from its own paid end."""
        delivery, credit = breakdown.delivery, breakdown.credit
        if delivery is None or credit is None or delivery.paid_end_before is None or paid_end is None:
            return breakdown
        moved = replace(breakdown, delivery=time_delivery(paid_end, credit.minutes, self.closing,
                                                          self.policy.voucher_valid_days))
        self._origins[id(moved)] = (moved, breakdown)
        return moved

    def _key(self, session: SessionFacts,
             prior: tuple[PriorCompensation, ...]) -> tuple[tuple[object, ...] | None, Balance | None]:
        """What the policy's result depends on, but for the seat's name (None for a session that moved).

        With it, the session's balance when the minutes bought are left out of the key (``_ample``).
        """
        for event in session.events:
            if event.kind is SessionEventKind.MOVE:
                return None, None
        seat = self._seats.get(session.seat_id)
        if seat is None:
            spans = self.darkness.spans(session.seat_id)
            # What the dark spans rest on is worded in the explanation: seats alike share it too.
            bases = tuple(self.darkness.bases(session.seat_id).items())
            seat = self._seats[session.seat_id] = ((tuple(spans.items()), bases, self.seat_terms.get(session.seat_id)),
                                                   _first_dark(spans, self.outage.id))
        shape, first_dark = seat
        if first_dark is None:
            # This outage never darkened the seat: nothing is given, whatever was bought.
            return (shape, session.mode, session.started_at, session.events, prior), None
        position = self._ample(session, first_dark)
        if position is not None:
            return (shape, session.mode, session.started_at, session.events, position.state, prior), position
        # The policy reads the entries only through the replay of the paid time: when and how much.
        paid = tuple([(entry.created_at, entry.minutes) for entry in session.entries])
        return (shape, session.mode, session.started_at, session.events, paid, prior), None

    def _ample(self, session: SessionFacts, first_dark: datetime) -> Balance | None:
        """The balance the policy sees, for a session whose paid time never ran out while its seat was dark.

        That is a prepaid session running or paused with time left when the policy looks (the
        outage's end, or now), which bought nothing once its seat went dark in the darkness
        this outage is part of (``first_dark``): from then on its time only ran down, so the paid
        time left at the start of any dark stretch the policy counts covers all its running
        time after it. The policy's cap on the lost minutes cannot bind, and its only use of the
        minutes bought is the paid end a time credit moves. None otherwise.
        """
        if session.mode is not SessionMode.PREPAID:
            return None
        for entry in session.entries:
            if entry.created_at >= first_dark:
                return None
        position = balance(session, max(self.darkness.horizon, self.now), history=False)
        if position.state not in HOLDING or position.remaining <= ZERO:
            return None
        return position


def _first_dark(spans: dict[int, Span], outage_id: int) -> datetime | None:
    """When the seat went dark in the darkness ``outage_id``'s is part of: the start of the merged
    (overlapping or touching) dark spans that hold its own.

    The policy's dark stretches for the outage, with those of the outages already compensated
    that share them, all lie within it. None when the outage did not darken the seat.
    """
    own = spans.get(outage_id)
    if own is None:
        return None
    return next(start for start, end in merge(spans.values()) if start <= own[0] and own[1] <= end)
