"""The dashboard's phrases built from the board's numbers, in the page's language.

The same phrase is written by the server when the page is rendered and when the board is polled,
so the template and the script show the same words; what the script writes itself (the
elapsed time of a cut, the confirmation before ending a session) comes from ``page_words``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from compensator.clock import STEP_TOLERANCE, ClockStep
from compensator.domain.kinds import OutageKind, ScopeKind
from compensator.services.counter.alerts import Alert
from compensator.services.handover import letters
from compensator.services.outages import views as outage_views
from web.context import runtime
from web.i18n import N_, gettext, ngettext
from web.labels import name_of


def zone_names(zone_ids: Iterable[str]) -> str:
    """Zones as people read them: by their names from the configuration (an unknown one by its id)."""
    zones = runtime().settings.zones_by_id
    return ", ".join(zones[zone].name if zone in zones else zone for zone in zone_ids)


def scope_words(outage: outage_views.OutageView) -> str:
    """Where an outage is: the whole venue, its zones by name, or its seats."""
    if outage.scope_kind is ScopeKind.ZONES:
        return zone_names(outage.scope_ids)
    return ", ".join(outage.scope_ids) if outage.scope_ids else gettext("whole venue")


def outage_label(outage: outage_views.OutageView, started_local: str) -> str:
    """An ongoing cut as the power bar shows it: its kind, since when, where, and who reported it."""
    scope = scope_words(outage)
    words = (N_("Network cut since %(time)s (%(scope)s, %(source)s)") if outage.kind is OutageKind.NETWORK
             else N_("Power cut since %(time)s (%(scope)s, %(source)s)"))
    return gettext(words, time=started_local, scope=scope, source=name_of(outage.source))


def alert_text(alert: Alert) -> str:
    """A "time nearly up" alert, reworded from its minutes (its stored message when it has none)."""
    if alert.remaining_minutes is None:
        return alert.message
    return ngettext("Seat %(seat)s: %(num)d min left", "Seat %(seat)s: %(num)d min left", alert.remaining_minutes,
                    seat=alert.seat_id)


def letter_label(letter: letters.PendingLetter) -> str:
    """How a waiting letter is listed: its seat, its cuts, and the minutes it gives back in what form."""
    forms = " + ".join(sorted({name_of(form) for form in letter.forms}))
    if letter.topup:
        return gettext("Seat %(seat)s · %(minutes)s min more after a correction", seat=letter.seat_id,
                       minutes=letter.credit_minutes)
    if len(letter.notice_ids) > 1:
        return ngettext("Seat %(seat)s · %(num)d cuts · %(minutes)s min %(forms)s",
                        "Seat %(seat)s · %(num)d cuts · %(minutes)s min %(forms)s", len(letter.notice_ids),
                        seat=letter.seat_id, minutes=letter.credit_minutes, forms=forms)
    return gettext("Seat %(seat)s · %(minutes)s min %(form)s", seat=letter.seat_id, minutes=letter.credit_minutes,
                   form=forms)


def page_words() -> dict[str, str]:
    """What the page's script writes itself, in the page's language; ``{name}`` is filled in by the script."""
    return {"minutes": gettext("%(minutes)s min", minutes="{minutes}"), "postpaid": gettext("postpaid"),
            "seat": gettext("Seat %(seat)s", seat="{seat}"), "noneWaiting": gettext("None waiting."),
            "elapsed": gettext("%(minutes)s min %(seconds)s s", minutes="{minutes}", seconds="{seconds}"),
            "confirmEnd": gettext("End the session on seat %(seat)s?", seat="{seat}"),
            "databaseLost": gettext("Database unavailable"), "diskFull": gettext("Disk full")}


def clock_step_words(step: ClockStep, step_local: str, difference: timedelta) -> str:
    """The dashboard's warning after the PC's clock was set: by how much, when, and what it changed."""
    size = duration_words(abs(step.size))
    said = (gettext("The PC's clock was set back by %(size)s at %(time)s.", size=size, time=step_local)
            if step.size < timedelta() else
            gettext("The PC's clock was set forward by %(size)s at %(time)s.", size=size, time=step_local))
    said += " " + gettext("Compensator kept counting the time that really passed: sessions, bills and credits "
                          "are not changed by it.")
    if abs(difference) > STEP_TOLERANCE:
        gap = duration_words(abs(difference))
        said += " " + (gettext("Times shown here are %(size)s behind the PC's clock.", size=gap)
                       if difference > timedelta() else
                       gettext("Times shown here are %(size)s ahead of the PC's clock.", size=gap))
    return said


def duration_words(size: timedelta) -> str:
    """A clock step's size in words: "3 days 2 h 5 min", "1 h 0 min", "45 s"."""
    seconds = round(size.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if not days and not hours and not minutes:
        return gettext("%(seconds)d s", seconds=seconds)
    words = gettext("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes) if days or hours else \
        gettext("%(minutes)d min", minutes=minutes)
    if days:
        words = ngettext("%(num)d day", "%(num)d days", days) + " " + words
    return words
