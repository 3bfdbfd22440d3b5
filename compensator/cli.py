"""The engine's commands: validate configuration, migrate, manage people, simulate.

The ``compensator`` console script (``web.cli``) adds ``run`` and ``demo``, which serve the web
layer; the engine itself never imports it. Every sub-command that touches the engine builds one ``Compensator`` runtime from the settings
and calls the same service functions the web layer calls. Bad input ends with a one-line
message on standard error and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compensator import seat_agent
from compensator.collector import freeze_at_exit
from compensator.config import ConfigError, load_settings, resolve_config_path
from compensator.domain.kinds import DashboardLanguage
from compensator.errors import DomainError
from compensator.settings import Settings

if TYPE_CHECKING:
    from compensator.runtime import Compensator

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
CLI_ACTOR = "cli"


class CommandError(Exception):
    """A problem with what the user asked for, reported in one line with exit status 2."""


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


def _runtime(args: argparse.Namespace) -> Compensator:
    # The database layer is imported by the commands that use it: ``--help`` and
    # ``check-config`` start in a fraction of the time without it.
    from compensator.runtime import Compensator

    return Compensator.open(_settings(args))


def cmd_check_config(args: argparse.Namespace) -> int:
    """Validate a configuration file and print every problem in it."""
    # The command ends once it has printed and holds no file or connection open.
    freeze_at_exit()
    path = resolve_config_path(args.path or args.config, os.environ)
    try:
        settings = load_settings(path)
    except ConfigError as error:
        print(f"{path}: {len(error.problems)} problem(s)", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{path}: OK ({len(settings.zones)} zones, {len(settings.seats)} seats, "
          f"policy {settings.policy.fingerprint()})")
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply the database migrations."""
    from compensator.store import migrate

    runtime = _runtime(args)
    try:
        print(f"database at revision {migrate.current_revision(runtime.engine)}")
    finally:
        runtime.close()
    return EXIT_OK


def _read_pin() -> str:
    """A PIN typed twice at a terminal, or one line of standard input."""
    if sys.stdin.isatty():
        pin = getpass.getpass("PIN: ")
        if getpass.getpass("PIN again: ") != pin:
            raise CommandError("the two PINs differ")
        return pin
    return sys.stdin.readline().strip()


def cmd_attendant_add(args: argparse.Namespace) -> int:
    """Add an attendant or a manager; the PIN comes from the terminal or standard input."""
    from compensator.services.people import add_attendant

    pin = _read_pin()
    runtime = _runtime(args)
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
    from compensator.services.people import create_token

    runtime = _runtime(args)
    try:
        with runtime.unit_of_work() as uow:
            token = create_token(uow, name=args.name, actor=CLI_ACTOR)
    finally:
        runtime.close()
    print(token.secret)
    print(f"token {token.name!r} created; it is shown only this once", file=sys.stderr)
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    """Replay a scenario through the engine on a throw-away database and print the JSON result."""
    import json

    import yaml

    from compensator.simulate import ScenarioError, simulate_file

    config = None
    path = resolve_config_path(args.config, os.environ)
    if args.config is not None or path.exists():
        try:
            config = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise CommandError(f"configuration cannot be read: {error}") from None
        except yaml.YAMLError:
            raise CommandError(f"{path}: not valid YAML (run compensator check-config {path})") from None
    try:
        result = simulate_file(Path(args.scenario), config if isinstance(config, dict) else None)
    except ScenarioError as error:
        print(f"{args.scenario}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # noqa: BLE001 - a what-if tool reports, it never shows a traceback
        print(f"{args.scenario}: internal error {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILURE
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Write the end-of-day report of a venue day in one format, to a file or standard output."""
    from compensator.reporting import parse_format
    from compensator.services.report import parse_report_date

    venue_date = parse_report_date(args.date)
    report_format = parse_format(args.format)
    runtime = _runtime(args)
    try:
        # A closed day archived at closing time, and unchanged since, is written from the archive.
        with runtime.reading() as uow:
            rendered = runtime.reports.rendered(uow, venue_date, report_format)
    finally:
        runtime.close()
    if args.out:
        try:
            Path(args.out).write_bytes(rendered.content)
        except OSError as error:
            raise CommandError(f"cannot write {args.out}: {error.strerror}") from None
        print(f"report written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(rendered.content)
        sys.stdout.flush()
    return EXIT_OK


AddCommands = Callable[[Any, argparse.ArgumentParser], None]


def build_parser(add_commands: AddCommands | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``compensator`` command; ``add_commands`` adds the server's."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=None,
                        help="configuration file (default: $COMPENSATOR_CONFIG, then ./config.yaml)")
    parser = argparse.ArgumentParser(prog="compensator", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if add_commands is not None:
        add_commands(commands, common)

    check = commands.add_parser("check-config", parents=[common], help="validate a configuration file")
    check.add_argument("path", nargs="?", default=None)
    check.set_defaults(handler=cmd_check_config)

    database = commands.add_parser("db", help="database maintenance")
    database_commands = database.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = database_commands.add_parser("upgrade", parents=[common], help="apply migrations")
    upgrade.set_defaults(handler=cmd_db_upgrade)

    attendant = commands.add_parser("attendant", help="manage attendants")
    attendant_commands = attendant.add_subparsers(dest="attendant_command", required=True, metavar="ACTION")
    add = attendant_commands.add_parser("add", parents=[common], help="add an attendant (PIN from terminal or stdin)")
    add.add_argument("name")
    add.add_argument("--role", choices=["attendant", "manager"], default="attendant")
    add.add_argument("--language", choices=list(DashboardLanguage), default=None,
                     help="the language of their pages (default: the browser's, else dashboard.language)")
    add.set_defaults(handler=cmd_attendant_add)

    token = commands.add_parser("token", help="manage API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", parents=[common], help="create a token and print it once")
    create.add_argument("name")
    create.set_defaults(handler=cmd_token_create)

    report = commands.add_parser("report", parents=[common], help="the end-of-day report of a venue day")
    report.add_argument("date", metavar="DATE", help="the venue day, like 2026-11-22")
    report.add_argument("--format", default="html", help="html, csv, pdf or json (default html)")
    report.add_argument("--out", metavar="PATH", default=None, help="write to this file instead of the screen")
    report.set_defaults(handler=cmd_report)

    agent = commands.add_parser("seat-agent", help="on a seat PC: heartbeats, and the credit message on its screen")
    seat_agent.add_arguments(agent)
    agent.set_defaults(handler=seat_agent.run_from_args)

    simulate = commands.add_parser("simulate", parents=[common],
                                   help="replay a scenario on a throw-away database and print the result")
    simulate.add_argument("scenario", metavar="SCENARIO.yaml")
    simulate.set_defaults(handler=cmd_simulate)

    from compensator.cli_backup import add_backup_commands
    from compensator.cli_people import add_people_commands

    add_people_commands(attendant_commands, token_commands, common)
    add_backup_commands(commands, common)
    return parser


def main(argv: Sequence[str] | None = None, add_commands: AddCommands | None = None) -> int:
    """Run the ``compensator`` command and return its exit status."""
    args = build_parser(add_commands).parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except ConfigError as error:
        print("configuration problems:", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_USAGE
    except (DomainError, CommandError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_FAILURE
