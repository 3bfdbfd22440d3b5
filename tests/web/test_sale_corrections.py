"""Correcting a mistaken sale: a manager takes back the unused minutes of a purchase or extension."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from compensator.domain.kinds import EntryKind
from compensator.errors import Conflict, InvalidInput, InvalidState, NotFound, PermissionDenied
from compensator.report.build import build_daily_report
from compensator.services import actions
from compensator.services.sessions import corrections
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.store.models import AuditRecord, LedgerEntry
from tests.conftest import log_in_cookie

MANAGER = "manager:bola"


def sold(uow, minutes: int = 60, seat: str = "A1") -> session_views.SeatSessionView:
    with uow() as unit:
        return sessions.start_session(unit, seat_id=seat, minutes=minutes, actor="attendant:ada")


def take_back(uow, view, *, entry: int | None = None, minutes: int | None = None, reason: object = "sold 60, paid 30"):
    with uow() as unit:
        return corrections.reverse_sale(unit, view.id, entry=entry or view.entries[0].id, minutes=minutes,
                                        reason=reason, actor=MANAGER)


def test_taking_back_half_of_a_mistaken_sale_moves_the_paid_end_and_the_money(uow, clock) -> None:
    view = sold(uow, 60)
    clock.advance(minutes=2)
    corrected = take_back(uow, view, minutes=30)
    assert (corrected.paid_minutes, corrected.remaining_minutes) == (30, 28)
    assert corrected.paid_end == view.started_at + timedelta(minutes=30)
    reversal = corrected.entries[-1]
    assert (reversal.kind, reversal.minutes, reversal.value_minor, reversal.reverses_id) == (
        EntryKind.REVERSAL, -30, -15000, view.entries[0].id)
    assert (reversal.actor, reversal.note) == (MANAGER, "sold 60, paid 30")
    with uow() as unit:
        ended = sessions.end_session(unit, view.id, actor="attendant:ada")
    assert ended.bill is not None
    assert (ended.bill.paid_minutes, ended.bill.paid_minor) == (30, 15000)


def test_the_whole_sale_comes_back_by_default_with_all_of_its_money(uow) -> None:
    view = sold(uow, 30)
    corrected = take_back(uow, view)
    assert (corrected.paid_minutes, corrected.entries[-1].value_minor) == (0, -15000)


def test_minutes_the_customer_already_used_cannot_be_taken_back(uow, clock) -> None:
    view = sold(uow, 60)
    clock.advance(minutes=31, seconds=10)
    with pytest.raises(InvalidState, match="only 28 min .* still unused: 30 min cannot be taken back") as refused:
        take_back(uow, view, minutes=30)
    assert refused.value.field == "minutes"
    assert take_back(uow, view, minutes=28).remaining_minutes == 1


def test_a_sale_is_corrected_once(uow) -> None:
    view = sold(uow, 60)
    take_back(uow, view, minutes=10)
    with pytest.raises(Conflict, match="corrected already"):
        take_back(uow, view, minutes=5)


def test_two_managers_correcting_one_sale_at_once_correct_it_once(uow, monkeypatch) -> None:
    view = sold(uow, 60)
    take_back(uow, view, minutes=10)
    # The second read the ledger before the first wrote: only the unique reversal stops it.
    monkeypatch.setattr(corrections, "_sale", lambda loaded, entry_id: loaded.facts.entries[0])
    with pytest.raises(Conflict, match="corrected already"):
        take_back(uow, view, minutes=5)
    with uow() as unit:
        assert len(list(unit.db.scalars(select(LedgerEntry).where(LedgerEntry.kind == EntryKind.REVERSAL)))) == 1


@pytest.mark.parametrize(("changes", "error", "words", "field"), [
    ({"reason": None}, InvalidInput, "needs a reason", "reason"),
    ({"reason": "   "}, InvalidInput, "needs a reason", "reason"),
    ({"minutes": 61}, InvalidState, "sold 60 min: at most that", "minutes"),
    ({"minutes": 0}, InvalidInput, "minutes", "minutes"),
    ({"entry": 999}, NotFound, "has no entry 999", "entry"),
])
def test_a_correction_without_a_reason_or_beyond_the_sale_is_refused(uow, changes, error, words, field) -> None:
    view = sold(uow, 60)
    arguments = {"minutes": 10, "reason": "typo", **changes}
    with pytest.raises(error, match=words) as refused:
        take_back(uow, view, **arguments)
    assert refused.value.field == field


def test_only_a_sale_can_be_taken_back_and_only_from_its_own_session(uow) -> None:
    first, other = sold(uow, 60, "A1"), sold(uow, 60, "A2")
    with pytest.raises(NotFound, match="has no entry"):
        take_back(uow, first, entry=other.entries[0].id, minutes=5)
    corrected = take_back(uow, first, minutes=5)
    with pytest.raises(InvalidState, match="is a reversal: only a purchase or an extension"):
        take_back(uow, first, entry=corrected.entries[-1].id, minutes=1)


def test_an_extension_of_an_ended_session_gives_back_what_was_left_unused(uow, clock) -> None:
    view = sold(uow, 30)
    with uow() as unit:
        extended = sessions.extend_session(unit, view.id, minutes=60, actor="attendant:ada")
    clock.advance(minutes=40)
    with uow() as unit:
        sessions.end_session(unit, view.id, actor="attendant:ada")
    corrected = take_back(uow, view, entry=extended.entries[-1].id, minutes=50, reason="left early, refunded")
    assert corrected.bill is not None
    assert (corrected.bill.paid_minutes, corrected.bill.paid_minor) == (40, 20000)
    with pytest.raises(InvalidState, match="only 0 min"):
        take_back(uow, view, minutes=1)


def test_a_correction_is_audited_with_its_reason(uow) -> None:
    view = sold(uow, 60)
    take_back(uow, view, minutes=20, reason="wrong package")
    with uow() as unit:
        record = unit.db.scalars(select(AuditRecord).where(AuditRecord.action == "session.reverse_sale")).one()
    assert (record.actor, record.target_id) == (MANAGER, str(view.id))
    assert (record.before["minutes"], record.before["reason"], record.before["paid_minutes"]) == (20, "wrong package",
                                                                                               60)
    assert record.after["paid_minutes"] == 40


def test_only_a_manager_may_correct_a_sale() -> None:
    with pytest.raises(PermissionDenied):
        actions.find(actions.SESSION_ACTIONS, "reverse", is_manager=False)


def test_the_days_takings_count_the_correction_against_the_sale_and_the_owner_sees_why(uow, clock) -> None:
    view = sold(uow, 60, "G1")
    clock.advance(minutes=1)
    take_back(uow, view, minutes=30, reason="sold 60, paid 30")
    clock.advance(minutes=60)
    with uow() as unit:
        report = build_daily_report(unit, date(2026, 11, 22))
    gaming = next(row for row in report.takings if row.zone_id == "gaming")
    assert (gaming.purchases_minor, report.takings_total.takings_minor) == (30000, 30000)
    corrected = [item for item in report.anomalies if item.kind.value == "sale_reversed"]
    assert [(item.seat_id, item.minutes, item.reason) for item in corrected] == [("G1", 30, "sold 60, paid 30")]



def test_the_api_lets_a_manager_correct_a_sale_once_per_key(client, uow) -> None:
    view = sold(uow, 60)
    body = {"entry": view.entries[0].id, "minutes": 15, "reason": "typo"}
    log_in_cookie(client, "ada", "attendant")
    refused = client.post(f"/api/v1/sessions/{view.id}/reverse", json=body, headers={"X-CSRF-Token": "t"})
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (403, "forbidden")
    log_in_cookie(client, "bola", "manager")
    headers = {"X-CSRF-Token": "t", "Idempotency-Key": "fix-1"}
    first = client.post(f"/api/v1/sessions/{view.id}/reverse", json=body, headers=headers)
    again = client.post(f"/api/v1/sessions/{view.id}/reverse", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotency-Replayed"] == "true"
    assert first.get_json()["paid_minutes"] == 45
    assert first.get_json()["entries"][-1]["reverses"] == view.entries[0].id
    unknown = client.post(f"/api/v1/sessions/{view.id}/reverse", json={**body, "colour": "red"},
                          headers={"X-CSRF-Token": "t"})
    assert unknown.status_code == 400


def test_a_manager_corrects_a_sale_from_the_manager_page(client, uow) -> None:
    view = sold(uow, 60)
    log_in_cookie(client, "bola", "manager")
    page = client.get("/manage").get_data(as_text=True)
    assert f'<option value="{view.id}">' in page
    found = client.get(f"/manage/sessions?session={view.id}")
    assert found.headers["Location"].endswith(f"/manage/sessions/{view.id}")
    ledger = client.get(f"/manage/sessions/{view.id}").get_data(as_text=True)
    assert re.search(r'name="minutes" min="1" max="60" value="60"', ledger)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', ledger).group(1)
    form = {"csrf_token": "t", "idempotency_key": key, "entry": str(view.entries[0].id), "minutes": "30",
            "reason": "sold 60, paid 30"}
    done = client.post(f"/manage/sessions/{view.id}/reverse", data=form, follow_redirects=True)
    shown = done.get_data(as_text=True)
    assert "Seat A1: sale corrected, 30 min left." in shown
    assert "sale corrected" in shown and "sold 60, paid 30" in shown
    # The same form sent twice (a double click) corrects once.
    client.post(f"/manage/sessions/{view.id}/reverse", data=form)
    with uow() as unit:
        assert session_views.get_session(unit, view.id).paid_minutes == 30
    refused = client.post(f"/manage/sessions/{view.id}/reverse", data={**form, "idempotency_key": "other"},
                          follow_redirects=True).get_data(as_text=True)
    assert "corrected already" in refused


def test_an_attendant_cannot_open_the_sale_corrections(client, uow) -> None:
    view = sold(uow, 60)
    log_in_cookie(client, "ada", "attendant")
    assert client.get(f"/manage/sessions/{view.id}").status_code == 403
    assert client.get("/manage/sessions?session=abc").status_code == 403
    log_in_cookie(client, "bola", "manager")
    picked_nothing = client.get("/manage/sessions?session=abc", follow_redirects=True)
    assert "choose a session, or type its number" in picked_nothing.get_data(as_text=True)
    unknown = client.get("/manage/sessions/999", headers={"Referer": "/manage"}, follow_redirects=True)
    assert "unknown session 999" in unknown.get_data(as_text=True)
