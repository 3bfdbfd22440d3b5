"""Access to the engine runtime bound to the current Flask app."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import current_app

from compensator.adapters.escpos import PrinterFactory
from compensator.runtime import Compensator
from compensator.store.database import UnitOfWork

if TYPE_CHECKING:
    from web.api_json import SeatsAnswer


def runtime() -> Compensator:
    """The engine runtime of the current app."""
    return current_app.extensions["compensator"]


def venue_today() -> date:
    """The venue's date now, by the current app's clock."""
    return runtime().clock.now().astimezone(runtime().settings.venue.tz).date()


def printer() -> PrinterFactory:
    """The factory of the current app's receipt printer."""
    return current_app.extensions["compensator.printer"]


def seats_answer() -> SeatsAnswer:
    """The current app's answer of the seat board, encoded again only when the board changed."""
    return current_app.extensions["compensator.seats_answer"]


def unit_of_work() -> UnitOfWork:
    """A new unit of work on the current app's engine."""
    return runtime().unit_of_work()


def reading() -> UnitOfWork:
    """A new read-only unit of work on the current app's engine, for what a GET shows."""
    return runtime().reading()
