"""The compensation policy (SPEC section 3) as a pure function over plain data.

Given one seat session, the outage being compensated, the other outages around it and the
compensations the session already received, ``compensate`` follows the rules in order: the
dark spans (rule 1), the lost minutes (2), the extras — restart, lost work, goodwill and their
cap (3 to 6) —, the rounding (7), the form (8), the money value (9) and the approval (10). Each
rule is one small function below; their numbers make the result's breakdown, which
``explanation.explain`` words. ``correct_credit`` is rule 11: what a recomputation after a
correction of the outage's times does to a credit given before (top up, never take back).

The interval machinery lives below the rules: ``darkness.py`` works out when seats were dark,
``stretches.py`` joins a session's dark periods into dark stretches and measures the time lost
in them. The restart allowance, lost work and fixed goodwill are given once per stretch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from compensator.domain.breakdown import (
    Breakdown,
    CorrectionOutcome,
    Credit,
    CreditDelivery,
    Extras,
    LostTime,
    NothingGiven,
    VoucherReason,
)
from compensator.domain.darkness import NO_EVIDENCE, DarkEvidence, OutageFacts, SeatDarkness
from compensator.domain.explanation import explain
from compensator.domain.figures import CompensationFigures
from compensator.domain.intervals import Span, instant_after, touches
from compensator.domain.kinds import (
    PAID_KINDS,
    CompensationForm,
    CompensationStatus,
    DarkBasis,
    OutageKind,
    SessionMode,
    SessionState,
)
from compensator.domain.ledger import MINUTE, ZERO, Balance, SessionFacts, balance, ceil_minutes
from compensator.domain.money import value_minor
from compensator.domain.records import record
from compensator.domain.stretches import (
    DarkStretches,
    PriorCompensation,
    dark_stretches,
    lost_in_stretch,
    shown_spans,
    usage,
)
from compensator.domain.terms import PolicySettings, ZoneTerms


@dataclass(frozen=True, slots=True)
class CompensationInput:
    """Everything ``compensate`` looks at."""

    session: SessionFacts
    outage: OutageFacts
    outages: tuple[OutageFacts, ...]
    prior: tuple[PriorCompensation, ...]
    seat_terms: Mapping[str, ZoneTerms]
    policy: PolicySettings
    timezone: ZoneInfo
    now: datetime
    # Shared by the sessions compensated for one outage; built here when not given.
    darkness: SeatDarkness | None = None
    # The venue's next closing time: a time credit past it is given as a voucher (rule 8, amended).
    closing: datetime | None = None
    # What was measured of each seat's power, by seat (rule 1 amended); none: the zones' ratings decide.
    evidence: Mapping[str, tuple[DarkEvidence, ...]] | None = None


@record
class CompensationResult:
    """The outcome of the policy for one (outage, session): its figures and the breakdown that explains them."""

    outage_id: int
    seat_id: str | None
    # None when the session gets nothing.
    figures: CompensationFigures | None
    needs_approval: bool
    policy_fingerprint: str
    breakdown: Breakdown
    # The venue's time zone, in which the explanation gives times of day.
    timezone: ZoneInfo
    # The session's paid end at ``now`` before this credit, as ``ledger.balance`` gives it
    # (None when nothing is given).
    paid_end: datetime | None = None

    @property
    def compensated(self) -> bool:
        """Whether the session gets anything (it lost at least one minute)."""
        return self.figures is not None

    @property
    def left_while_dark(self) -> bool:
        """Whether the customer ended the session while the seat was dark, losing all the paid time left."""
        return self.breakdown.lost is not None and self.breakdown.lost.left_while_dark

    @property
    def explanation(self) -> str:
        """Every step in one readable line."""
        return "; ".join(explain(self.breakdown, self.timezone))


def compensate(inputs: CompensationInput) -> CompensationResult:
    """Apply the compensation policy to one seat session for one outage, rule by rule."""
    policy = inputs.policy
    darkness = inputs.darkness
    if darkness is None or not darkness.fits(inputs.outage, inputs.now):
        darkness = SeatDarkness(inputs.outage, inputs.outages, inputs.seat_terms, inputs.now,
                                inputs.evidence or NO_EVIDENCE)
    # The session as it stands now, not only up to this outage's end: an overlapping outage that
    # was compensated already may have ended later, and the minutes it counted are taken off
    # this one's only as far as the session's time is seen through to its end.
    position = balance(inputs.session, max(darkness.horizon, inputs.now))
    dark = dark_stretches(inputs.outage.id, inputs.prior, darkness, position)
    if dark is None:
        basis = darkness.bases(inputs.session.seat_id).get(inputs.outage.id, DarkBasis.UPS_RATING)
        never = NothingGiven.KEPT_RUNNING if basis is DarkBasis.HEARTBEATS else NothingGiven.NEVER_DARK
        return _nothing(inputs, Breakdown(nothing=never, basis=basis,
                                          rated_minutes=darkness.rated_minutes(inputs.session.seat_id)))
    basis = darkness.bases(dark.own.seat_id)[inputs.outage.id]
    rated = darkness.rated_minutes(dark.own.seat_id)
    lost = _lost_time(inputs, darkness, dark, position)
    if lost.minutes == 0:
        return _nothing(inputs, Breakdown(nothing=_why_nothing(dark, lost), lost=lost, basis=basis,
                                          rated_minutes=rated))
    extras = _extras(policy, inputs.session.started_at, dark, lost)
    credit = _rounded(policy, lost, extras)
    # The form depends on the session as it is when the credit is applied (now), not as it was.
    current = position
    delivery = _delivery(policy, inputs.session.mode, current, credit, inputs.closing)
    money = _value(inputs.seat_terms[dark.own.seat_id], credit, lost)
    approval_above = _approval_above(policy, credit)
    breakdown = Breakdown(lost=lost, extras=extras, credit=credit, delivery=delivery,
                          approval_above_minutes=approval_above, dark=(dark.start, dark.end), value_minor=money,
                          basis=basis, rated_minutes=rated)
    return CompensationResult(inputs.outage.id, dark.own.seat_id, breakdown.figures(), approval_above is not None,
                              policy.fingerprint(), breakdown, inputs.timezone, current.paid_end)


def _nothing(inputs: CompensationInput, breakdown: Breakdown) -> CompensationResult:
    """The result for a session that gets nothing, and why."""
    return CompensationResult(inputs.outage.id, None, None, False, inputs.policy.fingerprint(), breakdown,
                              inputs.timezone)


# --- rule 1: the dark spans ---------------------------------------------------------------


def _ups_bridged(outage: OutageFacts, darkness: SeatDarkness, dark: DarkStretches) -> Span | None:
    """The start of the power cut and the moment the UPS gave out, when the seat's own UPS bridged it."""
    # Said only when the seat's own UPS held (not when the customer sat elsewhere meanwhile).
    held_until = darkness.spans(dark.own.seat_id)[outage.id][0]
    if outage.kind is OutageKind.POWER and held_until > outage.started_at and held_until == dark.start:
        return outage.started_at, held_until
    return None


