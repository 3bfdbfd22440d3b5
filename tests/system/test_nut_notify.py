"""``contrib/nut-notify``, the NOTIFYCMD script for upsmon, run as upsmon runs it against a served app."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from compensator.domain.ups import UpsDisplay
from compensator.services.sources import ups
from tests.conftest import make_settings

SCRIPT = Path(__file__).resolve().parents[2] / "contrib" / "nut-notify"


@pytest.fixture
def settings():
    return make_settings(ups=[{"name": "venue", "poll": False}])


@pytest.fixture
def server_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


def notify(server_url: str, token_file: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "UPS venue@localhost on battery"], capture_output=True,
                          text=True, timeout=30, check=False, env={
                              "PATH": os.environ["PATH"], "COMPENSATOR_URL": server_url,
                              "COMPENSATOR_TOKEN_FILE": str(token_file), **environ})


def display(uow) -> UpsDisplay:
    with uow() as unit:
        return ups.ups_views(unit)[0].display


def test_an_onbatt_from_upsmon_reaches_the_server_and_online_follows(server_url, token_file, uow) -> None:
    done = notify(server_url, token_file, NOTIFYTYPE="ONBATT", UPSNAME="venue@localhost")
    assert done.returncode == 0, done.stderr
    assert display(uow) is UpsDisplay.ON_BATTERY
    done = notify(server_url, token_file, NOTIFYTYPE="ONLINE", UPSNAME="venue@localhost")
    assert done.returncode == 0, done.stderr
    assert display(uow) is UpsDisplay.ONLINE


def test_other_notifications_are_ignored(server_url, token_file, uow) -> None:
    done = notify(server_url, token_file, NOTIFYTYPE="COMMBAD", UPSNAME="venue@localhost")
    assert done.returncode == 0 and done.stderr == ""
    assert display(uow) is UpsDisplay.UNKNOWN


def test_a_low_battery_is_posted_and_changes_nothing_the_mains_show(server_url, token_file, uow) -> None:
    for event in ("LOWBATT", "FSD"):
        done = notify(server_url, token_file, NOTIFYTYPE=event, UPSNAME="venue@localhost")
        assert done.returncode == 0 and done.stderr == "", done.stderr
    assert display(uow) is UpsDisplay.UNKNOWN


def test_a_ups_unknown_to_the_server_or_a_bad_token_fails_with_a_message(server_url, token_file, tmp_path) -> None:
    done = notify(server_url, token_file, NOTIFYTYPE="ONBATT", UPSNAME="back-room@localhost")
    assert done.returncode == 1 and "404" in done.stderr and "unknown UPS" in done.stderr
    wrong = tmp_path / "wrong.token"
    wrong.write_text("not-a-token")
    done = notify(server_url, wrong, NOTIFYTYPE="ONBATT", UPSNAME="venue")
    assert done.returncode == 1 and "401" in done.stderr


def test_the_name_in_compensator_may_differ_from_upsmons(server_url, token_file, uow) -> None:
    done = notify(server_url, token_file, NOTIFYTYPE="ONBATT", UPSNAME="apc@10.0.0.5", COMPENSATOR_UPS_NAME="venue")
    assert done.returncode == 0, done.stderr
    assert display(uow) is UpsDisplay.ON_BATTERY


def test_a_server_that_is_down_fails_after_its_retries_with_a_message(token_file) -> None:
    done = notify("http://127.0.0.1:1", token_file, NOTIFYTYPE="ONBATT", UPSNAME="venue")
    assert done.returncode == 1 and "not delivered" in done.stderr
