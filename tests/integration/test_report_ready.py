"""Reports ready at once: a closed day's rendering is served again while nothing it was built from changed.

The known day (``tests/support/known_day.py``) is lived, then the clock moves to the next day, when the
day is closed. Whatever happens next, the report served must be the one a fresh build gives
(``generated_at`` aside); what does not concern the day must not make it build again.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from compensator.domain.kinds import DarkBasis
from compensator.report import ready
from compensator.report import stamp as report_stamp
from compensator.report.archive import archive_report
from compensator.report.build import build_daily_report, day_window
from compensator.report.formats import ReportFormat, render
from compensator.report.ready import ReadyReports
from compensator.runtime import Compensator
from compensator.services.handover import notices
from compensator.services.outages import approvals
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sources import evidence
from compensator.settings import ReportSettings, ZoneSettings
from compensator.store.models import Outage
from tests.support.known_day import DAY, MANAGER, at_local, do, report_of_the_known_day


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the builds ``ReadyReports`` makes (one entry per build)."""
    made: list[int] = []

    def counted(uow: Any, venue_date: Any) -> Any:
        made.append(1)
        return build_daily_report(uow, venue_date)

    monkeypatch.setattr(ready, "build_daily_report", counted)
    return made


@pytest.fixture
def closed_day(runtime: Compensator, clock: Any) -> Compensator:
    """The known day lived, and the clock on the next morning at 09:00: the day is closed."""
    report_of_the_known_day(runtime.unit_of_work, clock)
    at_local(clock, 9, 0, day=23)
    return runtime


def served(runtime: Compensator, report_format: ReportFormat = ReportFormat.JSON) -> bytes:
    with runtime.reading() as uow:
        return runtime.reports.rendered(uow, DAY, report_format).content


def fresh(runtime: Compensator, report_format: ReportFormat = ReportFormat.JSON) -> bytes:
    with runtime.reading() as uow:
        return render(build_daily_report(uow, DAY), report_format).content


def document(content: bytes) -> dict[str, Any]:
    parsed = json.loads(content)
    parsed.pop("generated_at")
    return parsed


def assert_served_as_built(runtime: Compensator) -> dict[str, Any]:
    shown = document(served(runtime))
    assert shown == document(fresh(runtime))
    return shown


def notice_ids(runtime: Compensator, outage_id: int) -> list[int]:
    with runtime.reading() as uow:
        return [item.notice_id for item in outage_views.get_outage(uow, outage_id).compensations]


def test_a_closed_day_is_built_once_and_then_served_as_rendered(closed_day, builds) -> None:
    for report_format in ReportFormat:
        first = served(closed_day, report_format)
        assert served(closed_day, report_format) == first
    assert len(builds) == len(ReportFormat)
    assert document(served(closed_day)) == document(fresh(closed_day))


def test_todays_report_is_built_every_time(runtime, clock, builds) -> None:
    report_of_the_known_day(runtime.unit_of_work, clock)
    with runtime.reading() as uow:
        runtime.reports.rendered(uow, DAY, ReportFormat.JSON)
        runtime.reports.rendered(uow, DAY, ReportFormat.JSON)
    assert len(builds) == 2
    assert runtime.reports.held_bytes() == 0


def test_a_correction_of_one_of_the_days_outages_is_in_the_next_report(closed_day, builds) -> None:
    before = document(served(closed_day))
    first = before["outages"][0]
    do(closed_day.unit_of_work, outages.correct_outage, first["id"],
       ended_at=closed_day.clock.now() - timedelta(hours=18, minutes=30), reason="the log says so", actor=MANAGER)
    after = assert_served_as_built(closed_day)
    assert after["outages"][0]["ended_at"] != first["ended_at"]
    assert after["figures"] != before["figures"]


def test_a_notice_handed_over_the_next_day_counts(closed_day, builds) -> None:
    before = document(served(closed_day))
    pending = [row for row in before["compensations"] if row["notice"] == "pending"]
    outage_id = pending[0]["outage_id"]
    with closed_day.reading() as uow:
        notice_id = next(item.notice_id for item in outage_views.get_outage(uow, outage_id).compensations
                         if item.id == pending[0]["id"])
    do(closed_day.unit_of_work, notices.deliver_notice, notice_id, how="printed")
    after = assert_served_as_built(closed_day)
    assert after["figures"]["notices_pending"] == before["figures"]["notices_pending"] - 1


def test_an_outage_back_dated_into_the_day_counts(closed_day, clock, builds) -> None:
    before = document(served(closed_day))
    started = clock.now() - timedelta(hours=14)  # 19:00 on the known day
    outage = do(closed_day.unit_of_work, outages.start_outage, started_at=started)
    after = assert_served_as_built(closed_day)
    assert len(after["outages"]) == len(before["outages"]) + 1
    do(closed_day.unit_of_work, outages.end_outage, outage.id, ended_at=started + timedelta(minutes=10))
    assert assert_served_as_built(closed_day)["figures"] != after["figures"]


