"""``compensator simulate``: replay a scenario through the real engine and report the outcome.

The scenario's events run in order through the same service functions the dashboard calls,
on a throw-away SQLite database and a fake clock set to each event's time (venue local time).
It is the policy's what-if tool and the acceptance test of SPEC's worked examples. A mistake in
the scenario is reported in one line naming the event; no traceback is ever shown.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from compensator.clock import FakeClock
from compensator.config import ConfigError, parse_settings
from compensator.domain.kinds import SessionMode, SessionState
from compensator.errors import DomainError
from compensator.runtime import Compensator
from compensator.services.outages import approvals
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.settings import Settings
from compensator.store.database import UnitOfWork

ACTOR = "simulate"
# Sections of config.yaml a scenario may replace wholesale; ``policy`` is merged key by key.
REPLACEABLE_SECTIONS = ("venue", "zones", "seats")


class ScenarioError(Exception):
    """A mistake in a scenario file, named in one line."""


@dataclass
class Replay:
    """The state of a replay: the engine and the scenario's names for what it created."""

    runtime: Compensator
    clock: FakeClock
    sessions: dict[str, int] = field(default_factory=dict)
    outages: dict[str, int] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        """The settings the replay runs with."""
        return self.runtime.settings


def _read_yaml(path: Path, what: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{what} not found: {path}") from None
    except OSError as error:
        raise ScenarioError(f"{what} cannot be read: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{path}: not valid YAML{where}") from None


def scenario_settings(scenario: Mapping[str, Any], config: Mapping[str, Any] | None) -> Settings:
    """The settings to replay with: the config file's, with the scenario's sections laid over them."""
    data: dict[str, Any] = copy.deepcopy(dict(config or {}))
    for section in REPLACEABLE_SECTIONS:
        if section in scenario:
            data[section] = copy.deepcopy(scenario[section])
    overrides = scenario.get("policy")
    if overrides is not None:
        if not isinstance(overrides, Mapping):
            raise ScenarioError("policy: must be a mapping of policy settings")
        data["policy"] = {**(data.get("policy") or {}), **overrides}
    data["database"] = {"url": "sqlite://"}
    try:
        return parse_settings(data, environ={}, source="scenario")
    except ConfigError as error:
        raise ScenarioError("; ".join(error.problems)) from None


def _local(replay: Replay, value: object, where: str) -> datetime:
    return _local_time(replay.settings.venue.tz, value, where)


def _local_time(timezone: ZoneInfo, value: object, where: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ScenarioError(f"{where}: {value!r} is not a date and time like 2026-11-22T14:00") from None
    else:
        raise ScenarioError(f"{where}: a date and time like 2026-11-22T14:00 is required")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone)
    return moment


def _text_local(replay: Replay, moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(replay.settings.venue.tz).strftime("%Y-%m-%dT%H:%M")


def _name(arguments: Mapping[str, Any], key: str, where: str) -> str:
    value = arguments.get(key)
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value).strip() == "":
        raise ScenarioError(f"{where}: {key} is required")
    return str(value)


def _known(table: dict[str, int], name: str, what: str, where: str) -> int:
    if name not in table:
        raise ScenarioError(f"{where}: unknown {what} {name!r}")
    return table[name]


def _only(arguments: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(arguments) - allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(sorted(allowed))})")


def _start_session(replay: Replay, uow: UnitOfWork, args: Mapping[str, Any], where: str) -> None:
    _only(args, {"id", "seat", "minutes", "postpaid", "customer_name", "language"}, where)
    name = _name(args, "id", where)
    if name in replay.sessions:
        raise ScenarioError(f"{where}: session {name!r} already exists")
    view = sessions.start_session(uow, seat_id=args.get("seat"), minutes=args.get("minutes"),
                                  postpaid=args.get("postpaid", False), customer_name=args.get("customer_name"),
                                  language=args.get("language"), actor=ACTOR)
    replay.sessions[name] = view.id


def _session_action(action: Callable[..., object], allowed: set[str], **mapping: str) -> Callable[..., None]:
    def run(replay: Replay, uow: UnitOfWork, args: Mapping[str, Any], where: str) -> None:
        _only(args, allowed, where)
        session_id = _known(replay.sessions, _name(args, "id", where), "session", where)
        action(uow, session_id, actor=ACTOR, **{keyword: args.get(key) for keyword, key in mapping.items()})
    return run


