"""The engine's own commands: validate the configuration, migrate, write a report, replay a scenario."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from compensator.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandError, runtime_of
from compensator.collector import collector_held_off
from compensator.config import ConfigError, load_settings, resolve_config_path


def cmd_check_config(args: argparse.Namespace) -> int:
    """Validate a configuration file and print every problem in it."""
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

    runtime = runtime_of(args)
    try:
        print(f"database at revision {migrate.current_revision(runtime.engine)}")
    finally:
        runtime.close()
    return EXIT_OK


@collector_held_off()
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


@collector_held_off()
def cmd_report(args: argparse.Namespace) -> int:
    """Write the end-of-day report of a venue day, or the report of a period, in one format, to a file or
    standard output."""
    from compensator.report.build import parse_report_date
    from compensator.report.formats import parse_format
    from compensator.report.period import formats as period_formats
    from compensator.report.period.build import build_period_report

    period = args.first is not None or args.last is not None
    if period and (args.date is not None or args.first is None or args.last is None):
        raise CommandError("give either a DATE, or a period with both --from DAY and --to DAY")
    if not period and args.date is None:
        raise CommandError("give a DATE, or a period with --from DAY --to DAY")
    venue_date = None if period else parse_report_date(args.date)
    report_format = parse_format(args.format)
    runtime = runtime_of(args)
    try:
        with runtime.reading() as uow:
            if venue_date is None:
                rendered = period_formats.render(build_period_report(uow, args.first, args.last), report_format)
            else:
                # A closed day archived at closing time, and unchanged since, is written from the archive.
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
