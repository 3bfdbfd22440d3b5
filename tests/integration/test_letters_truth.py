"""A letter is always the current truth: after a correction, when handed over, when printed again."""

from __future__ import annotations

from datetime import timedelta

from compensator.domain.kinds import CompensationForm
from compensator.services.handover import letters, notices
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions

ADA = "attendant:ada"
BOLA = "manager:bola"


def cut_on_g3(uow, clock):
    """G3 (Gaming, no UPS) bought 60 min at 14:00; a power cut from 14:10 to 14:15. Session, outage, notice."""
    with uow() as unit:
        session = sessions.start_session(unit, seat_id="G3", minutes=60, actor=ADA)
    clock.advance(minutes=10)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ADA)
    clock.advance(minutes=5)
    with uow() as unit:
        (item,) = outages.end_outage(unit, outage.id, actor=ADA).compensations
    return session, outage, item


def test_a_pending_letter_shows_the_credit_and_end_as_a_correction_left_them(uow, clock) -> None:
    session, outage, item = cut_on_g3(uow, clock)
    with uow() as unit:
        before = letters.letter_for(unit, item.notice_id)
    # 5 lost + 3 restart + 10 lost work = 18 → 20; paid end 15:00 → 15:20.
    assert "We have added 20 minutes to your time. Your session now ends at 15:20." in before.text
    clock.advance(minutes=5)
    with uow() as unit:
        outages.correct_outage(unit, outage.id, ended_at=outage.started_at + timedelta(minutes=8),
                               reason="the generator log says 14:18", actor=BOLA)
    with uow() as unit:
        after = letters.letter_for(unit, item.notice_id)
    # 8 + 3 + 10 = 21 → 25: the letter waiting says 25 and 15:25, and the cut as it was corrected.
    assert "We have added 25 minutes to your time. Your session now ends at 15:25." in after.text
    assert "from 14:10 to 14:18 (8 minutes)" in after.text
    with uow() as unit:
        assert [letter.notice_ids for letter in letters.pending_letters(unit)] == [(item.notice_id,)]


def test_a_top_up_after_hand_over_makes_a_short_letter_and_the_first_stays_whole(uow, clock) -> None:
    session, outage, item = cut_on_g3(uow, clock)
    with uow() as unit:
        letters.deliver_letter(unit, item.notice_id, how="shown", feedback="happy", actor=ADA)
    clock.advance(minutes=5)
    with uow() as unit:
        outages.correct_outage(unit, outage.id, ended_at=outage.started_at + timedelta(minutes=8),
                               reason="the generator log says 14:18", actor=BOLA)
    with uow() as unit:
        (waiting,) = letters.pending_letters(unit)
        short = letters.letter_for(unit, waiting.first_notice_id)
        first = letters.letter_for(unit, item.notice_id)
    assert waiting.topup and waiting.credit_minutes == 5
    assert ("The power cut on November 22, 2026 was longer than we first recorded: it lasted from 14:10 to 14:18 "
            "(8 minutes). You get 5 minutes more: 5 minutes added to your time.") in short.text.replace("\n", " ")
    assert "Your session now ends at 15:25." in short.text
    # The first letter, handed over, reopens as it was given: 20 minutes, the feedback kept.
    assert "We have added 20 minutes to your time" in first.text and first.status == "shown"
    assert first.first.feedback is not None and first.first.feedback.value == "happy"
    with uow() as unit:
        delivered = letters.deliver_letter(unit, waiting.first_notice_id, how="printed", actor=ADA)
        assert letters.pending_letters(unit) == []
    assert delivered.credit_minutes == 5


def test_a_top_up_while_the_letter_waits_makes_no_second_letter(uow, clock) -> None:
    session, outage, item = cut_on_g3(uow, clock)
    clock.advance(minutes=5)
    with uow() as unit:
        outages.correct_outage(unit, outage.id, ended_at=outage.started_at + timedelta(minutes=8),
                               reason="the generator log", actor=BOLA)
    with uow() as unit:
        waiting = notices.list_notices(unit, status="pending")
    assert [notice.id for notice in waiting] == [item.notice_id]
    assert waiting[0].credit_minutes == 25


def postpaid_cut_on_g3_then_ended(uow, clock):
    """G3 postpaid from 14:00; a power cut from 14:10 to 14:15 (20 min off the bill); the bill paid at 14:20."""
    with uow() as unit:
        session = sessions.start_session(unit, seat_id="G3", postpaid=True, actor=ADA)
    clock.advance(minutes=10)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ADA)
    clock.advance(minutes=5)
    with uow() as unit:
        (item,) = outages.end_outage(unit, outage.id, actor=ADA).compensations
    clock.advance(minutes=5)
    with uow() as unit:
        sessions.end_session(unit, session.id, actor=ADA)
    return outage, item