# --- rule 2: the lost minutes -------------------------------------------------------------


def _lost_time(inputs: CompensationInput, darkness: SeatDarkness, dark: DarkStretches,
               position: Balance) -> LostTime:
    """Rule 2: the minutes the session lost while dark and paid for, less those overlapping outages counted."""
    prepaid = inputs.session.mode is SessionMode.PREPAID
    ended_at = inputs.session.ended_at if prepaid else None
    total = ZERO
    left_while_dark = False
    cutoffs: list[tuple[Span, datetime | None]] = []
    for stretch in dark.group:
        paid_left = position.remaining_at(stretch[0]) if prepaid else None
        lost, left = lost_in_stretch(dark, stretch, ended_at, paid_left)
        total += lost
        left_while_dark = left_while_dark or left
        cutoffs.append((stretch, instant_after(dark.active, stretch[0], paid_left) if paid_left is not None else None))
    minutes = max(ceil_minutes(total) - sum(item.lost_minutes for item in dark.counted.values()), 0)
    carried = _carried(inputs.session, position, dark.start, minutes) if left_while_dark else 0
    return LostTime(minutes, shown_spans(dark, cutoffs), _ups_bridged(inputs.outage, darkness, dark),
                    left_while_dark, bool(dark.counted), carried, ended_at if left_while_dark else None)


