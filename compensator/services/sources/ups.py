"""UPS use cases: take a reading or a ``upsmon`` event, let reported time pass, show each UPS's state.

The poller of each UPS (``compensator.adapters.nut``), the webhook and the scheduler's job all come
here. Each call locks the UPS's persisted state, feeds the pure machine of
``compensator.domain.ups`` and carries out what it decides with the same services as the
*Power cut* and *Power back* buttons: ``outages.start_outage`` (source ``ups``, the UPS's zones,
back-dated to the first reading on battery) and ``outages.end_outage`` (back-dated to when mains
came back). The outage is found again by its kind and scope, so a UPS outage and a click for the
same scope are one outage, whichever came first. One log line per change of state, none per poll.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select

from compensator.domain.equipment import UpsStatus
from compensator.domain.kinds import DarkBasis, OutageKind, OutageSource, OutageStatus, ScopeKind
from compensator.domain.ups import (
    DisplayChanged,
    EndOutage,
    Flapped,
    OpenOutage,
    Reading,
    Step,
    Timing,
    UpsDisplay,
    UpsState,
    elapse,
    observe,
)
from compensator.errors import InvalidInput, NotFound
from compensator.services.outages import use_cases as outages
from compensator.services.outages.scopes import scope_key, scope_seats
from compensator.services.outages.views import OutageView
from compensator.services.sources import equipment
from compensator.services.sources.evidence import claim
from compensator.settings import UpsSettings
from compensator.store.database import UnitOfWork, insert_unless_present
from compensator.store.models import Outage
from compensator.store.operations import UpsStateRecord

log = logging.getLogger(__name__)

# What a upsmon NOTIFYCMD reports (its NOTIFYTYPE) and the reading it stands for.
EVENT_READINGS = {"ONBATT": Reading.ON_BATTERY, "ONLINE": Reading.ONLINE}
# The events that say the battery is about to give out: low battery, forced shutdown.
BATTERY_EVENTS = ("LOWBATT", "FSD")
# NUT says the battery needs replacing: kept in the equipment record, nothing else.
REPLACE_EVENT = "REPLBATT"
# The status each event stands for in the equipment record: what it says, and no more.
EVENT_STATUSES = {"ONBATT": "OB", "ONLINE": "OL", "LOWBATT": "LB", "FSD": "FSD", REPLACE_EVENT: "RB"}
STATE_FIELDS = ("mains_since", "answering", "silent_since", "off_since", "on_since", "in_outage", "changed_at",
                "read_at", "flaps")
DISPLAY_WORDS = {UpsDisplay.ONLINE: "on mains", UpsDisplay.ON_BATTERY: "on battery",
                 UpsDisplay.NOT_ANSWERING: "monitor not answering", UpsDisplay.UNKNOWN: "not heard from yet"}


@dataclass(frozen=True, slots=True)
class UpsView:
    """One UPS as the dashboard and ``GET /sources`` show it."""

    name: str
    display: UpsDisplay
    since: datetime | None
    last_change: datetime | None
    mains: Reading | None
    zones: tuple[str, ...] | None
    in_outage: bool
    polled: bool


@dataclass(frozen=True, slots=True)
class UpsOutcome:
    """A UPS after a reading, with the outage opened or ended because of it, if any."""

    ups: UpsView
    opened: OutageView | None = None
    ended: OutageView | None = None


def require_ups(uow: UnitOfWork, name: object) -> UpsSettings:
    """The configured UPS called ``name``; an unknown one is refused."""
    found = uow.settings.ups_by_name.get(name) if isinstance(name, str) else None
    if found is None:
        raise NotFound(f"unknown UPS {name!r}", field="name")
    return found


def record_reading(uow: UnitOfWork, name: str, reading: Reading, *, at: datetime | None = None,
                   low_battery: bool = False, status: UpsStatus | None = None,
                   source: str = equipment.FROM_NUT) -> UpsOutcome:
    """Take one reading of UPS ``name`` made at ``at`` (now by default) and act on it.

    ``low_battery`` when its status said ``LB`` or ``FSD``: its seats go dark then (``note_low_battery``).
    ``status``, the status read with the battery's figures, goes to the equipment record when it
    is a change (``equipment.record_status``), committed with the reading's effect.
    """
    ups = require_ups(uow, name)
    moment = at or uow.now()
    state = _lock_state(uow, ups.name)
    if status is not None and equipment.record_status(uow, ups.name, status, moment, source):
        log.info("UPS %s: status %s", ups.name, equipment.normalised(status.status))
    outcome = _carry_out(uow, ups, observe(state, reading, moment, _timing(ups)))
    if low_battery or (status is not None and status.battery_low):
        note_low_battery(uow, ups, moment)
    return outcome


def note_low_battery(uow: UnitOfWork, ups: UpsSettings, at: datetime) -> None:
    """The UPS's battery is about to give out during its power outage: its seats' evidence of going dark at ``at``.

    The first ``LB`` or ``FSD`` of an outage counts for each seat (``evidence.claim``); the
    policy uses it when the seat's own PC says nothing stronger.
    """
    outage = _open_outage(uow, ups)
    if outage is None:
        return
    for seat_id in sorted(scope_seats(uow, outage.scope_kind, list(outage.scope_ids))):
        claim(uow, outage, seat_id, DarkBasis.UPS_BATTERY, max(at, outage.started_at), actor=_actor(ups))
    uow.commit()


def report_event(uow: UnitOfWork, name: object, event: object) -> UpsOutcome:
    """A upsmon elsewhere reports the mains off (``ONBATT``) or back (``ONLINE``) for UPS ``name``."""
    ups = require_ups(uow, name)
    if event in BATTERY_EVENTS or event == REPLACE_EVENT:
        # No reading of the mains: the status it stands for goes to the equipment record alone.
        state = _lock_state(uow, ups.name)
        equipment.record_status(uow, ups.name, UpsStatus(EVENT_STATUSES[str(event)]), uow.now(),
                                equipment.FROM_WEBHOOK)
        if event in BATTERY_EVENTS:
            note_low_battery(uow, ups, uow.now())
        uow.commit()
        return UpsOutcome(_view(ups, state))
    reading = EVENT_READINGS.get(event) if isinstance(event, str) else None
    if reading is None:
        raise InvalidInput(f"event must be {', '.join(EVENT_READINGS)}, {' or '.join(BATTERY_EVENTS)} "
                           f"or {REPLACE_EVENT}", field="event")
    return record_reading(uow, ups.name, reading, status=UpsStatus(EVENT_STATUSES[str(event)]),
                          source=equipment.FROM_WEBHOOK)


def evaluate_reported(uow: UnitOfWork, name: str) -> UpsOutcome:
    """Let time pass for a UPS that reports by webhook: an ``ONBATT`` that has lasted opens its outage."""
    ups = require_ups(uow, name)
    state = _lock_state(uow, ups.name)
    return _carry_out(uow, ups, elapse(state, uow.now(), _timing(ups)))


def ups_views(uow: UnitOfWork) -> list[UpsView]:
    """Every configured UPS in the order of the configuration, with its last known state."""
    rows = {row.name: row for row in uow.db.scalars(select(UpsStateRecord))}
    return [_view(ups, _state_of(rows.get(ups.name))) for ups in uow.settings.ups]


def describe(view: UpsView) -> str:
    """The UPS's state in words, as the log and the dashboard say it."""
    return DISPLAY_WORDS[view.display]


