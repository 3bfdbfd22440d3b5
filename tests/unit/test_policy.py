"""The compensation policy as a pure function: worked cases and properties (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from compensator.domain.breakdown import CorrectionOutcome, NothingGiven
from compensator.domain.darkness import OutageFacts
from compensator.domain.explanation import explain
from compensator.domain.kinds import (
    CompensationForm,
    CompensationStatus,
    EntryKind,
    OutageKind,
    SessionEventKind,
    SessionMode,
)
from compensator.domain.ledger import EntryRecord, EventRecord, SessionFacts
from compensator.domain.policy import (
    CompensationInput,
    CompensationResult,
    CorrectedCredit,
    PriorCompensation,
    compensate,
    correct_credit,
    round_up,
)
from compensator.domain.terms import PolicySettings, ZoneTerms
from tests.support.budgets import budget

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
LAGOS = ZoneInfo("Africa/Lagos")
POLICY = PolicySettings()
SEATS = frozenset({"A1"})


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def session(minutes: int | None, *, start: float = 0, events: tuple[EventRecord, ...] = (),
            extra: tuple[EntryRecord, ...] = ()) -> SessionFacts:
    entries = () if minutes is None else (EntryRecord(1, EntryKind.PURCHASE, minutes, at(start)),)
    mode = SessionMode.POSTPAID if minutes is None else SessionMode.PREPAID
    return SessionFacts(mode, at(start), "A1", events=events, entries=entries + extra)


def run(facts: SessionFacts, outage: OutageFacts, *, ups: int = 0, others: tuple[OutageFacts, ...] = (),
        prior: tuple[PriorCompensation, ...] = (), policy: PolicySettings = POLICY,
        now: datetime | None = None) -> CompensationResult:
    return compensate(CompensationInput(
        session=facts, outage=outage, outages=others + (outage,), prior=prior,
        seat_terms={"A1": ZoneTerms(ups, 30000)}, policy=policy, timezone=LAGOS,
        now=now or outage.ended_at or at(0)))


def cut(outage_id: int, start: float, end: float | None, kind: OutageKind = OutageKind.POWER) -> OutageFacts:
    return OutageFacts(outage_id, kind, at(start), at(end) if end is not None else None, SEATS)


def as_prior(result: CompensationResult) -> PriorCompensation:
    figures = result.figures
    assert figures is not None
    return PriorCompensation(result.outage_id, figures.lost_minutes, figures.extras_minutes, figures.opened_stretch)


def amount(result: CompensationResult, name: str) -> int:
    """One of the result's figures, 0 when the session got nothing."""
    return getattr(result.figures, name) if result.figures is not None else 0


def test_a_network_outage_ignores_the_ups() -> None:
    result = run(session(120), cut(1, 30, 45, OutageKind.NETWORK), ups=10)
    assert amount(result, "lost_minutes") == 15


def test_seconds_of_lost_time_round_up_to_a_whole_minute() -> None:
    result = run(session(120), cut(1, 30, 40.25))
    assert amount(result, "lost_minutes") == 11


def test_a_customer_who_left_in_the_dark_gets_all_their_remaining_time_back() -> None:
    left = session(60, events=(EventRecord(SessionEventKind.END, at(25)),))
    result = run(left, cut(1, 20, 50))
    assert result.figures is not None
    assert result.figures.lost_minutes == 40
    assert result.figures.form is CompensationForm.VOUCHER
    assert "gave up" in result.explanation
    assert result.figures.carried_minutes == 0


def test_goodwill_and_the_extras_cap_apply_but_lost_minutes_are_never_capped() -> None:
    generous = PolicySettings(goodwill_minutes=5, goodwill_percent=50, extras_cap_minutes=20, round_to_minutes=1)
    result = run(session(300), cut(1, 60, 160), policy=generous)
    assert result.figures is not None
    assert result.figures.lost_minutes == 100
    assert result.figures.goodwill_minutes == 55
    assert result.figures.extras_minutes == 20
    assert result.figures.credit_minutes == 120
    assert "extras capped at 20" in result.explanation


def test_lost_work_counts_only_since_the_previous_dark_stretch() -> None:
    facts = session(300)
    first = run(facts, cut(1, 60, 70))
    second = run(facts, cut(2, 74, 80), others=(cut(1, 60, 70),), prior=(as_prior(first),))
    assert amount(first, "lost_work_minutes") == 10
    assert amount(second, "lost_work_minutes") == 4
    assert amount(second, "restart_minutes") == 3


