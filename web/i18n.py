"""The pages' language: English or French for each attendant, through Babel's gettext catalogues.

Each request is in one language, chosen once: the one the logged-in attendant picked (kept in
the database, copied into the login cookie), else the browser's best match among the pages'
languages, else ``dashboard.language`` from the config. The JSON API is for programs and stays
in English. Templates use ``_()`` and ``ngettext()`` (Jinja's i18n extension); views use
``gettext`` and ``ngettext`` from here. A catalogue that was never compiled leaves the pages
in English rather than breaking them. Times keep the venue's clock style; numbers follow the
page's language. The switch itself is ``web.language``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from gettext import NullTranslations
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations
from flask import Flask, current_app, g, request, session

from compensator.domain.kinds import DashboardLanguage
from compensator.settings import VenueSettings
from compensator.timeofday import time_of_day
from web.catalogues import DIRECTORY, DOMAIN
from web.context import runtime

log = logging.getLogger(__name__)

LANGUAGES = tuple(language.value for language in DashboardLanguage)
SOURCE_LANGUAGE = DashboardLanguage.EN.value
# Each language's name in itself, as the switch offers it.
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
SESSION_KEY = "language"


class Catalogues:
    """The compiled catalogue of each language, loaded on first use; English needs none."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._loaded: dict[str, NullTranslations] = {}

    def get(self, language: str) -> NullTranslations:
        """The translations of ``language``; the messages themselves when it has no compiled catalogue."""
        if language not in self._loaded:
            self._loaded[language] = self._load(language)
        return self._loaded[language]

    def _load(self, language: str) -> NullTranslations:
        if language == SOURCE_LANGUAGE:
            return NullTranslations()
        loaded = Translations.load(str(self.directory), [language], domain=DOMAIN)
        if not isinstance(loaded, Translations):
            log.warning("no compiled %s catalogue in %s: the pages stay in English "
                        "(reinstall the package, or run python -m web.catalogues)", language, self.directory)
        return loaded


def _catalogues() -> Catalogues:
    return current_app.extensions["compensator.catalogues"]


def _chosen_language() -> str:
    if request.path.startswith("/api/"):
        return SOURCE_LANGUAGE
    chosen = session.get(SESSION_KEY)
    if chosen in LANGUAGES:
        return chosen
    default = runtime().settings.dashboard.language.value
    return request.accept_languages.best_match(LANGUAGES, default=default) or default


def ui_language() -> str:
    """The language of this request's page."""
    if "ui_language" not in g:
        g.ui_language = _chosen_language()
    return g.ui_language


def _translations() -> NullTranslations:
    # Looked up once a request: a page of 2,000 seat tiles asks for thousands of phrases.
    if "translations" not in g:
        g.translations = _catalogues().get(ui_language())
    return g.translations


def gettext(message: str, **variables: Any) -> str:
    """``message`` in the page's language, with ``%(name)s`` filled from ``variables``."""
    text = _translations().gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, number: int, **variables: Any) -> str:
    """The singular or plural form for ``number`` in the page's language; ``%(num)d`` is the number."""
    return _translations().ngettext(singular, plural, number) % {"num": number, **variables}


def N_(message: str) -> str:  # noqa: N802 - the name Babel's extraction looks for
    """Mark ``message`` for the catalogue where it is defined; it is translated where it is shown."""
    return message


def format_number(number: int) -> str:
    """A number written the way the page's language writes it (``1,234`` or ``1 234``)."""
    return format_decimal(number, locale=ui_language())


def long_day(day: date) -> str:
    """A day with its month in words, in the page's language (``22 November 2026``, ``22 novembre 2026``)."""
    return format_date(day, "d MMMM yyyy", locale=ui_language())


def day_and_time(moment: datetime, venue: VenueSettings) -> str:
    """A day and a time of day in the venue's time zone, the day's month in the page's language (``22 Nov 14:05``)."""
    local = moment.astimezone(venue.tz)
    return f"{format_date(local.date(), 'dd MMM', locale=ui_language())} " \
           f"{time_of_day(moment, venue.tz, venue.clock, ui_language())}"


def remember_language(language: DashboardLanguage | None) -> None:
    """Keep an attendant's chosen language in the login cookie, and use it for the rest of this request."""
    if language is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = language.value
    g.pop("ui_language", None)
    g.pop("translations", None)


def init_app(app: Flask) -> None:
    """Give the app its catalogues and its templates ``_()``, ``ngettext()`` and the ``number`` filter."""
    app.extensions["compensator.catalogues"] = Catalogues(Path(app.config.get("TRANSLATIONS_DIRECTORY", DIRECTORY)))
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n at run time
        lambda message: _translations().gettext(message),
        lambda singular, plural, number: _translations().ngettext(singular, plural, number),
        newstyle=True)
    app.jinja_env.filters["number"] = format_number

    @app.context_processor
    def language_globals() -> dict[str, Any]:
        language = ui_language()
        return {"ui_language": language,
                "other_languages": [(code, name) for code, name in LANGUAGE_NAMES.items() if code != language]}

