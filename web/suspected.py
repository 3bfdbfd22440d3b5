"""Suspected outages as the attendant reads them: one sentence each, with Confirm and Dismiss.

"Seats G1–G3 stopped answering at 14:18 — was it a power cut?" The banner partial
(``templates/_suspected.html``) shows these on the dashboard and the manager page, and the
board JSON carries them so that a banner appears without a reload.
"""

from __future__ import annotations

from datetime import datetime

from compensator.domain.kinds import OutageSource, OutageStatus, ScopeKind
from compensator.domain.silence import seat_ranges
from compensator.services.outage_views import OutageView
from compensator.timeofday import time_of_day
from web.context import runtime

# What confirming a suspected outage means, for the one-line question.
QUESTION = "was it a power cut?"


def _local(moment: datetime | None) -> str:
    venue = runtime().settings.venue
    return time_of_day(moment, venue.tz, venue.clock) if moment else ""


def _who(outage: OutageView) -> str:
    ids = list(outage.scope_ids)
    if outage.scope_kind is ScopeKind.VENUE:
        return "Every seat"
    if outage.scope_kind is ScopeKind.ZONES:
        names = [runtime().settings.zones_by_id[zone].name if zone in runtime().settings.zones_by_id else zone
                 for zone in ids]
        return ("Zone " if len(names) == 1 else "Zones ") + ", ".join(names)
    return ("Seat " if len(ids) == 1 else "Seats ") + seat_ranges(ids)


def suspected_label(outage: OutageView) -> str:
    """The banner's sentence for a suspected outage."""
    if outage.source is OutageSource.SERVER_GAP:
        return (f"The counter PC was off from {_local(outage.started_at)} to {_local(outage.ended_at)} — "
                f"{QUESTION}")
    if outage.source is OutageSource.HEARTBEAT:
        back = f" and came back at {_local(outage.ended_at)}" if outage.ended_at else ""
        return f"{_who(outage)} stopped answering at {_local(outage.started_at)}{back} — {QUESTION}"
    return f"{outage.kind.value.capitalize()} cut reported by {outage.source.value} at {_local(outage.started_at)} — " \
           f"{QUESTION}"


def suspected_json(outages: list[OutageView]) -> list[dict[str, object]]:
    """The suspected outages among ``outages`` as the banner shows them, oldest first."""
    return [{"id": outage.id, "label": suspected_label(outage), "source": outage.source.value,
             "ended": outage.ended_at is not None}
            for outage in outages if outage.status is OutageStatus.SUSPECTED]