def test_the_ups_bridges_a_long_cut_only_once_however_it_is_recorded() -> None:
    facts = session(300)
    first = run(facts, cut(1, 60, 70), ups=10)
    second = run(facts, cut(2, 70, 90), ups=10, others=(cut(1, 60, 70),), prior=())
    assert amount(first, "lost_minutes") == 0
    assert amount(second, "lost_minutes") == 20
    assert amount(second, "restart_minutes") == 3


def test_the_explanation_names_the_policy_fingerprint_it_used() -> None:
    result = run(session(120), cut(1, 30, 45))
    assert result.policy_fingerprint == POLICY.fingerprint()
    assert run(session(120), cut(1, 30, 45), policy=PolicySettings(round_to_minutes=1)).policy_fingerprint != \
        result.policy_fingerprint


def test_the_default_policy_keeps_the_fingerprint_stored_with_past_compensations() -> None:
    assert POLICY.fingerprint() == "134364b1107e9d46"
    assert PolicySettings(goodwill_minutes=5, round_to_minutes=1).fingerprint() == "eadfd4a5796d70c4"


sessions_strategy = st.fixed_dictionaries({
    "minutes": st.one_of(st.none(), st.integers(1, 600)),
    "start_seconds": st.integers(0, 3600),
    "pause": st.one_of(st.none(), st.tuples(st.integers(0, 20000), st.integers(1, 5000))),
})


def build(spec: dict) -> SessionFacts:
    start = spec["start_seconds"] / 60
    events: tuple[EventRecord, ...] = ()
    if spec["pause"] is not None:
        pause_at, pause_for = spec["pause"]
        events = (EventRecord(SessionEventKind.PAUSE, at(start + pause_at / 60)),
                  EventRecord(SessionEventKind.RESUME, at(start + (pause_at + pause_for) / 60)))
    return session(spec["minutes"], start=start, events=events)


policies = st.builds(
    PolicySettings,
    restart_minutes=st.integers(0, 10),
    lost_work_cap_minutes=st.integers(0, 30),
    goodwill_minutes=st.integers(0, 10),
    goodwill_percent=st.integers(0, 100),
    extras_cap_minutes=st.integers(0, 90),
    round_to_minutes=st.integers(1, 15),
)


@hypothesis_settings(max_examples=budget(300), deadline=None)
@given(spec=sessions_strategy, start=st.integers(0, 30000), length=st.integers(0, 30000), ups=st.integers(0, 30),
       policy=policies)
def test_a_credit_is_never_negative_nor_below_the_lost_minutes(spec, start, length, ups, policy) -> None:
    facts = build(spec)
    result = run(facts, cut(1, start / 60, (start + length) / 60), ups=ups, policy=policy)
    lost, credit = amount(result, "lost_minutes"), amount(result, "credit_minutes")
    assert lost >= 0
    assert credit >= lost
    assert credit % policy.round_to_minutes == 0
    assert (result.figures is None) == (lost == 0)


@hypothesis_settings(max_examples=budget(300), deadline=None)
@given(spec=sessions_strategy, start=st.integers(0, 30000), length=st.integers(0, 30000), ups=st.integers(0, 30),
       policy=policies)
def test_the_breakdowns_numbers_add_up_to_the_figures_and_the_credit(spec, start, length, ups, policy) -> None:
    result = run(build(spec), cut(1, start / 60, (start + length) / 60), ups=ups, policy=policy)
    breakdown, figures = result.breakdown, result.figures
    assert result.explanation == "; ".join(explain(breakdown, LAGOS))
    if figures is None:
        assert breakdown.nothing is not None
        assert (breakdown.extras, breakdown.credit, breakdown.delivery) == (None, None, None)
        assert (breakdown.lost is None) == (breakdown.nothing is NothingGiven.NEVER_DARK)
        return
    lost, extras, credit, delivery = breakdown.lost, breakdown.extras, breakdown.credit, breakdown.delivery
    assert breakdown.nothing is None and lost and extras and credit and delivery
    assert extras.raw_minutes == extras.restart_minutes + extras.lost_work_minutes + extras.goodwill_minutes
    assert extras.minutes == min(extras.raw_minutes, policy.extras_cap_minutes)
    assert credit.raw_minutes == lost.minutes + extras.minutes
    assert credit.minutes == round_up(credit.raw_minutes, policy.round_to_minutes)
    assert (figures.lost_minutes, figures.restart_minutes, figures.lost_work_minutes, figures.goodwill_minutes,
            figures.extras_minutes, figures.credit_minutes, figures.form, figures.opened_stretch) == (
        lost.minutes, extras.restart_minutes, extras.lost_work_minutes, extras.goodwill_minutes, extras.minutes,
        credit.minutes, delivery.form, extras.stretches_opened > 0)
    assert result.needs_approval == (breakdown.approval_above_minutes is not None) == (
        credit.minutes > policy.manager_approval_above_minutes)


