"""Apology notices composed: one compensation's facts worded in the customer's language.

The notice gives the seat's dark span with its real length, so the words add up; the notices of
one outage share what they can (``NoticeComposer``). The wording itself is ``wording``'s.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from compensator.domain.kinds import CompensationForm, DarkBasis, OutageKind
from compensator.domain.records import record
from compensator.notices.wording import (
    NoticeCatalog,
    babel_locale,
    day_text,
    fill_template,
    format_money,
    template_parts,
)
from compensator.timeofday import ClockStyle, time_of_day


@record
class NoticeFacts:
    """What a notice says, as plain data."""

    venue_name: str
    timezone: ZoneInfo
    currency: str
    customer_name: str | None
    kind: OutageKind
    # The seat's own dark span, not the outage's: a UPS may have bridged the start of a power cut.
    dark_start: datetime
    dark_end: datetime
    lost_minutes: int
    credit_minutes: int
    form: CompensationForm
    value_minor: int
    new_end: datetime | None = None
    voucher_code: str | None = None
    voucher_expires_at: datetime | None = None
    # The customer ended the session while the seat was dark, and so lost all the paid time left.
    left_while_dark: bool = False
    clock: ClockStyle = ClockStyle.TWENTY_FOUR_HOUR
    # The cut as it was: the outage's own start and end (None while it goes on).
    cut_start: datetime | None = None
    cut_end: datetime | None = None
    # How long the seat's UPS is rated to hold: the seat went dark that long into a power cut.
    ups_minutes: int = 0
    # When a customer who left while their seat was dark did.
    left_at: datetime | None = None
    # Of the lost minutes, those given back before and not used (a leaver's, rule 2 amended).
    carried_minutes: int = 0
    # Of a time credit, the minutes past closing time that came as a voucher (rule 8 amended).
    voucher_minutes: int = 0
    closing: datetime | None = None
    # What the dark start rests on: the UPS's rating, or what was measured (SPEC section 3, rule 1 amended).
    dark_basis: DarkBasis = DarkBasis.UPS_RATING
    # An outage of single seats (a PC's or a socket's fault): told as a fault on the seat, not a cut of the venue.
    seat_fault: bool = False


def seat_message(catalog: NoticeCatalog, language: str | None, kind: OutageKind, form: CompensationForm,
                 credit_minutes: int) -> str:
    """The one line a seat's screen shows for a credit: "Sorry for the power cut — we added 25 minutes to your time"."""
    chosen = catalog.resolve_language(language)
    values = {"what": catalog.text(chosen, f"what.{kind.value}"),
              "credit": catalog.counted(chosen, "minutes", credit_minutes)}
    return fill_template(catalog.text(chosen, f"seat_message.{form.value}"), values)


def compose(catalog: NoticeCatalog, language: str | None, facts: NoticeFacts) -> tuple[str, str]:
    """The notice for ``facts`` as (language used, text), times in the venue's zone and clock style."""
    return NoticeComposer(catalog).compose(language, facts)


