"""The demo venue behind ``compensator demo`` and ``make run``: live data in a database of its own.

It has sessions running, one past power cut with its compensations and notices, an attendant
``ada`` (PIN 1234) and a manager ``bola`` (PIN 4321).

The demo lives in one folder (``compensator-demo`` in the current directory unless told): its
SQLite database ``demo.db`` and a ``config.yaml`` naming that database, so that every CLI
command reaches the demo's data with ``compensator --config FOLDER/config.yaml ...``. The folder
is kept: the next start serves the same data (``--fresh`` seeds a new demo).

The demo replays an afternoon through the real service layer on a fake clock that starts in the
past, then hands over to the system clock, so that what the dashboard shows was made by the
same code a real venue runs.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import timedelta
from pathlib import Path

from compensator.clock import FakeClock, SystemClock
from compensator.config import load_settings, parse_settings, resolve_config_path
from compensator.runtime import Compensator
from compensator.services.outages import use_cases as outages
from compensator.services.people.accounts import add_attendant
from compensator.services.sessions import use_cases as sessions
from compensator.settings import DatabaseSettings, Settings

DEMO_ACTOR = "demo"
DEMO_VENUE = {
    "venue": {
        "name": "Bright Star Cyber Café (demo)",
        "timezone": "Africa/Lagos",
        "currency": "NGN",
        "languages": ["en", "fr", "pcm"],
        "closing_time": "22:00",
    },
    "zones": [
        {"id": "standard", "name": "Standard", "price_minor_per_hour": 30000, "ups_minutes": 10},
        {"id": "gaming", "name": "Gaming", "price_minor_per_hour": 60000, "ups_minutes": 0},
    ],
    "seats": [{"id": "A1-A12", "zone": "standard"}, {"id": "G1-G6", "zone": "gaming"}],
}
DEMO_PINS = {"ada": ("attendant", "1234"), "bola": ("manager", "4321")}


DATABASE_FILE = "demo.db"
CONFIG_FILE = "config.yaml"
CONFIG_HEADER = ("# Written by `compensator demo` at each start: the demo venue and its database in this folder.\n"
                 "# Any command reaches the demo's data with: compensator --config THIS_FILE COMMAND ...\n")


def demo_settings(directory: Path, config_path: str | None = None) -> Settings:
    """The configured venue if there is a config file, else the built-in one; always the demo's own database."""
    path = resolve_config_path(config_path)
    settings = load_settings(path) if path.exists() else parse_settings(DEMO_VENUE, environ={})
    url = f"sqlite:///{(directory.resolve() / DATABASE_FILE).as_posix()}"
    return dataclasses.replace(settings, database=DatabaseSettings(url=url))


def write_demo_config(directory: Path, config_path: str | None = None) -> Path:
    """Write the demo's ``config.yaml``: the configured venue (or the built-in one) with the demo's database."""
    import yaml

    path = resolve_config_path(config_path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else copy.deepcopy(DEMO_VENUE)
    raw["database"] = {"url": demo_settings(directory, config_path).database.url}
    target = directory / CONFIG_FILE
    target.write_text(CONFIG_HEADER + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def open_demo(directory: Path, *, config_path: str | None = None, fresh: bool = False) -> tuple[Compensator, bool]:
    """The demo in ``directory``: its kept database if there is one (and not ``fresh``), else a new one seeded.

    Returns the runtime and whether it was seeded now. ``FOLDER/config.yaml`` names the database
    either way (``compensator --config FOLDER/config.yaml ...`` reaches it).
    """
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / DATABASE_FILE
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            database.with_name(DATABASE_FILE + suffix).unlink(missing_ok=True)
    config = write_demo_config(directory, config_path)
    if database.exists():
        return Compensator.open(load_settings(config, environ={})), False
    return build_demo(directory, config_path=config_path), True


def build_demo(directory: Path, *, config_path: str | None = None) -> Compensator:
    """A runtime over a fresh demo database, seeded with people and running sessions."""
    settings = demo_settings(directory, config_path)
    system_clock = SystemClock()
    clock = FakeClock(system_clock.now() - timedelta(minutes=95))
    runtime = Compensator.open(settings, clock=clock)
    seats = [seat.id for seat in settings.seats]
    with runtime.unit_of_work() as uow:
        for name, (role, pin) in DEMO_PINS.items():
            add_attendant(uow, name=name, role=role, pin=pin, actor=DEMO_ACTOR)
    # (minutes after the start of the replay, what happens)
    plan: list[tuple[int, str, int | None]] = [
        (0, "start", 120), (5, "start", 60), (12, "start", None), (20, "start", 180), (40, "start", 45),
        (55, "power cut", None), (71, "power back", None), (78, "start", 90), (85, "start", 60),
    ]
    previous = 0
    started = 0
    outage_id = 0
    for offset_minutes, action, minutes in plan:
        clock.advance(minutes=offset_minutes - previous)
        previous = offset_minutes
        with runtime.unit_of_work() as uow:
            if action == "power cut":
                outage_id = outages.start_outage(uow, note="generator took 16 minutes", actor=DEMO_ACTOR).id
            elif action == "power back":
                outages.end_outage(uow, outage_id, actor=DEMO_ACTOR)
            elif started < len(seats):
                sessions.start_session(uow, seat_id=seats[started], minutes=minutes, postpaid=minutes is None,
                                       actor=DEMO_ACTOR)
                started += 1
    runtime.clock = system_clock
    return runtime
