"""The dashboard's Today box counts what the lists show: the report's outages, seat faults apart, and letters.

Measured on the issue's day: 13 notices where the list showed 10 letters, 7 outages where the
report said 5 (a suspected and a dismissed outage counted). Here a day with a merged letter of
two cuts, a correction's short letter after a hand-over, a seat fault, a suspected outage and a
dismissed one: the box says what the list of letters and the report say.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from compensator.services.handover import letters
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from tests.support.known_day import MANAGER, at_local, do, power_cut, report_of

# The box's counts are SQL of their own: read on both databases.
pytestmark = [pytest.mark.usefixtures("staff"),
              pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)]


def test_the_today_box_counts_the_letters_listed_and_the_outages_the_report_counts(client, auth, uow, clock) -> None:
    for seat in ("G1", "G2", "A4"):
        do(uow, sessions.start_session, seat_id=seat, minutes=300)
    first = power_cut(uow, clock, (14, 10), (14, 20))
    with uow() as unit:
        (g1,) = [letter for letter in letters.pending_letters(unit) if letter.seat_id == "G1"]
    do(uow, letters.deliver_letter, g1.first_notice_id, how="shown", feedback="happy")
    at_local(clock, 14, 30)
    # A correction after G1's letter was handed over: a short letter of its own for the 5 more minutes.
    do(uow, outages.correct_outage, first.id, ended_at=first.ended_at + timedelta(minutes=5),
       reason="the generator log", actor=MANAGER)
    power_cut(uow, clock, (15, 0), (15, 10))
    at_local(clock, 15, 30)
    fault = do(uow, outages.start_outage, seats=["A4"], note="PSU")
    at_local(clock, 15, 50)
    do(uow, outages.end_outage, fault.id)
    do(uow, outages.start_outage, seats=["A1", "A2"], source="heartbeat", suspected=True)
    dismissed = do(uow, outages.start_outage, zones=["gaming"], source="heartbeat", suspected=True)
    do(uow, outages.dismiss_outage, dismissed.id, reason="agents restarted", actor=MANAGER)
    at_local(clock, 16, 0)

    auth.login()
    board = client.get("/board.json").get_json()
    # G1: the second cut's letter and the correction's short letter; G2: one letter of both cuts; A4: one
    # letter of the first cut (dark once corrected past its UPS) and of its fault. Six notices, four letters.
    assert sorted((item["seat"], item["cuts"]) for item in board["letters"]) == \
        [("A4", 2), ("G1", 1), ("G1", 1), ("G2", 2)]
    assert board["figures"]["pending_notices"] == len(board["letters"]) == 4
    report = report_of(uow)
    assert (board["figures"]["outages"], board["figures"]["seat_faults"]) == \
        (report.figures.outages, report.figures.seat_faults) == (2, 1)
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'data-figure="pending_notices">4<', page)
    assert re.search(r'data-figure="outages">2<', page) and re.search(r'data-figure="seat_faults">1<', page)


def test_the_today_box_is_in_french_for_a_french_attendant(client, auth) -> None:
    auth.login()
    auth.post("/language", language="fr", next="/")
    page = client.get("/").get_data(as_text=True)
    assert "<dt>Pannes de poste</dt>" in page and "<dt>Coupures</dt>" in page
