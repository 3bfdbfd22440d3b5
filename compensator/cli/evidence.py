"""The ``evidence`` command: every outage of a period, what recorded it and what it cost, as a PDF or a CSV file.

The file's format follows the extension of ``--out`` (``.pdf`` or ``.csv``); the period is
checked (a day like 2026-11-22, from not after to, to not in the future) before anything is read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from compensator.cli.common import EXIT_OK, CommandError, runtime_of


def cmd_evidence(args: argparse.Namespace) -> int:
    """Write the evidence of the venue days ``--from`` to ``--to`` to ``--out``, as its extension says."""
    from compensator.report import evidence
    from compensator.report.evidence.build import build_evidence

    out = Path(args.out)
    if out.suffix.lower() not in {".pdf", ".csv"}:
        raise CommandError(f"--out {args.out}: the evidence is written as FILE.pdf or FILE.csv")
    evidence_format = evidence.parse_format(out.suffix)
    runtime = runtime_of(args)
    try:
        with runtime.reading() as uow:
            found = build_evidence(uow, args.first, args.last)
    finally:
        runtime.close()
    content = evidence.render(found, evidence_format)
    try:
        out.write_bytes(content)
    except OSError as error:
        raise CommandError(f"cannot write {args.out}: {error.strerror}") from None
    totals = found.totals
    print(f"evidence of {totals.outages} outage(s) and {totals.compensations} compensation(s) written to {args.out}",
          file=sys.stderr)
    return EXIT_OK


def add_evidence_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``evidence`` command to ``commands``."""
    evidence = commands.add_parser("evidence", parents=[common],
                                   help="every outage of a period with what recorded it and what it cost (PDF or CSV)")
    evidence.add_argument("--from", dest="first", metavar="DAY", required=True,
                          help="the first venue day, like 2026-11-01")
    evidence.add_argument("--to", dest="last", metavar="DAY", required=True,
                          help="the last venue day, like 2026-11-30")
    evidence.add_argument("--out", metavar="FILE", required=True, help="FILE.pdf or FILE.csv")
    evidence.set_defaults(handler=cmd_evidence)