class NoticeComposer:
    """Composes the notices of one batch (an outage's) with one catalog.

    The notices of one outage mostly share their language and figures (the dark span, the
    minutes lost and credited, the value): what those word is worked out once per language and
    figures, and so is every paragraph whose template uses none of a notice's own placeholders
    (the customer, the new end, the voucher). A template that uses one is filled for each
    notice, so an owner's wording may use any placeholder anywhere; a notice of the same
    language and facts as one composed before (the same new end, no name) is that one again.
    """

    def __init__(self, catalog: NoticeCatalog) -> None:
        self.catalog = catalog
        self._shared: dict[tuple[object, ...], _Shared] = {}
        self._notices: dict[tuple[object, ...], str] = {}

    def compose(self, language: str | None, facts: NoticeFacts) -> tuple[str, str]:
        """The notice for ``facts`` as (language used, text), times in the venue's zone and clock style."""
        chosen = self.catalog.resolve_language(language)
        text = self._notices.get((chosen, facts))
        if text is None:
            text = self._notices[chosen, facts] = self._compose(chosen, facts)
        return chosen, text

    def _compose(self, chosen: str, facts: NoticeFacts) -> str:
        catalog = self.catalog
        locale = babel_locale(chosen)
        key = (chosen, facts.venue_name, facts.timezone, facts.currency, facts.kind, facts.dark_start,
               facts.dark_end, facts.lost_minutes, facts.credit_minutes, facts.value_minor, facts.clock,
               facts.cut_start, facts.cut_end, facts.ups_minutes, facts.dark_basis, facts.seat_fault)
        shared = self._shared.get(key)
        if shared is None:
            shared = self._shared[key] = _Shared.of(catalog, chosen, locale, facts)
        own: dict[str, str] = {}

        def fill(template_key: str) -> str:
            filled = shared.filled.get(template_key)
            if filled is not None:
                return filled
            text = shared.own_templates.get(template_key)
            if text is None:
                text = catalog.text(chosen, template_key)
                if not _placeholders(text) & shared.per_notice:
                    filled = shared.filled[template_key] = fill_template(text, shared.values)
                    return filled
                shared.own_templates[template_key] = text
            if not own:
                own.update(shared.values)
                own.update(_own_values(catalog, chosen, locale, facts, shared))
            return fill_template(text, own)

        dark_minutes, dark_seconds = _dark_length(facts)
        greeting = fill("greeting") if facts.customer_name else fill("greeting_anonymous")
        # The cut as it was, then when and why this seat went dark, then what the customer lost.
        cut = fill("apology_ongoing" if facts.cut_end is None else "apology")
        seat = fill(seat_key(facts))
        if facts.dark_basis is DarkBasis.HEARTBEATS:
            # Its PC stayed on (evidence after Power back): nothing was lost, and nothing is taken back.
            lost = fill("lost_none")
        elif facts.left_while_dark and facts.left_at is not None:
            lost = fill("lost_left")
            if facts.carried_minutes:
                lost = f"{lost} {fill('carried')}"
        else:
            # A seat dark under a minute has no "until ..." worth reading: both ends show the same minute.
            lost = fill("lost") if dark_minutes else fill("lost_short")
            if dark_seconds:
                # The seconds beyond the whole minutes were counted as a minute: say so, or the sum looks wrong.
                lost = f"{lost} {fill('rounded_up')}"
        thanks = fill("thanks_left") if facts.left_while_dark else fill("thanks")
        paragraphs = [fill("title").upper(), greeting, f"{cut} {seat} {lost}", fill(compensation_key(facts)),
                      fill("fix"), thanks, f"— {facts.venue_name}"]
        return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def what_key(kind: OutageKind, seat_fault: bool) -> str:
    """The wording of what happened: a power cut, an internet failure, or a power fault on the customer's seat."""
    return "what.power_seat" if seat_fault and kind is OutageKind.POWER else f"what.{kind.value}"


def seat_key(facts: NoticeFacts) -> str:
    """The wording of when and why the seat went dark: at once, after its UPS held, or later (it sat elsewhere)."""
    if facts.kind is OutageKind.NETWORK:
        return "seat.network"
    if facts.dark_basis is DarkBasis.HEARTBEATS:
        return "seat.kept_running"
    if facts.dark_basis in (DarkBasis.SEAT_REPORT, DarkBasis.UPS_BATTERY) and facts.cut_start is not None:
        return _measured_key(facts, facts.cut_start)
    if facts.cut_start is None or facts.dark_start <= facts.cut_start:
        return "seat.at_once"
    if facts.ups_minutes and facts.dark_start == facts.cut_start + timedelta(minutes=facts.ups_minutes):
        return "seat.ups"
    return "seat.later"


def _measured_key(facts: NoticeFacts, cut_start: datetime) -> str:
    """The wording of a dark start that was measured: when, and against the UPS's rating."""
    if facts.dark_basis is DarkBasis.UPS_BATTERY:
        return "seat.battery" if facts.dark_start > cut_start else "seat.at_once"
    if facts.dark_start <= cut_start:
        return "seat.measured_at_once"
    if not facts.ups_minutes:
        return "seat.measured"
    rated = cut_start + timedelta(minutes=facts.ups_minutes)
    if facts.dark_start == rated:
        return "seat.ups"
    return "seat.measured_early" if facts.dark_start < rated else "seat.measured_late"