def _carried(session: SessionFacts, position: Balance, dark_start: datetime, lost_minutes: int) -> int:
    """Rule 2, amended: of a leaver's lost minutes, those they had received as compensation and not used.

    The paid time left when the seat went dark is what was bought (purchases and extensions,
    less corrected sales) and what was given (earlier outage credits, manual credits, redeemed
    vouchers); the time used before is counted against what was bought first. What is left of
    what was given is carried into the voucher: restitution already counted, not new credit.
    """
    kinds = {entry.id: entry.kind for entry in session.entries}
    bought = given = ZERO
    for entry in session.entries:
        if entry.created_at > dark_start:
            continue
        kind = kinds.get(entry.reverses_id, entry.kind) if entry.reverses_id is not None else entry.kind
        if kind in PAID_KINDS:
            bought += entry.minutes * MINUTE
        else:
            given += entry.minutes * MINUTE
    left = position.remaining_at(dark_start)
    used = bought + given - left
    bought_left = max(bought - used, ZERO)
    return max(min((left - bought_left) // MINUTE, lost_minutes), 0)


def _why_nothing(dark: DarkStretches, lost: LostTime) -> NothingGiven:
    """Why a session that sat dark lost no minute."""
    if not dark.own.active and not lost.left_while_dark:
        return NothingGiven.NOT_RUNNING
    return NothingGiven.ALREADY_COUNTED


# --- rules 3 to 6: the extras -------------------------------------------------------------


def _extras(policy: PolicySettings, started_at: datetime, dark: DarkStretches, lost: LostTime) -> Extras:
    """Rules 3 to 6: restart allowance, lost work and goodwill for each stretch opened, within the extras cap."""
    opened = _opened_stretches(dark)
    restart = policy.restart_minutes * len(opened)
    lost_work, capped = _lost_work(policy, started_at, dark, opened)
    goodwill = _goodwill(policy, lost, bool(opened))
    raw = restart + lost_work + goodwill
    # The cap is shared with the overlapping outages that gave extras in the same stretches.
    allowance = max(policy.extras_cap_minutes - sum(item.extras_minutes for item in dark.counted.values()), 0)
    return Extras(stretches_opened=len(opened), restart_minutes=restart, lost_work_minutes=lost_work,
                  lost_work_capped=capped, goodwill_minutes=goodwill, raw_minutes=raw,
                  cap_minutes=policy.extras_cap_minutes, minutes=min(raw, allowance))


def _opened_stretches(dark: DarkStretches) -> list[Span]:
    """Rule 3: the stretches this outage opens; each gets one restart and its lost work, from the first
    outage compensated in it."""
    if not dark.counted:
        return list(dark.group)
    return [
        stretch for stretch in dark.group
        if not any(prior.opened_stretch for outage_id, prior in dark.counted.items()
                   if any(touches(span, stretch) for span in dark.by_outage[outage_id].occupied))
    ]


def _lost_work(policy: PolicySettings, started_at: datetime, dark: DarkStretches,
               opened: list[Span]) -> tuple[int, bool]:
    """Rule 4: the minutes worked before each opened stretch, since the session began or the previous
    stretch ended, each capped; and whether a cap applied."""
    total, capped = 0, False
    for stretch in opened:
        previous_end = max((item[1] for item in dark.stretches if item[1] < stretch[0]), default=None)
        since = max(started_at, previous_end or started_at)
        worked = ceil_minutes(usage(dark.active, since, stretch[0]))
        total += min(worked, policy.lost_work_cap_minutes)
        capped = capped or worked > policy.lost_work_cap_minutes
    return total, capped


def _goodwill(policy: PolicySettings, lost: LostTime, opened: bool) -> int:
    """Rule 5: the fixed goodwill once per stretch opened, plus a share of the lost minutes rounded up."""
    return (policy.goodwill_minutes if opened else 0) + -(-lost.minutes * policy.goodwill_percent // 100)


# --- rules 7 to 10: rounding, form, value, approval ---------------------------------------


def round_up(minutes: int, multiple: int) -> int:
    """``minutes`` rounded up to a multiple of ``multiple``."""
    return -(-minutes // multiple) * multiple


def _rounded(policy: PolicySettings, lost: LostTime, extras: Extras) -> Credit:
    """Rule 7: the lost minutes plus the extras, rounded up."""
    raw = lost.minutes + extras.minutes
    return Credit(raw_minutes=raw, minutes=round_up(raw, policy.round_to_minutes))


def choose_form(mode: SessionMode, state: SessionState) -> CompensationForm:
    """Time for a prepaid session still going, a bill reduction for an open postpaid one, else a voucher."""
    if mode is SessionMode.POSTPAID:
        return CompensationForm.BILL_REDUCTION if state is not SessionState.ENDED else CompensationForm.VOUCHER
    if state in (SessionState.RUNNING, SessionState.PAUSED):
        return CompensationForm.TIME
    return CompensationForm.VOUCHER


def _delivery(policy: PolicySettings, mode: SessionMode, current: Balance, credit: Credit,
              closing: datetime | None) -> CreditDelivery:
    """Rule 8: the form of the credit for the session as it is now, with the paid end it moves or the voucher."""
    form = choose_form(mode, current.state)
    if form is CompensationForm.TIME and current.paid_end is not None:
        return time_delivery(current.paid_end, credit.minutes, closing, policy.voucher_valid_days)
    if form is CompensationForm.VOUCHER:
        reason = VoucherReason.SESSION_ENDED if current.state is SessionState.ENDED else VoucherReason.TIME_RAN_OUT
        return CreditDelivery(form, voucher_valid_days=policy.voucher_valid_days, voucher_reason=reason)
    return CreditDelivery(form)


def time_delivery(paid_end: datetime, minutes: int, closing: datetime | None, valid_days: int) -> CreditDelivery:
    """Rule 8, amended: ``minutes`` added to a session paid until ``paid_end``, up to ``closing``.

    The minutes that would run past closing time come as a voucher; without a closing time every
    minute is added to the session.
    """
    usable = minutes if closing is None else max(min(minutes, (closing - paid_end) // MINUTE), 0)
    past = minutes - usable
    return CreditDelivery(CompensationForm.TIME, paid_end_before=paid_end,
                          paid_end_after=paid_end + timedelta(minutes=usable), closing=closing if past else None,
                          voucher_minutes=past, voucher_valid_days=valid_days if past else None)


def _value(terms: ZoneTerms, credit: Credit, lost: LostTime) -> int:
    """Rule 9: the credit's money value at the zone's price, less the minutes carried over (rule 2, amended)."""
    return value_minor(credit.minutes - lost.carried_minutes, terms.price_minor_per_hour)


def _approval_above(policy: PolicySettings, credit: Credit) -> int | None:
    """Rule 10: the threshold the credit is above, when it must wait for a manager; else None."""
    threshold = policy.manager_approval_above_minutes
    return threshold if credit.minutes > threshold else None


# --- rule 11: corrections -----------------------------------------------------------------


@record
class CorrectedCredit:
    """Rule 11 for one compensation: what its recomputation after a correction changes in its credit."""

    outcome: CorrectionOutcome
    # The recomputed figures; every amount zero when nothing is due any more.
    figures: CompensationFigures
    status: CompensationStatus
    granted_minutes: int
    # Appended as an ``outage_topup`` entry (or a voucher) when above zero.
    topup_minutes: int
    # Given before and no longer due: kept by the customer and shown in the report.
    waived_minutes: int


def correct_credit(status: CompensationStatus, granted_minutes: int, standing: CompensationFigures,
                   recomputed: CompensationFigures | None, needs_approval: bool) -> CorrectedCredit | None:
    """Rule 11: a credit recomputed after a correction is topped up when larger, never taken back when smaller.

    ``standing`` are the figures that stood before (the first, or the newest adjustment's), and
    ``granted_minutes`` what the customer received of them; ``recomputed`` is the policy's new
    result (None when the session no longer lost anything), which ``needs_approval`` above
    rule 10's threshold. A credit still waiting for a manager moves with the recomputation: it
    applies at once when it falls under the threshold, and needs nobody when nothing is due. A
    credit a manager refused stays refused, and one they reduced grows only by what the
    recomputation adds to what was due. None when nothing changes.
    """
    figures = recomputed or standing.cleared()
    if figures.same_amounts(standing) or status is CompensationStatus.REFUSED:
        return None
    credit = figures.credit_minutes
    topup = 0
    if status is CompensationStatus.AWAITING_APPROVAL:
        if credit == 0:
            outcome, status = CorrectionOutcome.NOTHING_DUE, CompensationStatus.APPLIED
        elif not needs_approval:
            outcome, status, granted_minutes = CorrectionOutcome.NOW_APPLIED, CompensationStatus.APPLIED, credit
        else:
            outcome = CorrectionOutcome.STILL_AWAITING
    elif credit > max(granted_minutes, standing.credit_minutes):
        # What was given stands: more than was due (waived before), or less (a manager reduced it).
        topup = credit - max(granted_minutes, standing.credit_minutes)
        outcome, granted_minutes = CorrectionOutcome.TOPPED_UP, granted_minutes + topup
    else:
        outcome = CorrectionOutcome.WAIVED if granted_minutes > credit else CorrectionOutcome.ALREADY_GIVEN
    waived = max(granted_minutes - credit, 0) if status is CompensationStatus.APPLIED else 0
    return CorrectedCredit(outcome, figures, status, granted_minutes, topup, waived)
