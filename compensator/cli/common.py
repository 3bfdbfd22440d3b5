"""What every command shares: exit statuses, the actor written in the audit log, one-line errors,
the settings and the engine runtime of ``--config``, and reading a PIN."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from compensator.config import load_settings
from compensator.settings import Settings

if TYPE_CHECKING:
    from compensator.runtime import Compensator

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
CLI_ACTOR = "cli"


class CommandError(Exception):
    """A problem with what the user asked for, reported in one line with exit status 2."""


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings of the configuration file the command was given."""
    return load_settings(args.config)


def runtime_of(args: argparse.Namespace) -> Compensator:
    """The engine runtime of the command's configuration, its database migrated."""
    # The database layer is imported by the commands that use it: ``--help`` and
    # ``check-config`` start in a fraction of the time without it.
    from compensator.runtime import Compensator
    from compensator.store.health import DatabaseUnusable

    try:
        return Compensator.open(settings_of(args))
    except DatabaseUnusable as error:
        raise CommandError(str(error)) from None


def read_pin() -> str:
    """A PIN typed twice at a terminal, or one line of standard input."""
    if sys.stdin.isatty():
        pin = getpass.getpass("PIN: ")
        if getpass.getpass("PIN again: ") != pin:
            raise CommandError("the two PINs differ")
        return pin
    return sys.stdin.readline().strip()
