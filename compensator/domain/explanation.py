"""The explanation of a compensation, worded from its breakdown: one sentence per step, times local.

For example ``lost 11 min (14:28–14:39) + restart 3 + lost work 10 (capped) = 24 → rounded to
25 min``. The words are built from the numbers only; stored explanations are compared and shown
as they are, so the wording changes only on purpose.
"""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

from compensator.domain.breakdown import (
    Breakdown,
    CorrectionChange,
    CorrectionOutcome,
    Credit,
    CreditDelivery,
    Extras,
    LostTime,
    NothingGiven,
    VoucherReason,
)
from compensator.domain.intervals import Span
from compensator.domain.kinds import CompensationForm, DarkBasis

NOTHING_WORDS: dict[NothingGiven, str] = {
    NothingGiven.NEVER_DARK:
        "the seat never went dark during this session (a UPS bridged the cut, or the seat was elsewhere)",
    NothingGiven.KEPT_RUNNING: "the seat's PC kept running through the cut (its heartbeats show it): never dark",
    NothingGiven.NOT_RUNNING: "dark {spans}, but the session was not running then: no minutes lost",
    NothingGiven.ALREADY_COUNTED: "dark {spans}: these minutes were already counted or no paid time was left",
}
VOUCHER_REASON_WORDS: dict[VoucherReason, str] = {
    VoucherReason.SESSION_ENDED: "the session ended before power returned",
    VoucherReason.TIME_RAN_OUT: "the paid time ran out during the outage",
}


def explain(breakdown: Breakdown, timezone: ZoneInfo) -> tuple[str, ...]:
    """The explanation's steps, worded from ``breakdown`` with times of day in ``timezone``."""
    lost = breakdown.lost
    spans = _spans(lost.spans, timezone) if lost is not None else ""
    if breakdown.nothing is not None:
        return (NOTHING_WORDS[breakdown.nothing].format(spans=spans),)
    extras, credit, delivery = breakdown.extras, breakdown.credit, breakdown.delivery
    assert lost is not None and extras is not None and credit is not None and delivery is not None
    steps: list[str] = []
    step = _dark_step(breakdown, lost, timezone)
    if step is not None:
        steps.append(step)
    steps.append(_sum(lost, spans, extras, credit, timezone))
    steps.append(explain_delivery(delivery, credit, timezone))
    if breakdown.approval_above_minutes is not None:
        steps.append(f"above {breakdown.approval_above_minutes} min: waits for a manager's approval")
    return tuple(steps)


MEASURED_WORDS = {
    DarkBasis.SEAT_REPORT: "the seat's PC went off at {at} by its own report",
    DarkBasis.UPS_BATTERY: "the zone's UPS reported a low battery at {at}",
}


def measured_words(basis: DarkBasis, cut_at: datetime, dark_from: datetime, rated_minutes: int,
                   timezone: ZoneInfo) -> str:
    """When a seat went dark by what was measured, against its UPS's rating (rule 1 amended).

    For example ``power cut 14:18, the seat's PC went off at 14:24 by its own report: 6 min into
    the cut, 4 min before its UPS's rated 10``.
    """
    head = MEASURED_WORDS[basis].format(at=_clock(dark_from, timezone))
    held = round((dark_from - cut_at).total_seconds())
    if held <= 0:
        return f"{head}, as the power cut began"
    text = f"power cut {_clock(cut_at, timezone)}, {head}: {duration(held)} into the cut"
    if rated_minutes:
        short = rated_minutes * 60 - held
        if short > 0:
            text += f", {duration(short)} before its UPS's rated {rated_minutes}"
        elif short < 0:
            text += f", {duration(-short)} after its UPS's rated {rated_minutes}"
        else:
            text += f", at its UPS's rated {rated_minutes}"
    return text


def duration(seconds: int) -> str:
    """A length of time as ``6 min``, ``6 min 20 s`` or ``40 s``."""
    minutes, rest = divmod(seconds, 60)
    if not rest:
        return f"{minutes} min"
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


