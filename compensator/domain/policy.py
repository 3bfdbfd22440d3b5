"""The compensation policy (SPEC section 3) as a pure function over plain data.

Given one seat session, the outage being compensated, the other outages around it and the
compensations the session already received, ``compensate`` follows the rules in order: the
dark spans (rule 1), the lost minutes (2), the extras — restart, lost work, goodwill and their
cap (3 to 6) —, the rounding (7), the form (8), the money value (9) and the approval (10). Each
rule is one small function below; their numbers make the result's breakdown, which
``explanation.explain`` words.

The seat's dark periods during the session are joined into *dark stretches*
(``darkness.py`` works out the darkness itself). Within one stretch, lost minutes are counted on
the union of the dark time of every compensated outage, so no minute is counted twice and
splitting an outage in two changes no total; the restart allowance, lost work and fixed
goodwill are given once per stretch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from compensator.domain.breakdown import Breakdown, Credit, CreditDelivery, Extras, LostTime, NothingGiven, VoucherReason
from compensator.domain.darkness import OutageFacts, SeatDarkness, SessionDark, session_dark
from compensator.domain.explanation import explain
from compensator.domain.figures import CompensationFigures
from compensator.domain.intervals import Span, instant_after, merge, subtract, touches, touching
from compensator.domain.kinds import CompensationForm, OutageKind, SessionMode, SessionState
from compensator.domain.ledger import Balance, SessionFacts, balance, ceil_minutes
from compensator.domain.money import value_minor
from compensator.domain.records import record
from compensator.domain.terms import PolicySettings, ZoneTerms

ZERO = timedelta(0)
FOREVER = timedelta(days=36500)


@record
class PriorCompensation:
    """What the session already received for another outage."""

    outage_id: int
    lost_minutes: int
    extras_minutes: int
    opened_stretch: bool


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
        darkness = SeatDarkness(inputs.outage, inputs.outages, inputs.seat_terms, inputs.now)
    # The session as it stands now, not only up to this outage's end: an overlapping outage that
    # was compensated already may have ended later, and the minutes it counted are taken off
    # this one's only as far as the session's time is seen through to its end.
    position = balance(inputs.session, max(darkness.horizon, inputs.now))
    dark = _dark_stretches(inputs, darkness, position)
    if dark is None:
        return _nothing(inputs, Breakdown(nothing=NothingGiven.NEVER_DARK))
    lost = _lost_time(inputs, darkness, dark, position)
    if lost.minutes == 0:
        return _nothing(inputs, Breakdown(nothing=_why_nothing(dark, lost), lost=lost))
    extras = _extras(policy, inputs.session.started_at, dark, lost)
    credit = _rounded(policy, lost, extras)
    # The form depends on the session as it is when the credit is applied (now), not as it was.
    current = position
    delivery = _delivery(policy, inputs.session.mode, current, credit)
    money = _value(inputs.seat_terms[dark.own.seat_id], credit)
    approval_above = _approval_above(policy, credit)
    figures = CompensationFigures(
        dark_start=dark.start, dark_end=dark.end, lost_minutes=lost.minutes, restart_minutes=extras.restart_minutes,
        lost_work_minutes=extras.lost_work_minutes, goodwill_minutes=extras.goodwill_minutes,
        extras_minutes=extras.minutes, credit_minutes=credit.minutes, opened_stretch=extras.stretches_opened > 0,
        form=delivery.form, value_minor=money)
    breakdown = Breakdown(lost=lost, extras=extras, credit=credit, delivery=delivery,
                          approval_above_minutes=approval_above)
    return CompensationResult(inputs.outage.id, dark.own.seat_id, figures, approval_above is not None,
                              policy.fingerprint(), breakdown, inputs.timezone, current.paid_end)


def _nothing(inputs: CompensationInput, breakdown: Breakdown) -> CompensationResult:
    """The result for a session that gets nothing, and why."""
    return CompensationResult(inputs.outage.id, None, None, False, inputs.policy.fingerprint(), breakdown,
                              inputs.timezone)


# --- rule 1: the dark spans ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DarkStretches:
    """When the session sat dark because of this outage, and the stretches it shares with compensated ones.

    The *group* is the stretches this outage darkened (a move to a seat whose UPS still holds
    makes more than one), with every already compensated outage sharing one of them, and that
    outage's other stretches too: its lost minutes are then taken off exactly what it counted.
    """

    own: SessionDark
    by_outage: dict[int, SessionDark]
    # Every dark stretch of the session, whichever outage made it.
    stretches: list[Span]
    group: list[Span]
    # The compensated outages sharing the group, by outage id, and what each already gave.
    counted: dict[int, PriorCompensation]
    # The session's running time, merged.
    active: list[Span]

    @property
    def start(self) -> datetime:
        """When this outage first darkened the session."""
        return self.own.occupied[0][0]

    @property
    def end(self) -> datetime:
        """When this outage last stopped darkening the session."""
        return self.own.occupied[-1][1]

    def counted_dark(self) -> list[SessionDark]:
        """This outage's darkness over the session, then that of each compensated outage in the group."""
        return [self.own, *(self.by_outage[outage_id] for outage_id in self.counted)]