def test_the_first_worked_example_breaks_down_step_by_step() -> None:
    # Prepaid 60 min from 14:00 (Lagos), UPS 10 min; power cut 14:18-14:39.
    result = run(session(60, start=300), cut(1, 318, 339), ups=10)
    breakdown = result.breakdown
    lost, extras, credit, delivery = breakdown.lost, breakdown.extras, breakdown.credit, breakdown.delivery
    assert lost and extras and credit and delivery
    assert (lost.minutes, lost.spans, lost.ups_bridged) == (11, ((at(328), at(339)),), (at(318), at(328)))
    assert (extras.restart_minutes, extras.lost_work_minutes, extras.lost_work_capped) == (3, 10, True)
    assert (credit.raw_minutes, credit.minutes) == (24, 25)
    assert (delivery.form, delivery.paid_end_before, delivery.paid_end_after) == (CompensationForm.TIME, at(360),
                                                                                  at(385))
    assert breakdown.approval_above_minutes is None

@hypothesis_settings(max_examples=budget(300), deadline=None)
@given(spec=sessions_strategy, start=st.integers(0, 30000), split_minute=st.integers(1, 400),
       tail=st.integers(1, 30000), ups=st.integers(0, 30))
def test_splitting_an_outage_at_a_whole_minute_changes_no_total_and_gives_no_second_restart(
        spec, start, split_minute, tail, ups) -> None:
    facts = build(spec)
    begin = at(start / 60)
    # The split point is a whole minute of the clock strictly inside the outage.
    split = (begin + timedelta(minutes=split_minute)).replace(second=0, microsecond=0)
    if split <= begin:
        split += timedelta(minutes=1)
    end = split + timedelta(seconds=tail)
    whole = OutageFacts(1, OutageKind.POWER, begin, end, SEATS)
    first = OutageFacts(2, OutageKind.POWER, begin, split, SEATS)
    second = OutageFacts(3, OutageKind.POWER, split, end, SEATS)
    unsplit = run(facts, whole, ups=ups)
    part_one = run(facts, first, ups=ups)
    if part_one.figures is not None and part_one.figures.form is CompensationForm.TIME:
        credit = EntryRecord(99, EntryKind.OUTAGE_CREDIT, part_one.figures.credit_minutes, split)
        facts = SessionFacts(facts.mode, facts.started_at, facts.seat_id, facts.events, facts.entries + (credit,))
    prior = (as_prior(part_one),) if part_one.compensated else ()
    part_two = run(facts, second, ups=ups, others=(first,), prior=prior)
    for name in ("lost_minutes", "restart_minutes", "lost_work_minutes"):
        assert amount(part_one, name) + amount(part_two, name) == amount(unsplit, name)


@hypothesis_settings(max_examples=budget(200), deadline=None)
@given(spec=sessions_strategy, start=st.integers(0, 30000), length=st.integers(0, 30000), ups=st.integers(0, 30))
def test_computing_a_compensation_again_gives_the_same_result(spec, start, length, ups) -> None:
    facts = build(spec)
    outage = cut(1, start / 60, (start + length) / 60)
    first = run(facts, outage, ups=ups)
    again = run(facts, outage, ups=ups, prior=(as_prior(first),) if first.compensated else ())
    assert again == first


