"""Outages through the service layer on a real database: starting, ending, correcting, approving."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from compensator.domain.kinds import CompensationForm, CompensationStatus, EntryKind, OutageStatus
from compensator.errors import InvalidInput, InvalidState, NotFound, TimeOutOfRange
from compensator.services.outages import approvals
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.outages.use_cases import settle
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.store.models import Compensation, LedgerEntry, Notice, Outage, OutageRevision, Voucher
from tests.conftest import power_cut_over

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
ACTOR = "attendant:ada"


def do(uow, action, *args, **kwargs):
    kwargs.setdefault("actor", ACTOR)
    with uow() as unit:
        return action(unit, *args, **kwargs)


def start(uow, seat, minutes=60, **kwargs):
    return do(uow, sessions.start_session, seat_id=seat, minutes=minutes, **kwargs)


def count(uow, model) -> int:
    with uow() as unit:
        return unit.db.scalar(select(func.count()).select_from(model))


def test_power_back_compensates_every_running_session_with_time_and_a_notice(uow, clock) -> None:
    first = start(uow, "G1", 120)
    second = start(uow, "G2", 120, language="fr")
    clock.advance(minutes=30)
    outage = do(uow, outages.start_outage)
    assert outage.created and outage.status is OutageStatus.ONGOING
    clock.advance(minutes=20)
    ended = do(uow, outages.end_outage, outage.id)
    assert ended.status is OutageStatus.ENDED
    credits = {item.session_id: item for item in ended.compensations}
    assert set(credits) == {first.id, second.id}
    assert {(item.current.lost_minutes, item.current.credit_minutes, item.current.form) for item in credits.values()} == {
        (20, 35, CompensationForm.TIME)}
    with uow() as unit:
        view = session_views.get_session(unit, first.id)
        notices = {row.compensation_id: row for row in unit.db.scalars(select(Notice))}
    assert [(entry.kind, entry.minutes) for entry in view.entries] == [
        (EntryKind.PURCHASE, 120), (EntryKind.OUTAGE_CREDIT, 35)]
    assert notices[credits[second.id].id].language == "fr"
    assert "TOUTES NOS EXCUSES" in notices[credits[second.id].id].text
    assert notices[credits[first.id].id].language == "en"


def test_the_outage_returned_by_power_back_is_exactly_what_is_read_back_later(uow, clock) -> None:
    start(uow, "G1", 400)  # will need a manager's approval
    start(uow, "G2", 20)  # runs out during the cut: a voucher
    start(uow, "A1", 120, language="fr")
    do(uow, sessions.start_session, seat_id="A2", postpaid=True)
    clock.advance(minutes=10)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=130)
    ended = do(uow, outages.end_outage, outage.id)
    with uow() as unit:
        read_back = outage_views.get_outage(unit, outage.id)
    assert ended == read_back
    assert {item.status for item in ended.compensations} == {CompensationStatus.APPLIED,
                                                             CompensationStatus.AWAITING_APPROVAL}
    assert {item.current.form for item in ended.compensations} == {CompensationForm.TIME, CompensationForm.VOUCHER,
                                                           CompensationForm.BILL_REDUCTION}
    assert all(len(item.voucher_codes) == (item.current.form is CompensationForm.VOUCHER) for item in ended.compensations)


def test_a_second_start_of_the_same_kind_and_scope_returns_the_ongoing_outage(uow) -> None:
    first = do(uow, outages.start_outage)
    again = do(uow, outages.start_outage)
    assert (again.id, again.created) == (first.id, False)
    zone = do(uow, outages.start_outage, zones=["gaming"])
    network = do(uow, outages.start_outage, kind="network")
    assert len({first.id, zone.id, network.id}) == 3
    assert count(uow, Outage) == 3


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"kind": "fire"}, InvalidInput, "kind"),
        ({"zones": ["moon"]}, NotFound, "zones"),
        ({"seats": ["Z9"]}, NotFound, "seats"),
        ({"seats": []}, InvalidInput, "seats"),
        ({"zones": ["gaming"], "seats": ["A1"]}, InvalidInput, "zones"),
        ({"source": "rumour"}, InvalidInput, "source"),
        ({"started_at": "10:00"}, InvalidInput, "started_at"),
    ],
)
def test_a_bad_outage_start_is_refused_with_the_field_named(uow, kwargs, error, field) -> None:
    with pytest.raises(error) as raised:
        do(uow, outages.start_outage, **kwargs)
    assert raised.value.field == field


def test_an_outage_can_be_back_dated_but_never_start_in_the_future(uow, clock) -> None:
    # Well formed, refused by the clock: a conflict with the state (409), not bad input.
    with pytest.raises(TimeOutOfRange, match="future"):
        do(uow, outages.start_outage, started_at=clock.now() + timedelta(minutes=1))
    with pytest.raises(TimeOutOfRange, match="days ago"):
        do(uow, outages.start_outage, started_at=clock.now() - timedelta(days=8))
    outage = do(uow, outages.start_outage, started_at=clock.now() - timedelta(minutes=5))
    assert outage.started_at == clock.now() - timedelta(minutes=5)


def test_ending_an_ended_outage_changes_nothing(uow, clock) -> None:
    start(uow, "A1", 120)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=30)
    first = do(uow, outages.end_outage, outage.id)
    clock.advance(minutes=5)
    again = do(uow, outages.end_outage, outage.id)
    assert again.ended_at == first.ended_at
    assert again.compensations == first.compensations
    assert count(uow, LedgerEntry) == 2


def test_settling_an_outage_again_writes_nothing(uow, clock) -> None:
    start(uow, "A1", 120)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=30)
    do(uow, outages.end_outage, outage.id)
    before = (count(uow, Compensation), count(uow, LedgerEntry), count(uow, Notice))
    with uow() as unit:
        settle(unit, unit.db.get(Outage, outage.id), actor=ACTOR)
        unit.commit()
    assert (count(uow, Compensation), count(uow, LedgerEntry), count(uow, Notice)) == before


def test_an_outage_cannot_end_before_it_started(uow, clock) -> None:
    outage = do(uow, outages.start_outage)
    with pytest.raises(TimeOutOfRange):
        do(uow, outages.end_outage, outage.id, ended_at=clock.now() - timedelta(minutes=1))
    with pytest.raises(NotFound):
        do(uow, outages.end_outage, 999)


def test_two_racing_ends_compensate_each_session_exactly_once(uow, clock) -> None:
    for seat in ("A1", "A2", "G1"):
        start(uow, seat, 120)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=25)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def end() -> None:
        try:
            barrier.wait()
            do(uow, outages.end_outage, outage.id)
        except BaseException as error:  # noqa: BLE001 - collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=end) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(uow, Compensation) == 3
    assert count(uow, Notice) == 3
    with uow() as unit:
        credits = unit.db.scalars(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.OUTAGE_CREDIT)).all()
        assert len(credits) == 3


def test_a_correction_needs_a_reason_and_tops_up_but_never_takes_back(uow, clock) -> None:
    session = start(uow, "G1", 120)
    clock.advance(minutes=30)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=45)
    do(uow, outages.end_outage, outage.id)
    clock.advance(minutes=10)
    with pytest.raises(InvalidInput):
        do(uow, outages.correct_outage, outage.id, ended_at=clock.now() - timedelta(minutes=5), reason=" ")
    longer = do(uow, outages.correct_outage, outage.id, ended_at=outage.started_at + timedelta(minutes=50),
                reason="generator log")
    assert (longer.compensations[0].current.credit_minutes, longer.compensations[0].granted_minutes) == (65, 65)
    shorter = do(uow, outages.correct_outage, outage.id, ended_at=outage.started_at + timedelta(minutes=20),
                 reason="the log was wrong")
    item = shorter.compensations[0]
    assert (item.current.credit_minutes, item.granted_minutes, item.waived_minutes) == (35, 65, 30)
    with uow() as unit:
        view = session_views.get_session(unit, session.id)
    assert [(entry.kind, entry.minutes) for entry in view.entries] == [
        (EntryKind.PURCHASE, 120), (EntryKind.OUTAGE_CREDIT, 60), (EntryKind.OUTAGE_TOPUP, 5)]
    assert shorter.corrections == 2
    # The first explanation stays as it was given; each correction tells its own part.
    assert item.explanation == longer.compensations[0].explanation
    assert [adjustment.explanation.split(";")[0] for adjustment in item.adjustments] == [
        "outage end corrected 15:15 → 15:20 by ada: lost 45 → 50, credit 60 → 65, +5 min",
        "outage end corrected 15:20 → 14:50 by ada: lost 50 → 20, credit 65 → 35, nothing taken back: 30 min waived"]


def test_a_correction_that_leaves_a_session_nothing_zeroes_the_figures_but_keeps_its_dark_span_and_form(
        uow, clock) -> None:
    start(uow, "A1", 120)
    clock.advance(minutes=30)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=25)
    first = do(uow, outages.end_outage, outage.id).compensations[0]
    assert first.current.credit_minutes == 30
    # The standard zone's UPS bridges 10 minutes: an 8-minute cut never darkened the seat.
    corrected = do(uow, outages.correct_outage, outage.id, ended_at=outage.started_at + timedelta(minutes=8),
                   reason="the UPS log shows 8 minutes")
    item = corrected.compensations[0]
    now = item.current
    assert (now.lost_minutes, now.restart_minutes, now.lost_work_minutes, now.goodwill_minutes, now.extras_minutes,
            now.credit_minutes, now.value_minor) == (0, 0, 0, 0, 0, 0, 0)
    assert (item.granted_minutes, item.waived_minutes) == (30, 30)
    assert (now.form, now.dark_start, now.dark_end) == (first.figures.form, first.figures.dark_start,
                                                        first.figures.dark_end)
    assert (item.figures, item.explanation) == (first.figures, first.explanation)
    assert item.adjustments[0].explanation.endswith("recomputed: the seat never went dark during this session "
                                                    "(a UPS bridged the cut, or the seat was elsewhere)")

def test_a_suspected_outage_is_compensated_only_once_confirmed(uow, clock) -> None:
    start(uow, "G1", 120)
    clock.advance(minutes=30)
    suspected = do(uow, outages.start_outage, source="server_gap", suspected=True,
                   started_at=clock.now() - timedelta(minutes=20), ended_at=clock.now() - timedelta(minutes=5))
    assert suspected.status is OutageStatus.SUSPECTED
    assert suspected.compensations == ()
    confirmed = do(uow, outages.confirm_outage, suspected.id)
    assert confirmed.status is OutageStatus.ENDED
    assert confirmed.compensations[0].current.lost_minutes == 15
    with pytest.raises(InvalidState):
        do(uow, outages.confirm_outage, suspected.id)


def test_a_dismissed_outage_compensates_nobody_and_only_suspected_ones_can_be_dismissed(uow, clock) -> None:
    start(uow, "A1", 120)
    suspected = do(uow, outages.start_outage, source="heartbeat", suspected=True)
    clock.advance(minutes=10)
    dismissed = do(uow, outages.dismiss_outage, suspected.id, reason="seats were rebooting")
    assert dismissed.status is OutageStatus.DISMISSED
    with pytest.raises(InvalidState):
        do(uow, outages.end_outage, suspected.id)
    ongoing = do(uow, outages.start_outage)
    with pytest.raises(InvalidState):
        do(uow, outages.dismiss_outage, ongoing.id)
    assert count(uow, Compensation) == 0


def test_a_large_credit_waits_for_a_manager_and_is_applied_once_approved(uow, clock) -> None:
    session = start(uow, "A1", 360)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=180)
    ended = do(uow, outages.end_outage, outage.id)
    waiting = ended.compensations[0]
    assert waiting.status is CompensationStatus.AWAITING_APPROVAL
    assert count(uow, LedgerEntry) == 1
    with uow() as unit:
        assert [item.id for item in outage_views.awaiting_approval(unit)] == [waiting.id]
    approved = do(uow, approvals.approve_compensation, waiting.id, actor="manager:bola")
    assert approved.status is CompensationStatus.APPLIED
    assert approved.approved_by == "manager:bola"
    with pytest.raises(InvalidState):
        do(uow, approvals.approve_compensation, waiting.id)
    # 185 min due: the session, paid until 20:00, can use 120 before closing at 22:00; 65 come as a voucher.
    with uow() as unit:
        assert session_views.get_session(unit, session.id).paid_minutes == 360 + 120
    assert approved.current.credit_minutes == 185 and len(approved.voucher_codes) == 1


def test_a_session_that_ran_out_during_the_cut_gets_a_voucher(uow, clock) -> None:
    start(uow, "G1", 30)
    clock.advance(minutes=20)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=30)
    ended = do(uow, outages.end_outage, outage.id)
    item = ended.compensations[0]
    assert item.current.form is CompensationForm.VOUCHER
    assert len(item.voucher_codes) == 1
    assert count(uow, Voucher) == 1


def test_a_correction_that_changes_nothing_is_refused_and_writes_no_revision(uow, clock) -> None:
    outage, _ = power_cut_over(uow, clock, {"G1": 120}, after_minutes=10, lasting_minutes=20)
    revisions = count(uow, OutageRevision)
    with pytest.raises(InvalidState, match="the correction changes nothing"):
        do(uow, outages.correct_outage, outage.id, started_at=outage.started_at, ended_at=outage.ended_at,
           reason="same times")
    # No time at all is a body the API document refuses too (400); the same times are the outage's state (409).
    with pytest.raises(InvalidInput, match="the correction changes nothing"):
        do(uow, outages.correct_outage, outage.id, reason="no times at all")
    assert count(uow, OutageRevision) == revisions
    with uow() as unit:
        assert outage_views.get_outage(unit, outage.id) == outage


def stored_explanations(uow) -> dict[int, str]:
    with uow() as unit:
        return dict(unit.db.execute(select(Compensation.id, Compensation.explanation)).tuples().all())


def test_a_correction_after_the_customer_left_keeps_each_first_explanation_and_tops_up_with_a_voucher(
        uow, clock) -> None:
    timed = start(uow, "G1", 120)
    billed = do(uow, sessions.start_session, seat_id="G2", postpaid=True)
    clock.advance(minutes=30)
    outage = do(uow, outages.start_outage)
    clock.advance(minutes=20)
    ended = do(uow, outages.end_outage, outage.id)
    first = stored_explanations(uow)
    by_session = {item.session_id: item for item in ended.compensations}
    assert "time added: paid end 16:00 → 16:35" in by_session[timed.id].explanation
    assert by_session[billed.id].explanation.endswith("35 min off the bill")
    clock.advance(minutes=5)
    for session in (timed, billed):
        do(uow, sessions.end_session, session.id)
    corrected = do(uow, outages.correct_outage, outage.id, ended_at=outage.started_at + timedelta(minutes=23),
                   reason="the generator log says 14:53")
    assert stored_explanations(uow) == first
    for item in corrected.compensations:
        assert item.explanation == by_session[item.session_id].explanation
        assert item.figures == by_session[item.session_id].figures
        (adjustment,) = item.adjustments
        # The customers have left: the five more minutes are a voucher, said by the adjustment alone.
        assert adjustment.explanation.startswith(
            "outage end corrected 14:50 → 14:53 by ada: lost 20 → 23, credit 35 → 40, +5 min as a voucher; ")
        # What was given keeps its form; only the top-up is a voucher.
        assert (adjustment.topup_minutes, adjustment.figures.form) == (5, by_session[item.session_id].figures.form)
        assert len(item.voucher_codes) == 1


def test_correcting_only_the_start_to_the_second_is_one_adjustment_worded_to_the_second(uow, clock) -> None:
    outage, _ = power_cut_over(uow, clock, {"G1": 120}, after_minutes=30, lasting_minutes=20)
    corrected = do(uow, outages.correct_outage, outage.id, started_at=outage.started_at - timedelta(seconds=40),
                   reason="the UPS log")
    assert corrected.ended_at == outage.ended_at
    (adjustment,) = corrected.compensations[0].adjustments
    assert adjustment.explanation.startswith(
        "outage start corrected 14:30:00 → 14:29:20 by ada: lost 20 → 21, credit 35 → 35, already given")
    assert adjustment.topup_minutes == 0
