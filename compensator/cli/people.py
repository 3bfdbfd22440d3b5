"""The people commands: add, list, disable, enable and re-PIN attendants; create, list and revoke tokens.

Each is the service the manager page calls, written in the audit log as done by ``cli``.
Disabling someone or giving them a new PIN ends their open logins at once; a revoked token
answers 401 from its next request. The people services are imported inside each command, so
that building the parser (``compensator --help``) loads no database code.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from compensator.cli.common import CLI_ACTOR, EXIT_OK, read_pin, runtime_of

if TYPE_CHECKING:
    from compensator.runtime import Compensator


def _with_runtime(args: argparse.Namespace, action: Any) -> Any:
    runtime: Compensator = runtime_of(args)
    try:
        with runtime.unit_of_work() as uow:
            return action(uow)
    finally:
        runtime.close()


def cmd_attendant_add(args: argparse.Namespace) -> int:
    """Add an attendant or a manager; the PIN comes from the terminal or standard input."""
    from compensator.services.people.accounts import add_attendant

    pin = read_pin()
    runtime = runtime_of(args)
    try:
        with runtime.unit_of_work() as uow:
            person = add_attendant(uow, name=args.name, role=args.role, pin=pin, actor=CLI_ACTOR,
                                   language=args.language)
    finally:
        runtime.close()
    print(f"added {person.role.value} {person.name}")
    return EXIT_OK


def cmd_token_create(args: argparse.Namespace) -> int:
    """Create an API token and print it once."""
    from compensator.services.people.accounts import create_token

    runtime = runtime_of(args)
    try:
        with runtime.unit_of_work() as uow:
            token = create_token(uow, name=args.name, actor=CLI_ACTOR)
    finally:
        runtime.close()
    print(token.secret)
    print(f"token {token.name!r} created; it is shown only this once", file=sys.stderr)
    return EXIT_OK


def cmd_attendant_list(args: argparse.Namespace) -> int:
    """Print every attendant with role and whether they are disabled."""
    from compensator.services.people import accounts as people

    for person in _with_runtime(args, people.list_attendants):
        state = "disabled" if person.disabled else "active"
        print(f"{person.name}\t{person.role.value}\t{state}")
    return EXIT_OK


def cmd_attendant_disable(args: argparse.Namespace) -> int:
    """Disable an attendant and end their open logins."""
    from compensator.services.people import accounts as people

    person = _with_runtime(args, lambda uow: people.disable_attendant(uow, name=args.name, actor=CLI_ACTOR))
    print(f"disabled {person.name}; their open logins have ended")
    return EXIT_OK


def cmd_attendant_enable(args: argparse.Namespace) -> int:
    """Let a disabled attendant log in again."""
    from compensator.services.people import accounts as people

    person = _with_runtime(args, lambda uow: people.enable_attendant(uow, name=args.name, actor=CLI_ACTOR))
    print(f"enabled {person.name}")
    return EXIT_OK


def cmd_attendant_pin(args: argparse.Namespace) -> int:
    """Set a new PIN, read from the terminal or standard input; the person's open logins end."""
    from compensator.services.people import accounts as people

    pin = read_pin()
    person = _with_runtime(args, lambda uow: people.change_pin(uow, name=args.name, pin=pin, actor=CLI_ACTOR))
    print(f"new PIN set for {person.name}; their open logins have ended")
    return EXIT_OK


def cmd_token_list(args: argparse.Namespace) -> int:
    """Print every API token's name, creation day and whether it is revoked (never the secret)."""
    from compensator.services.people import accounts as people

    for token in _with_runtime(args, people.list_tokens):
        print(f"{token.name}\t{token.created_at:%Y-%m-%d}\t{'revoked' if token.revoked else 'active'}")
    return EXIT_OK


def cmd_token_revoke(args: argparse.Namespace) -> int:
    """Revoke an API token."""
    from compensator.services.people import accounts as people

    token = _with_runtime(args, lambda uow: people.revoke_token(uow, name=args.name, actor=CLI_ACTOR))
    print(f"token {token.name!r} revoked")
    return EXIT_OK


def add_people_commands(attendant_commands: Any, token_commands: Any, common: argparse.ArgumentParser) -> None:
    """Register the people commands under ``attendant`` and ``token``."""
    listing = attendant_commands.add_parser("list", parents=[common], help="list attendants")
    listing.set_defaults(handler=cmd_attendant_list)
    for action, handler, text in (("disable", cmd_attendant_disable, "disable an attendant and end their logins"),
                                  ("enable", cmd_attendant_enable, "let a disabled attendant log in again"),
                                  ("pin", cmd_attendant_pin, "set a new PIN (terminal or stdin); ends their logins")):
        command = attendant_commands.add_parser(action, parents=[common], help=text)
        command.add_argument("name")
        command.set_defaults(handler=handler)
    tokens = token_commands.add_parser("list", parents=[common], help="list API tokens (never their secrets)")
    tokens.set_defaults(handler=cmd_token_list)
    revoke = token_commands.add_parser("revoke", parents=[common], help="revoke an API token")
    revoke.add_argument("name")
    revoke.set_defaults(handler=cmd_token_revoke)
