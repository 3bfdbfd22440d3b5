"""Apology notices: the wording in each language and its composition for one compensation.

Wording lives in one YAML file per language beside this module (English, French and Nigerian
Pidgin ship with Compensator). An owner can override any key with a file of the same name in
their own directory. A key missing in the customer's language falls back to the venue's
default language, then to English: a notice is never blank.

Every number is worded with its own count: a count's wording has one message per plural form
of the language (Babel's plural rules choose it, ``other`` standing in for a form a file lacks),
and the notice gives the seat's dark span with its real length, so the words add up.
"""

from __future__ import annotations

import functools
import string
from decimal import Decimal
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision

from compensator.domain.kinds import CompensationForm, OutageKind
from compensator.domain.records import record
from compensator.timeofday import ClockStyle, time_of_day

BUILT_IN_DIRECTORY = Path(__file__).resolve().parent
FALLBACK_LANGUAGE = "en"


class NoticeTemplateError(Exception):
    """An owner's template file cannot be read."""


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise NoticeTemplateError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise NoticeTemplateError(f"{path}: must be a mapping of keys to wording")
    return data


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{path}."))
        elif value is not None and str(value).strip():
            flat[path] = str(value).strip()
    return flat


@dataclass(frozen=True)
class NoticeCatalog:
    """The wording of every known language, overrides applied, with fallbacks."""

    wording: Mapping[str, Mapping[str, str]]
    default_language: str

    @classmethod
    def load(cls, default_language: str, override_directory: str | Path | None = None) -> NoticeCatalog:
        """Read the built-in wording and the owner's overrides."""
        wording: dict[str, dict[str, str]] = {}
        for path in sorted(BUILT_IN_DIRECTORY.glob("*.yaml")):
            wording[path.stem] = _flatten(_read(path))
        if override_directory is not None:
            directory = Path(override_directory)
            if not directory.is_dir():
                raise NoticeTemplateError(f"{directory}: notice template directory not found")
            for path in sorted(directory.glob("*.yaml")):
                wording.setdefault(path.stem, {}).update(_flatten(_read(path)))
        return cls(wording, default_language)

    def languages(self) -> list[str]:
        """The languages that have wording of their own."""
        return sorted(self.wording)

    def resolve_language(self, language: str | None) -> str:
        """The language a notice will be written in: the customer's if known, else the default."""
        if language and language in self.wording:
            return language
        if language and language.split("-")[0].split("_")[0] in self.wording:
            return language.split("-")[0].split("_")[0]
        return self.default_language if self.default_language in self.wording else FALLBACK_LANGUAGE

    def text(self, language: str, key: str) -> str:
        """The wording of ``key`` in ``language``, falling back to the default language, then English."""
        for candidate in (language, self.default_language, FALLBACK_LANGUAGE):
            value = self.wording.get(candidate, {}).get(key)
            if value:
                return value
        raise KeyError(f"no wording for {key!r} in any language")

    def counted(self, language: str, name: str, count: int) -> str:
        """``count`` worded with ``name`` in the plural form that ``language``'s rules choose for it."""
        for candidate in (language, self.default_language, FALLBACK_LANGUAGE):
            forms = self.wording.get(candidate, {})
            for key in (f"{name}.{_plural_form(_babel_locale(candidate), count)}", f"{name}.other"):
                if key in forms:
                    return _fill(forms[key], {"count": str(count)})
        raise KeyError(f"no wording for {name!r} in any language")


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


# Formatting is cached: one outage's notices share their times, and Babel is slow enough that
# formatting hundreds of notices afresh would dominate closing a large outage.
@functools.lru_cache(maxsize=64)
def _babel_locale(language: str) -> str:
    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return FALLBACK_LANGUAGE
    return language.replace("-", "_")


@functools.lru_cache(maxsize=64)
def _plural_form(locale: str, count: int) -> str:
    return Locale.parse(locale).plural_form(count)


@functools.lru_cache(maxsize=1024)
def _day_text(moment: datetime, timezone: ZoneInfo, locale: str) -> str:
    return format_date(moment.astimezone(timezone).date(), "long", locale=locale)


@functools.lru_cache(maxsize=4096)
def format_money(amount_minor: int, currency: str, locale: str = FALLBACK_LANGUAGE) -> str:
    """An amount in minor units shown in major units with the currency, exactly (no floats)."""
    amount = Decimal(amount_minor).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency, locale=_babel_locale(locale))


