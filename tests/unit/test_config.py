"""Configuration: typed settings, seat ranges, and every mistake reported with its key path."""

from __future__ import annotations

import copy
import dataclasses
from datetime import time
from pathlib import Path

import pytest

from compensator.config import (
    ConfigError,
    PolicySettings,
    load_settings,
    parse_settings,
)
from compensator.config_models.venue import expand_seat_ids
from compensator.timeofday import ClockStyle
from tests.conftest import VENUE, make_settings

ROOT = Path(__file__).resolve().parents[2]


def problems_of(data: object) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as raised:
        parse_settings(data, environ={})
    return raised.value.problems


def with_changes(**sections: object) -> dict:
    data = copy.deepcopy(VENUE)
    data.update(sections)
    return data


def test_the_shipped_config_file_is_valid(monkeypatch) -> None:
    monkeypatch.delenv("COMPENSATOR_DATABASE_URL", raising=False)
    settings = load_settings(ROOT / "config.yaml")
    assert settings.venue.timezone == "Africa/Lagos"
    assert settings.venue.closing_time == time(22, 0)
    assert [seat.id for seat in settings.seats][:3] == ["A1", "A2", "A3"]
    assert len(settings.seats) == 18
    assert settings.zone("gaming").price_minor_per_hour == 60000
    assert settings.policy == PolicySettings()


def test_a_seat_range_expands_to_every_seat_in_it() -> None:
    assert expand_seat_ids("A1-A4") == ["A1", "A2", "A3", "A4"]
    assert expand_seat_ids("PC08-PC11") == ["PC08", "PC09", "PC10", "PC11"]
    assert expand_seat_ids("G1-3") == ["G1", "G2", "G3"]
    assert expand_seat_ids("front-desk") == ["front-desk"]
    assert "backwards" in expand_seat_ids("A9-A2")
    assert "at most" in expand_seat_ids("A1-A5000")


def test_a_venue_of_more_than_5000_seats_is_refused_however_its_ranges_are_split() -> None:
    def ranges(count: int, size: int) -> list[dict[str, str]]:
        prefixes = [f"R{chr(97 + index // 26)}{chr(97 + index % 26)}" for index in range(count)]
        return [{"id": f"{prefix}1-{prefix}{size}", "zone": "standard"} for prefix in prefixes]

    assert len(parse_settings(with_changes(seats=ranges(5, 1000)), environ={}).seats) == 5000
    assert problems_of(with_changes(seats=ranges(6, 1000))) == (
        "seats: a venue holds at most 5000 seats; these entries make 6000",)
    # A thousand small ranges are counted the same way as a few large ones.
    assert problems_of(with_changes(seats=ranges(501, 10))) == (
        "seats: a venue holds at most 5000 seats; these entries make 5010",)


def test_a_venue_shows_a_24_hour_clock_unless_it_chooses_a_12_hour_one() -> None:
    assert parse_settings(VENUE, environ={}).venue.clock is ClockStyle.TWENTY_FOUR_HOUR
    data = with_changes(venue={**VENUE["venue"], "clock": "12h"})
    assert parse_settings(data, environ={}).venue.clock is ClockStyle.TWELVE_HOUR


def test_an_unquoted_closing_time_is_read_as_the_time_it_looks_like() -> None:
    data = with_changes(venue={**VENUE["venue"], "closing_time": 1320})
    assert parse_settings(data, environ={}).venue.closing_time == time(22, 0)


def test_three_mistakes_are_reported_together_with_their_key_paths() -> None:
    data = with_changes(
        venue={**VENUE["venue"], "timezone": "Mars/Olympus"},
        zones=[{"id": "standard", "price_minor_per_hour": 12.5}],
        seats=[{"id": "A1-A3", "zone": "gamming"}],
    )
    problems = problems_of(data)
    assert len(problems) == 3
    assert problems[0].startswith("venue.timezone: unknown time zone 'Mars/Olympus'")
    assert problems[1] == "zones[0].price_minor_per_hour: must be a whole number ≥ 0"
    assert problems[2].startswith("seats[0].zone: unknown zone 'gamming'")