def compensation_key(facts: NoticeFacts) -> str:
    """The wording of what the customer gets: time (up to closing, the rest a voucher), a voucher, off the bill."""
    if facts.form is CompensationForm.TIME:
        if facts.voucher_minutes and facts.voucher_minutes >= facts.credit_minutes:
            return "compensation.voucher_at_closing"
        if facts.voucher_minutes:
            return "compensation.time_and_voucher"
        if facts.new_end is None:
            return "compensation.time_paused"
    if facts.form is CompensationForm.BILL_REDUCTION and facts.voucher_minutes:
        # A bill paid before a correction's top-up: those minutes came as a voucher.
        if facts.voucher_minutes >= facts.credit_minutes:
            return "compensation.voucher"
        return "compensation.bill_and_voucher"
    return f"compensation.{facts.form.value}"


# The placeholders whose values are a notice's own rather than its language's and figures'.
OWN_PLACEHOLDERS = frozenset({"customer", "new_end", "code", "expiry", "left_at", "carried", "time_credit",
                              "voucher_credit", "closing"})


@dataclass(frozen=True, slots=True)
class _Shared:
    """What the notices of one language and figures share: the placeholders' values, and the
    paragraphs filled from them alone (by template key)."""

    values: dict[str, str]
    # The placeholders a notice fills itself: its own, and the dark span's length when its
    # wording uses one of those.
    per_notice: frozenset[str]
    filled: dict[str, str]
    # The templates that use one of those, by key: filled for each notice.
    own_templates: dict[str, str]

    @classmethod
    def of(cls, catalog: NoticeCatalog, chosen: str, locale: str, facts: NoticeFacts) -> _Shared:
        """The shared values of the notices of ``facts``'s language and figures."""
        values = _shared_values(catalog, chosen, locale, facts)
        dark_minutes, dark_seconds = _dark_length(facts)
        per_notice = OWN_PLACEHOLDERS
        if dark_seconds == 0:
            values["dark_length"] = values["minutes"]
        elif dark_minutes:
            wording = catalog.text(chosen, "minutes_and_seconds")
            if _placeholders(wording) & OWN_PLACEHOLDERS:
                per_notice = OWN_PLACEHOLDERS | {"dark_length"}
            else:
                values["dark_length"] = fill_template(wording, values)
        return cls(values, per_notice, {}, {})


def _own_values(catalog: NoticeCatalog, chosen: str, locale: str, facts: NoticeFacts,
                shared: _Shared) -> dict[str, str]:
    """A notice's own placeholders' values (and the dark span's length when it depends on them)."""
    local = facts.timezone
    own = {
        "customer": facts.customer_name or "",
        "new_end": time_of_day(facts.new_end, local, facts.clock, locale) if facts.new_end else "",
        "code": facts.voucher_code or "",
        "expiry": day_text(facts.voucher_expires_at, local, locale) if facts.voucher_expires_at else "",
        "left_at": time_of_day(facts.left_at, local, facts.clock, locale) if facts.left_at else "",
        "carried": catalog.counted(chosen, "minutes", facts.carried_minutes),
        "time_credit": catalog.counted(chosen, "minutes", facts.credit_minutes - facts.voucher_minutes),
        "voucher_credit": catalog.counted(chosen, "minutes", facts.voucher_minutes),
        "closing": time_of_day(facts.closing, local, facts.clock, locale) if facts.closing else "",
    }
    if "dark_length" in shared.per_notice:
        own["dark_length"] = fill_template(catalog.text(chosen, "minutes_and_seconds"), {**shared.values, **own})
    return own


@functools.lru_cache(maxsize=512)
def _placeholders(text: str) -> frozenset[str]:
    """The names of the placeholders ``text`` uses."""
    return frozenset(part[0] for part in template_parts(text) if not isinstance(part, str))


