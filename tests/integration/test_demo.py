"""The demo venue is built through the real services and has what the README promises."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from compensator.demo import DEMO_VENUE, build_demo, open_demo
from compensator.domain.kinds import OutageStatus
from compensator.services.outages import views as outage_views
from compensator.services.people.accounts import authenticate
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from web import create_app
from web.cli import main


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


def test_the_demo_keeps_its_data_in_its_folder_and_seeds_again_only_when_fresh(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    absent = str(tmp_path / "absent.yaml")
    runtime, seeded = open_demo(folder, config_path=absent)
    try:
        assert seeded
        with runtime.unit_of_work() as uow:
            first = len(session_views.list_open_sessions(uow))
            sessions.start_session(uow, seat_id="G6", minutes=30, actor="test")
    finally:
        runtime.close()
    runtime, seeded = open_demo(folder, config_path=absent)
    try:
        assert not seeded
        with runtime.unit_of_work() as uow:
            assert len(session_views.list_open_sessions(uow)) == first + 1
    finally:
        runtime.close()
    runtime, seeded = open_demo(folder, config_path=absent, fresh=True)
    try:
        assert seeded
        with runtime.unit_of_work() as uow:
            assert len(session_views.list_open_sessions(uow)) == first
    finally:
        runtime.close()


def test_the_demo_command_names_its_folder_and_a_cli_line_whose_token_the_demo_accepts(
        tmp_path: Path, monkeypatch, capsys) -> None:
    served = {}

    def serve(runtime, host, port, *, secret_key=None, demo_folder=None) -> int:
        # Instead of serving: what a request with the token the printed CLI line creates gets from the demo.
        if served:
            return 0
        line = next(text for text in capsys.readouterr().out.splitlines() if "token create" in text)
        argv = shlex.split(line.strip())[1:]
        assert argv[:1] == ["--config"] and argv[2:] == ["token", "create", "my-device"]
        assert main(argv) == 0
        secret = re.search(r"cmp_\S+", capsys.readouterr().out).group(0)
        app = create_app(runtime, {"TESTING": True, "SECRET_KEY": "t", "COMPENSATOR_DEMO_FOLDER": str(demo_folder)})
        client = app.test_client()
        served["seats"] = client.get("/api/v1/seats", headers={"Authorization": f"Bearer {secret}"}).status_code
        served["login"] = client.get("/login").get_data(as_text=True)
        return 0

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMPENSATOR_DATABASE_URL", raising=False)
    monkeypatch.delenv("COMPENSATOR_CONFIG", raising=False)
    monkeypatch.setattr("web.cli.serve", serve)
    assert main(["demo", "--port", "0"]) == 0
    folder = tmp_path / "compensator-demo"
    assert (folder / "demo.db").exists() and (folder / "config.yaml").exists()
    assert served["seats"] == 200
    assert "This is a demo venue: log in as ada (PIN 1234)" in served["login"]
    assert str(folder) in served["login"]
    assert main(["demo", "--port", "0"]) == 0
    assert f"Demo data kept from the last start in {folder}" in capsys.readouterr().out


def test_the_login_page_of_a_real_venue_says_nothing_of_a_demo(tmp_path: Path) -> None:
    runtime, _ = open_demo(tmp_path, config_path=str(tmp_path / "absent.yaml"))
    try:
        page = create_app(runtime, {"TESTING": True, "SECRET_KEY": "t"}).test_client().get("/login")
        assert "demo" not in page.get_data(as_text=True).replace("(demo)", "")
    finally:
        runtime.close()
