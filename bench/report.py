"""The end-of-day report of a busy day: 10,000 sessions, 20 outages, 7,500 compensations over 500 seats.

The day (``bench.report_day``) is built once through the services and kept in a cached SQLite
file. Printed, for the report code of this checkout (and, with ``--baseline PATH``, of another
checkout such as the main branch, measured in the same run on the same file):

- the floor: plain ``sqlite3`` reading the day's headline figures (outages, compensations,
  sessions affected, minutes by form, value, notices delivered) in one aggregate query;
- for reference, plain ``sqlite3`` running the very statements one build issues (what the
  report reads, before any Python of its own);
- the median time of building the report's data alone, and of building it and rendering each
  format (JSON, CSV, HTML, PDF), each with its ratio to the floor;
- the SQL statements one build issues on a small day (4 waves over 100 seats) and on the big
  one: the count must not grow with the sessions;
- the median time of serving each format of that closed day as the owner gets it
  (``Compensator.reports``: built once, then served while its stamp holds, which is checked
  at every request), with its ratio to the floor;
- the peak of Python's allocations (``tracemalloc``) while building and rendering each format,
  and the measuring process's peak resident set.

Each checkout is measured in a subprocess of its own, so that its imports and its memory are
its own. ``python -m bench.report --baseline /work/main`` compares with the main branch.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path
from typing import Any

BIG = (500, 20)
SMALL = (100, 4)
FORMATS = ("json", "csv", "html", "pdf")
FLOOR_REPETITIONS = 21
HERE = Path(__file__).resolve().parent.parent
# Runs in the measuring subprocess: the report code is imported from the checkout named first,
# then this benchmark's own modules from this checkout.
CHILD = ("import json, sys; sys.path.insert(0, sys.argv[1]); import compensator; sys.path.pop(0); "
         "sys.path.insert(0, sys.argv[2]); from bench.report import measure; "
         "print(json.dumps(measure(sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))))")
HEADLINE_SQL = """
SELECT
  (SELECT count(*) FROM outages WHERE started_at < :end AND (ended_at IS NULL OR ended_at > :start)
     AND status IN ('ongoing', 'ended')),
  count(*), count(DISTINCT c.seat_session_id),
  sum(CASE WHEN c.form = 'time' AND c.status = 'applied' THEN c.granted_minutes ELSE 0 END),
  sum(CASE WHEN c.form = 'voucher' AND c.status = 'applied' THEN c.granted_minutes ELSE 0 END),
  sum(CASE WHEN c.form = 'bill_reduction' AND c.status = 'applied' THEN c.granted_minutes ELSE 0 END),
  sum(CASE WHEN c.status = 'applied' THEN c.value_minor ELSE 0 END),
  sum(CASE WHEN c.status = 'awaiting_approval' THEN 1 ELSE 0 END),
  (SELECT count(DISTINCT d.notice_id) FROM notice_deliveries d JOIN notices n ON n.id = d.notice_id
     JOIN compensations k ON k.id = n.compensation_id JOIN outages p ON p.id = k.outage_id
     WHERE p.ended_at >= :start AND p.ended_at < :end)
