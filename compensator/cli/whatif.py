"""The ``whatif`` command: what a fix would have saved over a period (issue 25, item 2).

``compensator whatif --from DAY --to DAY --set zones.standard.ups_minutes=15 --price 18000000``
replays the period's sessions and outages through the real policy with the change and prints
the credits before and after, the saving, the saving per 30 days and the payback; ``--format
json`` prints them as a JSON document. It reads the database in a read-only unit of work and
writes nothing. A bad key or value ends with a one-line message and exit status 2.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from compensator.cli.common import EXIT_OK, CommandError, runtime_of
from compensator.collector import collector_held_off

FORMATS = ("text", "json")


def add_whatif_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``whatif`` to the ``compensator`` command's sub-commands."""
    whatif = commands.add_parser("whatif", parents=[common],
                                 help="what a bigger UPS, a generator or another policy would have saved")
    whatif.add_argument("--from", dest="first_day", metavar="DAY", required=True, help="the first venue day")
    whatif.add_argument("--to", dest="last_day", metavar="DAY", required=True, help="the last venue day")
    whatif.add_argument("--set", dest="changes", metavar="KEY=VALUE", action="append", default=[],
                        help="zones.ID.ups_minutes=N, restore_within_minutes=N or policy.KEY=N (repeatable)")
    whatif.add_argument("--price", metavar="MINOR", type=int, default=None,
                        help="the fix's price in minor units, for the payback")
    whatif.add_argument("--format", default="text", help="text or json (default text)")
    whatif.set_defaults(handler=cmd_whatif)


@collector_held_off()
def cmd_whatif(args: argparse.Namespace) -> int:
    """Print what the changes would have saved over the period."""
    from compensator.domain.whatif import Credits
    from compensator.notices.wording import format_money
    from compensator.services.parsing import venue_day
    from compensator.services.whatif import parse_changes, what_if
    from compensator.services.whatif.words import summary

    if args.format not in FORMATS:
        raise CommandError(f"unknown format {args.format!r}: give text or json")
    first_day = venue_day(args.first_day, field="--from")
    last_day = venue_day(args.last_day, field="--to")
    runtime = runtime_of(args)
    try:
        settings = runtime.settings
        changes = parse_changes(settings, args.changes)
        with runtime.reading() as uow:
            answer = what_if(uow, first_day, last_day, changes, args.price)
    finally:
        runtime.close()
    if args.format == "json":
        print(json.dumps(answer.as_dict(), indent=2))
        return EXIT_OK
    outcome = answer.outcome
    currency = settings.venue.currency

    def line(label: str, credits: Credits) -> str:
        value = format_money(credits.credit_value_minor, currency)
        return f"{label}: {credits.credit_minutes} min credited, {value}, {credits.compensations} compensations"

    print(f"{first_day.isoformat()} to {last_day.isoformat()} ({outcome.days} days); "
          f"changes: {', '.join(answer.changes) or 'none'}")
    print(line("before", outcome.before))
    print(line("after ", outcome.after))
    print(f"saving: {format_money(outcome.saving_minor, currency)} "
          f"({format_money(outcome.saving_per_30_days_minor, currency)} per 30 days)")
    if outcome.payback_days is not None:
        print(f"payback: {outcome.payback_days} days")
    print(summary(settings, answer.changes, outcome, args.price))
    return EXIT_OK
