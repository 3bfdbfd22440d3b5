"""Apology notices' wording: one YAML file per language, an owner's overrides, and the helpers that fill it.

Wording lives in one YAML file per language beside this module (English, French and Nigerian
Pidgin ship with Compensator). An owner can override any key with a file of the same name in
their own directory. A key missing in the customer's language falls back to the venue's
default language, then to English: a notice is never blank. Every number is worded with its own
count: a count's wording has one message per plural form of the language (Babel's plural rules
choose it, ``other`` standing in for a form a file lacks).
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision

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
            for key in (f"{name}.{_plural_form(babel_locale(candidate), count)}", f"{name}.other"):
                if key in forms:
                    return fill_template(forms[key], {"count": str(count)})
        raise KeyError(f"no wording for {name!r} in any language")


# Formatting is cached: one outage's notices share their times, and Babel is slow enough that
# formatting hundreds of notices afresh would dominate closing a large outage.
@functools.lru_cache(maxsize=64)
def babel_locale(language: str) -> str:
    try:
        Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return FALLBACK_LANGUAGE
    return language.replace("-", "_")


@functools.lru_cache(maxsize=64)
def _plural_form(locale: str, count: int) -> str:
    return Locale.parse(locale).plural_form(count)


@functools.lru_cache(maxsize=1024)
def day_text(moment: datetime, timezone: ZoneInfo, locale: str) -> str:
    return format_date(moment.astimezone(timezone).date(), "long", locale=locale)


@functools.lru_cache(maxsize=4096)
def format_money(amount_minor: int, currency: str, locale: str = FALLBACK_LANGUAGE) -> str:
    """An amount in minor units shown in major units with the currency, exactly (no floats)."""
    amount = Decimal(amount_minor).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency, locale=babel_locale(locale))


@functools.lru_cache(maxsize=512)
def template_parts(text: str) -> tuple[str | tuple[str, str], ...]:
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


def fill_template(text: str, values: Mapping[str, str]) -> str:
    return "".join(part if isinstance(part, str) else values.get(part[0], part[1]) for part in template_parts(text))


