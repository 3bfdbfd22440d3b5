"""The manager page manages people and tokens, and its audit log shows each change in the venue's time."""

from __future__ import annotations

import re

import pytest

from compensator.services import audit
from compensator.services.people import accounts as people
from tests.support.login import Auth

pytestmark = pytest.mark.usefixtures("staff")


def as_manager(app):
    manager = app.test_client()
    helper = Auth(manager)
    helper.login("bola", "4321")
    return manager, helper


def test_a_manager_disables_an_attendant_whose_open_login_ends_then_enables_them(app) -> None:
    attendant = app.test_client()
    Auth(attendant).login()
    assert attendant.get("/").status_code == 200
    manager, helper = as_manager(app)
    answer = helper.post("/manage/attendants/ada/disable", idempotency_key="d1")
    assert answer.status_code == 302
    assert attendant.get("/").status_code == 302
    page = manager.get("/manage").get_data(as_text=True)
    assert "ada disabled" in page and re.search(r"<td>ada</td><td>attendant</td><td>[^<]*</td>\s*<td>disabled</td>", page)
    helper.post("/manage/attendants/ada/enable", idempotency_key="e1")
    assert Auth(attendant).login().status_code == 302 and attendant.get("/").status_code == 200


def test_a_new_pin_from_the_manager_page_ends_the_old_logins(app) -> None:
    attendant = app.test_client()
    Auth(attendant).login()
    _, helper = as_manager(app)
    assert helper.post("/manage/attendants/ada/pin", pin="97531", idempotency_key="p1").status_code == 302
    assert attendant.get("/").status_code == 302
    assert Auth(attendant).login("ada", "1234").status_code == 401
    assert Auth(attendant).login("ada", "97531").status_code == 302


def test_a_bad_pin_or_an_unknown_person_is_a_plain_message(app) -> None:
    manager, helper = as_manager(app)
    short = helper.post("/manage/attendants/ada/pin", pin="12", idempotency_key="p2")
    assert short.status_code in (302, 400)
    page = manager.get("/manage").get_data(as_text=True)
    assert "a PIN is 4 to 12 digits" in page
    helper.post("/manage/attendants/nobody/disable", idempotency_key="n1")
    assert "no attendant named" in manager.get("/manage").get_data(as_text=True)


def test_a_name_someone_has_in_another_case_is_refused_on_the_manager_page(app) -> None:
    manager, helper = as_manager(app)
    helper.post("/manage/attendants", name="Ada", role="attendant", pin="5678", idempotency_key="a1")
    page = manager.get("/manage").get_data(as_text=True)
    assert "an attendant named &#39;ada&#39; already exists: names are the same whatever their case" in page
    assert "<td>Ada</td>" not in page


def test_the_last_manager_cannot_be_disabled(app) -> None:
    manager, helper = as_manager(app)
    helper.post("/manage/attendants/bola/disable", idempotency_key="self")
    assert "the last manager who can log in" in manager.get("/manage").get_data(as_text=True)
    assert manager.get("/manage").status_code == 200


def test_a_manager_revokes_a_token_which_answers_401_at_once(app, uow) -> None:
    with uow() as unit:
        secret = people.create_token(unit, name="ups-monitor", actor="test").secret
    headers = {"Authorization": f"Bearer {secret}"}
    device = app.test_client()
    assert device.get("/api/v1/seats", headers=headers).status_code == 200
    manager, helper = as_manager(app)
    helper.post("/manage/tokens/ups-monitor/revoke", idempotency_key="r1")
    assert device.get("/api/v1/seats", headers=headers).status_code == 401
    assert "Token ups-monitor revoked." in manager.get("/manage").get_data(as_text=True)


def test_an_attendant_cannot_disable_anyone(client, auth) -> None:
    auth.login()
    assert auth.post("/manage/attendants/bola/disable").status_code == 403


def test_the_audit_log_shows_before_and_after_in_the_venues_time_a_page_at_a_time(app, uow, clock) -> None:
    manager, helper = as_manager(app)
    helper.post("/manage/attendants/ada/disable", idempotency_key="d2")
    page = manager.get("/manage").get_data(as_text=True)
    # The fake clock stands at 13:00 UTC: 14:00 in Lagos.
    assert re.search(r"<td>2026-11-22 14:00</td><td>manager:bola</td><td>attendant.disable</td>", page)
    assert "disabled: False" in page and "disabled: True" in page
    with uow() as unit:
        for number in range(105):
            audit.record(unit, actor="test", action="test.filler", target_type="thing", target_id=number)
        unit.commit()
    first = manager.get("/manage").get_data(as_text=True)
    older = re.search(r'href="(/manage\?audit_before=\d+)#audit"', first)
    assert older and first.count("test.filler") == 100
    second = manager.get(older.group(1)).get_data(as_text=True)
    assert "attendant.disable" in second and "test.filler" in second
    assert manager.get("/manage?audit_before=99999999999999999999").status_code == 200
