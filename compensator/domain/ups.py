"""What a UPS's readings mean for the mains it watches: debounce, flap merge, back-dating, lost contact.

A pure state machine (SPEC §4, *UPS*). It is fed readings of ``ups.status`` as they come (from
a poll of ``upsd``, or from a ``upsmon`` webhook event) and the passing of time, and answers with
its next state and the decisions that follow: open an outage back-dated to the first reading
on battery, end it back-dated to the first reading on mains that lasted, or just a change of
what the dashboard shows. It holds no outage id and touches no database: the service layer
persists the state and carries the decisions out.

The rules:

- *Debounce*: an outage opens once the time on battery has reached ``debounce_seconds``; a
  shorter blip opens nothing. A spell on battery lasts from its first reading on battery to the
  first reading that is not (on mains, or the first unanswered one when a silence ends on mains).
- *Flapping*: mains back for less than ``merge_seconds`` and off again is a *flap*: it neither
  ends an outage nor restarts the debounce. Before the outage opens, the spells on battery
  separated by such short returns add up, so mains off 12 s and on 2 s over and over open one
  outage once the spells reach the debounce, back-dated to the first reading on battery; mains
  back for ``merge_seconds`` before that forget the spells. The outage counts its flaps (those
  before it opened and those during it) and ends once mains have lasted ``merge_seconds``,
  back-dated to when they came back. A return is measured as a spell is: from its first
  reading on mains to the next on battery, so a late reading on battery (a webhook event after
  a long quiet) still finds that mains had lasted.
- *Lost contact*: while ``upsd`` does not answer nothing is opened or ended. A silence between
  two readings of the same status does not break that status's run: the likeliest story is
  that it held throughout, and the next answer decides.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Reading(StrEnum):
    """One reading of a UPS: mains on, mains off, or no usable answer from its monitor."""

    ONLINE = "online"
    ON_BATTERY = "on_battery"
    NO_ANSWER = "no_answer"


class UpsDisplay(StrEnum):
    """What a UPS shows on the dashboard and in ``GET /sources``."""

    ONLINE = "online"
    ON_BATTERY = "on_battery"
    NOT_ANSWERING = "not_answering"
    UNKNOWN = "unknown"


def reading_of_status(status: str | None) -> Reading:
    """The reading a NUT ``ups.status`` value stands for (``"OB DISCHRG"`` is on battery).

    ``OB`` wins over ``OL`` should a driver ever send both. A status with neither (``WAIT``
    while the driver starts, ``OFF``, nothing at all) tells nothing about the mains.
    """
    flags = (status or "").upper().split()
    if "OB" in flags:
        return Reading.ON_BATTERY
    if "OL" in flags:
        return Reading.ONLINE
    return Reading.NO_ANSWER


def battery_low(status: str | None) -> bool:
    """Whether a NUT ``ups.status`` says the battery is about to give out: ``LB`` (low battery) or ``FSD``
    (forced shutdown). The seats it feeds go dark then, whatever its rating (SPEC section 3, rule 1 amended)."""
    flags = (status or "").upper().split()
    return "LB" in flags or "FSD" in flags


@dataclass(frozen=True, slots=True)
class Timing:
    """How long a status must last before it counts."""

    debounce: timedelta
    merge: timedelta


@dataclass(frozen=True, slots=True)
class UpsState:
    """Everything the machine remembers about one UPS between readings."""

    # The last status read (None before the first answer) and since when it has held.
    mains: Reading | None = None
    mains_since: datetime | None = None
    answering: bool = True
    silent_since: datetime | None = None
    # The first reading on battery not yet turned into an outage, and the first reading on mains
    # not yet turned into the outage's end (or, before it opens, into forgetting its spells).
    off_since: datetime | None = None
    on_since: datetime | None = None
    # Before the outage opens: the time on battery of the spells already over since ``off_since``,
    # and the short returns of mains between them.
    battery: timedelta = timedelta(0)
    flaps: int = 0
    in_outage: bool = False
    changed_at: datetime | None = None
    read_at: datetime | None = None

    @property
    def display(self) -> UpsDisplay:
        """What the dashboard shows for this UPS."""
        if not self.answering:
            return UpsDisplay.NOT_ANSWERING
        if self.mains is None:
            return UpsDisplay.UNKNOWN
        return UpsDisplay.ON_BATTERY if self.mains is Reading.ON_BATTERY else UpsDisplay.ONLINE

    @property
    def since(self) -> datetime | None:
        """When what the dashboard shows began: the status's first reading, or the start of a silence."""
        return self.mains_since if self.answering else self.silent_since


@dataclass(frozen=True, slots=True)
class OpenOutage:
    """Mains have been off long enough: open an outage starting at ``started_at``, flapped ``flaps`` times so far."""

    started_at: datetime
    flaps: int = 0