def _dark_stretches(inputs: CompensationInput, darkness: SeatDarkness, position: Balance) -> DarkStretches | None:
    """Rule 1: when the session sat dark because of this outage, or None if it never did."""
    by_outage = session_dark(darkness, position)
    own = by_outage.get(inputs.outage.id)
    if own is None:
        return None
    # One outage's darkness over the session is merged already (``session_dark``).
    stretches = (list(own.occupied) if len(by_outage) == 1
                 else merge([span for dark in by_outage.values() for span in dark.occupied]))
    group = touching(stretches, own.occupied)
    counted: dict[int, PriorCompensation] = {}
    # Only the compensations received for outages that darkened this session can share its stretches.
    prior = {item.outage_id: item for item in inputs.prior
             if item.outage_id != inputs.outage.id and item.outage_id in by_outage}
    grown = bool(prior)
    while grown:
        grown = False
        for other_id, other in prior.items():
            if other_id in counted:
                continue
            other_dark = by_outage[other_id].occupied
            if touching(other_dark, group):
                counted[other_id] = other
                group.extend([item for item in touching(stretches, other_dark) if item not in group])
                grown = True
    group.sort()
    active = merge([(item.start, item.end) for item in position.intervals])
    return DarkStretches(own, by_outage, stretches, group, counted, active)


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
        lost, left = _lost_in_stretch(dark, stretch, ended_at, paid_left)
        total += lost
        left_while_dark = left_while_dark or left
        cutoffs.append((stretch, instant_after(dark.active, stretch[0], paid_left) if paid_left is not None else None))
    minutes = max(ceil_minutes(total) - sum(item.lost_minutes for item in dark.counted.values()), 0)
    return LostTime(minutes, _shown_spans(dark, cutoffs), _ups_bridged(inputs.outage, darkness, dark),
                    left_while_dark, bool(dark.counted))


def _lost_in_stretch(dark: DarkStretches, stretch: Span, ended_at: datetime | None,
                     paid_left: timedelta | None) -> tuple[timedelta, bool]:
    """The time lost in one stretch, and whether the customer left in it (``ended_at`` given for prepaid only).

    Lost time is measured in "usage" (running time since the stretch began), so that the cap of
    the paid time left at its start (``paid_left``) applies whatever pauses happened while dark.
    """
    origin = stretch[0]
    lost_usage: list[tuple[timedelta, timedelta]] = []
    left = False
    for part in dark.counted_dark():
        for start, end in part.active:
            if touches((start, end), stretch):
                lost_usage.append((_usage(dark.active, origin, start), _usage(dark.active, origin, end)))
        if ended_at is not None and any(span[1] == ended_at for span in part.occupied) \
                and touches((ended_at, ended_at), stretch):
            # The customer gave up in the dark: all the paid time left is lost.
            left = True
            lost_usage.append((_usage(dark.active, origin, ended_at), FOREVER))
    window_end = paid_left if paid_left is not None else FOREVER
    lost = ZERO
    for start, end in merge(lost_usage):
        lost += max(min(end, window_end) - start, ZERO)
    return lost, left


def _shown_spans(dark: DarkStretches, cutoffs: list[tuple[Span, datetime | None]]) -> tuple[Span, ...]:
    """The spans to show: the running time this outage adds in each stretch, up to where the paid time ran out."""
    already = [span for outage_id in dark.counted for span in dark.by_outage[outage_id].active]
    # This outage's running time over the session is merged already (``session_dark``).
    adds = subtract(dark.own.active, already) if already else dark.own.active
    shown: list[Span] = []
    for stretch, cutoff in cutoffs:
        parts = [(start, end if cutoff is None else min(end, cutoff)) for start, end in adds
                 if touches((start, end), stretch) and (cutoff is None or start < cutoff)]
        if parts:
            shown.append((parts[0][0], parts[-1][1]))
    return tuple(shown) or ((dark.start, dark.end),)


def _why_nothing(dark: DarkStretches, lost: LostTime) -> NothingGiven:
    """Why a session that sat dark lost no minute."""
    if not dark.own.active and not lost.left_while_dark:
        return NothingGiven.NOT_RUNNING
    return NothingGiven.ALREADY_COUNTED


def _usage(active: list[Span], origin: datetime, moment: datetime) -> timedelta:
    """Active time between ``origin`` and ``moment``; ``active`` is merged (sorted, disjoint)."""
    total = ZERO
    if moment <= origin:
        return total
    for start, end in active:
        if start >= moment:
            break
        if end > origin:
            total += min(end, moment) - max(start, origin)
    return total


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
        worked = ceil_minutes(_usage(dark.active, since, stretch[0]))
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


def _delivery(policy: PolicySettings, mode: SessionMode, current: Balance, credit: Credit) -> CreditDelivery:
    """Rule 8: the form of the credit for the session as it is now, with the paid end it moves or the voucher."""
    form = choose_form(mode, current.state)
    if form is CompensationForm.TIME and current.paid_end is not None:
        return CreditDelivery(form, paid_end_before=current.paid_end,
                        paid_end_after=current.paid_end + timedelta(minutes=credit.minutes))
    if form is CompensationForm.VOUCHER:
        reason = VoucherReason.SESSION_ENDED if current.state is SessionState.ENDED else VoucherReason.TIME_RAN_OUT
        return CreditDelivery(form, voucher_valid_days=policy.voucher_valid_days, voucher_reason=reason)
    return CreditDelivery(form)


def _value(terms: ZoneTerms, credit: Credit) -> int:
    """Rule 9: the credit's money value at the zone's price."""
    return value_minor(credit.minutes, terms.price_minor_per_hour)


def _approval_above(policy: PolicySettings, credit: Credit) -> int | None:
    """Rule 10: the threshold the credit is above, when it must wait for a manager; else None."""
    threshold = policy.manager_approval_above_minutes
    return threshold if credit.minutes > threshold else None
