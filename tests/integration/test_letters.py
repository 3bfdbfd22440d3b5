"""One letter per customer: a session's pending notices handed over, printed and delivered together."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from escpos.printer import Dummy

from compensator.domain.kinds import CompensationForm
from compensator.errors import InvalidState
from compensator.services.handover import letters, notices
from compensator.services.handover.printing import print_letter, print_pending
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from tests.support.letters import pending_of, three_cuts_for_one_customer

ACTOR = "attendant:ada"


def test_a_customers_pending_notices_are_one_letter_with_every_cut_and_its_voucher(uow, clock) -> None:
    first, _ = three_cuts_for_one_customer(uow, clock)
    waiting = pending_of(uow, first)
    assert len(waiting) == 3
    with uow() as unit:
        letter = letters.letter_for(unit, waiting[1].id)
    assert [notice.id for notice in letter.notices] == sorted(notice.id for notice in waiting)
    assert len([line for line in letter.text.splitlines() if line.startswith("• ")]) == 3
    assert len(letter.voucher_codes) == 1 and letter.voucher_codes[0] in letter.text
    assert "you left at 14:38, giving up the 62 minutes of paid time you had left" in letter.text
    assert letter.credit_minutes == sum(notice.credit_minutes for notice in waiting)


def test_the_dashboard_lists_one_letter_per_customer(uow, clock) -> None:
    first, other = three_cuts_for_one_customer(uow, clock)
    with uow() as unit:
        listed = letters.pending_letters(unit)
    assert [(letter.session_id, len(letter.notice_ids)) for letter in listed] == [(first, 3), (other, 3)]
    assert [letter.seat_id for letter in listed] == ["G1", "G2"]


def test_a_single_pending_notice_is_its_own_letter_worded_as_written(uow, clock) -> None:
    with uow() as unit:
        session = sessions.start_session(unit, seat_id="G3", minutes=60, actor=ACTOR).id
    clock.advance(minutes=10)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ACTOR)
    clock.advance(minutes=5)
    with uow() as unit:
        outages.end_outage(unit, outage.id, actor=ACTOR)
    (notice,) = pending_of(uow, session)
    with uow() as unit:
        letter = letters.letter_for(unit, notice.id)
    assert letter.text == notice.text and letter.notices == (notice,)


def test_delivering_a_letter_delivers_each_of_its_notices_and_a_delivered_one_is_shown_alone(uow, clock) -> None:
    first, other = three_cuts_for_one_customer(uow, clock)
    waiting = pending_of(uow, first)
    with uow() as unit:
        delivered = letters.deliver_letter(unit, waiting[0].id, how="shown", feedback="happy", actor=ACTOR)
    assert {notice.status for notice in delivered.notices} == {"shown"}
    assert pending_of(uow, first) == [] and len(pending_of(uow, other)) == 3
    # Reopened (or reprinted) once handed over, the letter is whole and worded as things stand.
    with uow() as unit:
        again = letters.letter_for(unit, waiting[2].id)
    assert [notice.id for notice in again.notices] == [notice.id for notice in waiting]
    assert again.text == delivered.text and again.status == "shown"
    # Marking it again keeps the customer's reaction.
    with uow() as unit:
        remarked = letters.deliver_letter(unit, waiting[2].id, how="printed", actor=ACTOR)
    assert {notice.feedback.value for notice in remarked.notices} == {"happy"}


def test_a_letter_handed_over_on_a_clock_that_moves_between_readings_reopens_whole(uow, clock, monkeypatch) -> None:
    # A real clock reads a little later each time: the notices of one hand-over must still be one letter.
    first, _ = three_cuts_for_one_customer(uow, clock)
    waiting = pending_of(uow, first)
    read = clock.now

    def ticking() -> datetime:
        clock.advance(timedelta(microseconds=150))
        return read()

    monkeypatch.setattr(clock, "now", ticking)
    with uow() as unit:
        delivered = letters.deliver_letter(unit, waiting[0].id, how="shown", feedback="happy", actor=ACTOR)
    with uow() as unit:
        again = letters.letter_for(unit, waiting[0].id)
    assert [notice.id for notice in again.notices] == [notice.id for notice in waiting]
    assert again.text == delivered.text
    with uow() as unit:
        remarked = letters.deliver_letter(unit, waiting[0].id, how="printed", actor=ACTOR)
    assert [(notice.status, notice.feedback.value) for notice in remarked.notices] == [("printed", "happy")] * 3


def test_a_refused_delivery_of_a_letter_delivers_none_of_its_notices(uow, clock) -> None:
    first, _ = three_cuts_for_one_customer(uow, clock)
    waiting = pending_of(uow, first)
    with uow() as unit, pytest.raises(Exception, match="how must be"):
        letters.deliver_letter(unit, waiting[0].id, how="mailed", actor=ACTOR)
    assert len(pending_of(uow, first)) == 3


class Printer:
    """python-escpos's Dummy printer, keeping each receipt's bytes."""

    def __init__(self) -> None:
        self.receipts: list[bytes] = []

    def __call__(self) -> Dummy:
        printer = Dummy()
        receipts = self.receipts
        original_close = printer.close

        def close() -> None:
            # python-escpos may close a printer more than once; a receipt is kept the first time.
            if not getattr(printer, "kept", False):
                printer.kept = True
                receipts.append(printer.output)
            original_close()

        printer.close = close
        return printer


def test_a_letter_prints_as_one_receipt_with_every_cut_and_marks_each_notice_printed(uow, clock) -> None:
    first, _ = three_cuts_for_one_customer(uow, clock)
    waiting = pending_of(uow, first)
    printer = Printer()
    with uow() as unit:
        printed = print_letter(unit, waiting[0].id, printer=printer, actor=ACTOR)
    (receipt,) = printer.receipts
    assert receipt.count(b"\x1b@") == 1 and receipt.count(b"\x1dV") == 1
    assert receipt.count(b"\x1d(k") >= 1 and printed.voucher_codes[0].encode() in receipt
    assert receipt.count(b"\n* ") == 3  # each cut, its bullet spelled in ASCII
    assert {notice.status for notice in printed.notices} == {"printed"}


def test_print_all_pending_prints_one_receipt_per_customer(uow, clock) -> None:
    three_cuts_for_one_customer(uow, clock)
    printer = Printer()
    with uow() as unit:
        run = print_pending(unit, printer=printer, actor=ACTOR)
    assert len(run.printed) == 2 and len(printer.receipts) == 2
    with uow() as unit:
        assert notices.list_notices(unit, status="pending") == []


def test_the_dashboard_shows_the_letter_and_delivering_it_clears_every_notice(dashboard, uow, clock) -> None:
    first, _ = three_cuts_for_one_customer(uow, clock)
    waiting = pending_of(uow, first)
    board = dashboard.get("/board.json").get_json()
    listed = next(letter for letter in board["letters"] if letter["id"] == waiting[0].id)
    assert listed["cuts"] == 3 and "3 cuts" in listed["label"]
    page = dashboard.get(f"/notices/{waiting[1].id}").get_data(as_text=True)
    assert "3 cuts in one letter" in page and page.count("• ") == 3
    receipt = dashboard.get(f"/notices/{waiting[0].id}/receipt?width=58").get_data(as_text=True)
    assert receipt.count('class="code"') == 1 and receipt.count("• ") == 3
    response = dashboard.post(f"/notices/{waiting[0].id}/deliver",
                              data={"csrf_token": "t", "idempotency_key": "d1", "how": "shown"})
    assert response.status_code == 302
    assert pending_of(uow, first) == []
    assert all(letter["id"] != waiting[0].id for letter in dashboard.get("/board.json").get_json()["letters"])


def test_a_letter_already_printed_is_refused_unless_a_copy_is_asked_for(uow, clock) -> None:
    first, _ = three_cuts_for_one_customer(uow, clock)
    waiting = pending_of(uow, first)
    printer = Printer()
    with uow() as unit:
        print_letter(unit, waiting[0].id, printer=printer, actor=ACTOR)
    with uow() as unit, pytest.raises(InvalidState, match="already printed"):
        print_letter(unit, waiting[0].id, printer=printer, actor=ACTOR)
    with uow() as unit:
        copy = print_letter(unit, waiting[0].id, printer=printer, actor=ACTOR, again=True)
    assert len(printer.receipts) == 2 and copy.notices[0].status == "printed"


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_print_button_and_auto_print_racing_for_one_letter_print_it_once(uow, clock) -> None:
    first, other = three_cuts_for_one_customer(uow, clock)
    waiting = pending_of(uow, first)
    release, started = threading.Event(), threading.Event()
    printer = Printer()

    def slow_printer() -> Dummy:
        started.set()
        release.wait(5)
        return printer()

    outcomes: list[object] = []

    def press_print() -> None:
        with uow() as unit:
            outcomes.append(print_letter(unit, waiting[0].id, printer=slow_printer, actor=ACTOR))

    button = threading.Thread(target=press_print)
    button.start()
    assert started.wait(5)

    def auto_print() -> None:
        with uow() as unit:
            outcomes.append(print_pending(unit, printer=printer, actor="auto-print"))

    job = threading.Thread(target=auto_print)
    job.start()
    release.set()
    button.join(10)
    job.join(10)
    assert len(outcomes) == 2
    run = next(outcome for outcome in outcomes if not isinstance(outcome, letters.LetterView))
    assert [letter.seat_id for letter in run.printed] == ["G2"]
    assert len(printer.receipts) == 2
    assert pending_of(uow, first) == [] and pending_of(uow, other) == []


def test_a_customer_who_leaves_during_a_cut_is_told_the_voucher_gives_back_all_their_time(uow, clock) -> None:
    with uow() as unit:
        session = sessions.start_session(unit, seat_id="G4", minutes=60, actor=ACTOR).id
    clock.advance(minutes=10)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ACTOR)
    clock.advance(minutes=2)
    with uow() as unit:
        sessions.end_session(unit, session, actor=ACTOR)
    clock.advance(minutes=3)
    with uow() as unit:
        outages.end_outage(unit, outage.id, actor=ACTOR)
    (notice,) = pending_of(uow, session)
    assert notice.form is CompensationForm.VOUCHER
    assert ("You left at 14:12 while your seat was dark, so the 50 minutes of paid time you had left were lost "
            "to you.") in notice.text.replace("\n", " ")
