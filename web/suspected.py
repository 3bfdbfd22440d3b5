"""Suspected outages as the attendant reads them: one sentence each, with Confirm and Dismiss.

"Seats G1–G3 stopped answering at 14:18 — was it a power cut?" The banner partial
(``templates/_suspected.html``) shows these on the dashboard and the manager page, and the
board JSON carries them so that a banner appears without a reload.
"""

from __future__ import annotations

from datetime import datetime

from compensator.domain.kinds import OutageSource, OutageStatus, ScopeKind
from compensator.domain.silence import seat_ranges
from compensator.services.outages.views import OutageView
from compensator.timeofday import time_of_day
from web.context import runtime
from web.i18n import gettext, ngettext, ui_language
from web.labels import name_of


def _local(moment: datetime | None) -> str:
    venue = runtime().settings.venue
    return time_of_day(moment, venue.tz, venue.clock, ui_language()) if moment else ""


def _who(outage: OutageView) -> str:
    ids = list(outage.scope_ids)
    if outage.scope_kind is ScopeKind.VENUE:
        return gettext("Every seat")
    if outage.scope_kind is ScopeKind.ZONES:
        names = [runtime().settings.zones_by_id[zone].name if zone in runtime().settings.zones_by_id else zone
                 for zone in ids]
        return ngettext("Zone %(zones)s", "Zones %(zones)s", len(names), zones=", ".join(names))
    return ngettext("Seat %(seats)s", "Seats %(seats)s", len(ids), seats=seat_ranges(ids))


def suspected_label(outage: OutageView) -> str:
    """The banner's sentence for a suspected outage."""
    started, ended = _local(outage.started_at), _local(outage.ended_at)
    if outage.source is OutageSource.SERVER_GAP:
        return gettext("The counter PC was off from %(start)s to %(end)s — was it a power cut?", start=started,
                       end=ended)
    if outage.source is OutageSource.HEARTBEAT and outage.ended_at:
        return gettext("%(who)s stopped answering at %(start)s and came back at %(end)s — was it a power cut?",
                       who=_who(outage), start=started, end=ended)
    if outage.source is OutageSource.HEARTBEAT:
        return gettext("%(who)s stopped answering at %(start)s — was it a power cut?", who=_who(outage),
                       start=started)
    return gettext("%(kind)s cut reported by %(source)s at %(start)s — was it a power cut?",
                   kind=name_of(outage.kind).capitalize(), source=name_of(outage.source), start=started)


def suspected_json(outages: list[OutageView]) -> list[dict[str, object]]:
    """The suspected outages among ``outages`` as the banner shows them, oldest first."""
    return [{"id": outage.id, "label": suspected_label(outage), "source": outage.source.value,
             "ended": outage.ended_at is not None}
            for outage in outages if outage.status is OutageStatus.SUSPECTED]
