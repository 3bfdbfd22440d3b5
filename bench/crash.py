"""The long crash run: ``compensator run`` killed with SIGKILL at 100 random instants of a keyed load.

The same load and checks as ``tests/system/test_crash.py`` (see ``tests.support.crash_load`` and
``tests.support.crash_checks``), with many more rounds. Each round kills the server a few to a few
hundred milliseconds into the load, restarts it on the same database and lets every client
re-send what was unanswered, with the same key and body. Printed at the end: the rounds, the
requests sent, those acknowledged before a kill, those in flight at a kill (and how many of
them had committed before the kill struck), re-sent and replayed; then what must be zero:
acknowledged writes lost, effects doubled, retries refused after their first copy committed,
half-applied outages. The exit status is 1 when any of these is not zero.

    python -m bench.crash --rounds 100 [--seed N] [--workers 3] [--keep DIR] [--database-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tests.support.crash_checks import check_run
from tests.support.crash_load import Kill, run_crash_load

ROUNDS = 100
SEED = 20261122


def main(argv: Sequence[str] | None = None) -> int:
    """Run the crash load, print its figures and every broken invariant; 0 when none."""
    parser = argparse.ArgumentParser(prog="python -m bench.crash", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"kills (default {ROUNDS})")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the load and the kill instants")
    parser.add_argument("--workers", type=int, default=3, help="client threads, 1 to 5 (default 3)")
    parser.add_argument("--keep", metavar="DIR", default=None,
                        help="run in this new folder and keep it (config, database, server log)")
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database instead of a SQLite file in the folder")
    args = parser.parse_args(argv)

    def progress(kill: Kill, sent: int) -> None:
        if kill.round % 10 == 0 or kill.round == args.rounds:
            print(f"  round {kill.round}: killed {kill.delay_seconds * 1000:.0f} ms into the load, "
                  f"back in {kill.restart_seconds:.1f} s; {sent} requests so far", flush=True)

    print(f"Crash run: {args.rounds} SIGKILLs, {args.workers} client threads, seed {args.seed}", flush=True)
    with tempfile.TemporaryDirectory(prefix="compensator-crash-") as scratch:
        directory = Path(args.keep) if args.keep else Path(scratch)
        run = run_crash_load(directory, rounds=args.rounds, seed=args.seed, workers=args.workers,
                             database_url=args.database_url, progress=progress)
        report = check_run(run)
    print(f"  {run.seconds:.0f} s in all")
    for line in report.figures.lines():
        print(f"  {line}")
    if not report.ok:
        print(report.findings.describe(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