def span_words(catalog: NoticeCatalog, chosen: str, start: str, end: str) -> str:
    """When something happened: "from 14:10 to 14:13", or "at 14:20" when both ends read the same."""
    if end == start:
        return fill_template(catalog.text(chosen, "when.moment"), {"at": start})
    return fill_template(catalog.text(chosen, "when.span"), {"from": start, "to": end})


def cut_words(catalog: NoticeCatalog, chosen: str, start: datetime, end: datetime | None,
              clock: Callable[[datetime], str]) -> str:
    """A cut as it was: "from 14:10 to 14:13 (3 minutes)", "at 14:20 (40 seconds)", or "since 14:33" (going on)."""
    if end is None:
        return fill_template(catalog.text(chosen, "when.since"), {"at": clock(start)})
    return f"{span_words(catalog, chosen, clock(start), clock(end))} ({length(catalog, chosen, end - start)})"


def length(catalog: NoticeCatalog, chosen: str, span: timedelta) -> str:
    """A length of time in words: "13 minutes", or "13 minutes and 20 seconds", or "40 seconds"."""
    whole, seconds = divmod(round(span.total_seconds()), 60)
    if not seconds:
        return catalog.counted(chosen, "minutes", whole)
    if not whole:
        return catalog.counted(chosen, "seconds", seconds)
    return fill_template(catalog.text(chosen, "minutes_and_seconds"), {
        "minutes": catalog.counted(chosen, "minutes", whole), "seconds": catalog.counted(chosen, "seconds", seconds)})


def _dark_length(facts: NoticeFacts) -> tuple[int, int]:
    """The seat's dark span as whole minutes and the seconds beyond them."""
    minutes, seconds = divmod(round((facts.dark_end - facts.dark_start).total_seconds()), 60)
    return minutes, seconds


def _shared_values(catalog: NoticeCatalog, chosen: str, locale: str, facts: NoticeFacts) -> dict[str, str]:
    """The placeholders' values that depend only on the language and the figures, not on the customer."""
    local = facts.timezone

    def minutes(count: int) -> str:
        return catalog.counted(chosen, "minutes", count)

    dark_minutes, dark_seconds = _dark_length(facts)
    cut_start = facts.cut_start or facts.dark_start
    return {
        "venue": facts.venue_name,
        "what": catalog.text(chosen, what_key(facts.kind, facts.seat_fault)),
        "date": day_text(cut_start, local, locale),
        "cut_start": time_of_day(cut_start, local, facts.clock, locale),
        "cut_end": time_of_day(facts.cut_end, local, facts.clock, locale) if facts.cut_end else "",
        "cut_length": length(catalog, chosen, facts.cut_end - cut_start) if facts.cut_end else "",
        "cut_told": cut_words(catalog, chosen, cut_start, facts.cut_end,
                              lambda moment: time_of_day(moment, local, facts.clock, locale)),
        "ups_length": minutes(facts.ups_minutes),
        # How long into the cut the seat went dark, and how much before or after its UPS's rating.
        "into": length(catalog, chosen, max(facts.dark_start - cut_start, timedelta())),
        "short": length(catalog, chosen, max(cut_start + timedelta(minutes=facts.ups_minutes) - facts.dark_start,
                                             timedelta())),
        "over": length(catalog, chosen, max(facts.dark_start - cut_start - timedelta(minutes=facts.ups_minutes),
                                            timedelta())),
        "start": time_of_day(facts.dark_start, local, facts.clock, locale),
        "end": time_of_day(facts.dark_end, local, facts.clock, locale),
        "dark_seconds": str(dark_seconds),
        "minutes": minutes(dark_minutes),
        "seconds": catalog.counted(chosen, "seconds", dark_seconds),
        "lost_minutes": str(facts.lost_minutes),
        "lost": minutes(facts.lost_minutes),
        "credit_minutes": str(facts.credit_minutes),
        "credit": minutes(facts.credit_minutes),
        "value": format_money(facts.value_minor, facts.currency, locale),
    }
