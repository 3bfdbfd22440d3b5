"""The ``ups:`` section of ``config.yaml``: defaults, every mistake at once with its key path, and the
password from the environment."""

from __future__ import annotations

import copy

import pytest

from compensator.config import ConfigError, parse_settings
from compensator.config_models.ups import password_variable
from tests.conftest import VENUE


def parsed(ups: object, environ: dict[str, str] | None = None):
    data = copy.deepcopy(VENUE)
    data["ups"] = ups
    return parse_settings(data, environ=environ or {})


def problems_of(ups: object) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as raised:
        parsed(ups)
    return raised.value.problems


def test_no_ups_is_configured_by_default() -> None:
    assert parse_settings(copy.deepcopy(VENUE), environ={}).ups == ()
    assert parsed(None).ups == ()


def test_a_ups_gets_the_documented_defaults() -> None:
    (monitor,) = parsed([{"name": "venue"}]).ups
    assert (monitor.host, monitor.port, monitor.username, monitor.password, monitor.zones) == (
        "127.0.0.1", 3493, None, None, None)
    assert (monitor.poll_seconds, monitor.debounce_seconds, monitor.merge_seconds, monitor.poll) == (2, 15, 60, True)


def test_fractions_of_a_second_are_allowed_for_short_polls() -> None:
    (monitor,) = parsed([{"name": "venue", "poll_seconds": 0.5, "debounce_seconds": 1.5, "merge_seconds": 0}]).ups
    assert (monitor.poll_seconds, monitor.debounce_seconds, monitor.merge_seconds) == (0.5, 1.5, 0)


def test_every_ups_mistake_is_reported_at_once_with_its_key_path() -> None:
    problems = problems_of([
        {"name": "venue", "zones": ["gamin"], "pol_seconds": 2},
        {"name": "venue", "port": 0, "poll_seconds": 0, "debounce_seconds": "15", "poll": "yes"},
        {"host": "127.0.0.1"},
        {"name": "bad name!", "zones": []},
        "venue",
    ])
    assert problems == (
        'ups[0].pol_seconds: unknown key (did you mean "poll_seconds"?)',
        'ups[0].zones: unknown zone \'gamin\' (did you mean "gaming"?)',
        "ups[1].name: 'venue' is already used by ups[0]",
        "ups[1].port: must be a whole number from 1 to 65535",
        "ups[1].poll_seconds: must be a number of seconds from 0.1 to 3600",
        "ups[1].debounce_seconds: must be a number of seconds from 0 to 3600",
        "ups[1].poll: must be true (the server polls upsd) or false (upsmon reports by webhook)",
        "ups[2].name: is required",
        "ups[3].name: must be the UPS's name in upsd: letters, digits, dots, dashes or underscores",
        "ups[3].zones: must be a list of zone ids, or null for the whole venue",
        "ups[4]: must be a mapping of keys to values",
    )


def test_ups_must_be_a_list() -> None:
    assert problems_of({"name": "venue"}) == ("ups: must be a list of UPS monitors (or left out for none)",)


def test_the_password_from_the_environment_wins_over_the_file() -> None:
    ups = [{"name": "back-room.1", "username": "monitor", "password": "in-the-file"}]
    assert password_variable("back-room.1") == "COMPENSATOR_UPS_PASSWORD_BACK_ROOM_1"
    assert parsed(ups).ups[0].password == "in-the-file"
    assert parsed(ups, {"COMPENSATOR_UPS_PASSWORD_BACK_ROOM_1": "from-env"}).ups[0].password == "from-env"


def test_a_password_never_shows_in_the_settings_repr() -> None:
    assert "in-the-file" not in repr(parsed([{"name": "venue", "password": "in-the-file"}]).ups)
