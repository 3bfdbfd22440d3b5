"""Moving to a seat of another price (issue 22, item 8): a prepaid session's paid time left is
re-priced at the move (charged or refunded, said at the counter and in the API's answer), and a
postpaid session is billed at each seat's price for its time there.

The test venue: standard seats at NGN300/h, gaming seats at NGN600/h.
"""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest

from compensator.domain.kinds import EntryKind
from compensator.domain.repricing import move_difference
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from tests.conftest import log_in_cookie
from tests.support.known_day import at_local, do, report_of

ADA = "attendant:ada"
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def read(uow, reader, *args):
    with uow() as unit:
        return reader(unit, *args)


def test_the_difference_is_for_the_time_left_to_the_second_rounded_to_the_customer() -> None:
    # 39 min 31 s left: 2371 s × 300/h = 197.58 more (19 758.33 kobo): charged 19 758, refunded 19 759.
    left = timedelta(minutes=39, seconds=31)
    dearer, cheaper = move_difference(left, 30000, 60000), move_difference(left, 60000, 30000)
    assert (dearer.minutes_left, dearer.difference_minor) == (40, 19758)
    assert (cheaper.minutes_left, cheaper.difference_minor) == (40, -19759)
    assert move_difference(left, 30000, 30000).difference_minor == 0


def test_a_move_to_a_dearer_seat_charges_the_difference_and_back_refunds_it(uow, clock) -> None:
    view = do(uow, sessions.start_session, seat_id="A11", minutes=60)
    clock.advance(minutes=20)
    moved = do(uow, sessions.move_session, view.id, seat_id="G4")
    assert moved.moved is not None
    assert (moved.moved.minutes_left, moved.moved.difference_minor) == (40, 20000)
    # The minutes are kept; two price_change entries net to no minutes and NGN200 more paid.
    assert (moved.paid_minutes, moved.remaining_minutes) == (60, 40)
    assert [(entry.kind, entry.minutes, entry.value_minor) for entry in moved.entries] == [
        (EntryKind.PURCHASE, 60, 30000), (EntryKind.PRICE_CHANGE, -40, -20000), (EntryKind.PRICE_CHANGE, 40, 40000)]
    clock.advance(minutes=10)
    back = do(uow, sessions.move_session, view.id, seat_id="A12")
    assert back.moved is not None and back.moved.difference_minor == -15000
    # Same price: nothing re-priced.
    clock.advance(minutes=5)
    assert do(uow, sessions.move_session, view.id, seat_id="A1").moved is None
    ended = do(uow, sessions.end_session, view.id)
    assert ended.bill is not None
    assert (ended.bill.paid_minutes, ended.bill.paid_minor) == (60, 30000 + 20000 - 15000)


def test_a_postpaid_session_is_billed_at_each_seats_price_for_its_time_there(uow, clock) -> None:
    view = do(uow, sessions.start_session, seat_id="A1", postpaid=True)
    clock.advance(minutes=30)
    moved = do(uow, sessions.move_session, view.id, seat_id="G1")
    assert moved.moved is None
    clock.advance(minutes=30, seconds=20)
    running = read(uow, session_views.get_session, view.id)
    # 61 minutes used (the started one at the cheaper price): 31 × NGN5 + 30 × NGN10.
    assert running.bill_minor == 45500
    ended = do(uow, sessions.end_session, view.id)
    assert ended.bill is not None and ended.bill.due_minor == 45500


def test_each_zone_keeps_the_takings_of_the_time_spent_in_it(uow, clock) -> None:
    at_local(clock, 14, 0)
    view = do(uow, sessions.start_session, seat_id="A1", minutes=60)
    at_local(clock, 14, 20)
    do(uow, sessions.move_session, view.id, seat_id="G1")
    at_local(clock, 16, 0)
    standard, gaming = report_of(uow).takings
    # Standard sold 60 min for 30 000 and kept 20 min of it (10 000); gaming took 40 min at its price.
    assert (standard.zone_id, standard.takings_minor) == ("standard", 10000)
    assert (gaming.zone_id, gaming.takings_minor) == ("gaming", 40000)


@pytest.mark.parametrize(("target", "said"), [
    ("G4", "Moved to G4: 40 min left at NGN600.00/h; NGN200.00 more to pay."),
    ("A2", "Seat A11 moved to A2."),
])
def test_the_dashboard_says_the_difference(client, uow, clock, target: str, said: str) -> None:
    log_in_cookie(client, "ada")
    client.post("/seats/A11/start", data={"csrf_token": "t", "minutes": "60"})
    client.get("/")
    clock.advance(minutes=20)
    session_id = read(uow, session_views.list_open_sessions)[0].id
    shown = unescape(client.post(f"/sessions/{session_id}/move", data={"csrf_token": "t", "seat": target},
                                 follow_redirects=True).get_data(as_text=True))
    assert said in shown


def test_the_api_answers_the_move_with_its_difference_and_the_refund(client, uow, clock) -> None:
    log_in_cookie(client, "ada")
    started = client.post("/api/v1/sessions", json={"seat": "G2", "minutes": 60}, headers={"X-CSRF-Token": "t"})
    assert started.get_json()["moved"] is None
    clock.advance(minutes=20)
    answer = client.post(f"/api/v1/sessions/{started.get_json()['id']}/move", json={"seat": "A3"},
                         headers={"X-CSRF-Token": "t"})
    assert answer.status_code == 200
    assert answer.get_json()["moved"] == {"minutes_left": 40, "from_price_minor_per_hour": 60000,
                                          "to_price_minor_per_hour": 30000, "difference_minor": -20000}
    assert [entry["kind"] for entry in answer.get_json()["entries"]] == ["purchase", "price_change", "price_change"]


def test_the_french_dashboard_says_the_refund(client, uow, clock) -> None:
    log_in_cookie(client, "ada")
    client.post("/seats/G2/start", data={"csrf_token": "t", "minutes": "60"})
    client.get("/", headers=FRENCH)
    clock.advance(minutes=20)
    session_id = read(uow, session_views.list_open_sessions)[0].id
    client.post(f"/sessions/{session_id}/move", data={"csrf_token": "t", "seat": "A3"}, headers=FRENCH)
    shown = unescape(client.get("/", headers=FRENCH).get_data(as_text=True))
    assert "Déplacé sur A3 : il reste 40 min à 300,00\u00a0NGN/h ; rendre 200,00\u00a0NGN au client." in shown
