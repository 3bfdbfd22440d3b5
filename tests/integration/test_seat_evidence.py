"""Evidence from the seats after Power back: a correction through the adjustment path, exactly once (issue 24).

The test venue's standard zone is rated 10 minutes; SPEC's first worked example is the frame: a
prepaid hour from 14:00, a cut 14:18–14:39, 25 minutes by the rating.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from compensator.domain.kinds import DarkBasis, EntryKind
from compensator.services.handover import letters, notices
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources.heartbeats import PowerDown, record_seat_heartbeat
from compensator.store.models import LedgerEntry, OutageRevision, SeatDarkEvidence, SeatPowerReport
from tests.conftest import START

ACTOR = "test"
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def at(minutes: float):
    return START + timedelta(minutes=minutes)


def cut_with_sessions(uow, clock, seats: list[str], *, beating: tuple[str, ...] = ()) -> tuple[int, dict[str, int]]:
    """A prepaid hour on each seat from 14:00; the power off 14:18–14:39, ``beating`` seats heard each minute."""
    ids = {}
    for seat in seats:
        with uow() as unit:
            ids[seat] = sessions.start_session(unit, seat_id=seat, minutes=60, actor=ACTOR).id
    clock.set(at(17))
    for minute in range(17, 40):
        clock.set(at(minute))
        for seat in beating:
            with uow() as unit:
                record_seat_heartbeat(unit, seat_id=seat, up_seconds=3600 + minute * 60)
        if minute == 18:
            with uow() as unit:
                outage_id = outages.start_outage(unit, actor=ACTOR).id
    with uow() as unit:
        outages.end_outage(unit, outage_id, actor=ACTOR)
    return outage_id, ids


def compensation(uow, session_id):
    with uow() as unit:
        found = [item for outage in outage_views.list_outages(unit) for item in outage.compensations
                 if item.session_id == session_id]
    return found[0] if found else None


def report(uow, seat, after_minutes: float, *, up: int = 60):
    with uow() as unit:
        return record_seat_heartbeat(unit, seat_id=seat, up_seconds=up, went_down=PowerDown(
            at(after_minutes), at(after_minutes) + timedelta(seconds=6)), actor="device:agent")


def topups(uow, session_id) -> list[int]:
    with uow() as unit:
        return list(unit.db.scalars(select(LedgerEntry.minutes).where(
            LedgerEntry.seat_session_id == session_id, LedgerEntry.kind == EntryKind.OUTAGE_TOPUP)))


def test_a_pc_that_went_down_before_its_rating_is_topped_up_once_however_often_it_reports(uow, clock) -> None:
    outage_id, ids = cut_with_sessions(uow, clock, ["A1"])
    first = compensation(uow, ids["A1"])
    assert (first.figures.credit_minutes, first.figures.dark_basis) == (25, DarkBasis.UPS_RATING)
    clock.set(at(41))
    beat = report(uow, "A1", 24)
    assert beat.went_down == f"outage {outage_id}: recomputed"
    for _ in range(3):
        clock.advance(seconds=10)
        # A repeat is answered with what the report did the first time, and does nothing more.
        assert report(uow, "A1", 24).went_down == f"outage {outage_id}: recomputed"
    item = compensation(uow, ids["A1"])
    [adjustment] = item.adjustments
    assert adjustment.figures.dark_basis is DarkBasis.SEAT_REPORT and adjustment.figures.dark_start == at(24)
    # 14:24–14:39 is 15 minutes + restart 3 + lost work 10 = 28 → 30: five more than the rating's 25.
    assert (adjustment.figures.lost_minutes, adjustment.figures.credit_minutes, adjustment.topup_minutes) == (15, 30, 5)
    assert adjustment.explanation.startswith("seat A1: power cut 14:18, the seat's PC went off at 14:24 by its own "
                                             "report: 6 min into the cut, 4 min before its UPS's rated 10: lost 11 → 15")
    assert topups(uow, ids["A1"]) == [5]
    with uow() as unit:
        assert unit.db.scalar(select(func.count()).select_from(SeatPowerReport)) == 1
        [revision] = unit.db.scalars(select(OutageRevision).where(OutageRevision.action == "evidence"))
        assert revision.actor == "device:agent"
        # The letter still waiting says what the PC measured and the credit as it stands.
        [pending] = notices.list_notices(unit, status="pending")
        text = letters.letter_for(unit, pending.id).text
    assert "Your PC went off at 14:24, 6 minutes into the cut, 4 minutes before its UPS's rated 10 minutes." in text
    assert "30 minutes" in text


def test_a_pc_that_went_down_after_its_rating_keeps_its_credit_and_the_difference_is_waived(uow, clock) -> None:
    _, ids = cut_with_sessions(uow, clock, ["A2"])
    clock.set(at(42))
    report(uow, "A2", 33)
    item = compensation(uow, ids["A2"])
    [adjustment] = item.adjustments
    # 14:33–14:39 is 6 minutes + 3 + 10 = 19 → 20: the 25 given stand, 5 waived.
    assert (adjustment.figures.lost_minutes, adjustment.figures.credit_minutes) == (6, 20)
    assert (adjustment.topup_minutes, adjustment.waived_minutes, item.granted_minutes) == (0, 5, 25)
    assert adjustment.figures.dark_basis is DarkBasis.SEAT_REPORT
    assert "5 min after its UPS's rated 10" in adjustment.explanation
    assert "nothing taken back: 5 min waived" in adjustment.explanation
    assert topups(uow, ids["A2"]) == []


def test_a_seat_that_kept_beating_through_the_cut_gets_nothing_and_one_that_went_dark_gets_the_rating(
        uow, clock) -> None:
    outage_id, ids = cut_with_sessions(uow, clock, ["A3", "A4"], beating=("A3",))
    assert compensation(uow, ids["A3"]) is None
    assert compensation(uow, ids["A4"]).figures.dark_basis is DarkBasis.UPS_RATING
    with uow() as unit:
        [evidence] = unit.db.scalars(select(SeatDarkEvidence).where(SeatDarkEvidence.outage_id == outage_id))
    assert (evidence.seat_id, evidence.basis, evidence.dark_from) == ("A3", DarkBasis.HEARTBEATS, None)
    assert (evidence.held_seconds, evidence.rated_minutes) == (21 * 60, 10)


def test_a_pc_heard_again_after_the_cut_whose_uptime_began_before_it_stayed_on_and_nothing_is_taken_back(
        uow, clock) -> None:
    _, ids = cut_with_sessions(uow, clock, ["A5"])
    clock.set(at(45))
    with uow() as unit:  # its first heartbeat after a silence: up for two hours
        record_seat_heartbeat(unit, seat_id="A5", up_seconds=7200)
    item = compensation(uow, ids["A5"])
    [adjustment] = item.adjustments
    assert adjustment.figures.dark_basis is DarkBasis.HEARTBEATS and adjustment.figures.credit_minutes == 0
    assert (adjustment.waived_minutes, item.granted_minutes) == (25, 25)
    assert adjustment.explanation.startswith("seat A5's PC showed it stayed on through the cut")
    with uow() as unit:  # more heartbeats change nothing more
        record_seat_heartbeat(unit, seat_id="A5", up_seconds=7210)
        [pending] = notices.list_notices(unit, status="pending")
        text = letters.letter_for(unit, pending.id).text
    assert len(compensation(uow, ids["A5"]).adjustments) == 1
    # The waiting letter tells the truth: the PC stayed on, and the 25 minutes given stay given.
    assert "Your PC stayed on through the cut, as its own record shows." in text
    assert "You lost none of the time you paid for" in text and "We have added 25 minutes" in text


def test_a_report_days_later_or_for_a_seat_nobody_sat_at_changes_nothing_and_is_recorded(uow, clock) -> None:
    outage_id, ids = cut_with_sessions(uow, clock, ["A6"])
    clock.set(at(50))
    assert report(uow, "A7", 25).went_down == f"outage {outage_id}: recomputed"
    clock.set(at(60 * 24 * 3))
    assert report(uow, "A6", 24).went_down.startswith("too late")
    with uow() as unit:
        rows = {row.seat_id: row.outcome for row in unit.db.scalars(select(SeatPowerReport))}
        assert unit.db.scalar(select(func.count()).select_from(SeatDarkEvidence)) == 1
    assert rows["A6"].startswith("too late") and set(rows) == {"A6", "A7"}
    assert compensation(uow, ids["A6"]).adjustments == ()


def test_a_report_after_the_letter_was_handed_over_adds_a_short_letter_of_its_own(uow, clock) -> None:
    _, ids = cut_with_sessions(uow, clock, ["A8"])
    with uow() as unit:
        [pending] = notices.list_notices(unit, status="pending")
        letters.deliver_letter(unit, pending.id, how="shown", actor=ACTOR)
    clock.set(at(42))
    report(uow, "A8", 20)
    with uow() as unit:
        [new] = notices.list_notices(unit, status="pending")
        text = letters.letter_for(unit, new.id).text
    # 14:20–14:39 is 19 + 13 = 32 → 35: ten more than the 25 given.
    assert new.credit_minutes == 10 and "10 minutes" in text
    assert topups(uow, ids["A8"]) == [10]