@functools.lru_cache(maxsize=512)
def _template_parts(text: str) -> tuple[str | tuple[str, str], ...]:
    """``text`` split once into literal text and ``(name, as written)`` placeholders.

    Filling the parts gives what ``string.Template.safe_substitute`` gives: ``$$`` is a dollar
    sign and an unknown placeholder stays as written.
    """
    parts: list[str | tuple[str, str]] = []
    position = 0
    for match in string.Template.pattern.finditer(text):
        parts.append(text[position:match.start()])
        name = match.group("named") or match.group("braced")
        if name is not None:
            parts.append((name, match.group(0)))
        elif match.group("escaped") is not None:
            parts.append("$")
        else:
            parts.append(match.group(0))
        position = match.end()
    parts.append(text[position:])
    return tuple(part for part in parts if part)


def _fill(text: str, values: Mapping[str, str]) -> str:
    return "".join(part if isinstance(part, str) else values.get(part[0], part[1]) for part in _template_parts(text))


def seat_message(catalog: NoticeCatalog, language: str | None, kind: OutageKind, form: CompensationForm,
                 credit_minutes: int) -> str:
    """The one line a seat's screen shows for a credit: "Sorry for the power cut — we added 25 minutes to your time"."""
    chosen = catalog.resolve_language(language)
    values = {"what": catalog.text(chosen, f"what.{kind.value}"),
              "credit": catalog.counted(chosen, "minutes", credit_minutes)}
    return _fill(catalog.text(chosen, f"seat_message.{form.value}"), values)


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
        locale = _babel_locale(chosen)
        key = (chosen, facts.venue_name, facts.timezone, facts.currency, facts.kind, facts.dark_start,
               facts.dark_end, facts.lost_minutes, facts.credit_minutes, facts.value_minor, facts.clock)
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
                    filled = shared.filled[template_key] = _fill(text, shared.values)
                    return filled
                shared.own_templates[template_key] = text
            if not own:
                own.update(shared.values)
                own.update(_own_values(catalog, chosen, locale, facts, shared))
            return _fill(text, own)

        dark_minutes, dark_seconds = _dark_length(facts)
        if facts.form is CompensationForm.TIME and facts.new_end is None:
            compensation_key = "compensation.time_paused"
        else:
            compensation_key = f"compensation.{facts.form.value}"
        greeting = fill("greeting") if facts.customer_name else fill("greeting_anonymous")
        # A cut under a minute has no "from ... to ..." worth reading: both ends show the same minute.
        apology = fill("apology") if dark_minutes else fill("apology_short")
        if dark_seconds:
            # The seconds beyond the whole minutes were counted as a minute: say so, or the sum looks wrong.
            apology = f"{apology} {fill('rounded_up')}"
        paragraphs = [fill("title").upper(), greeting, apology,
                      fill("left_while_dark") if facts.left_while_dark else "",
                      fill(compensation_key), fill("fix"), fill("thanks"), f"— {facts.venue_name}"]
        return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


# The placeholders whose values are a notice's own rather than its language's and figures'.
OWN_PLACEHOLDERS = frozenset({"customer", "new_end", "code", "expiry"})


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
                values["dark_length"] = _fill(wording, values)
        return cls(values, per_notice, {}, {})


def _own_values(catalog: NoticeCatalog, chosen: str, locale: str, facts: NoticeFacts,
                shared: _Shared) -> dict[str, str]:
    """A notice's own placeholders' values (and the dark span's length when it depends on them)."""
    local = facts.timezone
    own = {
        "customer": facts.customer_name or "",
        "new_end": time_of_day(facts.new_end, local, facts.clock, locale) if facts.new_end else "",
        "code": facts.voucher_code or "",
        "expiry": _day_text(facts.voucher_expires_at, local, locale) if facts.voucher_expires_at else "",
    }
    if "dark_length" in shared.per_notice:
        own["dark_length"] = _fill(catalog.text(chosen, "minutes_and_seconds"), {**shared.values, **own})
    return own


@functools.lru_cache(maxsize=512)
def _placeholders(text: str) -> frozenset[str]:
    """The names of the placeholders ``text`` uses."""
    return frozenset(part[0] for part in _template_parts(text) if not isinstance(part, str))


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
    return {
        "venue": facts.venue_name,
        "what": catalog.text(chosen, f"what.{facts.kind.value}"),
        "date": _day_text(facts.dark_start, local, locale),
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