TOPUP_FORM_WORDS: dict[CompensationForm, str] = {
    CompensationForm.TIME: "",
    CompensationForm.VOUCHER: " as a voucher",
    CompensationForm.BILL_REDUCTION: " off the bill",
}


def explain_correction(change: CorrectionChange, recomputed: Breakdown, timezone: ZoneInfo) -> str:
    """The explanation of an adjustment: what was corrected, by whom, how the figures moved and what followed.

    For example ``outage end corrected 10:45 → 10:50 by bola: lost 45 → 50, credit 60 → 65,
    +5 min; recomputed: lost 50 min (10:00–10:50) + restart 3 + lost work 10 = 63 → rounded to
    65 min``.
    """
    moved = [(what, before, after) for what, before, after in (
        ("start", change.started_before, change.started_after), ("end", change.ended_before, change.ended_after))
        if before != after]
    which = "outage" if change.corrected_outage_id is None else f"overlapping outage {change.corrected_outage_id}"
    if change.evidence is not None:
        text = (f"{change.evidence}: lost {change.lost_before} → {change.lost_after}, "
                f"credit {change.credit_before} → {change.credit_after}, {_outcome(change)}")
        return f"{text}; recomputed: {arithmetic(recomputed, timezone)}"
    if len(moved) == 1:
        what, before, after = moved[0]
        head = f"{which} {what} corrected {_moved(before, after, timezone)}"
    else:
        head = (f"{which} corrected {_clock(change.started_before, timezone)}–{_clock(change.ended_before, timezone)}"
                f" → {_clock(change.started_after, timezone)}–{_clock(change.ended_after, timezone)}")
    text = (f"{head} by {change.by}: lost {change.lost_before} → {change.lost_after}, "
            f"credit {change.credit_before} → {change.credit_after}, {_outcome(change)}")
    return f"{text}; recomputed: {arithmetic(recomputed, timezone)}"


def _moved(before: datetime, after: datetime, timezone: ZoneInfo) -> str:
    """Two times of day, both to the second when either is not on a whole minute (a move by seconds shows)."""
    if before.second or after.second:
        return f"{before.astimezone(timezone).strftime('%H:%M:%S')} → {after.astimezone(timezone).strftime('%H:%M:%S')}"
    return f"{_clock(before, timezone)} → {_clock(after, timezone)}"


def _outcome(change: CorrectionChange) -> str:
    """Rule 11's result: a top-up, or nothing taken back."""
    outcome = change.outcome
    if outcome is CorrectionOutcome.TOPPED_UP:
        assert change.topup_form is not None
        return f"+{change.topup_minutes} min{TOPUP_FORM_WORDS[change.topup_form]}"
    if outcome is CorrectionOutcome.WAIVED:
        return f"nothing taken back: {change.waived_minutes} min waived"
    if outcome is CorrectionOutcome.NOW_APPLIED:
        return f"no longer above the approval threshold: {change.credit_after} min applied now"
    if outcome is CorrectionOutcome.STILL_AWAITING:
        return "still waits for a manager's approval"
    if outcome is CorrectionOutcome.NOTHING_DUE:
        return "nothing is due any more: no approval needed"
    return "already given: nothing more to add"


def arithmetic(breakdown: Breakdown, timezone: ZoneInfo) -> str:
    """The step that adds a compensation up (or why nothing is due), as ``explain`` words it."""
    if breakdown.nothing is not None:
        return explain(breakdown, timezone)[0]
    lost, extras, credit = breakdown.lost, breakdown.extras, breakdown.credit
    assert lost is not None and extras is not None and credit is not None
    step = _dark_step(breakdown, lost, timezone) if breakdown.basis in MEASURED_WORDS else None
    total = _sum(lost, _spans(lost.spans, timezone), extras, credit, timezone)
    # A measured moment is what moved the figures: it comes before the sum.
    return total if step is None else f"{step}; {total}"