def test_a_top_up_on_a_closed_bill_is_told_as_the_voucher_it_became(uow, clock) -> None:
    # Found on the Chromium walk: the short letter said "5 minutes off your bill" for a bill already paid.
    outage, item = postpaid_cut_on_g3_then_ended(uow, clock)
    with uow() as unit:
        letters.deliver_letter(unit, item.notice_id, how="declined", actor=ADA)
    with uow() as unit:
        outages.correct_outage(unit, outage.id, ended_at=outage.started_at + timedelta(minutes=8),
                               reason="the generator log says 14:18", actor=BOLA)
    with uow() as unit:
        (waiting,) = letters.pending_letters(unit)
        short = letters.letter_for(unit, waiting.first_notice_id)
    (code,) = short.voucher_codes
    text = short.text.replace("\n", " ")
    assert f"You get 5 minutes more: a voucher for 5 minutes, {code}." in text
    assert "off your bill" not in text


def test_a_letter_names_every_voucher_a_cut_came_with(uow, clock) -> None:
    # Found on the Chromium walk: a credit past closing, then a correction's 5 more minutes as a second
    # voucher; the waiting letter said "a voucher for 25 minutes" and named the first code (worth 20) alone.
    with uow() as unit:
        sessions.start_session(unit, seat_id="G3", minutes=480, actor=ADA)
    clock.advance(minutes=10)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ADA)
    clock.advance(minutes=5)
    with uow() as unit:
        (item,) = outages.end_outage(unit, outage.id, actor=ADA).compensations
    clock.advance(minutes=5)
    with uow() as unit:
        outages.correct_outage(unit, outage.id, ended_at=outage.started_at + timedelta(minutes=8),
                               reason="the generator log says 14:18", actor=BOLA)
    with uow() as unit:
        letter = letters.letter_for(unit, item.notice_id)
    first, second = letter.voucher_codes
    text = letter.text.replace("\n", " ")
    assert f"{first} (20 minutes)" in text and f"{second} (5 minutes)" in text


def test_a_waiting_letter_tells_the_bill_reduction_and_the_voucher_a_correction_added(uow, clock) -> None:
    outage, item = postpaid_cut_on_g3_then_ended(uow, clock)
    with uow() as unit:
        outages.correct_outage(unit, outage.id, ended_at=outage.started_at + timedelta(minutes=8),
                               reason="the generator log says 14:18", actor=BOLA)
    with uow() as unit:
        letter = letters.letter_for(unit, item.notice_id)
    (code,) = letter.voucher_codes
    assert ("We have taken 20 minutes off your bill; the other 5 minutes, given once the bill was paid, are on a "
            f"voucher: {code}.") in letter.text.replace("\n", " ")


def test_a_waiting_letter_is_listed_in_the_form_its_credit_was_given(uow, clock) -> None:
    # Found on the Chromium walk: a credit past closing, given as a voucher, was listed as "20 min time".
    with uow() as unit:
        sessions.start_session(unit, seat_id="G3", minutes=480, actor=ADA)
        sessions.start_session(unit, seat_id="G4", minutes=60, actor=ADA)
    clock.advance(minutes=10)
    with uow() as unit:
        outage = outages.start_outage(unit, actor=ADA)
    clock.advance(minutes=5)
    with uow() as unit:
        outages.end_outage(unit, outage.id, actor=ADA)
    with uow() as unit:
        listed = {letter.seat_id: letter.forms for letter in letters.pending_letters(unit)}
    assert listed == {"G3": (CompensationForm.VOUCHER,), "G4": (CompensationForm.TIME,)}


def test_a_seat_fault_is_told_as_a_fault_on_the_seat_not_a_power_cut_of_the_venue(uow, clock) -> None:
    # Found on the Chromium walk: A5's own PSU failure read "there were 3 cuts ... The power cut from 02:25".
    with uow() as unit:
        sessions.start_session(unit, seat_id="G3", minutes=60, actor=ADA)
    clock.advance(minutes=10)
    with uow() as unit:
        outage = outages.start_outage(unit, seats=["G3"], actor=ADA)
    clock.advance(minutes=5)
    with uow() as unit:
        (item,) = outages.end_outage(unit, outage.id, actor=ADA).compensations
    with uow() as unit:
        letter = letters.letter_for(unit, item.notice_id)
        (stored,) = notices.notice_views(unit, [item.notice_id])
    assert "there was a power fault on your seat at Bright Star Cyber Café on November 22, 2026" in letter.text
    assert "power cut" not in letter.text and letter.text == stored.text
