"""The ``ups:`` section of ``config.yaml`` (SPEC appendix A): the UPS monitors read through NUT.

A list, empty by default. Read like every other section: unknown keys are errors with a "did
you mean", every problem is reported with its key path, names are unique and the zones must
exist. A password in the environment, ``COMPENSATOR_UPS_PASSWORD_<NAME>``, wins over the file,
so that the file can be shared without it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from compensator.config_values import is_int, mapping_of, text_value, unknown_keys, whole_number
from compensator.settings import UpsSettings

UPS_KEYS = ("name", "host", "port", "username", "password", "zones", "poll_seconds", "debounce_seconds",
            "merge_seconds", "poll")
# NUT's own UPS names are letters, digits and a few marks; they also name an environment variable.
UPS_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
PASSWORD_VARIABLE_PREFIX = "COMPENSATOR_UPS_PASSWORD_"
HOUR_SECONDS = 3600
# (minimum, maximum, default) of each duration, in seconds; a poll needs a moment to answer.
SECONDS_LIMITS: dict[str, tuple[float, float, float]] = {
    "poll_seconds": (0.1, HOUR_SECONDS, 2.0),
    "debounce_seconds": (0, HOUR_SECONDS, 15.0),
    "merge_seconds": (0, HOUR_SECONDS, 60.0),
}


def password_variable(name: str) -> str:
    """The environment variable that holds the password of UPS ``name``."""
    return PASSWORD_VARIABLE_PREFIX + re.sub(r"[^A-Z0-9]", "_", name.upper())


def parse_ups(value: object, zone_ids: set[str] | None, environ: Mapping[str, str],
              problems: list[str]) -> tuple[UpsSettings, ...]:
    """The UPS monitors of the ``ups:`` list, adding a problem for each bad entry."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append("ups: must be a list of UPS monitors (or left out for none)")
        return ()
    monitors: list[UpsSettings] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(value):
        path = f"ups[{index}]"
        data = mapping_of(item, path, problems)
        if data is None:
            continue
        count = len(problems)
        unknown_keys(data, UPS_KEYS, path, problems)
        name = text_value(data, "name", path, problems, maximum=64)
        if name is not None and not UPS_NAME_PATTERN.match(name):
            problems.append(f"{path}.name: must be the UPS's name in upsd: "
                            "letters, digits, dots, dashes or underscores")
        elif name is not None and name in seen:
            problems.append(f"{path}.name: {name!r} is already used by {seen[name]}")
        elif name is not None:
            seen[name] = path
        host = text_value(data, "host", path, problems, default="127.0.0.1", maximum=253)
        port = whole_number(data, "port", path, problems, default=3493, minimum=1, maximum=65535)
        username = _optional_text(data, "username", path, problems)
        password = _optional_text(data, "password", path, problems)
        zones = _zones(data.get("zones"), zone_ids, f"{path}.zones", problems)
        seconds = {key: _seconds(data, key, path, problems) for key in SECONDS_LIMITS}
        poll = data.get("poll", True)
        if not isinstance(poll, bool):
            problems.append(f"{path}.poll: must be true (the server polls upsd) or false (upsmon reports by webhook)")
        if len(problems) > count or name is None:
            continue
        assert host is not None and port is not None
        password = environ.get(password_variable(name)) or password
        monitors.append(UpsSettings(name, host, port, username, password, zones, seconds["poll_seconds"],
                                    seconds["debounce_seconds"], seconds["merge_seconds"], poll))
    return tuple(monitors)


def _optional_text(data: Mapping[str, Any], key: str, path: str, problems: list[str]) -> str | None:
    if data.get(key) is None:
        return None
    return text_value(data, key, path, problems, default="", maximum=200) or None


def _seconds(data: Mapping[str, Any], key: str, path: str, problems: list[str]) -> float:
    minimum, maximum, default = SECONDS_LIMITS[key]
    value = data.get(key, default)
    if not (is_int(value) or isinstance(value, float)) or not minimum <= value <= maximum:
        problems.append(f"{path}.{key}: must be a number of seconds from {minimum:g} to {maximum:g}")
        return default
    return float(value)


def _zones(value: object, zone_ids: set[str] | None, path: str, problems: list[str]) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or any(not isinstance(zone, str) for zone in value):
        problems.append(f"{path}: must be a list of zone ids, or null for the whole venue")
        return None
    if len(set(value)) != len(value):
        problems.append(f"{path}: lists a zone twice")
    for zone in value:
        if zone_ids is not None and zone not in zone_ids:
            hint = difflib.get_close_matches(zone, sorted(zone_ids), n=1)
            problems.append(f"{path}: unknown zone {zone!r}" + (f' (did you mean "{hint[0]}"?)' if hint else ""))
    return tuple(sorted(set(value)))
