"""What the counter is told at Power back: the customers this Power back compensated, and the credits left to a manager."""

from __future__ import annotations

import pytest

from compensator.services.sessions import views as session_views

pytestmark = pytest.mark.usefixtures("staff")


def page(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_a_customer_compensated_as_they_left_is_not_counted_again_at_power_back(client, auth, uow, clock) -> None:
    auth.login("ada", "1234")
    auth.post("/seats/G1/start", minutes="60")
    auth.post("/seats/G2/start", minutes="60")
    clock.advance(minutes=20)
    auth.post("/power-cut")
    clock.advance(minutes=5)
    # G2's customer leaves in the dark: compensated there and then.
    with uow() as unit:
        g2 = next(view.id for view in session_views.list_open_sessions(unit) if view.seat_id == "G2")
    auth.post(f"/sessions/{g2}/end")
    clock.advance(minutes=10)
    auth.post("/power-back")
    shown = page(client)
    assert "Power back. 1 customer compensated: hand over the notice." in shown


def test_a_credit_left_to_a_manager_is_said_apart(client, auth, clock) -> None:
    auth.login("ada", "1234")
    auth.post("/seats/G1/start", minutes="360")
    auth.post("/seats/G2/start", minutes="60")
    clock.advance(minutes=20)
    auth.post("/power-cut")
    # Long enough for G1's credit to pass manager_approval_above_minutes; G2's paid time runs out meanwhile.
    clock.advance(minutes=200)
    auth.post("/power-back")
    shown = page(client)
    assert "Power back. 1 customer compensated: hand over the notice. 1 credit waits for a manager's approval." \
        in shown.replace("&#39;", "'")