def moved(first_seat: str, second_seat: str, move_at: float) -> CompensationResult:
    """180 min from 09:00 on ``first_seat``, moved at ``move_at``; a venue cut 10:00-10:30 (local)."""
    facts = SessionFacts(SessionMode.PREPAID, at(0), first_seat,
                         events=(EventRecord(SessionEventKind.MOVE, at(move_at), second_seat),),
                         entries=(EntryRecord(1, EntryKind.PURCHASE, 180, at(0)),))
    outage = OutageFacts(1, OutageKind.POWER, at(60), at(90), frozenset({"A1", "G1"}))
    return compensate(CompensationInput(
        session=facts, outage=outage, outages=(outage,), prior=(),
        seat_terms={"A1": ZoneTerms(10, 30000), "G1": ZoneTerms(0, 60000)}, policy=POLICY, timezone=LAGOS,
        now=at(90)))


def test_a_customer_moved_to_a_seat_whose_ups_still_holds_is_credited_both_dark_spells() -> None:
    # Dark on G1 10:00-10:05, lit on A1 by its UPS until 10:10, dark again until 10:30.
    result = moved("G1", "A1", 65)
    assert tuple(amount(result, name) for name in ("lost_minutes", "restart_minutes", "lost_work_minutes")) == (
        25, 6, 15)
    assert amount(result, "credit_minutes") == 50
    assert result.seat_id == "G1"
    assert "lost 25 min (10:00–10:05, 10:10–10:30)" in result.explanation
    assert "restart 6 (the seat went dark 2 times)" in result.explanation


def test_a_customer_moved_off_a_seat_still_on_ups_is_dark_from_the_move() -> None:
    result = moved("A1", "G1", 65)
    assert tuple(amount(result, name) for name in (
        "lost_minutes", "restart_minutes", "lost_work_minutes", "credit_minutes")) == (25, 3, 10, 40)
    assert result.explanation.startswith("lost 25 min (10:05–10:30)")


@hypothesis_settings(max_examples=budget(200), deadline=None)
@given(move_at=st.integers(1, 150), ups_a=st.integers(0, 40), ups_g=st.integers(0, 40),
       first=st.sampled_from(["A1", "G1"]))
def test_a_moved_session_loses_exactly_its_dark_minutes_on_each_seat(move_at, ups_a, ups_g, first) -> None:
    second = "G1" if first == "A1" else "A1"
    facts = SessionFacts(SessionMode.PREPAID, at(0), first,
                         events=(EventRecord(SessionEventKind.MOVE, at(move_at), second),),
                         entries=(EntryRecord(1, EntryKind.PURCHASE, 600, at(0)),))
    outage = OutageFacts(1, OutageKind.POWER, at(60), at(120), frozenset({"A1", "G1"}))
    ups = {"A1": ups_a, "G1": ups_g}
    result = compensate(CompensationInput(
        session=facts, outage=outage, outages=(outage,), prior=(),
        seat_terms={seat: ZoneTerms(minutes, 30000) for seat, minutes in ups.items()}, policy=POLICY,
        timezone=LAGOS, now=at(120)))
    on_seat = [(first, 0, move_at), (second, move_at, 120)]
    dark = sum(max(0, min(end, 120) - max(start, 60 + ups[seat])) for seat, start, end in on_seat)
    assert amount(result, "lost_minutes") == dark
    assert amount(result, "credit_minutes") >= dark


# --- rule 11: corrections ------------------------------------------------------------------


def corrected(status: CompensationStatus, granted: int, before: CompensationResult,
              after: CompensationResult) -> CorrectedCredit | None:
    assert before.figures is not None
    return correct_credit(status, granted, before.figures, after.figures, after.needs_approval)


def test_rule_11_a_longer_cut_tops_up_the_difference_and_keeps_what_was_given() -> None:
    # SPEC example 11: the end corrected from 10:45 to 10:50 after example 2 (60 min given).
    before, after = run(session(120), cut(1, 30, 75)), run(session(120), cut(1, 30, 80))
    decided = corrected(CompensationStatus.APPLIED, 60, before, after)
    assert decided is not None
    assert (decided.outcome, decided.topup_minutes, decided.granted_minutes, decided.waived_minutes) == (
        CorrectionOutcome.TOPPED_UP, 5, 65, 0)
    assert decided.figures == after.figures