def _dark_step(breakdown: Breakdown, lost: LostTime, timezone: ZoneInfo) -> str | None:
    """When the seat went dark in the power cut: after its UPS held, or at the moment measured."""
    measured = breakdown.basis in MEASURED_WORDS
    if lost.ups_bridged is not None:
        cut_at, held_until = lost.ups_bridged
        if measured:
            return measured_words(breakdown.basis, cut_at, held_until, breakdown.rated_minutes, timezone)
        return f"power cut {_clock(cut_at, timezone)}, UPS held until {_clock(held_until, timezone)}"
    if measured and lost.spans:
        return measured_words(breakdown.basis, lost.spans[0][0], lost.spans[0][0], breakdown.rated_minutes, timezone)
    return None


def _sum(lost: LostTime, spans: str, extras: Extras, credit: Credit, timezone: ZoneInfo) -> str:
    """Rules 2 to 7 in one sum: the lost minutes, each extra, the cap and the rounding."""
    if lost.left_while_dark and lost.spans:
        # The customer gave up the paid time left, which runs past the dark minutes they sat through.
        left = f" at {_clock(lost.left_at, timezone)}" if lost.left_at is not None else ""
        lost_text = (f"lost {lost.minutes} min (dark from {_clock(lost.spans[0][0], timezone)}; the customer "
                     f"gave up{left}): all the paid time left")
    else:
        lost_text = f"lost {lost.minutes} min ({spans})"
    if lost.carried_minutes:
        lost_text += f", {lost.carried_minutes} of them given before as compensation and carried over"
    if lost.already_credited:
        lost_text += ", minutes already credited for an overlapping outage not counted again"
    terms = [lost_text]
    if extras.stretches_opened > 1:
        terms.append(f"restart {extras.restart_minutes} (the seat went dark {extras.stretches_opened} times)")
    elif extras.restart_minutes:
        terms.append(f"restart {extras.restart_minutes}")
    if not extras.stretches_opened:
        terms.append("no new restart or lost work (the seat was already dark)")
    if extras.lost_work_minutes:
        terms.append(f"lost work {extras.lost_work_minutes}" + (" (capped)" if extras.lost_work_capped else ""))
    if extras.goodwill_minutes:
        terms.append(f"goodwill {extras.goodwill_minutes}")
    text = " + ".join(terms) + f" = {lost.minutes + extras.raw_minutes}"
    if extras.minutes < extras.raw_minutes:
        text += f", extras capped at {extras.cap_minutes} → {credit.raw_minutes}"
    if credit.minutes != credit.raw_minutes:
        return text + f" → rounded to {credit.minutes} min"
    return text + " min"


def explain_delivery(delivery: CreditDelivery, credit: Credit, timezone: ZoneInfo) -> str:
    """Rule 8: where the credit goes (the step of ``explain`` that words ``delivery``)."""
    if delivery.form is CompensationForm.BILL_REDUCTION:
        return f"{credit.minutes} min off the bill"
    if delivery.form is CompensationForm.TIME:
        if delivery.paid_end_before is not None and delivery.paid_end_after is not None:
            added = (f"time added: paid end {_clock(delivery.paid_end_before, timezone)} → "
                     f"{_clock(delivery.paid_end_after, timezone)}")
            if delivery.voucher_minutes and delivery.closing is not None:
                added += (f" (closing time {_clock(delivery.closing, timezone)}); {delivery.voucher_minutes} min past "
                          f"closing as a voucher valid {delivery.voucher_valid_days} days")
            return added
        return f"{credit.minutes} min added to the paused session"
    assert delivery.voucher_reason is not None
    return (f"voucher of {credit.minutes} min valid {delivery.voucher_valid_days} days "
            f"({VOUCHER_REASON_WORDS[delivery.voucher_reason]})")


def _spans(spans: tuple[Span, ...], timezone: ZoneInfo) -> str:
    return ", ".join(f"{_clock(start, timezone)}–{_clock(end, timezone)}" for start, end in spans)


@functools.lru_cache(maxsize=1024)
def _clock(moment: datetime, timezone: ZoneInfo) -> str:
    """``moment``'s local time as ``%H:%M``: the hour and minute, each zero-padded to two digits."""
    # Cached: the sessions of one outage mostly share its start and end times. Written out
    # rather than through strftime: where customers came one by one, each paid end is its own.
    local = moment.astimezone(timezone)
    return f"{local.hour:02d}:{local.minute:02d}"