def _timing(ups: UpsSettings) -> Timing:
    return Timing(timedelta(seconds=ups.debounce_seconds), timedelta(seconds=ups.merge_seconds))


def _lock_state(uow: UnitOfWork, name: str) -> UpsState:
    # Two counters may poll the same UPS: the row is created once and each reading waits its turn.
    insert_unless_present(uow.db, UpsStateRecord.__table__, {"name": name, "answering": True, "in_outage": False})
    row = uow.db.scalar(select(UpsStateRecord).where(UpsStateRecord.name == name).with_for_update())
    assert row is not None
    return _state_of(row)


def _state_of(row: UpsStateRecord | None) -> UpsState:
    if row is None:
        return UpsState()
    return UpsState(mains=Reading(row.mains) if row.mains else None, battery=timedelta(seconds=row.battery_seconds),
                    **{name: getattr(row, name) for name in STATE_FIELDS})


def _view(ups: UpsSettings, state: UpsState) -> UpsView:
    return UpsView(ups.name, state.display, state.since, state.changed_at, state.mains, ups.zones, state.in_outage,
                   ups.poll)


def _carry_out(uow: UnitOfWork, ups: UpsSettings, step: Step) -> UpsOutcome:
    row = uow.db.get(UpsStateRecord, ups.name)
    assert row is not None
    row.mains = step.state.mains.value if step.state.mains else None
    row.battery_seconds = step.state.battery.total_seconds()
    for name in STATE_FIELDS:
        setattr(row, name, getattr(step.state, name))
    opened = ended = None
    # The state and the outage it opens or ends are committed together, once.
    with uow.commit_held():
        for decision in step.decisions:
            if isinstance(decision, DisplayChanged):
                log.info("UPS %s: %s -> %s", ups.name, DISPLAY_WORDS[decision.before], DISPLAY_WORDS[decision.after])
            elif isinstance(decision, OpenOutage):
                opened = _open(uow, ups, decision)
            elif isinstance(decision, Flapped):
                _flapped(uow, ups, decision)
            elif isinstance(decision, EndOutage):
                ended = _end(uow, ups, decision)
    uow.commit()
    return UpsOutcome(_view(ups, step.state), opened, ended)