def test_rule_11_a_shorter_cut_takes_nothing_back_and_records_the_difference_as_waived() -> None:
    before, after = run(session(120), cut(1, 30, 80)), run(session(120), cut(1, 30, 75))
    decided = corrected(CompensationStatus.APPLIED, 65, before, after)
    assert decided is not None
    assert (decided.outcome, decided.topup_minutes, decided.granted_minutes, decided.waived_minutes) == (
        CorrectionOutcome.WAIVED, 0, 65, 5)


def test_rule_11_a_session_that_no_longer_lost_anything_keeps_its_credit_with_every_amount_zero() -> None:
    before = run(session(120), cut(1, 30, 75), ups=10)
    after = run(session(120), cut(1, 30, 39), ups=10)
    assert after.figures is None
    decided = corrected(CompensationStatus.APPLIED, 50, before, after)
    assert decided is not None
    assert (decided.outcome, decided.granted_minutes, decided.waived_minutes) == (CorrectionOutcome.WAIVED, 50, 50)
    assert decided.figures.credit_minutes == 0
    assert (decided.figures.dark_start, decided.figures.form) == (before.figures.dark_start, before.figures.form)


def test_rule_11_a_credit_awaiting_approval_applies_at_once_when_it_falls_under_the_threshold() -> None:
    # SPEC example 10 waits for a manager; corrected to a one-hour cut it no longer does.
    before, after = run(session(360), cut(1, 60, 300)), run(session(360), cut(1, 60, 120))
    assert before.needs_approval and not after.needs_approval
    decided = corrected(CompensationStatus.AWAITING_APPROVAL, 0, before, after)
    assert decided is not None
    assert (decided.outcome, decided.status, decided.granted_minutes, decided.topup_minutes) == (
        CorrectionOutcome.NOW_APPLIED, CompensationStatus.APPLIED, 75, 0)


def test_rule_11_a_credit_awaiting_approval_still_waits_when_it_stays_above_the_threshold() -> None:
    before, after = run(session(360), cut(1, 60, 300)), run(session(360), cut(1, 60, 280))
    decided = corrected(CompensationStatus.AWAITING_APPROVAL, 0, before, after)
    assert decided is not None
    assert (decided.outcome, decided.status, decided.granted_minutes, decided.waived_minutes) == (
        CorrectionOutcome.STILL_AWAITING, CompensationStatus.AWAITING_APPROVAL, 0, 0)


def test_rule_11_a_credit_awaiting_approval_of_which_nothing_is_due_needs_no_manager() -> None:
    before = run(session(360), cut(1, 60, 300), ups=10)
    after = run(session(360), cut(1, 60, 65), ups=10)
    decided = corrected(CompensationStatus.AWAITING_APPROVAL, 0, before, after)
    assert decided is not None
    assert (decided.outcome, decided.status, decided.granted_minutes) == (
        CorrectionOutcome.NOTHING_DUE, CompensationStatus.APPLIED, 0)


def test_rule_11_a_moved_span_with_the_same_amounts_is_no_news() -> None:
    before, after = run(session(300), cut(1, 30, 50)), run(session(300), cut(1, 40, 60))
    assert before.figures != after.figures
    assert corrected(CompensationStatus.APPLIED, before.figures.credit_minutes, before, after) is None


def test_rule_11_a_credit_given_in_full_before_is_already_given_when_recomputed_to_it() -> None:
    before, after = run(session(120), cut(1, 30, 75)), run(session(120), cut(1, 30, 74))
    # The first credit was topped up to 65 by an earlier correction; recomputed to 60 + lost work.
    assert after.figures is not None and before.figures is not None
    decided = correct_credit(CompensationStatus.APPLIED, after.figures.credit_minutes, before.figures,
                             after.figures, after.needs_approval)
    assert decided is not None
    assert (decided.outcome, decided.topup_minutes, decided.waived_minutes) == (CorrectionOutcome.ALREADY_GIVEN, 0, 0)


@given(granted=st.integers(0, 400), first_end=st.integers(31, 400), second_end=st.integers(31, 400),
       awaiting=st.booleans())
