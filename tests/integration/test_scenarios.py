"""SPEC section 3's eleven worked examples, each a scenario replayed by ``compensator simulate``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from compensator.cli import main

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def simulate(name: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> dict[str, Any]:
    # An empty config path keeps the developer's own config.yaml out of the replay.
    code = main(["simulate", str(SCENARIOS / name), "--config", str(empty_config(tmp_path))])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def empty_config(tmp_path: Path) -> Path:
    path = tmp_path / "empty.yaml"
    path.write_text("{}\n", encoding="utf-8")
    return path


def only(items: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    found = [item for item in items if all(item.get(key) == value for key, value in match.items())]
    assert len(found) == 1, f"expected one of {match} in {items}"
    return found[0]


def entries(result: dict[str, Any], session: str) -> list[tuple[str, int]]:
    row = only(result["sessions"], id=session)
    return [(entry["kind"], entry["minutes"]) for entry in row["entries"]]


def test_example_1_a_ups_bridges_ten_minutes_of_an_eighteen_minute_cut(capsys, tmp_path) -> None:
    result = simulate("example_01_ups_bridges_ten_minutes.yaml", capsys, tmp_path)
    compensation = only(result["compensations"], outage="o1", session="s1")
    assert compensation["lost_minutes"] == 11
    assert compensation["restart_minutes"] == 3
    assert compensation["lost_work_minutes"] == 10
    assert compensation["credit_minutes"] == 25
    assert compensation["form"] == "time"
    assert compensation["status"] == "applied"
    assert compensation["value_minor"] == 12500
    assert "lost 11 min (14:28–14:39) + restart 3 + lost work 10 (capped) = 24 → rounded to 25 min" in \
        compensation["explanation"]
    assert only(result["sessions"], id="s1")["paid_end"] == "2026-11-22T15:25"
    assert entries(result, "s1") == [("purchase", 60), ("outage_credit", 25)]


def test_example_2_without_a_ups_the_whole_cut_is_lost(capsys, tmp_path) -> None:
    result = simulate("example_02_no_ups.yaml", capsys, tmp_path)
    compensation = only(result["compensations"], outage="o1", session="s1")
    assert (compensation["lost_minutes"], compensation["credit_minutes"], compensation["form"]) == (45, 60, "time")
    assert compensation["value_minor"] == 30000
    assert only(result["sessions"], id="s1")["paid_end"] == "2026-11-22T12:30"


def test_example_3_paid_time_running_out_during_the_cut_gives_a_voucher(capsys, tmp_path) -> None:
    result = simulate("example_03_time_runs_out_during_the_cut.yaml", capsys, tmp_path)
    compensation = only(result["compensations"], outage="o1", session="s1")
    assert (compensation["lost_minutes"], compensation["credit_minutes"], compensation["form"]) == (10, 25, "voucher")
    assert len(compensation["voucher_codes"]) == 1
    assert entries(result, "s1") == [("purchase", 60)]


def test_example_4_a_ups_that_bridges_the_whole_cut_means_no_compensation(capsys, tmp_path) -> None:
    result = simulate("example_04_ups_bridges_the_whole_cut.yaml", capsys, tmp_path)
    assert result["compensations"] == []
    assert entries(result, "s1") == [("purchase", 60)]


def test_example_5_a_zone_cut_leaves_other_zones_untouched(capsys, tmp_path) -> None:
    result = simulate("example_05_zone_scoped_cut.yaml", capsys, tmp_path)
    assert [item["session"] for item in result["compensations"]] == ["gaming_seat"]
    assert entries(result, "standard_seat") == [("purchase", 120)]
    assert only(result["compensations"], session="gaming_seat")["credit_minutes"] == 35


def test_example_6_a_session_paused_through_the_cut_lost_nothing(capsys, tmp_path) -> None:
    result = simulate("example_06_paused_through_the_cut.yaml", capsys, tmp_path)
    assert result["compensations"] == []


def test_example_7_clicking_power_cut_twice_opens_one_outage(capsys, tmp_path) -> None:
    result = simulate("example_07_power_cut_clicked_twice.yaml", capsys, tmp_path)
    assert len(result["compensations"]) == 1
    assert result["compensations"][0]["credit_minutes"] == 60
    assert entries(result, "s1") == [("purchase", 120), ("outage_credit", 60)]


def test_example_8_overlapping_outages_never_count_a_minute_twice(capsys, tmp_path) -> None:
    result = simulate("example_08_overlapping_outages.yaml", capsys, tmp_path)
    first = only(result["compensations"], outage="venue_cut")
    second = only(result["compensations"], outage="gaming_cut")
    assert (first["lost_minutes"], first["restart_minutes"], first["lost_work_minutes"], first["credit_minutes"]) == \
        (20, 3, 10, 35)
    assert (second["lost_minutes"], second["restart_minutes"], second["lost_work_minutes"], second["credit_minutes"]) == \
        (20, 0, 0, 20)
    assert entries(result, "s1") == [("purchase", 180), ("outage_credit", 35), ("outage_credit", 20)]


def test_example_9_a_postpaid_session_gets_a_bill_reduction(capsys, tmp_path) -> None:
    result = simulate("example_09_postpaid_bill_reduction.yaml", capsys, tmp_path)
    compensation = only(result["compensations"], outage="o1", session="s1")
    assert (compensation["lost_minutes"], compensation["credit_minutes"], compensation["form"]) == \
        (20, 35, "bill_reduction")
    session = only(result["sessions"], id="s1")
    assert session["billed_minutes"] == 55
    assert session["paid_end"] is None


def test_example_10_a_long_cut_is_never_capped_and_waits_for_a_manager(capsys, tmp_path) -> None:
    result = simulate("example_10_long_cut_needs_approval.yaml", capsys, tmp_path)
    compensation = only(result["compensations"], outage="o1", session="s1")
    assert (compensation["lost_minutes"], compensation["credit_minutes"], compensation["form"]) == (240, 255, "time")
    assert compensation["status"] == "awaiting_approval"
    assert entries(result, "s1") == [("purchase", 360)]


def test_example_11_a_correction_appends_a_top_up_and_keeps_the_original(capsys, tmp_path) -> None:
    result = simulate("example_11_correction_tops_up.yaml", capsys, tmp_path)
    compensation = only(result["compensations"], outage="o1", session="s1")
    assert (compensation["lost_minutes"], compensation["credit_minutes"]) == (50, 65)
    assert entries(result, "s1") == [("purchase", 120), ("outage_credit", 60), ("outage_topup", 5)]


def test_approving_example_10_applies_the_credit(capsys, tmp_path) -> None:
    scenario = (SCENARIOS / "example_10_long_cut_needs_approval.yaml").read_text(encoding="utf-8")
    path = tmp_path / "approved.yaml"
    path.write_text(scenario + '  - at: "2026-11-22T14:05"\n    approve_compensation: {outage: o1, session: s1}\n',
                    encoding="utf-8")
    code = main(["simulate", str(path), "--config", str(empty_config(tmp_path))])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert only(result["compensations"], outage="o1")["status"] == "applied"
    assert entries(result, "s1") == [("purchase", 360), ("outage_credit", 255)]


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ('  - at: "2026-11-22T10:00"\n    start_session: {id: s1, seat: Z9, minutes: 60}\n', "events[0] (start_session)"),
        ('  - at: "2026-11-22T10:00"\n    end_outage: {id: nope}\n', "unknown outage 'nope'"),
        ('  - at: "2026-11-22T10:00"\n    start_session: {id: s1, seat: A1, minutes: 60}\n'
         '  - at: "2026-11-22T09:00"\n    end_session: {id: s1}\n', "events[1] (end_session)"),
        ('  - at: "2026-11-22T10:00"\n    fly_to_the_moon: {id: s1}\n', "unknown action"),
        ('  - at: "yesterday"\n    start_session: {id: s1, seat: A1, minutes: 60}\n', "events[0]"),
        ('  - at: "2026-11-22T10:00"\n    start_session: {id: s1, seat: A1, minutes: -5}\n', "minutes"),
        ('  - at: "2026-11-22T10:00"\n    pause_session: {id: ghost}\n', "unknown session 'ghost'"),
    ],
)
def test_a_scenario_with_a_mistake_exits_2_with_one_line_naming_the_event(capsys, tmp_path, events, message) -> None:
    header = (SCENARIOS / "example_02_no_ups.yaml").read_text(encoding="utf-8").split("events:")[0]
    path = tmp_path / "broken.yaml"
    path.write_text(header + "events:\n" + events, encoding="utf-8")
    code = main(["simulate", str(path), "--config", str(empty_config(tmp_path))])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert message in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("content", ["", "events: 7\n", "- just\n- a list\n", "events: [\n"])
def test_a_malformed_scenario_file_is_a_one_line_error(capsys, tmp_path, content) -> None:
    path = tmp_path / "malformed.yaml"
    path.write_text(content, encoding="utf-8")
    assert main(["simulate", str(path), "--config", str(empty_config(tmp_path))]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_installed_command_runs_a_scenario_end_to_end(tmp_path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "web", "simulate", str(SCENARIOS / "example_01_ups_bridges_ten_minutes.yaml"),
         "--config", str(empty_config(tmp_path))],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["compensations"][0]["credit_minutes"] == 25
