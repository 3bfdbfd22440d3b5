"""The engine's commands: validate configuration, migrate, manage people, report, simulate.

The ``compensator`` console script (``web.cli``) adds ``run`` and ``demo``, which serve the web layer; the
engine itself never imports it. Every sub-command that touches the engine builds one
``Compensator`` runtime from the settings and calls the same service functions the web layer
calls. Bad input ends with a one-line message on standard error and exit status 2, never a
traceback. One module per group of commands: ``engine``, ``people``, ``backup``, ``whatif``; ``common``
holds what they share.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from compensator.cli.backup import add_backup_commands
from compensator.cli.common import EXIT_FAILURE, EXIT_USAGE, CommandError
from compensator.cli.engine import cmd_check_config, cmd_db_upgrade, cmd_report, cmd_simulate
from compensator.cli.evidence import add_evidence_command
from compensator.cli.people import add_people_commands, cmd_attendant_add, cmd_token_create
from compensator.cli.whatif import add_whatif_command
from compensator.config import ConfigError
from compensator.domain.kinds import DashboardLanguage
from compensator.errors import DomainError

AddCommands = Callable[[Any, argparse.ArgumentParser], None]


def build_parser(add_commands: AddCommands | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``compensator`` command; ``add_commands`` adds the server's."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", default=None,
                        help="configuration file (default: $COMPENSATOR_CONFIG, then ./config.yaml)")
    parser = argparse.ArgumentParser(prog="compensator", description=__doc__.splitlines()[0])
    # Also before the command (`compensator --config PATH token create NAME`); after it wins.
    parser.add_argument("--config", metavar="PATH", default=None, dest="config_before_command",
                        help="configuration file (default: $COMPENSATOR_CONFIG, then ./config.yaml)")
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

    report = commands.add_parser("report", parents=[common],
                                 help="the end-of-day report of a venue day, or the report of a period")
    report.add_argument("date", metavar="DATE", nargs="?", default=None, help="the venue day, like 2026-11-22")
    report.add_argument("--from", dest="first", metavar="DAY", default=None,
                        help="the first venue day of a period (with --to): the owner's week or month")
    report.add_argument("--to", dest="last", metavar="DAY", default=None, help="the last venue day of the period")
    report.add_argument("--format", default="html", help="html, csv, pdf or json (default html)")
    report.add_argument("--out", metavar="PATH", default=None, help="write to this file instead of the screen")
    report.set_defaults(handler=cmd_report)

    # Listed here; its options are the agent's own (``seat_agent.py``), read by ``main`` when it is asked for.
    agent = commands.add_parser("seat-agent", help="on a seat PC: heartbeats, and the credit message on its screen")
    agent.set_defaults(handler=_seat_agent_without_options)

    simulate = commands.add_parser("simulate", parents=[common],
                                   help="replay a scenario on a throw-away database and print the result")
    simulate.add_argument("scenario", metavar="SCENARIO.yaml")
    simulate.set_defaults(handler=cmd_simulate)

    add_people_commands(attendant_commands, token_commands, common)
    add_backup_commands(commands, common)
    add_evidence_command(commands, common)
    add_whatif_command(commands, common)
    return parser


def _seat_agent_without_options(args: argparse.Namespace) -> int:
    """``seat-agent`` after the command's own options (``--config``): the agent says what it needs."""
    from compensator import seat_agent

    return seat_agent.main([], prog="compensator seat-agent")


def main(argv: Sequence[str] | None = None, add_commands: AddCommands | None = None) -> int:
    """Run the ``compensator`` command and return its exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["seat-agent"]:
        # The agent (one standard-library file for the seat PCs) is imported only when it runs.
        from compensator import seat_agent

        return seat_agent.main(argv[1:], prog="compensator seat-agent")
    args = build_parser(add_commands).parse_args(argv)
    if getattr(args, "config", None) is None and "config" in vars(args):
        args.config = args.config_before_command
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