def test_a_seats_bridge_measured_the_next_day_counts_in_the_equipment_section(closed_day, builds) -> None:
    # Issue 24, item 4: a seat heard from the next morning shows by its uptime that it stayed on through a cut
    # of the day; kept without a revision of the outage when nothing was credited to correct.
    before = document(served(closed_day))
    assert before["equipment"]["rows"] == []
    ended = [row for row in before["outages"] if row["kind"] == "power" and row["scope_kind"] == "venue"
             and not row["ongoing_at_end"]][0]
    with closed_day.unit_of_work() as uow:
        outage = uow.db.get(Outage, ended["id"])
        assert evidence.claim(uow, outage, "A12", DarkBasis.HEARTBEATS, None, actor="device:agent")
        uow.commit()
    after = assert_served_as_built(closed_day)
    assert [(row["kind"], row["id"], row["cuts"]) for row in after["equipment"]["rows"]] == [("seat", "A12", 1)]


def test_a_credit_approved_the_next_day_counts(runtime, clock, builds) -> None:
    report_of_the_known_day(runtime.unit_of_work, clock)
    at_local(clock, 17, 40)
    do(runtime.unit_of_work, sessions.start_session, seat_id="G3", minutes=360)
    outage = do(runtime.unit_of_work, outages.start_outage, zones=["gaming"])
    at_local(clock, 20, 40)
    ended = do(runtime.unit_of_work, outages.end_outage, outage.id)
    waiting = next(item for item in ended.compensations if item.status.value == "awaiting_approval")
    at_local(clock, 9, 0, day=23)
    before = document(served(runtime))
    assert before["figures"]["awaiting_approval"] == 1
    do(runtime.unit_of_work, approvals.approve_compensation, waiting.id, actor=MANAGER)
    after = assert_served_as_built(runtime)
    assert after["figures"]["awaiting_approval"] == 0
    assert len(builds) == 2


def test_the_next_days_business_does_not_build_the_report_again(closed_day, clock, builds) -> None:
    served(closed_day)
    session = do(closed_day.unit_of_work, sessions.start_session, seat_id="G3", minutes=60)
    do(closed_day.unit_of_work, sessions.extend_session, session.id, minutes=30)
    clock.advance(minutes=10)
    outage = do(closed_day.unit_of_work, outages.start_outage)
    clock.advance(minutes=10)
    ended = do(closed_day.unit_of_work, outages.end_outage, outage.id)
    do(closed_day.unit_of_work, notices.deliver_notice, notice_ids(closed_day, ended.id)[0], how="shown")
    do(closed_day.unit_of_work, sessions.end_session, session.id)
    assert_served_as_built(closed_day)
    assert len(builds) == 1


def test_a_changed_price_or_seat_builds_the_report_again(closed_day, settings, tmp_path, builds) -> None:
    served(closed_day)
    zones = tuple(dataclasses.replace(zone, price_minor_per_hour=zone.price_minor_per_hour + 100)
                  if zone.id == "gaming" else zone for zone in settings.zones)
    assert zones != settings.zones and all(isinstance(zone, ZoneSettings) for zone in zones)
    repriced = Compensator.open(dataclasses.replace(settings, zones=zones), clock=closed_day.clock,
                                database_url=str(closed_day.engine.url))
    try:
        repriced.reports = closed_day.reports
        assert_served_as_built(repriced)
        assert len(builds) == 2
    finally:
        repriced.close()


def test_a_database_put_back_to_an_earlier_copy_builds_the_report_again(closed_day, tmp_path, builds) -> None:
    served(closed_day)
    with closed_day.reading() as uow:
        stamp = report_stamp.take_stamp(uow, day_window(uow, DAY)[:2])
    # As if a backup from before the newest session had been restored: its ids are now free.
    later = dataclasses.replace(stamp, marks={**stamp.marks, "seat_sessions": stamp.marks["seat_sessions"] + 1})
    with closed_day.reading() as uow:
        assert report_stamp.unchanged_since(uow, day_window(uow, DAY)[:2], stamp)
        assert not report_stamp.unchanged_since(uow, day_window(uow, DAY)[:2], later)