def _start_outage(replay: Replay, uow: UnitOfWork, args: Mapping[str, Any], where: str) -> None:
    _only(args, {"id", "kind", "zones", "seats", "started_at", "source", "note"}, where)
    name = _name(args, "id", where)
    if name in replay.outages:
        raise ScenarioError(f"{where}: outage {name!r} already exists")
    started_at = _local(replay, args["started_at"], where) if args.get("started_at") is not None else None
    view = outages.start_outage(uow, kind=args.get("kind", "power"), zones=args.get("zones"),
                                seats=args.get("seats"), started_at=started_at, source=args.get("source", "manual"),
                                note=args.get("note"), actor=ACTOR)
    replay.outages[name] = view.id


def _end_outage(replay: Replay, uow: UnitOfWork, args: Mapping[str, Any], where: str) -> None:
    _only(args, {"id", "ended_at"}, where)
    outage_id = _known(replay.outages, _name(args, "id", where), "outage", where)
    ended_at = _local(replay, args["ended_at"], where) if args.get("ended_at") is not None else None
    outages.end_outage(uow, outage_id, ended_at=ended_at, actor=ACTOR)


def _correct_outage(replay: Replay, uow: UnitOfWork, args: Mapping[str, Any], where: str) -> None:
    _only(args, {"id", "started_at", "ended_at", "reason"}, where)
    outage_id = _known(replay.outages, _name(args, "id", where), "outage", where)
    started_at = _local(replay, args["started_at"], where) if args.get("started_at") is not None else None
    ended_at = _local(replay, args["ended_at"], where) if args.get("ended_at") is not None else None
    outages.correct_outage(uow, outage_id, started_at=started_at, ended_at=ended_at,
                           reason=args.get("reason", "corrected in a simulation"), actor=ACTOR)


def _outage_action(action: Callable[..., object]) -> Callable[..., None]:
    def run(replay: Replay, uow: UnitOfWork, args: Mapping[str, Any], where: str) -> None:
        _only(args, {"id"}, where)
        action(uow, _known(replay.outages, _name(args, "id", where), "outage", where), actor=ACTOR)
    return run


def _approve(replay: Replay, uow: UnitOfWork, args: Mapping[str, Any], where: str) -> None:
    _only(args, {"outage", "session"}, where)
    outage_id = _known(replay.outages, _name(args, "outage", where), "outage", where)
    session_id = _known(replay.sessions, _name(args, "session", where), "session", where)
    view = outage_views.get_outage(uow, outage_id)
    match = [item for item in view.compensations if item.session_id == session_id]
    if not match:
        raise ScenarioError(f"{where}: outage {args['outage']!r} has no compensation for session {args['session']!r}")
    approvals.approve_compensation(uow, match[0].id, actor=ACTOR)


ACTIONS: dict[str, Callable[[Replay, UnitOfWork, Mapping[str, Any], str], None]] = {
    "start_session": _start_session,
    "extend_session": _session_action(sessions.extend_session, {"id", "minutes"}, minutes="minutes"),
    "pause_session": _session_action(sessions.pause_session, {"id"}),
    "resume_session": _session_action(sessions.resume_session, {"id"}),
    "move_session": _session_action(sessions.move_session, {"id", "seat"}, seat_id="seat"),
    "end_session": _session_action(sessions.end_session, {"id"}),
    "start_outage": _start_outage,
    "end_outage": _end_outage,
    "correct_outage": _correct_outage,
    "confirm_outage": _outage_action(outages.confirm_outage),
    "dismiss_outage": _outage_action(outages.dismiss_outage),
    "approve_compensation": _approve,
}


def _events(scenario: Mapping[str, Any]) -> list[Any]:
    events = scenario.get("events")
    if not isinstance(events, list) or not events:
        raise ScenarioError("events: a non-empty list of events is required")
    return events


def _parse_event(replay: Replay, index: int, event: object) -> tuple[datetime, str, Mapping[str, Any], str]:
    where = f"events[{index}]"
    if not isinstance(event, Mapping):
        raise ScenarioError(f"{where}: each event is a mapping with 'at' and one action")
    actions = [key for key in event if key != "at"]
    if len(actions) != 1:
        raise ScenarioError(f"{where}: exactly one action is needed besides 'at', found {len(actions)}")
    action = str(actions[0])
    where = f"events[{index}] ({action})"
    if action not in ACTIONS:
        raise ScenarioError(f"{where}: unknown action; known actions are {', '.join(ACTIONS)}")
    if "at" not in event:
        raise ScenarioError(f"{where}: 'at' is required")
    arguments = event[action]
    if not isinstance(arguments, Mapping):
        raise ScenarioError(f"{where}: the action's arguments must be a mapping")
    return _local(replay, event["at"], where), action, arguments, where


