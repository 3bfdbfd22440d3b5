"""The demo venue is built through the real services and has what the README promises."""

from __future__ import annotations

from pathlib import Path

from compensator.demo import DEMO_VENUE, build_demo
from compensator.domain.kinds import OutageStatus
from compensator.services.outages import views as outage_views
from compensator.services.people.accounts import authenticate
from compensator.services.sessions import views as session_views


def test_the_demo_has_running_sessions_a_past_outage_and_two_people(tmp_path: Path) -> None:
    runtime = build_demo(tmp_path, config_path=str(tmp_path / "absent.yaml"))
    try:
        assert runtime.settings.venue.name == DEMO_VENUE["venue"]["name"]
        with runtime.unit_of_work() as uow:
            open_sessions = session_views.list_open_sessions(uow)
            past = outage_views.list_outages(uow)
            assert authenticate(uow, name="ada", pin="1234").role.value == "attendant"
            assert authenticate(uow, name="bola", pin="4321").role.value == "manager"
        assert len(open_sessions) >= 5
        assert [outage.status for outage in past] == [OutageStatus.ENDED]
        assert len(past[0].compensations) >= 3
    finally:
        runtime.close()
