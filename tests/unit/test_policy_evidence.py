"""SPEC section 3, rule 1 amended: a seat's dark start rests on what was measured, when anything was."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from compensator.domain.breakdown import NothingGiven
from compensator.domain.darkness import DarkEvidence, OutageFacts
from compensator.domain.explanation import explain
from compensator.domain.kinds import CompensationStatus, DarkBasis, OutageKind
from compensator.domain.policy import CompensationInput, CompensationResult, compensate, correct_credit
from compensator.domain.terms import ZoneTerms
from tests.unit.test_policy import LAGOS, POLICY, at, cut, session

REPORT, BEATS, BATTERY = DarkBasis.SEAT_REPORT, DarkBasis.HEARTBEATS, DarkBasis.UPS_BATTERY


def run(outage: OutageFacts, *, ups: int, evidence: tuple[DarkEvidence, ...] = (), minutes: int = 120,
        others: tuple[OutageFacts, ...] = ()) -> CompensationResult:
    return compensate(CompensationInput(
        session=session(minutes), outage=outage, outages=others + (outage,), prior=(),
        seat_terms={"A1": ZoneTerms(ups, 30000)}, policy=POLICY, timezone=LAGOS,
        now=outage.ended_at or at(0), evidence={"A1": evidence} if evidence else {}))


def report(outage_id: int, minute: float | None, basis: DarkBasis = REPORT) -> DarkEvidence:
    return DarkEvidence(outage_id, basis, at(minute) if minute is not None else None)


def test_without_evidence_the_rating_decides_and_says_so() -> None:
    rated = run(cut(1, 18, 39), ups=10)
    assert rated.figures is not None and rated.figures.dark_basis is DarkBasis.UPS_RATING
    assert (rated.figures.lost_minutes, rated.figures.credit_minutes) == (11, 25)
    bare = run(cut(1, 18, 39), ups=0)
    assert bare.figures is not None and bare.figures.dark_basis is DarkBasis.NO_UPS
    network = run(cut(1, 18, 39, OutageKind.NETWORK), ups=10)
    assert network.figures is not None and network.figures.dark_basis is DarkBasis.NETWORK


def test_the_pcs_own_report_moves_the_dark_start_earlier_than_the_rating() -> None:
    result = run(cut(1, 18, 39), ups=10, evidence=(report(1, 24),))
    assert result.figures is not None
    assert result.figures.dark_basis is REPORT and result.figures.dark_start == at(24)
    assert result.figures.lost_minutes == 15
    text = result.explanation
    assert "the seat's PC went off at 09:24 by its own report: 6 min into the cut, 4 min before its UPS's rated 10" in text


def test_the_pcs_own_report_moves_the_dark_start_later_than_the_rating() -> None:
    result = run(cut(1, 18, 39), ups=2, evidence=(report(1, 30.5),))
    assert result.figures is not None and result.figures.dark_start == at(30.5)
    assert result.figures.lost_minutes == 9
    assert "12 min 30 s into the cut, 10 min 30 s after its UPS's rated 2" in result.explanation


def test_a_pc_that_went_down_before_its_rating_ran_out_in_a_cut_shorter_than_the_rating_is_compensated() -> None:
    assert not run(cut(1, 18, 22), ups=10).compensated
    result = run(cut(1, 18, 22), ups=10, evidence=(report(1, 19),))
    assert result.figures is not None and result.figures.lost_minutes == 3


def test_heartbeats_through_the_cut_mean_it_never_went_dark() -> None:
    result = run(cut(1, 18, 39), ups=2, evidence=(report(1, None, BEATS),))
    assert not result.compensated
    assert result.breakdown.nothing is NothingGiven.KEPT_RUNNING and result.breakdown.basis is BEATS
    assert "kept running through the cut" in explain(result.breakdown, LAGOS)[0]


def test_the_strongest_evidence_wins_the_pcs_report_then_heartbeats_then_the_ups_battery() -> None:
    both = run(cut(1, 18, 39), ups=10, evidence=(report(1, 30, BATTERY), report(1, None, BEATS), report(1, 22)))
    assert both.figures is not None and both.figures.dark_basis is REPORT and both.figures.dark_start == at(22)
    beats = run(cut(1, 18, 39), ups=10, evidence=(report(1, 30, BATTERY), report(1, None, BEATS)))
    assert not beats.compensated and beats.breakdown.basis is BEATS
    battery = run(cut(1, 18, 39), ups=10, evidence=(report(1, 21, BATTERY),))
    assert battery.figures is not None and battery.figures.dark_basis is BATTERY
    assert battery.figures.dark_start == at(21)
    assert "the zone's UPS reported a low battery at 09:21" in battery.explanation


def test_a_report_is_held_within_its_cut_and_other_outages_evidence_is_not_used() -> None:
    early = run(cut(1, 18, 39), ups=10, evidence=(report(1, 15),))
    assert early.figures is not None and early.figures.dark_start == at(18)
    assert "as the power cut began" in early.explanation
    other = run(cut(1, 18, 39), ups=10, evidence=(report(7, 20),))
    assert other.figures is not None and other.figures.dark_basis is DarkBasis.UPS_RATING


def test_evidence_for_one_of_two_overlapping_records_of_a_cut_darkens_the_seat_once() -> None:
    first, second = cut(1, 18, 30), cut(2, 25, 39)
    result = run(second, ups=10, others=(first,), evidence=(report(1, 20),))
    assert result.figures is not None and result.figures.dark_basis is REPORT
    # One cut 08:18–08:39 for the seat, dark from 08:20 (not the rating's 08:28): outage 2 darkened it from its start.
    assert result.figures.dark_start == at(25) and result.figures.lost_minutes == 14
    rated = run(second, ups=10, others=(first,))
    assert rated.figures is not None and rated.figures.dark_start == at(28)


@given(st.integers(min_value=0, max_value=30), st.integers(min_value=1, max_value=40),
       st.integers(min_value=0, max_value=40), st.floats(min_value=0, max_value=1))
def test_evidence_arriving_later_never_takes_anything_back(ups: int, length: int, held: int, share: float) -> None:
    outage = cut(1, 10, 10 + length)
    before = run(outage, ups=ups)
    moment = 10 + min(held, length) * share
    after = run(outage, ups=ups, evidence=(report(1, moment),))
    if before.figures is None:
        return
    granted = before.figures.credit_minutes
    decided = correct_credit(CompensationStatus.APPLIED, granted, before.figures, after.figures, False)
    if decided is None:
        return
    assert decided.granted_minutes >= granted
    new_credit = after.figures.credit_minutes if after.figures else 0
    assert decided.waived_minutes == max(granted - new_credit, 0)
    assert decided.topup_minutes == max(new_credit - granted, 0)