def replay_scenario(scenario: object, config: Mapping[str, Any] | None, directory: Path) -> dict[str, Any]:
    """Replay ``scenario`` and return the JSON-ready result (compensations and sessions)."""
    if not isinstance(scenario, Mapping):
        raise ScenarioError("a scenario is a mapping with an 'events' list")
    unknown = sorted(set(scenario) - {"events", "policy", *REPLACEABLE_SECTIONS})
    if unknown:
        raise ScenarioError(f"{unknown[0]}: unknown key (expected events, policy, venue, zones, seats)")
    settings = scenario_settings(scenario, config)
    events = _events(scenario)
    database_url = f"sqlite:///{(directory / 'simulate.db').as_posix()}"
    first = events[0].get("at") if isinstance(events[0], Mapping) else None
    if first is None:
        raise ScenarioError("events[0]: 'at' is required")
    start = _local_time(settings.venue.tz, first, "events[0]")
    clock = FakeClock(start)
    runtime = Compensator.open(settings, clock=clock, database_url=database_url)
    replay = Replay(runtime, clock)
    try:
        previous = start
        for index, event in enumerate(events):
            moment, action, arguments, where = _parse_event(replay, index, event)
            if moment < previous:
                raise ScenarioError(f"{where}: {_text_local(replay, moment)} is before the previous event")
            previous = moment
            clock.set(moment)
            try:
                with runtime.unit_of_work() as uow:
                    ACTIONS[action](replay, uow, arguments, where)
            except DomainError as error:
                raise ScenarioError(f"{where}: {error.message}") from None
        return _result(replay)
    finally:
        runtime.close()


def _result(replay: Replay) -> dict[str, Any]:
    session_names = {session_id: name for name, session_id in replay.sessions.items()}
    outage_names = {outage_id: name for name, outage_id in replay.outages.items()}
    compensations: list[dict[str, Any]] = []
    session_rows: list[dict[str, Any]] = []
    with replay.runtime.unit_of_work() as uow:
        for outage in outage_views.list_outages(uow):
            for item in outage.compensations:
                compensations.append({
                    "outage": outage_names.get(item.outage_id, str(item.outage_id)),
                    "session": session_names.get(item.session_id, str(item.session_id)),
                    **{name: value for name, value in item.current.columns().items()
                       if name not in ("dark_start", "dark_end", "opened_stretch")},
                    "form": item.current.form.value,
                    "granted_minutes": item.granted_minutes,
                    "waived_minutes": item.waived_minutes,
                    "status": item.status.value,
                    "voucher_codes": list(item.voucher_codes),
                    "policy": item.policy_fingerprint,
                    "explanation": item.explanation,
                    "adjustments": [adjustment.explanation for adjustment in item.adjustments],
                })
        for name, session_id in replay.sessions.items():
            view = session_views.get_session(uow, session_id)
            ended_postpaid = view.mode is SessionMode.POSTPAID and view.state is SessionState.ENDED
            session_rows.append({
                "id": name,
                "seat": view.seat_id,
                "mode": view.mode.value,
                "state": view.state.value,
                "paid_end": _text_local(replay, view.paid_end) if view.mode is SessionMode.PREPAID else None,
                "remaining_minutes": view.remaining_minutes if view.mode is SessionMode.PREPAID else None,
                "billed_minutes": view.billed_minutes if ended_postpaid else None,
                "entries": [{"kind": entry.kind.value, "minutes": entry.minutes} for entry in view.entries],
            })
    return {"compensations": compensations, "sessions": session_rows}


def simulate_file(scenario_path: Path, config: Mapping[str, Any] | None) -> dict[str, Any]:
    """Read a scenario file and replay it on a database in a temporary directory."""
    scenario = _read_yaml(scenario_path, "scenario file")
    with tempfile.TemporaryDirectory(prefix="compensator-simulate-") as directory:
        return replay_scenario(scenario, config, Path(directory))