FROM compensations c JOIN outages o ON o.id = c.outage_id
WHERE o.ended_at >= :start AND o.ended_at < :end AND o.status = 'ended'
"""


def floor_seconds(path: Path, window: tuple[str, str]) -> list[float]:
    """Seconds of each run of the headline query by plain sqlite3 on a fresh connection to the file."""
    samples = []
    for _ in range(FLOOR_REPETITIONS):
        began = time.perf_counter()
        connection = sqlite3.connect(path)
        connection.execute(HEADLINE_SQL, {"start": window[0], "end": window[1]}).fetchall()
        connection.close()
        samples.append(time.perf_counter() - began)
    return samples


def reads_seconds(path: Path, statements: list[tuple[str, Any]]) -> list[float]:
    """Seconds of each run of ``statements`` (as one build issued them) by plain sqlite3 on a fresh connection."""
    samples = []
    for _ in range(FLOOR_REPETITIONS):
        began = time.perf_counter()
        connection = sqlite3.connect(path)
        for statement, parameters in statements:
            connection.execute(statement, parameters).fetchall()
        connection.close()
        samples.append(time.perf_counter() - began)
    return samples


def measure(big: str, small: str, repetitions: int, pdf_repetitions: int) -> dict[str, Any]:
    """Every figure of one checkout's report code on the cached days (run in a subprocess)."""
    import compensator
    from bench.common import StatementCounter, peak_traced, recorded_statements, timed
    from bench.report_day import DAY, open_day
    from compensator.collector import collector_held_off

    try:
        from compensator.report.build import build_daily_report
        from compensator.report.formats import ReportFormat
        from compensator.report.formats import render as render_format
    except ImportError:
        # A baseline checkout from before the report was one package.
        from compensator.reporting import ReportFormat  # type: ignore[no-redef]
        from compensator.reporting import render as render_format
        from compensator.services.report import build_daily_report  # type: ignore[no-redef]

    result: dict[str, Any] = {"code": str(Path(compensator.__file__).resolve().parent.parent)}
    for name, path in (("small", small), ("big", big)):
        runtime = open_day(Path(path))
        counter = StatementCounter(runtime.engine)
        # The statements of the big day's build are kept, to be run again by plain sqlite3.
        with recorded_statements(runtime.engine) as statements, counter.counting(), runtime.unit_of_work() as uow:
            report = build_daily_report(uow, DAY)
        result[f"statements_{name}"] = counter.count
        result[f"compensations_{name}"] = len(report.compensations)
        if name == "small":
            runtime.close()
    start, end = (moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
                  for moment in (report.window_start, report.window_end))
    result["floor"] = floor_seconds(Path(big), (start, end))
    result["reads"] = reads_seconds(Path(big), statements)

    # As the report views and the archiving job make a report: with the collector held off.
    def build() -> Any:
        with collector_held_off(), runtime.unit_of_work() as uow:
            return build_daily_report(uow, DAY)

    def render(report: Any, report_format: Any) -> Any:
        with collector_held_off():
            return render_format(report, report_format)

    result["build"] = [timed(build) for _ in range(repetitions)]
    for report_format in FORMATS:
        count = pdf_repetitions if report_format == "pdf" else repetitions
        result[report_format] = [timed(lambda chosen=report_format: render(build(), ReportFormat(chosen)))
                                 for _ in range(count)]
    for report_format in FORMATS:
        if not result[report_format]:
            continue
        result[f"peak_{report_format}"] = peak_traced(
            lambda report_format=report_format: render(build(), ReportFormat(report_format)))
    result["served"] = {}
    reports = getattr(runtime, "reports", None)
    if reports is not None:
        # As the owner gets a closed day: built once (as above), then served while it stands.
        def served(report_format: ReportFormat) -> None:
            with runtime.reading() as uow:
                reports.rendered(uow, DAY, ReportFormat(report_format))

        for report_format in FORMATS:
            if result[report_format]:
                served(report_format)
                result["served"][report_format] = [timed(lambda chosen=report_format: served(chosen))
                                                   for _ in range(repetitions)]
    result["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    runtime.close()
    return result


def run_checkout(code: Path, big: Path, small: Path, repetitions: int, pdf_repetitions: int) -> dict[str, Any]:
    """Measure the report code of the checkout at ``code`` in a subprocess of its own."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    output = subprocess.run(
        [sys.executable, "-c", CHILD, str(code), str(HERE), str(big), str(small), str(repetitions),
         str(pdf_repetitions)], cwd=HERE, env=environment, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def show(label: str, figures: dict[str, Any]) -> None:
    """Print one checkout's figures, each time as a median and a ratio to the floor of its own run."""
    floor = statistics.median(figures["floor"])
    print(f"  {label} ({figures['code']}): floor (sqlite3 headline query) median {floor * 1000:6.1f} ms")
    reads = statistics.median(figures["reads"])
    print(f"    (the build's own statements by plain sqlite3: median {reads * 1000:.1f} ms, "
          f"ratio {statistics.median(figures['reads']) / floor:.1f})")
    print(f"    build only         median {statistics.median(figures['build']) * 1000:8.1f} ms, "
          f"ratio {statistics.median(figures['build']) / floor:7.1f}")
    for report_format in FORMATS:
        samples = figures[report_format]
        if not samples:
            print(f"    build + {report_format:<4}      skipped")
            continue
        middle = statistics.median(samples)
        print(f"    build + {report_format:<4}      median {middle * 1000:8.1f} ms, ratio {middle / floor:7.1f} "
              f"(runs {', '.join(f'{sample * 1000:.0f}' for sample in samples)} ms), "
              f"peak traced {figures[f'peak_{report_format}'] / 2**20:6.1f} MiB (build and render)")
    for report_format, samples in figures.get("served", {}).items():
        middle = statistics.median(samples)
        print(f"    served {report_format:<4}       median {middle * 1000:8.1f} ms, ratio {middle / floor:7.1f} "
              f"(a closed day built once, then served while nothing it was built from changed)")
    grows = figures["statements_small"] != figures["statements_big"]
    print(f"    statements per build: {figures['statements_small']} on {SMALL[1]} waves over {SMALL[0]} seats "
          f"({figures['compensations_small']} compensations), {figures['statements_big']} on the big day "
          f"({figures['compensations_big']}): {'GROWS' if grows else 'does not grow'}; "
          f"peak resident set {figures['maxrss'] / 2**20:.0f} MiB")


def main(argv: list[str] | None = None) -> None:
    """Build or reuse the cached days, measure this checkout (and a baseline if asked) and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another checkout to measure in the same run (e.g. /work/main)")
    parser.add_argument("--waves", type=int, default=BIG[1], help="waves of the big day (20: 10,000 sessions)")
    parser.add_argument("--repetitions", type=int, default=5, help="runs of each JSON, CSV, HTML build (median)")
    parser.add_argument("--pdf-repetitions", type=int, default=3, help="runs of the PDF build (median)")
    parser.add_argument("--baseline-repetitions", type=int, default=3, help="runs of each of the baseline's builds")
    parser.add_argument("--baseline-pdf-repetitions", type=int, default=1,
                        help="runs of the baseline's PDF build (0 to skip it: it may take minutes)")
    arguments = parser.parse_args(argv)
    from bench.report_day import cached_day

    big, small = cached_day(BIG[0], arguments.waves), cached_day(*SMALL)
    print(f"end-of-day report of {arguments.waves} waves over {BIG[0]} seats (SQLite file; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if arguments.baseline is not None:
        show("baseline", run_checkout(arguments.baseline, big, small, arguments.baseline_repetitions,
                                      max(arguments.baseline_pdf_repetitions, 0)))
    show("this checkout", run_checkout(HERE, big, small, arguments.repetitions, arguments.pdf_repetitions))


if __name__ == "__main__":
    main()
