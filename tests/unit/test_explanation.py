"""The explanation is worded from a breakdown's numbers alone: hand-built breakdowns, exact sentences."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from compensator.domain.breakdown import (
    Breakdown,
    Credit,
    CreditDelivery,
    Extras,
    LostTime,
    NothingGiven,
    VoucherReason,
)
from compensator.domain.explanation import explain
from compensator.domain.kinds import CompensationForm

LAGOS = ZoneInfo("Africa/Lagos")


def local(clock: str) -> datetime:
    hours, minutes = map(int, clock.split(":"))
    return datetime(2026, 11, 22, hours, minutes, tzinfo=LAGOS)


def lost(minutes: int, *spans: tuple[str, str], ups_bridged: tuple[str, str] | None = None,
         left_while_dark: bool = False, already_credited: bool = False) -> LostTime:
    return LostTime(minutes, tuple((local(start), local(end)) for start, end in spans),
                    (local(ups_bridged[0]), local(ups_bridged[1])) if ups_bridged else None,
                    left_while_dark, already_credited)


def extras(restart: int = 3, lost_work: int = 10, goodwill: int = 0, *, stretches: int = 1, capped: bool = False,
           cap: int = 60) -> Extras:
    raw = restart + lost_work + goodwill
    return Extras(stretches, restart, lost_work, capped, goodwill, raw, cap, min(raw, cap))


def time_added(before: str, credit: int) -> CreditDelivery:
    return CreditDelivery(CompensationForm.TIME, local(before), local(before) + timedelta(minutes=credit))


def test_the_first_worked_example_reads_as_the_spec_writes_it() -> None:
    breakdown = Breakdown(lost=lost(11, ("14:28", "14:39"), ups_bridged=("14:18", "14:28")),
                          extras=extras(capped=True), credit=Credit(24, 25), delivery=time_added("15:00", 25))
    assert explain(breakdown, LAGOS) == (
        "power cut 14:18, UPS held until 14:28",
        "lost 11 min (14:28–14:39) + restart 3 + lost work 10 (capped) = 24 → rounded to 25 min",
        "time added: paid end 15:00 → 15:25",
    )


def test_times_of_day_are_shown_in_the_time_zone_given() -> None:
    breakdown = Breakdown(lost=lost(45, ("10:00", "10:45")), extras=extras(), credit=Credit(58, 60),
                          delivery=time_added("11:30", 60))
    assert explain(breakdown, ZoneInfo("UTC"))[0].startswith("lost 45 min (09:00–09:45) + restart 3")


def test_a_customer_who_gave_up_gets_a_voucher_and_the_reason_is_said() -> None:
    breakdown = Breakdown(lost=lost(40, ("09:20", "10:00"), left_while_dark=True), extras=extras(),
                          credit=Credit(53, 55),
                          delivery=CreditDelivery(CompensationForm.VOUCHER, voucher_valid_days=30,
                                            voucher_reason=VoucherReason.SESSION_ENDED))
    assert explain(breakdown, LAGOS) == (
        "lost 40 min (dark from 09:20; the customer gave up): all the paid time left + restart 3 + lost work 10 "
        "= 53 → rounded to 55 min",
        "voucher of 55 min valid 30 days (the session ended before power returned)",
    )


def test_an_overlapping_outage_gives_no_new_restart_and_its_minutes_are_not_counted_again() -> None:
    breakdown = Breakdown(lost=lost(20, ("10:20", "10:40"), already_credited=True),
                          extras=extras(0, 0, stretches=0), credit=Credit(20, 20),
                          delivery=time_added("12:35", 20))
    assert explain(breakdown, LAGOS)[0] == (
        "lost 20 min (10:20–10:40), minutes already credited for an overlapping outage not counted again"
        " + no new restart or lost work (the seat was already dark) = 20 min")


def test_goodwill_the_extras_cap_and_several_stretches_are_each_said() -> None:
    breakdown = Breakdown(lost=lost(100, ("10:00", "10:05"), ("10:10", "11:45")),
                          extras=extras(6, 15, 55, stretches=2, cap=20), credit=Credit(120, 120),
                          delivery=CreditDelivery(CompensationForm.BILL_REDUCTION), approval_above_minutes=60)
    assert explain(breakdown, LAGOS) == (
        "lost 100 min (10:00–10:05, 10:10–11:45) + restart 6 (the seat went dark 2 times) + lost work 15"
        " + goodwill 55 = 176, extras capped at 20 → 120 min",
        "120 min off the bill",
        "above 60 min: waits for a manager's approval",
    )


def test_a_paused_session_and_a_voucher_for_time_that_ran_out_are_worded_by_their_form() -> None:
    paused = Breakdown(lost=lost(5, ("10:00", "10:05")), extras=extras(), credit=Credit(18, 20),
                       delivery=CreditDelivery(CompensationForm.TIME))
    ran_out = Breakdown(lost=lost(10, ("09:50", "10:00")), extras=extras(), credit=Credit(23, 25),
                        delivery=CreditDelivery(CompensationForm.VOUCHER, voucher_valid_days=7,
                                          voucher_reason=VoucherReason.TIME_RAN_OUT))
    assert explain(paused, LAGOS)[-1] == "20 min added to the paused session"
    assert explain(ran_out, LAGOS)[-1] == "voucher of 25 min valid 7 days (the paid time ran out during the outage)"


def test_each_reason_for_giving_nothing_is_one_sentence() -> None:
    dark = lost(0, ("10:10", "10:20"))
    assert explain(Breakdown(nothing=NothingGiven.NEVER_DARK), LAGOS) == (
        "the seat never went dark during this session (a UPS bridged the cut, or the seat was elsewhere)",)
    assert explain(Breakdown(nothing=NothingGiven.NOT_RUNNING, lost=dark), LAGOS) == (
        "dark 10:10–10:20, but the session was not running then: no minutes lost",)
    assert explain(Breakdown(nothing=NothingGiven.ALREADY_COUNTED, lost=dark), LAGOS) == (
        "dark 10:10–10:20: these minutes were already counted or no paid time was left",)


def test_a_leavers_minutes_given_before_are_said_to_be_carried_over() -> None:
    gave_up = LostTime(205, ((local("20:35"), local("21:30")),), None, True, False, carried_minutes=100,
                       left_at=local("20:37"))
    breakdown = Breakdown(lost=gave_up, extras=extras(3, 10), credit=Credit(218, 220),
                          delivery=CreditDelivery(CompensationForm.VOUCHER, voucher_valid_days=30,
                                                  voucher_reason=VoucherReason.SESSION_ENDED))
    assert explain(breakdown, LAGOS)[0] == (
        "lost 205 min (dark from 20:35; the customer gave up at 20:37): all the paid time left, 100 of them given "
        "before as compensation and carried over + restart 3 + lost work 10 = 218 → rounded to 220 min")