def test_an_unknown_key_is_an_error_with_a_suggestion() -> None:
    data = with_changes(venue={**VENUE["venue"], "nmae": "typo"}, polcy={})
    problems = problems_of(data)
    assert 'venue.nmae: unknown key (did you mean "name"?)' in problems
    assert 'polcy: unknown key (did you mean "policy"?)' in problems


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"venue": {**VENUE["venue"], "currency": "naira"}}, "venue.currency:"),
        ({"venue": {**VENUE["venue"], "languages": []}}, "venue.languages:"),
        ({"venue": {**VENUE["venue"], "languages": ["en", "en"]}}, "venue.languages:"),
        ({"venue": {**VENUE["venue"], "closing_time": "25:00"}}, "venue.closing_time:"),
        ({"venue": {**VENUE["venue"], "clock": "24-hour"}}, "venue.clock:"),
        ({"venue": {**VENUE["venue"], "clock": 12}}, "venue.clock:"),
        ({"zones": []}, "zones:"),
        ({"zones": [{"id": "a b", "price_minor_per_hour": 1}]}, "zones[0].id:"),
        ({"zones": [{"id": "z", "price_minor_per_hour": True}]}, "zones[0].price_minor_per_hour:"),
        ({"zones": [{"id": "z", "price_minor_per_hour": 1, "ups_minutes": -1}]}, "zones[0].ups_minutes:"),
        ({"seats": [{"id": "A1-A2", "zone": "standard"}, {"id": "A2", "zone": "standard"}]}, "seats[1].id:"),
        ({"seats": [{"id": "A1-A2", "zone": "standard", "label": "x"}]}, "seats[0].label:"),
        ({"policy": {"round_to_minutes": 0}}, "policy.round_to_minutes:"),
        ({"policy": {"restart_minutes": "3"}}, "policy.restart_minutes:"),
        ({"database": {"url": "mysql://x"}}, "database.url:"),
        ({"server": {"port": 70000}}, "server.port:"),
        ({"dashboard": {"packages_minutes": [30, 0]}}, "dashboard.packages_minutes:"),
        ({"printer": {"kind": "bluetooth"}}, "printer.kind:"),
        ({"printer": {"kind": "network"}}, "printer.host:"),
        ({"printer": {"kind": "network", "host": "10.0.0.9", "port": 0}}, "printer.port:"),
        ({"printer": {"kind": "usb"}}, "printer.device:"),
        ({"printer": {"kind": "usb", "device": "/dev/usb/lp0"}}, "printer.device:"),
        ({"printer": {"kind": "serial", "device": ""}}, "printer.device:"),
        ({"printer": {"kind": "file"}}, "printer.device:"),
        ({"printer": {"width_mm": 76}}, "printer.width_mm:"),
        ({"printer": {"auto_print": "yes"}}, "printer.auto_print:"),
        ({"printer": "network"}, "printer:"),
    ],
)
def test_each_kind_of_mistake_names_its_key(change, expected) -> None:
    problems = problems_of(with_changes(**change))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_printer_mistake_is_reported_at_once_with_a_suggestion_for_a_typo() -> None:
    problems = problems_of(with_changes(printer={"kind": "network", "hots": "10.0.0.9", "width_mm": 57}))
    assert problems == ('printer.hots: unknown key (did you mean "host"?)',
                        "printer.width_mm: must be 58 or 80 (the roll's width in millimetres)",
                        "printer.host: is required for a network printer (its address, such as 192.168.1.50)")


def test_a_printer_is_none_unless_configured_and_a_58_mm_roll_holds_32_columns() -> None:
    assert parse_settings(with_changes(), environ={}).printer.kind.value == "none"
    printer = parse_settings(with_changes(printer={"kind": "usb", "device": "04b8:0202", "width_mm": 58,
                                                   "auto_print": True}), environ={}).printer
    assert (printer.device, printer.columns, printer.auto_print) == ("04b8:0202", 32, True)
    assert parse_settings(with_changes(printer={"kind": "network", "host": "10.0.0.9"}), environ={}).printer.columns \
        == 48


def test_a_missing_file_and_broken_yaml_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.yaml", environ={})
    broken = tmp_path / "broken.yaml"
    broken.write_text("venue: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line"):
        load_settings(broken, environ={})
    assert problems_of(["a", "list"])[0].endswith("must be a mapping with venue, zones and seats")


def test_the_database_url_from_the_environment_wins() -> None:
    settings = parse_settings(VENUE, environ={"COMPENSATOR_DATABASE_URL": "sqlite:///elsewhere.db"})
    assert settings.database.url == "sqlite:///elsewhere.db"


def test_the_config_path_comes_from_the_environment_when_not_given(tmp_path: Path) -> None:
    path = tmp_path / "venue.yaml"
    path.write_text("venue: {name: X, timezone: UTC, currency: USD}\nzones: [{id: z, price_minor_per_hour: 100}]\n"
                    "seats: [{id: S1, zone: z}]\n", encoding="utf-8")
    assert load_settings(environ={"COMPENSATOR_CONFIG": str(path)}).venue.name == "X"


def test_a_policy_section_is_validated_and_the_fingerprint_follows_the_values() -> None:
    policy = PolicySettings()
    changed = parse_settings({**VENUE, "policy": {"round_to_minutes": 1}}, environ={}).policy
    assert changed.round_to_minutes == 1
    assert policy.fingerprint() == PolicySettings().fingerprint()
    assert changed.fingerprint() != policy.fingerprint()
    with pytest.raises(ConfigError, match="policy.round_to_minutes"):
        parse_settings({**VENUE, "policy": {"round_to_minutes": -1}}, environ={})


def test_settings_are_frozen() -> None:
    settings = parse_settings(VENUE, environ={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.venue.name = "Other"  # type: ignore[misc]


def test_the_heartbeat_and_server_gap_sections_have_defaults_and_report_each_bad_key() -> None:
    settings = make_settings()
    assert (settings.heartbeats.silent_after_seconds, settings.heartbeats.silent_share_percent,
            settings.heartbeats.min_seats, settings.server_gap.threshold_minutes) == (30, 50, 2, 3)
    tuned = make_settings(heartbeats={"silent_after_seconds": 20, "min_seats": 3}, server_gap={"threshold_minutes": 5})
    assert (tuned.heartbeats.silent_after_seconds, tuned.heartbeats.min_seats,
            tuned.server_gap.threshold_minutes) == (20, 3, 5)
    with pytest.raises(ConfigError) as caught:
        make_settings(heartbeats={"silent_after_seconds": 1, "silent_share_percent": 120, "min_seat": 2},
                      server_gap={"threshold_minutes": 0})
    problems = caught.value.problems
    assert any(problem.startswith("heartbeats.silent_after_seconds: must be a whole number") for problem in problems)
    assert any(problem.startswith("heartbeats.silent_share_percent: must be a whole number") for problem in problems)
    assert 'heartbeats.min_seat: unknown key (did you mean "min_seats"?)' in problems
    assert any(problem.startswith("server_gap.threshold_minutes: must be a whole number") for problem in problems)
