"""UPS outages through the service layer, the webhook and the scheduler's job, with the fake clock.

Readings are fed as a poller would (``record_reading``) or as ``upsmon`` reports them (the
webhook, then ``evaluate_ups_reports`` as the scheduler runs it after the clock moved).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from compensator.domain.kinds import OutageSource, OutageStatus
from compensator.domain.ups import Reading, UpsDisplay
from compensator.errors import InvalidInput, NotFound
from compensator.runtime import Compensator
from compensator.scheduler import UPS_REPORTS_JOB, build_scheduler, evaluate_ups_reports
from compensator.services.counter.alerts import AlertBoard
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources import ups
from tests.conftest import log_in_cookie, make_settings

MONITORS = [
    {"name": "venue", "debounce_seconds": 15, "merge_seconds": 60, "poll": False},
    {"name": "gaming-ups", "zones": ["gaming"], "debounce_seconds": 15, "merge_seconds": 60, "poll_seconds": 0.5},
]


@pytest.fixture
def settings():
    return make_settings(ups=MONITORS)


def report(uow, name: str, event: str):
    with uow() as unit:
        return ups.report_event(unit, name, event)


def tick(runtime: Compensator):
    return evaluate_ups_reports(runtime)


def ongoing(uow):
    with uow() as unit:
        return outage_views.open_outages(unit)


def test_a_reported_onbatt_opens_an_outage_once_it_has_lasted_back_dated_to_the_event(runtime, uow, clock) -> None:
    reported_at = clock.now()
    report(uow, "venue", "ONBATT")
    clock.advance(seconds=14)
    tick(runtime)
    assert ongoing(uow) == []
    clock.advance(seconds=2)
    (outcome,) = tick(runtime)
    assert outcome.opened is not None and outcome.opened.created
    (outage,) = ongoing(uow)
    assert outage.source is OutageSource.UPS and outage.started_at == reported_at and outage.scope_ids == ()
    assert outage.actor == "ups:venue"


def test_a_reported_online_within_the_debounce_opens_nothing(runtime, uow, clock) -> None:
    report(uow, "venue", "ONBATT")
    clock.advance(seconds=10)
    report(uow, "venue", "ONLINE")
    for _ in range(5):
        clock.advance(seconds=10)
        tick(runtime)
    assert ongoing(uow) == []


def test_mains_reported_back_end_the_outage_back_dated_and_compensate(runtime, uow, clock) -> None:
    with uow() as unit:
        session = sessions.start_session(unit, seat_id="G1", minutes=120, actor="test")
    clock.advance(minutes=10)
    report(uow, "venue", "ONBATT")
    clock.advance(seconds=20)
    tick(runtime)
    clock.advance(minutes=20)
    back_at = clock.now()
    report(uow, "venue", "ONLINE")
    clock.advance(seconds=59)
    tick(runtime)
    assert len(ongoing(uow)) == 1
    clock.advance(seconds=1)
    (outcome,) = tick(runtime)
    assert outcome.ended is not None
    assert outcome.ended.status is OutageStatus.ENDED and outcome.ended.ended_at == back_at
    (compensation,) = outcome.ended.compensations
    assert compensation.session_id == session.id
    assert compensation.current.lost_minutes == 21


def test_a_flap_shorter_than_the_merge_keeps_one_outage(runtime, uow, clock) -> None:
    report(uow, "venue", "ONBATT")
    clock.advance(seconds=20)
    tick(runtime)
    report(uow, "venue", "ONLINE")
    clock.advance(seconds=30)
    tick(runtime)
    report(uow, "venue", "ONBATT")
    clock.advance(seconds=120)
    tick(runtime)
    (outage,) = ongoing(uow)
    with uow() as unit:
        assert len(outage_views.list_outages(unit, start=outage.started_at, end=clock.now())) == 1


def flap(uow, runtime, clock, spells: int, off: int = 12, on: int = 2) -> None:
    """Mains off ``off`` s and back ``on`` s, ``spells`` times, reported by webhook and ticked every second."""
    for _ in range(spells):
        for event, seconds in (("ONBATT", off), ("ONLINE", on)):
            report(uow, "venue", event)
            for _ in range(seconds):
                clock.advance(seconds=1)
                tick(runtime)


def test_mains_off_twelve_seconds_and_on_two_five_times_is_one_outage_with_four_flaps(runtime, uow, clock) -> None:
    # Issue 23, item 5: each 2-s return used to restart the 15-s debounce, and no outage opened.
    with uow() as unit:
        session = sessions.start_session(unit, seat_id="G1", minutes=120, actor="test")
    first_ob = clock.now()
    flap(uow, runtime, clock, 5)
    mains_back = clock.now() - timedelta(seconds=2)
    (outage,) = ongoing(uow)
    assert outage.started_at == first_ob and outage.source is OutageSource.UPS
    for _ in range(60):
        clock.advance(seconds=1)
        tick(runtime)
    with uow() as unit:
        (ended,) = outage_views.list_outages(unit, start=first_ob, end=clock.now())
    assert ended.id == outage.id and ended.status is OutageStatus.ENDED and ended.ended_at == mains_back
    assert ended.flaps == 4
    (compensation,) = ended.compensations
    assert compensation.session_id == session.id and compensation.current.lost_minutes == 2


def test_flaps_are_counted_on_the_outage_a_click_opened(runtime, uow, clock) -> None:
    with uow() as unit:
        clicked = outages.start_outage(unit, actor="attendant:ada")
    flap(uow, runtime, clock, 3, off=6)
    report(uow, "venue", "ONBATT")
    clock.advance(seconds=2)
    tick(runtime)
    with uow() as unit:
        outage = outage_views.get_outage(unit, clicked.id)
    # 6 + 6 s on battery and a return, then 6 s more: it opened (already open) with 2 flaps; one more came.
    assert [item.id for item in ongoing(uow)] == [clicked.id] and outage.flaps == 3


def test_time_on_battery_added_up_so_far_survives_a_restart(settings, clock, database_url, runtime, uow) -> None:
    first_ob = clock.now()
    flap(uow, runtime, clock, 1, off=10)
    runtime.close()
    restarted = Compensator.open(settings, clock=clock, database_url=database_url)
    try:
        with restarted.unit_of_work() as unit:
            ups.report_event(unit, "venue", "ONBATT")
        clock.advance(seconds=4)
        assert all(outcome.opened is None for outcome in evaluate_ups_reports(restarted))
        clock.advance(seconds=1)
        (outcome,) = evaluate_ups_reports(restarted)
        assert outcome.opened is not None and outcome.opened.started_at == first_ob and outcome.opened.flaps == 1
    finally:
        restarted.close()


def test_a_click_then_the_ups_for_the_same_scope_are_one_outage(runtime, uow, clock) -> None:
    with uow() as unit:
        clicked = outages.start_outage(unit, actor="attendant:ada")
    report(uow, "venue", "ONBATT")
    clock.advance(seconds=16)
    (outcome,) = tick(runtime)
    assert outcome.opened is not None and not outcome.opened.created and outcome.opened.id == clicked.id
    assert [outage.id for outage in ongoing(uow)] == [clicked.id]


def test_the_ups_then_a_click_for_the_same_scope_are_one_outage(runtime, uow, clock) -> None:
    report(uow, "venue", "ONBATT")
    clock.advance(seconds=16)
    (outcome,) = tick(runtime)
    with uow() as unit:
        clicked = outages.start_outage(unit, actor="attendant:ada")
    assert not clicked.created and clicked.id == outcome.opened.id


def test_power_back_pressed_first_leaves_the_ups_nothing_to_end(runtime, uow, clock) -> None:
    report(uow, "venue", "ONBATT")
    clock.advance(seconds=16)
    (outcome,) = tick(runtime)
    clock.advance(minutes=5)
    with uow() as unit:
        pressed = outages.end_outage(unit, outcome.opened.id, actor="attendant:ada")
    report(uow, "venue", "ONLINE")
    clock.advance(seconds=61)
    (after,) = tick(runtime)
    assert after.ended is None and not after.ups.in_outage
    with uow() as unit:
        assert outage_views.get_outage(unit, pressed.id).ended_at == pressed.ended_at


def test_a_polled_ups_opens_an_outage_over_its_own_zones(runtime, uow, clock) -> None:
    first_ob = clock.now()
    for _ in range(32):
        with uow() as unit:
            outcome = ups.record_reading(unit, "gaming-ups", Reading.ON_BATTERY)
        clock.advance(timedelta(seconds=0.5))
    (outage,) = ongoing(uow)
    assert outage.scope_ids == ("gaming",) and outage.started_at == first_ob
    assert outcome.ups.display is UpsDisplay.ON_BATTERY and outcome.ups.since == first_ob


def test_a_monitor_that_stops_answering_changes_nothing_and_shows_not_answering(runtime, uow, clock) -> None:
    for reading, count in ((Reading.ON_BATTERY, 40), (Reading.NO_ANSWER, 40), (Reading.ON_BATTERY, 4)):
        for _ in range(count):
            with uow() as unit:
                ups.record_reading(unit, "gaming-ups", reading)
            clock.advance(timedelta(seconds=0.5))
            if reading is Reading.NO_ANSWER:
                assert len(ongoing(uow)) == 1
                with uow() as unit:
                    view = next(view for view in ups.ups_views(unit) if view.name == "gaming-ups")
                assert view.display is UpsDisplay.NOT_ANSWERING and view.in_outage
    assert len(ongoing(uow)) == 1


def test_the_ups_state_survives_a_restart_of_the_server(settings, clock, database_url, runtime, uow) -> None:
    report(uow, "venue", "ONBATT")
    reported_at = clock.now()
    runtime.close()
    clock.advance(seconds=30)
    restarted = Compensator.open(settings, clock=clock, database_url=database_url)
    try:
        (outcome,) = evaluate_ups_reports(restarted)
        assert outcome.opened is not None and outcome.opened.started_at == reported_at
    finally:
        restarted.close()


def test_an_unknown_ups_or_event_is_refused(uow) -> None:
    with pytest.raises(NotFound):
        report(uow, "nope", "ONBATT")
    with pytest.raises(InvalidInput):
        report(uow, "venue", "COMMBAD")


def test_every_configured_ups_is_shown_before_it_is_heard_from(uow) -> None:
    with uow() as unit:
        views = ups.ups_views(unit)
    assert [(view.name, view.display, view.since) for view in views] == [
        ("venue", UpsDisplay.UNKNOWN, None), ("gaming-ups", UpsDisplay.UNKNOWN, None)]


def test_the_scheduler_evaluates_webhook_reports_every_second(runtime) -> None:
    job = build_scheduler(runtime, AlertBoard()).get_job(UPS_REPORTS_JOB)
    assert job is not None and job.trigger.interval == timedelta(seconds=1)


# --- the webhook and GET /sources through the API ------------------------------------------------


def test_the_webhook_reports_an_event_and_sources_show_the_ups_on_battery(client, bearer, runtime, clock) -> None:
    answer = client.post("/api/v1/ups/venue/events", json={"event": "ONBATT"}, headers=bearer)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["state"] == "on_battery" and answer.get_json()["opened"] is None
    clock.advance(seconds=16)
    tick(runtime)
    listed = client.get("/api/v1/sources", headers=bearer).get_json()
    venue = listed["ups"][0]
    assert venue["name"] == "venue" and venue["state"] == "on_battery" and venue["outage_open"]
    assert venue["since"] == "2026-11-22T14:00:00+01:00" and venue["zones"] is None
    assert listed["ups"][1]["state"] == "unknown" and listed["ups"][1]["zones"] == ["gaming"]


def test_a_retried_webhook_call_with_its_key_acts_once(client, bearer, clock) -> None:
    keyed = {**bearer, "Idempotency-Key": "onbatt-1"}
    first = client.post("/api/v1/ups/venue/events", json={"event": "ONBATT"}, headers=keyed)
    clock.advance(seconds=5)
    again = client.post("/api/v1/ups/venue/events", json={"event": "ONBATT"}, headers=keyed)
    assert again.headers.get("Idempotency-Replayed") == "true" and again.get_json() == first.get_json()


@pytest.mark.parametrize(("path", "body", "status", "code"), [
    ("/api/v1/ups/nope/events", {"event": "ONBATT"}, 404, "not_found"),
    ("/api/v1/ups/venue/events", {"event": "COMMBAD"}, 400, "invalid_input"),
    ("/api/v1/ups/venue/events", {}, 400, "invalid_input"),
    ("/api/v1/ups/venue/events", {"event": "ONBATT", "ups": "venue"}, 400, "invalid_input"),
])
def test_the_webhook_refuses_an_unknown_ups_or_event(client, bearer, path, body, status, code) -> None:
    answer = client.post(path, json=body, headers=bearer)
    assert answer.status_code == status and answer.get_json()["error"]["code"] == code


def test_the_webhook_and_sources_need_a_token(client) -> None:
    assert client.post("/api/v1/ups/venue/events", json={"event": "ONBATT"}).status_code == 401
    assert client.get("/api/v1/sources").status_code == 401


def test_the_dashboard_and_the_manager_page_show_each_ups_and_the_source_of_each_outage(client, runtime, clock) -> None:
    report_to = runtime.unit_of_work
    log_in_cookie(client, "bola", "manager")
    report(report_to, "venue", "ONBATT")
    clock.advance(seconds=16)
    tick(runtime)
    board = client.get("/board.json").get_json()
    assert board["ups"] == [
        {"name": "venue", "state": "on_battery", "label": "on battery since 14:00", "zones": "whole venue"},
        {"name": "gaming-ups", "state": "unknown", "label": "not heard from yet", "zones": "Gaming"}]
    assert board["outages"][0]["source"] == "ups"
    page = client.get("/").get_data(as_text=True)
    assert "on battery since 14:00" in page and "whole venue, UPS" in page
    with report_to() as unit:
        ups.record_reading(unit, "venue", Reading.NO_ANSWER)
    manager_page = client.get("/manage").get_data(as_text=True)
    assert "monitor not answering since 14:00 (the outage stays open)" in manager_page
    assert "power (UPS)" in manager_page


def test_a_low_battery_during_the_cut_darkens_the_seats_then_and_a_seats_own_report_still_wins(
        runtime, uow, clock) -> None:
    from compensator.domain.kinds import DarkBasis
    from compensator.services.sources.heartbeats import PowerDown, record_seat_heartbeat

    with uow() as unit:
        first = sessions.start_session(unit, seat_id="A1", minutes=120, actor="test").id
        second = sessions.start_session(unit, seat_id="A2", minutes=120, actor="test").id
    cut_at = clock.now()
    report(uow, "venue", "ONBATT")
    clock.advance(seconds=16)
    tick(runtime)
    clock.advance(minutes=4)
    low_at = clock.now()
    report(uow, "venue", "LOWBATT")
    clock.advance(seconds=30)
    report(uow, "venue", "FSD")  # later flags of the same cut change nothing
    clock.advance(minutes=6)
    report(uow, "venue", "ONLINE")
    clock.advance(seconds=61)
    tick(runtime)
    with uow() as unit:
        [outage] = outage_views.list_outages(unit)
    figures = {item.session_id: item.current for item in outage.compensations}
    # The zone is rated 10 minutes; its UPS gave out after 4 min 16 s, and the cut lasted 10 min 46 s.
    assert figures[first].dark_basis is DarkBasis.UPS_BATTERY and figures[first].dark_start == low_at
    assert figures[first].lost_minutes == 7
    clock.advance(minutes=1)
    with uow() as unit:  # A2's PC says it went off 2 minutes into the cut: stronger than its UPS's flag
        record_seat_heartbeat(unit, seat_id="A2", up_seconds=30, went_down=PowerDown(
            cut_at + timedelta(minutes=2), cut_at + timedelta(minutes=2, seconds=6)))
        [outage] = outage_views.list_outages(unit)
    [item] = [item for item in outage.compensations if item.session_id == second]
    assert item.current.dark_basis is DarkBasis.SEAT_REPORT and item.current.lost_minutes == 9
    assert "LOWBATT" in str(ups.BATTERY_EVENTS)