@hypothesis_settings(max_examples=200, deadline=None)
def test_rule_11_never_takes_back_what_was_given(granted, first_end, second_end, awaiting) -> None:
    before, after = run(session(480), cut(1, 30, first_end)), run(session(480), cut(1, 30, second_end))
    if before.figures is None:
        return
    status = CompensationStatus.AWAITING_APPROVAL if awaiting else CompensationStatus.APPLIED
    granted = 0 if awaiting else granted
    decided = corrected(status, granted, before, after)
    if decided is None:
        return
    assert decided.granted_minutes >= granted
    assert decided.granted_minutes == granted + decided.topup_minutes or decided.outcome is CorrectionOutcome.NOW_APPLIED
    if decided.status is CompensationStatus.APPLIED:
        assert decided.granted_minutes - decided.waived_minutes == min(decided.granted_minutes,
                                                                       decided.figures.credit_minutes)


# --- rule 2, amended: a leaver's minutes given before are carried over ------------------------


def given(entry_id: int, kind: EntryKind, minutes: int, when: float) -> EntryRecord:
    return EntryRecord(entry_id, kind, minutes, at(when))


def test_a_leaver_carries_over_the_credited_minutes_left_and_only_the_bought_ones_are_new_credit() -> None:
    # 120 bought at 0, a 65-min voucher redeemed and 35 min of outage credits later; 15 min used
    # before the cut at 15; the customer leaves at 16 while dark: all 205 min left are lost.
    credited = (given(2, EntryKind.VOUCHER_REDEMPTION, 65, 5), given(3, EntryKind.OUTAGE_CREDIT, 35, 10))
    left = session(120, extra=credited, events=(EventRecord(SessionEventKind.END, at(16)),))
    result = run(left, cut(1, 15, 40), policy=PolicySettings(manager_approval_above_minutes=1000))
    assert result.figures is not None
    assert (result.figures.lost_minutes, result.figures.carried_minutes) == (205, 100)
    assert result.figures.credit_minutes == 220
    # The money counts only what is new: 220 − 100 carried, at NGN 300/h.
    assert result.figures.value_minor == 60000
    assert "100 of them given before as compensation and carried over" in result.explanation


def test_a_leaver_who_used_more_than_was_bought_carries_over_only_the_credit_left() -> None:
    credited = (given(2, EntryKind.OUTAGE_CREDIT, 30, 5),)
    left = session(30, extra=credited, events=(EventRecord(SessionEventKind.END, at(41)),))
    result = run(left, cut(1, 40, 60))
    assert result.figures is not None
    # 40 of 60 min used: the 30 bought and 10 of the credit; the 20 left of the credit are carried.
    assert (result.figures.lost_minutes, result.figures.carried_minutes) == (20, 20)


def test_a_customer_who_stays_carries_nothing_over() -> None:
    credited = (given(2, EntryKind.OUTAGE_CREDIT, 30, 5),)
    result = run(session(30, extra=credited), cut(1, 40, 50))
    assert result.figures is not None
    assert (result.figures.lost_minutes, result.figures.carried_minutes) == (10, 0)


def test_a_corrected_sale_counts_against_what_was_bought() -> None:
    corrected = (EntryRecord(2, EntryKind.REVERSAL, -60, at(1), -30000, reverses_id=1),
                 given(3, EntryKind.OUTAGE_CREDIT, 20, 5))
    left = session(90, extra=corrected, events=(EventRecord(SessionEventKind.END, at(11)),))
    result = run(left, cut(1, 10, 30))
    assert result.figures is not None
    # 30 bought after the correction, 10 used: 20 bought and the 20 given are left, all lost.
    assert (result.figures.lost_minutes, result.figures.carried_minutes) == (40, 20)


def test_rule_11_a_refused_credit_stays_refused() -> None:
    before, after = run(session(360), cut(1, 60, 300)), run(session(360), cut(1, 60, 320))
    assert corrected(CompensationStatus.REFUSED, 0, before, after) is None


def test_rule_11_a_reduced_credit_grows_only_by_what_the_correction_adds() -> None:
    # A manager gave 120 of 255; the cut was 20 minutes longer: 20 more are due, not 155.
    before, after = run(session(480), cut(1, 60, 300)), run(session(480), cut(1, 60, 320))
    assert (before.figures.credit_minutes, after.figures.credit_minutes) == (255, 275)
    decided = corrected(CompensationStatus.APPLIED, 120, before, after)
    assert decided is not None
    assert (decided.outcome, decided.topup_minutes, decided.granted_minutes) == (CorrectionOutcome.TOPPED_UP, 20, 140)
