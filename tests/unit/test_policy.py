"""The compensation policy as a pure function: worked cases and properties (hypothesis)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings as hypothesis_settings, strategies as st

from compensator.domain.kinds import CompensationForm, EntryKind, OutageKind, SessionEventKind, SessionMode
from compensator.domain.ledger import EntryRecord, EventRecord, SessionFacts
from compensator.domain.breakdown import NothingGiven
from compensator.domain.darkness import OutageFacts
from compensator.domain.explanation import explain
from compensator.domain.policy import CompensationInput, CompensationResult, PriorCompensation, compensate, round_up
from compensator.domain.terms import PolicySettings, ZoneTerms
from tests.support.budgets import budget

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)
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
