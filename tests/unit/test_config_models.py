"""The pydantic models behind ``config.yaml``: closed sections, plain messages with key paths, every problem at once."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from compensator.cli import main
from compensator.config import ConfigError, load_settings, parse_settings
from compensator.demo import DEMO_VENUE, demo_settings
from tests.conftest import VENUE

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ("venue", "policy", "database", "server", "dashboard", "reports", "notices", "printer", "backups",
            "heartbeats", "server_gap")


def problems_of(**sections: object) -> tuple[str, ...]:
    data = copy.deepcopy(VENUE)
    data.update(sections)
    with pytest.raises(ConfigError) as raised:
        parse_settings(data, environ={})
    return raised.value.problems


def test_problems_in_several_sections_are_reported_at_once_in_the_order_of_the_file() -> None:
    problems = problems_of(
        venue={**VENUE["venue"], "currency": "naira"},
        zones=[{"id": "standard", "price_minor_per_hour": "300"}, {"id": "standard", "price_minor_per_hour": 1}],
        seats=[{"id": "A1-A4", "zone": "standard"}, {"id": "A3", "zone": "gaming"}],
        policy={"round_to_minutes": 0},
        server={"https": "yes"},
        printer={"kind": "usb"},
        ups=[{"name": "venue", "zones": ["standrd"]}],
        server_gap={"threshold_minutes": 2.5},
    )
    assert problems == (
        "venue.currency: must be a three-letter ISO code such as NGN",
        "zones[0].price_minor_per_hour: must be a whole number ≥ 0",
        "zones[1].id: 'standard' is already used by zones[0]",
        "seats[1].id: seat A3 is already defined by seats[0]",
        "seats[1].zone: unknown zone 'gaming'",
        "policy.round_to_minutes: must be a whole number from 1 to 60",
        "server.https: must be true or false",
        'printer.device: is required for a usb printer (a USB id "VENDOR:PRODUCT" in hex, such as "04b8:0202")',
        'ups[0].zones: unknown zone \'standrd\' (did you mean "standard"?)',
        "server_gap.threshold_minutes: must be a whole number from 1 to 1440",
    )


def test_an_unknown_key_in_a_list_entry_comes_first_with_the_key_it_was_meant_to_be() -> None:
    problems = problems_of(zones=[{"id": "standard", "prise_minor_per_hour": 100, "ups_minutes": -1}])
    assert problems == (
        'zones[0].prise_minor_per_hour: unknown key (did you mean "price_minor_per_hour"?)',
        "zones[0].price_minor_per_hour: is required",
        "zones[0].ups_minutes: must be a whole number from 0 to 1440",
        # Every seat of the test venue's gaming zone now names a zone the file no longer declares.
        "seats[1].zone: unknown zone 'gaming'",
    )


def test_a_zone_with_a_problem_still_declares_its_id_to_the_seats() -> None:
    assert problems_of(zones=[{"id": "standard", "price_minor_per_hour": -5}, VENUE["zones"][1]]) == (
        "zones[0].price_minor_per_hour: must be a whole number ≥ 0",)


@pytest.mark.parametrize(("sections", "expected"), [
    ({"venue": {**VENUE["venue"], "name": 7}}, "venue.name: must be non-empty text"),
    ({"venue": {**VENUE["venue"], "languages": "en"}}, "venue.languages: must be a non-empty list of language codes"),
    ({"venue": {**VENUE["venue"], "closing_time": 22.5}}, 'venue.closing_time: must be a time of day like "22:00"'),
    ({"zones": {"id": "standard"}}, "zones: must be a non-empty list of zones"),
    ({"zones": [*VENUE["zones"], "vip"]}, "zones[2]: must be a mapping of keys to values"),
    ({"zones": [{"id": "standard", "price_minor_per_hour": 300.0}, VENUE["zones"][1]]},
     "zones[0].price_minor_per_hour: must be a whole number ≥ 0"),
    ({"seats": "A1-A12"}, "seats: must be a non-empty list of seats or seat ranges"),
    ({"seats": [{"id": True, "zone": "standard"}]}, "seats[0].id: is required (a seat id or a range like A1-A12)"),
    ({"seats": [{"id": "A1", "zone": ["standard"]}]}, "seats[0].zone: is required"),
    ({"policy": {"goodwill_percent": False}}, "policy.goodwill_percent: must be a whole number from 0 to 1000"),
    ({"policy": "generous"}, "policy: must be a mapping of keys to values"),
    ({"database": {"url": 5}}, "database.url: must be non-empty text"),
    ({"server": {"port": "8080"}}, "server.port: must be a whole number from 1 to 65535"),
    ({"dashboard": {"packages_minutes": 60}},
     "dashboard.packages_minutes: must be a list of 1 to 12 whole numbers from 1 to 1440"),
    ({"reports": {"directory": ["reports"]}}, "reports.directory: must be non-empty text"),
    ({"notices": {"templates_directory": 3}}, "notices.templates_directory: must be the path of a folder"),
    ({"printer": {"port": 91.5}}, "printer.port: must be a whole number from 1 to 65535"),
    ({"printer": {"auto_print": 1}}, "printer.auto_print: must be true or false"),
    ({"backups": {"keep": 14.0}}, "backups.keep: must be a whole number from 1 to 366"),
    ({"ups": "venue"}, "ups: must be a list of UPS monitors (or left out for none)"),
    ({"ups": [{"name": 5}]}, "ups[0].name: must be non-empty text"),
    ({"ups": [{"name": "venue", "poll_seconds": "2"}]},
     "ups[0].poll_seconds: must be a number of seconds from 0.1 to 3600"),
    ({"ups": [{"name": "venue", "zones": "standard"}]},
     "ups[0].zones: must be a list of zone ids, or null for the whole venue"),
    ({"heartbeats": {"min_seats": "2"}}, "heartbeats.min_seats: must be a whole number from 1 to 10000"),
    ({"server_gap": {"threshold_minutes": True}},
     "server_gap.threshold_minutes: must be a whole number from 1 to 1440"),
])
def test_a_value_of_the_wrong_type_is_named_in_every_section(sections, expected) -> None:
    assert problems_of(**sections) == (expected,)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_is_closed(section) -> None:
    given = copy.deepcopy(VENUE.get(section, {}))
    assert problems_of(**{section: {**given, "colour": "blue"}}) == (f"{section}.colour: unknown key",)


@pytest.mark.parametrize(("sections", "expected"), [
    ({"zones": [{**VENUE["zones"][0], "colour": "blue"}, VENUE["zones"][1]]}, "zones[0].colour: unknown key"),
    ({"seats": [{"id": "A1-A12", "zone": "standard", "colour": "blue"}, VENUE["seats"][1]]},
     "seats[0].colour: unknown key"),
    ({"ups": [{"name": "venue", "colour": "blue"}]}, "ups[0].colour: unknown key"),
    ({"colour": "blue"}, "colour: unknown key"),
    ({1: "one"}, "1: unknown key"),
])
def test_every_list_entry_and_the_top_level_are_closed(sections, expected) -> None:
    data = copy.deepcopy(VENUE)
    data.update(sections)
    with pytest.raises(ConfigError) as raised:
        parse_settings(data, environ={})
    assert raised.value.problems == (expected,)


def test_empty_sections_have_their_defaults() -> None:
    settings = parse_settings({**VENUE, **dict.fromkeys(SECTIONS[1:]), "ups": None}, environ={})
    default = parse_settings(VENUE, environ={})
    assert settings == default


def test_the_shipped_config_and_the_demo_venue_load(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("COMPENSATOR_DATABASE_URL", raising=False)
    shipped = load_settings(ROOT / "config.yaml")
    assert (len(shipped.zones), len(shipped.seats), shipped.ups, shipped.printer.kind.value) == (2, 18, (), "none")
    demo = parse_settings(DEMO_VENUE, environ={})
    assert demo.venue.name == "Bright Star Cyber Café (demo)"
    assert demo_settings(tmp_path, str(tmp_path / "none.yaml")).database.url.endswith("demo.db")


def test_check_config_prints_the_count_and_every_problem_indented_on_standard_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "broken.yaml"
    data = dict(VENUE, server={"port": 0, "hots": "0.0.0.0"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["check-config", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"{path}: 2 problem(s)\n"
                            '  server.hots: unknown key (did you mean "host"?)\n'
                            "  server.port: must be a whole number from 1 to 65535\n")


def test_check_config_says_ok_with_the_zones_seats_and_policy_fingerprint(tmp_path: Path, capsys) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(yaml.safe_dump(VENUE, allow_unicode=True), encoding="utf-8")
    assert main(["check-config", str(path)]) == 0
    fingerprint = parse_settings(VENUE, environ={}).policy.fingerprint()
    assert capsys.readouterr().out == f"{path}: OK (2 zones, 18 seats, policy {fingerprint})\n"