@dataclass(frozen=True, slots=True)
class EndOutage:
    """Mains have been back long enough: end the outage at ``ended_at``."""

    ended_at: datetime


@dataclass(frozen=True, slots=True)
class Flapped:
    """Mains came back for less than the merge and went off again at ``at``, during an open outage."""

    at: datetime


@dataclass(frozen=True, slots=True)
class DisplayChanged:
    """What the dashboard shows for the UPS changed (one log line each)."""

    before: UpsDisplay
    after: UpsDisplay
    at: datetime


Decision = OpenOutage | EndOutage | Flapped | DisplayChanged


@dataclass(frozen=True, slots=True)
class Step:
    """The machine's state after a reading or the passing of time, and what to do about it."""

    state: UpsState
    decisions: tuple[Decision, ...] = ()


def observe(state: UpsState, reading: Reading, at: datetime, timing: Timing) -> Step:
    """Take one reading made at ``at``; a reading older than the last one is ignored."""
    if state.read_at is not None and at < state.read_at:
        return Step(state)
    if reading is Reading.NO_ANSWER:
        silent = state if not state.answering else replace(state, answering=False, silent_since=at)
        return _with_display_change(state, replace(silent, read_at=at), at, ())
    changed = replace(state, answering=True, silent_since=None, read_at=at)
    if reading is not state.mains:
        changed = replace(changed, mains=reading, mains_since=at)
    extra: tuple[Decision, ...] = ()
    if reading is Reading.ON_BATTERY:
        if state.on_since is not None and _heard_until(state, at) - state.on_since >= timing.merge:
            # Mains were back the merge or longer, from their first reading to this one (or to
            # the silence before it): that return lasted, though no reading on mains said so.
            changed, extra = _mains_lasted(changed)
        flapped = changed.on_since is not None
        changed = replace(changed, on_since=None)
        if changed.in_outage:
            extra = (*extra, Flapped(at)) if flapped else extra
        elif changed.off_since is None:
            changed = replace(changed, off_since=at, battery=timedelta(0), flaps=0)
        elif flapped:
            changed = replace(changed, flaps=changed.flaps + 1)
    else:
        if state.off_since is not None and state.mains is Reading.ON_BATTERY and state.mains_since is not None:
            # The spell on battery ends here, or where the monitor fell silent if it did.
            spell = _heard_until(state, at) - state.mains_since
            changed = replace(changed, battery=state.battery + max(spell, timedelta(0)))
        if state.in_outage or state.off_since is not None:
            changed = replace(changed, on_since=state.on_since or at)
    step = _decide(state, changed, at, timing)
    return replace(step, decisions=(*extra, *step.decisions)) if extra else step


def elapse(state: UpsState, at: datetime, timing: Timing) -> Step:
    """Let time pass to ``at`` with no news: the last status reported still holds.

    This is how events pushed by ``upsmon`` are debounced, as it reports changes only; a
    monitor that does not answer still decides nothing.
    """
    if state.read_at is not None and at < state.read_at:
        return Step(state)
    return _decide(state, state, at, timing)


def _decide(before: UpsState, state: UpsState, at: datetime, timing: Timing) -> Step:
    decisions: list[Decision] = []
    if state.answering and state.off_since is not None and _on_battery(state, at) >= timing.debounce:
        decisions.append(OpenOutage(state.off_since, state.flaps))
        state = replace(state, in_outage=True, off_since=None, battery=timedelta(0), flaps=0)
    elif state.answering and state.on_since is not None and at - state.on_since >= timing.merge:
        state, ended = _mains_lasted(state)
        decisions.extend(ended)
    return _with_display_change(before, state, at, tuple(decisions))


def _heard_until(state: UpsState, at: datetime) -> datetime:
    """Until when the last status read is known to have held: ``at``, or the start of a silence before it."""
    return at if state.answering or state.silent_since is None else state.silent_since


def _mains_lasted(state: UpsState) -> tuple[UpsState, tuple[Decision, ...]]:
    """Mains back since ``on_since`` lasted the merge: the outage ends then (or its spells are forgotten)."""
    assert state.on_since is not None
    ended = (EndOutage(state.on_since),) if state.in_outage else ()
    return replace(state, in_outage=False, on_since=None, off_since=None, battery=timedelta(0), flaps=0), ended


def _on_battery(state: UpsState, at: datetime) -> timedelta:
    """The time on battery since ``off_since``: the spells over, and the one going on until ``at``."""
    going_on = state.mains is Reading.ON_BATTERY and state.mains_since is not None and state.on_since is None
    return state.battery + (at - state.mains_since if going_on and state.mains_since is not None else timedelta(0))


def _with_display_change(before: UpsState, after: UpsState, at: datetime, decisions: tuple[Decision, ...]) -> Step:
    if before.display is after.display:
        return Step(after, decisions)
    return Step(replace(after, changed_at=at), (DisplayChanged(before.display, after.display, at), *decisions))
