"""Access to the engine runtime bound to the current Flask app."""

from __future__ import annotations

from flask import current_app

from compensator.printing import PrinterFactory
from compensator.runtime import Compensator
from compensator.store.database import UnitOfWork


def runtime() -> Compensator:
    """The engine runtime of the current app."""
    return current_app.extensions["compensator"]


def printer() -> PrinterFactory:
    """The factory of the current app's receipt printer."""
    return current_app.extensions["compensator.printer"]


def unit_of_work() -> UnitOfWork:
    """A new unit of work on the current app's engine."""
    return runtime().unit_of_work()


def reading() -> UnitOfWork:
    """A new read-only unit of work on the current app's engine, for what a GET shows."""
    return runtime().reading()
