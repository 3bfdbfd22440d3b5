"""The golden day's report, in JSON, CSV and HTML, is the same text as the files kept in ``tests/golden/``.

The files were written by the report code before it was made fast; any later change to how the
report is computed must leave every figure, row, sentence and timeline band as they were.
Run with ``COMPENSATOR_WRITE_GOLDEN=1`` to write them afresh after a deliberate change of content
(and read the diff).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from compensator.clock import FakeClock
from compensator.domain.intervals import clip, merge
from compensator.domain.kinds import SessionState
from compensator.domain.ledger import balance
from compensator.report.formats import ReportFormat, render
from compensator.services.sessions.views import load_sessions, sessions_not_ended_before
from tests.support.golden_day import report_of_the_golden_day
from tests.support.known_day import pdf_text

GOLDEN = Path(__file__).resolve().parent / "golden"
# The rows are read as each driver gives them (store.bulk.fetch_tuples): the same report on both databases.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at 08:00 Lagos time on 2026-11-22, before the golden day opens."""
    return FakeClock(datetime(2026, 11, 22, 7, 0, tzinfo=UTC))


@pytest.fixture
def golden_day(uow, clock):
    return report_of_the_golden_day(uow, clock)


def _compare(name: str, content: str) -> None:
    path = GOLDEN / name
    if os.environ.get("COMPENSATOR_WRITE_GOLDEN"):
        path.write_bytes(content.encode("utf-8"))
    assert content == path.read_bytes().decode("utf-8")


def test_the_golden_days_json_is_the_kept_one(golden_day) -> None:
    # The JSON is written compact (the indented form costs Python's pure-Python encoder); the
    # kept file is indented to be read. The same document, key for key and in the same order.
    content = render(golden_day, ReportFormat.JSON).content.decode("utf-8")
    path = GOLDEN / "golden_day.json"
    if os.environ.get("COMPENSATOR_WRITE_GOLDEN"):
        path.write_bytes((json.dumps(json.loads(content), indent=2, ensure_ascii=False)).encode("utf-8"))
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(content) == kept
    assert list(_keys(json.loads(content))) == list(_keys(kept))


def _keys(value: object, path: str = ""):
    """Every key of a JSON document with its path, in the document's order."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}/{key}"
            yield from _keys(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _keys(item, f"{path}/{index}")


def test_the_golden_days_csv_is_the_kept_one(golden_day) -> None:
    _compare("golden_day.csv", render(golden_day, ReportFormat.CSV).content.decode("utf-8"))


def test_the_golden_days_html_is_the_kept_one(golden_day) -> None:
    _compare("golden_day.html", render(golden_day, ReportFormat.HTML).content.decode("utf-8"))


def _without_repeated_headers(text: str) -> str:
    # A table's header is repeated at the top of each page it runs onto, and where pages break
    # is layout, not content: every header after a table's first is dropped.
    header = "Seat Outage Lost Credit Given Form Value Status Notice "
    first = text.index(header) + len(header)
    return text[:first] + text[first:].replace(header, "")


def test_the_golden_days_pdf_has_the_kept_texts_words(golden_day) -> None:
    # A PDF's bytes change with its layout; its words must not. The kept text is the extracted
    # text with whitespace normalised, as ``pdf_text`` gives it.
    text = pdf_text(render(golden_day, ReportFormat.PDF).content) + "\n"
    if os.environ.get("COMPENSATOR_WRITE_GOLDEN"):
        (GOLDEN / "golden_day.pdf.txt").write_bytes(text.encode("utf-8"))
    kept = (GOLDEN / "golden_day.pdf.txt").read_bytes().decode("utf-8")
    assert _without_repeated_headers(text) == _without_repeated_headers(kept)


def test_the_timeline_read_from_the_events_is_the_ledgers_own_replay_of_every_session(golden_day, uow) -> None:
    # The timeline reads the sessions' moves and ends without replaying their ledgers; replaying
    # each session of the day, as ``domain.ledger`` does for a balance, gives the same bands.
    start, end = golden_day.window_start, golden_day.window_end
    held: dict[str, list] = defaultdict(list)
    with uow() as unit:
        for loaded in load_sessions(unit.db, unit.db.scalars(sessions_not_ended_before(start, end))).values():
            position = balance(loaded.facts, end)
            stop = position.time_up_at if position.state is SessionState.TIME_UP and position.time_up_at else end
            for interval in position.occupancy:
                held[interval.seat_id].extend(clip([(interval.start, min(interval.end, stop))], (start, end)))
    assert {row.seat_id: row.sessions for row in golden_day.timeline if row.sessions} == \
        {seat: tuple(merge(spans)) for seat, spans in held.items() if spans}
    assert any(row.seat_id == "G6" and row.sessions[-1][1] < end for row in golden_day.timeline), \
        "the golden day has a session whose time was up before the window's end"
