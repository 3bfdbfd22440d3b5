"""The breakdown of one compensation: every number of SPEC section 3's steps, as plain data.

The policy works it out; ``explanation.explain`` words it, and nothing reads the numbers back
from the words. Each part is the outcome of one step: the lost time (rules 1 and 2), the
extras (rules 3 to 6), the rounded credit (rule 7) and its delivery (rule 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from compensator.domain.figures import CompensationFigures
from compensator.domain.intervals import Span
from compensator.domain.kinds import CompensationForm, DarkBasis
from compensator.domain.records import record


class NothingGiven(StrEnum):
    """Why a session gets nothing for an outage."""

    # A UPS bridged the whole cut, or the session sat elsewhere meanwhile.
    NEVER_DARK = "never_dark"
    # The seat's PC stayed on through the cut: its heartbeats (or its uptime) show it.
    KEPT_RUNNING = "kept_running"
    # The seat was dark, but the session was paused or not yet started then.
    NOT_RUNNING = "not_running"
    # Overlapping outages counted the minutes already, or no paid time was left.
    ALREADY_COUNTED = "already_counted"


class VoucherReason(StrEnum):
    """Why a credit comes as a voucher rather than as time."""

    SESSION_ENDED = "session_ended"
    TIME_RAN_OUT = "time_ran_out"


@dataclass(frozen=True, slots=True)
class LostTime:
    """Rules 1 and 2: the minutes the session lost to this outage, and where they were lost."""

    minutes: int
    # The spans shown: what this outage adds, up to the end of the paid time (its whole dark span if none).
    spans: tuple[Span, ...]
    # The start of the power cut and the moment the seat's own UPS gave out, when it bridged the start.
    ups_bridged: Span | None
    left_while_dark: bool
    # Minutes already credited for an overlapping outage, and so not counted again.
    already_credited: bool
    # Of a leaver's lost minutes, those received as compensation before and not used (carried over).
    carried_minutes: int = 0
    # When the customer left while the seat was dark.
    left_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Extras:
    """Rules 3 to 6: restart allowance, lost work and goodwill, and the cap on their sum."""

    stretches_opened: int
    restart_minutes: int
    lost_work_minutes: int
    lost_work_capped: bool
    goodwill_minutes: int
    raw_minutes: int
    cap_minutes: int
    # Within what the cap leaves after overlapping outages' extras.
    minutes: int


@dataclass(frozen=True, slots=True)
class Credit:
    """Rule 7: lost minutes plus extras, rounded up."""

    raw_minutes: int
    minutes: int


@record
class CreditDelivery:
    """Rule 8: the form the credit reaches the customer in, with its details."""

    form: CompensationForm
    # A time credit moves the paid end; a paused session has none to move.
    paid_end_before: datetime | None = None
    paid_end_after: datetime | None = None
    voucher_valid_days: int | None = None
    voucher_reason: VoucherReason | None = None
    # A time credit is usable until closing time: the minutes past it come as a voucher (rule 8 amended).
    closing: datetime | None = None
    voucher_minutes: int = 0


@record
class Breakdown:
    """Every step of one compensation's calculation, or the reason nothing was given.

    When ``nothing`` names a reason, ``extras``, ``credit`` and ``delivery`` are None, and so is
    ``lost`` when the seat never went dark.
    """

    nothing: NothingGiven | None = None
    lost: LostTime | None = None
    extras: Extras | None = None
    credit: Credit | None = None
    delivery: CreditDelivery | None = None
    # Rule 10: the threshold the credit is above when it waits for a manager's approval.
    approval_above_minutes: int | None = None
    # Rule 1: the span this outage first to last darkened the session, and rule 9: the credit's value.
    dark: Span | None = None
    value_minor: int | None = None
    # Rule 1 amended: what the seat's dark start rests on, and its zone's UPS rating (minutes).
    basis: DarkBasis = DarkBasis.UPS_RATING
    rated_minutes: int = 0

    def figures(self) -> CompensationFigures | None:
        """The compensation's figures, read off the steps (None when nothing is given)."""
        lost, extras, credit, delivery = self.lost, self.extras, self.credit, self.delivery
        if (self.nothing is not None or lost is None or extras is None or credit is None or delivery is None
                or self.dark is None or self.value_minor is None):
            return None
        return CompensationFigures(
            dark_start=self.dark[0], dark_end=self.dark[1], lost_minutes=lost.minutes,
            restart_minutes=extras.restart_minutes, lost_work_minutes=extras.lost_work_minutes,
            goodwill_minutes=extras.goodwill_minutes, extras_minutes=extras.minutes, credit_minutes=credit.minutes,
            opened_stretch=extras.stretches_opened > 0, form=delivery.form, value_minor=self.value_minor,
            carried_minutes=lost.carried_minutes, dark_basis=self.basis)


class CorrectionOutcome(StrEnum):
    """What a correction changed for the customer: rule 11 gives more, never takes back."""

    TOPPED_UP = "topped_up"
    WAIVED = "waived"
    ALREADY_GIVEN = "already_given"
    NOW_APPLIED = "now_applied"
    STILL_AWAITING = "still_awaiting"
    NOTHING_DUE = "nothing_due"


@dataclass(frozen=True, slots=True)
class CorrectionChange:
    """Rule 11 for one compensation: the outage's times before and after a correction, and what followed."""

    started_before: datetime
    started_after: datetime
    ended_before: datetime
    ended_after: datetime
    by: str
    lost_before: int
    lost_after: int
    credit_before: int
    credit_after: int
    outcome: CorrectionOutcome
    topup_minutes: int = 0
    topup_form: CompensationForm | None = None
    waived_minutes: int = 0
    # Set when the correction was of another outage, overlapping this one, whose minutes it counted.
    corrected_outage_id: int | None = None
    # Set when evidence from the seat made the correction, rather than a person: what it said, in words.
    evidence: str | None = None
