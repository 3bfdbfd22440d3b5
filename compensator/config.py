"""Reads ``config.yaml`` and validates it into the frozen settings of ``compensator.settings``.

The file is parsed once. Every problem is collected with its key path
(``zones[1].price_minor_per_hour: must be a whole number ≥ 0``) and reported all at once in a
``ConfigError``, so an owner fixes the whole file in one go. Unknown keys are errors: a typo
must never silently fall back to a default.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

# The policy's parameters are defined in the pure core, which reads them; this module builds and
# validates them, and callers outside the core may keep importing them from here.
from compensator.config_backups import BACKUP_KEYS, parse_backups
from compensator.config_printer import PRINTER_KEYS, parse_printer
from compensator.config_ups import parse_ups
from compensator.config_sources import HEARTBEAT_KEYS, SERVER_GAP_KEYS, parse_heartbeats, parse_server_gap
from compensator.config_values import is_int, mapping_of, text_value, unknown_keys, whole_number
from compensator.domain.kinds import DashboardLanguage
from compensator.domain.silence import SilenceRule
from compensator.domain.terms import PolicySettings
from compensator.settings import (
    DEFAULT_DATABASE_URL,
    BackupSettings,
    DashboardSettings,
    DatabaseSettings,
    NoticeSettings,
    PrinterSettings,
    ReportSettings,
    SeatSettings,
    ServerGapSettings,
    ServerSettings,
    Settings,
    VenueSettings,
    ZoneSettings,
)
from compensator.timeofday import ClockStyle

DEFAULT_CONFIG_PATH = "config.yaml"
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
RANGE_PATTERN = re.compile(r"^([A-Za-z]*)(\d+)-([A-Za-z]*)(\d+)$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}([_-][A-Za-z]{2,4})?$")
CURRENCY_PATTERN = re.compile(r"^[A-Z]{3}$")
CLOCK_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})$")
MAX_SEATS_IN_RANGE = 1000
MAX_PRICE_MINOR_PER_HOUR = 10**9
DAY_MINUTES = 24 * 60


class ConfigError(Exception):
    """The configuration has problems; ``problems`` lists every one with its key path."""

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


# --- sections -----------------------------------------------------------------------------


def _venue(value: object, problems: list[str]) -> VenueSettings | None:
    data = mapping_of(value, "venue", problems)
    if data is None:
        return None
    unknown_keys(data, ("name", "timezone", "currency", "languages", "closing_time", "clock"), "venue", problems)
    count = len(problems)
    name = text_value(data, "name", "venue", problems)
    timezone = text_value(data, "timezone", "venue", problems)
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"venue.timezone: unknown time zone {timezone!r} (use a name like Africa/Lagos)")
    currency = text_value(data, "currency", "venue", problems)
    if currency is not None and not CURRENCY_PATTERN.match(currency):
        problems.append("venue.currency: must be a three-letter ISO code such as NGN")
    languages: tuple[str, ...] = ("en",)
    if "languages" in data:
        raw = data["languages"]
        if not isinstance(raw, list) or not raw:
            problems.append("venue.languages: must be a non-empty list of language codes")
        else:
            for index, language in enumerate(raw):
                if not isinstance(language, str) or not LANGUAGE_PATTERN.match(language):
                    problems.append(f"venue.languages[{index}]: must be a language code such as en, fr or pcm")
            if len(set(map(str, raw))) != len(raw):
                problems.append("venue.languages: lists a language twice")
            languages = tuple(str(language) for language in raw)
    closing = _closing_time(data.get("closing_time", "22:00"), problems)
    clock = str(data.get("clock", ClockStyle.TWENTY_FOUR_HOUR))
    if clock not in set(ClockStyle):
        problems.append('venue.clock: must be "24h" or "12h"')
    if len(problems) > count or None in (name, timezone, currency, closing):
        return None
    assert name and timezone and currency and closing is not None
    return VenueSettings(name, timezone, currency, languages, closing, ClockStyle(clock))


def _closing_time(value: object, problems: list[str]) -> time | None:
    # PyYAML reads an unquoted 22:00 as the base-60 number 1320; it is unambiguous, so accept it.
    if is_int(value) and 0 <= value < DAY_MINUTES:  # type: ignore[operator]
        return time(value // 60, value % 60)  # type: ignore[operator]
    if isinstance(value, str) and (match := CLOCK_PATTERN.match(value.strip())):
        hours, minutes = int(match.group(1)), int(match.group(2))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    problems.append('venue.closing_time: must be a time of day like "22:00"')
    return None


def _zones(value: object, problems: list[str]) -> tuple[tuple[ZoneSettings, ...], set[str] | None]:
    """The valid zones, and every zone id declared (None when the list itself is unusable)."""
    if not isinstance(value, list) or not value:
        problems.append("zones: must be a non-empty list of zones")
        return (), None
    zones: list[ZoneSettings] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(value):
        path = f"zones[{index}]"
        data = mapping_of(item, path, problems)
        if data is None:
            continue
        unknown_keys(data, ("id", "name", "price_minor_per_hour", "ups_minutes"), path, problems)
        zone_id = text_value(data, "id", path, problems, maximum=32)
        if zone_id is not None and not ID_PATTERN.match(zone_id):
            problems.append(f"{path}.id: must be 1 to 32 letters, digits, dashes or underscores")
            zone_id = None
        if zone_id is not None and zone_id in seen:
            problems.append(f"{path}.id: {zone_id!r} is already used by {seen[zone_id]}")
            zone_id = None
        name = text_value(data, "name", path, problems, default=zone_id or "zone", maximum=100)
        price = whole_number(data, "price_minor_per_hour", path, problems, default=None, minimum=0,
                             maximum=MAX_PRICE_MINOR_PER_HOUR)
        ups = whole_number(data, "ups_minutes", path, problems, default=0, minimum=0, maximum=DAY_MINUTES)
        if zone_id is not None:
            seen[zone_id] = path
            if price is not None and ups is not None and name is not None:
                zones.append(ZoneSettings(zone_id, name, price, ups))
    return tuple(zones), set(seen)


def expand_seat_ids(text: str) -> list[str] | str:
    """The seat ids a single id or a range like ``A1-A12`` stands for, or a problem in words."""
    match = RANGE_PATTERN.match(text)
    if match is None:
        return [text] if ID_PATTERN.match(text) else "must be a seat id or a range like A1-A12"
    prefix, first, end_prefix, last = match.groups()
    if end_prefix not in ("", prefix):
        if ID_PATTERN.match(text):
            return [text]
        return "a range keeps one prefix on both ends, like A1-A12"
    start, stop = int(first), int(last)
    if stop < start:
        return f"the range {text} runs backwards"
    if stop - start + 1 > MAX_SEATS_IN_RANGE:
        return f"a range holds at most {MAX_SEATS_IN_RANGE} seats"
    width = len(first) if first.startswith("0") and len(first) > 1 else 0
    return [f"{prefix}{number:0{width}d}" for number in range(start, stop + 1)]


def _seats(value: object, zone_ids: set[str] | None, problems: list[str]) -> tuple[SeatSettings, ...]:
    if not isinstance(value, list) or not value:
        problems.append("seats: must be a non-empty list of seats or seat ranges")
        return ()
    seats: list[SeatSettings] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(value):
        path = f"seats[{index}]"
        data = mapping_of(item, path, problems)
        if data is None:
            continue
        unknown_keys(data, ("id", "zone", "label"), path, problems)
        raw_id = data.get("id")
        if is_int(raw_id):
            raw_id = str(raw_id)
        if not isinstance(raw_id, str) or not raw_id.strip():
            problems.append(f"{path}.id: is required (a seat id or a range like A1-A12)")
            continue
        expanded = expand_seat_ids(raw_id.strip())
        if isinstance(expanded, str):
            problems.append(f"{path}.id: {expanded}")
            continue
        zone = data.get("zone")
        if not isinstance(zone, str) or not zone.strip():
            problems.append(f"{path}.zone: is required")
            continue
        if zone_ids is not None and zone not in zone_ids:
            hint = difflib.get_close_matches(zone, sorted(zone_ids), n=1)
            problems.append(f"{path}.zone: unknown zone {zone!r}" + (f' (did you mean "{hint[0]}"?)' if hint else ""))
            continue
        label = data.get("label")
        if label is not None and (len(expanded) > 1 or not isinstance(label, str) or not label.strip()):
            problems.append(f"{path}.label: a label is text and only for a single seat")
            continue
        for seat_id in expanded:
            if seat_id in seen:
                problems.append(f"{path}.id: seat {seat_id} is already defined by {seen[seat_id]}")
                continue
            seen[seat_id] = path
            seats.append(SeatSettings(seat_id, label.strip() if isinstance(label, str) else seat_id, zone))
    return tuple(seats)


POLICY_LIMITS: dict[str, tuple[int, int]] = {
    "restart_minutes": (0, DAY_MINUTES),
    "lost_work_cap_minutes": (0, DAY_MINUTES),
    "goodwill_minutes": (0, DAY_MINUTES),
    "goodwill_percent": (0, 1000),
    "extras_cap_minutes": (0, DAY_MINUTES),
    "round_to_minutes": (1, 60),
    "voucher_valid_days": (1, 3650),
    "manager_approval_above_minutes": (0, 7 * DAY_MINUTES),
}


def _policy_values(value: object, path: str, problems: list[str]) -> dict[str, int]:
    data = mapping_of(value, path, problems)
    if data is None:
        return {}
    unknown_keys(data, tuple(POLICY_LIMITS), path, problems)
    values: dict[str, int] = {}
    for key, (minimum, maximum) in POLICY_LIMITS.items():
        if key in data:
            number = whole_number(data, key, path, problems, default=None, minimum=minimum, maximum=maximum)
            if number is not None:
                values[key] = number
    return values


def _section(value: object, path: str, problems: list[str], build: Callable[[Mapping[str, Any]], Any],
             allowed: tuple[str, ...], default: Any) -> Any:
    if value is None:
        return default
    data = mapping_of(value, path, problems)
    if data is None:
        return default
    unknown_keys(data, allowed, path, problems)
    return build(data)


def _database(data: Mapping[str, Any], problems: list[str]) -> DatabaseSettings:
    url = text_value(data, "url", "database", problems, default=DEFAULT_DATABASE_URL, maximum=2000)
    assert url is not None
    if not (url.startswith("sqlite:") or url.startswith("postgresql")):
        problems.append("database.url: must start with sqlite: or postgresql")
    return DatabaseSettings(url)


def _server(data: Mapping[str, Any], problems: list[str]) -> ServerSettings:
    host = text_value(data, "host", "server", problems, default="127.0.0.1")
    port = whole_number(data, "port", "server", problems, default=8080, minimum=1, maximum=65535)
    https = data.get("https", False)
    if not isinstance(https, bool):
        problems.append("server.https: must be true or false")
        https = False
    return ServerSettings(host or "127.0.0.1", port or 8080, https)


def _dashboard(data: Mapping[str, Any], problems: list[str]) -> DashboardSettings:
    language = str(data.get("language", DashboardLanguage.EN))
    if language not in set(DashboardLanguage):
        problems.append("dashboard.language: must be " + " or ".join(f'"{item}"' for item in DashboardLanguage))
        language = DashboardLanguage.EN
    raw = data.get("packages_minutes", [30, 60, 120])
    if (not isinstance(raw, list) or not raw or len(raw) > 12
            or any(not is_int(item) or not 1 <= item <= DAY_MINUTES for item in raw)):
        problems.append("dashboard.packages_minutes: must be a list of 1 to 12 whole numbers from 1 to 1440")
        return DashboardSettings(language=DashboardLanguage(language))
    if len(set(raw)) != len(raw):
        problems.append("dashboard.packages_minutes: lists a package twice")
    return DashboardSettings(tuple(raw), DashboardLanguage(language))


def _reports(data: Mapping[str, Any], problems: list[str]) -> ReportSettings:
    directory = text_value(data, "directory", "reports", problems, default="reports", maximum=1000)
    return ReportSettings(directory or "reports")


def _notices(data: Mapping[str, Any], problems: list[str]) -> NoticeSettings:
    directory = data.get("templates_directory")
    if directory is not None and (not isinstance(directory, str) or not directory.strip()):
        problems.append("notices.templates_directory: must be the path of a folder")
        directory = None
    elif isinstance(directory, str) and not Path(directory).is_dir():
        problems.append(f"notices.templates_directory: folder {directory!r} not found")
        directory = None
    return NoticeSettings(directory)


TOP_LEVEL_KEYS = ("venue", "zones", "seats", "policy", "database", "server", "dashboard", "reports", "notices",
                  "printer", "backups", "ups", "heartbeats", "server_gap")


def parse_settings(data: object, *, environ: Mapping[str, str] | None = None, source: str = "config.yaml") -> Settings:
    """Validate the parsed YAML of a configuration file and return its settings."""
    environ = os.environ if environ is None else environ
    if not isinstance(data, Mapping):
        raise ConfigError([f"{source}: the top level must be a mapping with venue, zones and seats"])
    problems: list[str] = []
    unknown_keys(data, TOP_LEVEL_KEYS, "", problems)
    for required in ("venue", "zones", "seats"):
        if required not in data:
            problems.append(f"{required}: is required")
    venue = _venue(data["venue"], problems) if "venue" in data else None
    zones, zone_ids = _zones(data["zones"], problems) if "zones" in data else ((), None)
    seats = _seats(data["seats"], zone_ids, problems) if "seats" in data else ()
    policy = PolicySettings(**_policy_values(data["policy"], "policy", problems)) if data.get("policy") is not None \
        else PolicySettings()
    database = _section(data.get("database"), "database", problems, lambda d: _database(d, problems), ("url",),
                        DatabaseSettings())
    server = _section(data.get("server"), "server", problems, lambda d: _server(d, problems), ("host", "port", "https"),
                      ServerSettings())
    dashboard = _section(data.get("dashboard"), "dashboard", problems, lambda d: _dashboard(d, problems),
                         ("packages_minutes", "language"), DashboardSettings())
    reports = _section(data.get("reports"), "reports", problems, lambda d: _reports(d, problems), ("directory",),
                       ReportSettings())
    notices = _section(data.get("notices"), "notices", problems, lambda d: _notices(d, problems),
                       ("templates_directory",), NoticeSettings())
    printer = _section(data.get("printer"), "printer", problems, lambda d: parse_printer(d, problems), PRINTER_KEYS,
                       PrinterSettings())
    backups = _section(data.get("backups"), "backups", problems, lambda d: parse_backups(d, problems), BACKUP_KEYS,
                       BackupSettings())
    ups = parse_ups(data.get("ups"), zone_ids, environ, problems)
    heartbeats = _section(data.get("heartbeats"), "heartbeats", problems, lambda d: parse_heartbeats(d, problems),
                          HEARTBEAT_KEYS, SilenceRule())
    server_gap = _section(data.get("server_gap"), "server_gap", problems, lambda d: parse_server_gap(d, problems),
                          SERVER_GAP_KEYS, ServerGapSettings())
    override = environ.get("COMPENSATOR_DATABASE_URL")
    if override:
        database = DatabaseSettings(override)
    if problems:
        raise ConfigError(problems)
    assert venue is not None
    return Settings(venue, zones, seats, policy, database, server, dashboard, reports, notices, printer, backups,
                    ups, heartbeats, server_gap)


def resolve_config_path(path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The configuration file to use: the one given, else ``$COMPENSATOR_CONFIG``, else ./config.yaml."""
    environ = os.environ if environ is None else environ
    if path:
        return Path(path)
    return Path(environ.get("COMPENSATOR_CONFIG") or DEFAULT_CONFIG_PATH)


def load_settings(path: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None) -> Settings:
    """Read, parse and validate a configuration file."""
    environ = os.environ if environ is None else environ
    config_path = resolve_config_path(path, environ)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"config file not found: {config_path}"]) from None
    except OSError as error:
        raise ConfigError([f"config file cannot be read: {config_path}: {error.strerror}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError([f"{config_path}: {problem}{where}"]) from None
    return parse_settings(data, environ=environ, source=str(config_path))

