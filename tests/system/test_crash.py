"""The real server, killed with SIGKILL at random instants of a keyed load, loses nothing and doubles nothing.

One seeded run of ``tests.support.crash_load`` (a few kills, so that CI stays quick; ``bench/crash.py``
does a hundred or more) is shared by the tests of this module. The first checks its database
against every answer; the others tamper with a copy of what it left and show that the checks
would notice each kind of failure, so that a passing run means something.
"""

from __future__ import annotations

import copy
import dataclasses
import sqlite3
from pathlib import Path

import pytest

from tests.support.crash_checks import check_run
from tests.support.crash_client import Attempt, KeyedRequest
from tests.support.crash_load import CrashRun, run_crash_load
from tests.support.crash_report import DOUBLED, HALF_APPLIED, LOST, REFUSED_AFTER_COMMIT

ROUNDS = 4
SEED = 20261122


@pytest.fixture(scope="module")
def crash_run(tmp_path_factory: pytest.TempPathFactory) -> CrashRun:
    """One crash load of a few rounds; the server is stopped when it returns or fails."""
    return run_crash_load(tmp_path_factory.mktemp("crash"), rounds=ROUNDS, seed=SEED)


def database_copy(run: CrashRun, directory: Path) -> tuple[Path, str]:
    """A copy of the run's SQLite database (its WAL included) to tamper with, and its URL."""
    source = Path(run.venue.database_url.removeprefix("sqlite:///"))
    target = directory / "tampered.db"
    with sqlite3.connect(source) as original, sqlite3.connect(target) as duplicate:
        original.backup(duplicate)
    original.close()
    duplicate.close()
    return target, f"sqlite:///{target.as_posix()}"


def successful(run: CrashRun, action: str) -> KeyedRequest:
    """The first acknowledged request of ``action`` in the run (the warm-up makes one of each)."""
    return next(request for request in run.requests if request.action == action and request.succeeded)


def test_a_server_killed_at_random_instants_loses_nothing_and_doubles_nothing(crash_run: CrashRun) -> None:
    report = check_run(crash_run)
    assert report.ok, "\n" + report.findings.describe()
    figures = report.figures
    assert figures.rounds == ROUNDS
    # The kills must have hit something: answered writes to keep, and requests to re-send.
    assert figures.acknowledged_before_kills > 0
    assert figures.in_flight_at_kills > 0
    assert figures.replayed > 0


def test_the_checks_would_notice_an_extension_written_twice(crash_run: CrashRun, tmp_path: Path) -> None:
    extension = successful(crash_run, "session.extend")
    path, url = database_copy(crash_run, tmp_path)
    with sqlite3.connect(path) as db:
        # What a retry that ran again would leave: a second entry like the first.
        db.execute("INSERT INTO ledger_entries (seat_session_id, kind, minutes, value_minor, created_at, actor) "
                   "SELECT seat_session_id, kind, minutes, value_minor, created_at, actor FROM ledger_entries "
                   "WHERE kind = 'extension' AND seat_session_id = ? ORDER BY id LIMIT 1", (extension.target,))
    db.close()
    findings = check_run(crash_run, url).findings
    assert findings.count(DOUBLED) >= 1
    assert any(finding.category == DOUBLED and extension in finding.keys for finding in findings.items), \
        findings.describe()


def test_the_checks_would_notice_a_retry_refused_after_its_first_copy_committed(crash_run: CrashRun) -> None:
    requests = copy.deepcopy(crash_run.requests)
    start = next(request for request in requests if request.action == "session.start" and request.succeeded)
    first = start.attempts[0]
    # The first copy committed but its answer was lost; the retry ran again and found the seat taken.
    start.attempts = [Attempt(first.sent_at, first.finished_at, error="ConnectionResetError"),
                      Attempt(first.finished_at, first.finished_at + 0.01, 409,
                              {"error": {"code": "seat_busy", "message": "seat busy", "field": "seat"}})]
    findings = check_run(dataclasses.replace(crash_run, requests=requests)).findings
    assert any(finding.category == REFUSED_AFTER_COMMIT and start in finding.keys for finding in findings.items), \
        findings.describe()


def test_the_checks_would_notice_an_acknowledged_write_that_is_not_in_the_database(crash_run: CrashRun) -> None:
    requests = copy.deepcopy(crash_run.requests)
    extension = next(request for request in requests if request.action == "session.extend" and request.succeeded)
    answer = extension.attempts[-1]
    body = copy.deepcopy(answer.body)
    newest = max((entry for entry in body["entries"] if entry["kind"] == "extension"), key=lambda entry: entry["id"])
    # An answer naming an entry the database does not have: as if the commit had not lasted.
    newest["id"] = 10**9
    extension.attempts = [dataclasses.replace(answer, body=body)]
    findings = check_run(dataclasses.replace(crash_run, requests=requests)).findings
    assert any(finding.category == LOST and extension in finding.keys for finding in findings.items), \
        findings.describe()


def test_the_checks_would_notice_an_outage_whose_notices_were_not_all_written(crash_run: CrashRun,
                                                                              tmp_path: Path) -> None:
    path, url = database_copy(crash_run, tmp_path)
    with sqlite3.connect(path) as db:
        outage_id, notice_id = db.execute(
            "SELECT compensations.outage_id, notices.id FROM notices JOIN compensations "
            "ON compensations.id = notices.compensation_id ORDER BY notices.id LIMIT 1").fetchone()
        db.execute("DELETE FROM notices WHERE id = ?", (notice_id,))
    db.close()
    findings = check_run(crash_run, url).findings
    assert findings.count(HALF_APPLIED) == 1
    assert any(finding.subject == f"outage {outage_id}" for finding in findings.items), findings.describe()