def _actor(ups: UpsSettings) -> str:
    return f"ups:{ups.name}"


def _open(uow: UnitOfWork, ups: UpsSettings, decision: OpenOutage) -> OutageView:
    outage = outages.start_outage(uow, zones=list(ups.zones) if ups.zones else None, started_at=decision.started_at,
                                  source=OutageSource.UPS, note=f"mains off: UPS {ups.name} on battery",
                                  actor=_actor(ups))
    flapped = ""
    if decision.flaps:
        # The short returns of mains before it opened are its flaps too.
        row = _open_outage(uow, ups)
        if row is not None:
            row.flaps += decision.flaps
            outage = replace(outage, flaps=row.flaps)
            flapped = f", mains back and off again {decision.flaps} times meanwhile"
    log.info("UPS %s: power outage %d %s, from %s%s", ups.name, outage.id,
             "opened" if outage.created else "already open", decision.started_at.isoformat(), flapped)
    return outage


def _flapped(uow: UnitOfWork, ups: UpsSettings, _: Flapped) -> None:
    outage = _open_outage(uow, ups)
    if outage is None:
        # Someone pressed Power back meanwhile: there is no outage left to count the flap in.
        return
    # No line of its own: the log already says "on mains -> on battery"; the report counts them.
    outage.flaps += 1


def _open_outage(uow: UnitOfWork, ups: UpsSettings) -> Outage | None:
    """The open power outage of the UPS's scope, whoever opened it."""
    key = scope_key(ScopeKind.ZONES, list(ups.zones)) if ups.zones else scope_key(ScopeKind.VENUE, [])
    return uow.db.scalar(select(Outage).where(
        Outage.kind == OutageKind.POWER, Outage.scope_key == key,
        Outage.status.in_((OutageStatus.ONGOING, OutageStatus.SUSPECTED))))


def _end(uow: UnitOfWork, ups: UpsSettings, decision: EndOutage) -> OutageView | None:
    outage = _open_outage(uow, ups)
    if outage is None:
        # Someone pressed Power back already: the outage ended then, and that stands.
        log.info("UPS %s: mains back since %s; no outage left open", ups.name, decision.ended_at.isoformat())
        return None
    # A click may have opened it after mains came back for this UPS: it cannot end before it began.
    ended_at = max(decision.ended_at, outage.started_at)
    view = outages.end_outage(uow, outage.id, ended_at=ended_at, actor=_actor(ups))
    log.info("UPS %s: power outage %d ended at %s", ups.name, view.id, ended_at.isoformat())
    return view