def test_the_renderings_held_stay_under_their_bound(closed_day) -> None:
    json_size = len(fresh(closed_day))
    closed_day.reports = ReadyReports(capacity_bytes=json_size + 10)
    served(closed_day, ReportFormat.JSON)
    assert closed_day.reports.held_bytes() == json_size
    served(closed_day, ReportFormat.CSV)
    assert 0 < closed_day.reports.held_bytes() <= json_size + 10


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_whatever_happens_next_the_served_report_is_the_one_built(closed_day, clock, seed) -> None:
    """A seeded mix of what can follow a closed day, each step checked against a fresh build."""
    rng = random.Random(seed)
    day_outages = [row["id"] for row in document(served(closed_day))["outages"]]
    uow = closed_day.unit_of_work
    running: list[int] = []

    def start() -> None:
        free = [seat.id for seat in closed_day.settings.seats
                if seat.id not in {"G1", "G2", "A1", "A5"}]
        with closed_day.reading() as unit:
            busy = {view.seat_id for view in sessions_open(unit)}
        choices = [seat for seat in free if seat not in busy]
        if choices:
            running.append(do(uow, sessions.start_session, seat_id=rng.choice(choices), minutes=rng.choice([30, 60])).id)

    def end() -> None:
        if running:
            do(uow, sessions.end_session, running.pop(rng.randrange(len(running))))

    def outage_today() -> None:
        outage = do(uow, outages.start_outage)
        clock.advance(minutes=rng.randint(1, 15))
        do(uow, outages.end_outage, outage.id)

    def correct() -> None:
        outage_id = rng.choice(day_outages)
        with closed_day.reading() as unit:
            view = outage_views.get_outage(unit, outage_id)
        shift = timedelta(minutes=rng.choice([-2, -1, 1, 3]))
        do(uow, outages.correct_outage, outage_id, ended_at=view.ended_at + shift,
           reason="checked again", actor=MANAGER)

    def deliver() -> None:
        with closed_day.reading() as unit:
            pending = [item.notice_id for outage_id in day_outages
                       for item in outage_views.get_outage(unit, outage_id).compensations
                       if item.notice_id is not None]
        if pending:
            do(uow, notices.deliver_notice, rng.choice(pending), how=rng.choice(["shown", "printed", "declined"]))

    def back_dated() -> None:
        started = clock.now().replace(hour=18, minute=rng.randint(0, 50)) - timedelta(days=1)
        outage = do(uow, outages.start_outage, kind="network", seats=["A3"], started_at=started)
        do(uow, outages.end_outage, outage.id, ended_at=started + timedelta(minutes=5))
        day_outages.append(outage.id)

    # Every kind of step twice, in an order of the seed's.
    steps: list[Callable[[], None]] = [start, end, outage_today, correct, deliver, back_dated] * 2
    rng.shuffle(steps)
    for step in steps:
        clock.advance(minutes=rng.randint(1, 20))
        step()
        assert_served_as_built(closed_day)


def sessions_open(unit: Any) -> Iterator[Any]:
    from compensator.services.sessions.views import list_open_sessions

    return iter(list_open_sessions(unit))


def archived_runtime(settings: Any, clock: Any, database_url: str, directory: Path) -> Compensator:
    configured = dataclasses.replace(settings, reports=ReportSettings(directory=str(directory)))
    return Compensator.open(configured, clock=clock, database_url=database_url)


def test_an_archived_day_is_served_from_its_files_by_another_process(closed_day, settings, tmp_path, builds) -> None:
    directory = tmp_path / "reports"
    archiver = archived_runtime(settings, closed_day.clock, str(closed_day.engine.url), directory)
    later = archived_runtime(settings, closed_day.clock, str(closed_day.engine.url), directory)
    try:
        assert archive_report(archiver, DAY)
        for report_format in ReportFormat:
            assert served(later, report_format) == (directory / DAY.isoformat() / f"report.{report_format}").read_bytes()
        assert builds == []
        # A file cut short is not served: the report is built again.
        pdf = directory / DAY.isoformat() / "report.pdf"
        pdf.write_bytes(pdf.read_bytes()[:100])
        other = archived_runtime(settings, closed_day.clock, str(closed_day.engine.url), directory)
        try:
            assert served(other, ReportFormat.PDF).startswith(b"%PDF")
            assert served(other, ReportFormat.PDF) != pdf.read_bytes()
            assert len(builds) == 1
        finally:
            other.close()
    finally:
        archiver.close()
        later.close()


def test_an_archive_that_no_longer_holds_is_not_served(closed_day, settings, tmp_path, builds) -> None:
    directory = tmp_path / "reports"
    archiver = archived_runtime(settings, closed_day.clock, str(closed_day.engine.url), directory)
    try:
        assert archive_report(archiver, DAY)
        first = document((directory / DAY.isoformat() / "report.json").read_bytes())
        do(closed_day.unit_of_work, outages.correct_outage, first["outages"][1]["id"],
           ended_at=closed_day.clock.now() - timedelta(hours=17), reason="later", actor=MANAGER)
        reader = archived_runtime(settings, closed_day.clock, str(closed_day.engine.url), directory)
        try:
            shown = assert_served_as_built(reader)
            assert shown != first
        finally:
            reader.close()
    finally:
        archiver.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_on_postgresql_every_report_is_built_afresh(closed_day, builds) -> None:
    served(closed_day)
    assert_served_as_built(closed_day)
    assert len(builds) == 2
    assert closed_day.reports.held_bytes() == 0


def test_on_an_in_memory_database_every_report_is_built_afresh(settings, clock, builds) -> None:
    # Its one connection is every unit of work's: a reader may see rows not yet committed.
    memory = Compensator.open(settings, clock=clock, database_url="sqlite://")
    try:
        report_of_the_known_day(memory.unit_of_work, clock)
        at_local(clock, 9, 0, day=23)
        served(memory)
        assert_served_as_built(memory)
        assert len(builds) == 2
        assert memory.reports.held_bytes() == 0
    finally:
        memory.close()
