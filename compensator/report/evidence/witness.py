"""What recorded an outage, in sentences: the person who clicked, the UPS, the silent seats, the server's gap.

Every stored revision of an outage becomes one trace (who opened it, ended it, confirmed,
dismissed or corrected it, and when), worded after its actor: ``ups:NAME`` is the UPS reporting
through NUT or upsmon, ``heartbeats`` the seats' detector, ``server-gap`` the server itself, any
other actor a person or a program with a token. The heartbeat silences and the server's runs add
what those detectors saw, and the UPS's status changes kept during a UPS outage
(``ups_status_changes``) what the UPS itself said: ``OB DISCHRG`` at the start, ``LB`` when its
battery ran low, ``OL`` when mains came back, with its charge. Times are the venue's, to the
second, with their date.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from compensator.domain.kinds import RevisionAction
from compensator.report.equipment import duration
from compensator.report.evidence.data import Trace, TraceKind
from compensator.report.evidence.rows import GapRow, RevisionRow, SilenceRow
from compensator.services.sources.equipment import FROM_NUT, StatusChange

UPS_PREFIX = "ups:"
HEARTBEATS_ACTOR = "heartbeats"
SERVER_GAP_ACTOR = "server-gap"
# NUT's status flags in words; any other is shown as NUT gives it.
FLAG_WORDS = {"OL": "on mains", "OB": "on battery", "LB": "low battery", "RB": "replace battery",
              "FSD": "forced shutdown", "CHRG": "charging", "DISCHRG": "discharging"}


def stamp(moment: datetime | None, tz: ZoneInfo) -> str:
    """A moment as the venue's date and time to the second, or "still going on" for none."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if moment is not None else "still going on"


def kind_of(actor: str) -> TraceKind:
    """What kind of witness an actor is."""
    if actor.startswith(UPS_PREFIX):
        return TraceKind.UPS
    if actor == HEARTBEATS_ACTOR:
        return TraceKind.SEATS_SILENT
    if actor == SERVER_GAP_ACTOR:
        return TraceKind.SERVER_GAP
    return TraceKind.PERSON


def _revision_text(revision: RevisionRow, kind: TraceKind, tz: ZoneInfo, flaps: int) -> str:
    ups = revision.actor.removeprefix(UPS_PREFIX)
    action = revision.action
    if action is RevisionAction.START:
        if kind is TraceKind.UPS:
            return f"UPS {ups} reported mains off (on battery) from {stamp(revision.started_at, tz)}"
        if kind is TraceKind.SEATS_SILENT:
            return f"seats stopped answering from {stamp(revision.started_at, tz)}: suspected outage raised"
        if kind is TraceKind.SERVER_GAP:
            return (f"the server was not running from {stamp(revision.started_at, tz)} to "
                    f"{stamp(revision.ended_at, tz)}: suspected outage raised")
        return f"Power cut recorded by {revision.actor}, from {stamp(revision.started_at, tz)}"
    if action is RevisionAction.END:
        if kind is TraceKind.UPS:
            times = "once" if flaps == 1 else f"{flaps} times"
            returns = f"; mains came back briefly and went off again {times} before" if flaps else ""
            return f"UPS {ups} reported mains back from {stamp(revision.ended_at, tz)}{returns}"
        if kind is TraceKind.SEATS_SILENT:
            return f"the silent seats beat again from {stamp(revision.ended_at, tz)}"
        return f"Power back recorded by {revision.actor}, at {stamp(revision.ended_at, tz)}"
    if action is RevisionAction.CONFIRM:
        return f"confirmed by {revision.actor}"
    if action is RevisionAction.DISMISS:
        return f"dismissed by {revision.actor}" + (f": {revision.reason}" if revision.reason else " (no reason given)")
    return (f"times corrected by {revision.actor} to {stamp(revision.started_at, tz)} - "
            f"{stamp(revision.ended_at, tz)}: {revision.reason}")


def status_text(change: StatusChange) -> str:
    """A UPS's status change as a sentence: its flags in words, the battery's figures, how it was heard."""
    words = ", ".join(FLAG_WORDS.get(flag, flag) for flag in change.status.split())
    figures = [f"{label} {shown}" for label, shown in (
        ("battery", None if change.battery_charge is None else f"{change.battery_charge}%"),
        ("runtime", None if change.battery_runtime is None else duration(change.battery_runtime)),
        ("load", None if change.ups_load is None else f"{change.ups_load}%")) if shown is not None]
    heard = "read from NUT's upsd" if change.source == FROM_NUT else "reported by upsmon"
    return (f"UPS {change.ups} status {change.status} ({words})" + (f": {', '.join(figures)}" if figures else "")
            + f", {heard}")


def traces(revisions: list[RevisionRow], silences: list[SilenceRow], gap: GapRow | None, flaps: int,
           tz: ZoneInfo, changes: list[StatusChange] | None = None) -> tuple[Trace, ...]:
    """The outage's witnesses, in the order they were recorded (a UPS's status change before what it caused)."""
    found = [Trace(change.at, TraceKind.UPS, UPS_PREFIX + change.ups, status_text(change)) for change in changes or ()]
    for revision in revisions:
        kind = kind_of(revision.actor)
        found.append(Trace(revision.at, kind, revision.actor, _revision_text(revision, kind, tz, flaps)))
    for silence in silences:
        heard = ", ".join(f"{seat} {stamp(moment, tz)}" for seat, moment in silence.last_seen.items())
        back = f"; the first beat again at {stamp(silence.ended_at, tz)}" if silence.ended_at else ""
        found.append(Trace(silence.started_at, TraceKind.SEATS_SILENT, HEARTBEATS_ACTOR,
                           f"{len(silence.last_seen)} seats fell silent, last heard: {heard}{back}"))
    if gap is not None:
        before = (f"run {gap.previous_run_id} (started {stamp(gap.previous_started_at, tz)}) was last alive at "
                  f"{stamp(gap.last_alive_at, tz)}" if gap.previous_run_id is not None else "the run before is gone")
        found.append(Trace(gap.started_at, TraceKind.SERVER_GAP, SERVER_GAP_ACTOR,
                           f"server runs: {before}; run {gap.run_id} started at {stamp(gap.started_at, tz)}"))
    return tuple(sorted(found, key=lambda trace: trace.at))
