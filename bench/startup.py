"""Start-up: ``compensator --help`` and ``compensator check-config`` against ``python -c pass``.

Each command runs as a fresh subprocess of this interpreter (``python -m web``, which is the
``compensator`` console script), with this checkout first on the path, RUNS times in turns
with the floor, ``python -c pass`` started the same way, so that a burst of load on the machine
falls on all three alike. Printed: the median wall time of each and its ratio to the floor's
median. Target: both at most 8 x the floor.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 11
TARGET_RATIO = 8
CONFIG = ROOT / "config.yaml"


def _environment(bytecode: Path) -> dict[str, str]:
    """This checkout first on the path, and compiled bytecode kept in ``bytecode`` from one run to the next.

    An installed ``compensator`` starts from the bytecode that was compiled when it was installed.
    A ``PYTHONDONTWRITEBYTECODE`` in the caller's environment would have every run compile the
    checkout's modules from source again (a tenth of ``check-config``'s time), so it is dropped;
    the bytecode goes to the run's temporary folder rather than into the checkout.
    """
    environment = dict(os.environ)
    environment.pop("COMPENSATOR_CONFIG", None)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = str(bytecode)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
    return environment


def wall_seconds(command: list[str], cwd: Path, environment: dict[str, str]) -> float:
    """The wall time of one run of ``command``, which must succeed."""
    began = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=environment, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def main() -> None:
    """Time the floor and both commands in turns and print their medians and ratios."""
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "compensator --help": [sys.executable, "-m", "web", "--help"],
        "compensator check-config": [sys.executable, "-m", "web", "check-config", str(CONFIG)],
    }
    samples: dict[str, list[float]] = {label: [] for label in commands}
    with tempfile.TemporaryDirectory(prefix="compensator-bench-") as name:
        environment = _environment(Path(name) / "bytecode")
        # Compiled bytecode is written on the first run; the figures are of a warm start.
        for command in commands.values():
            wall_seconds(command, Path(name), environment)
        for _ in range(RUNS):
            for label, command in commands.items():
                samples[label].append(wall_seconds(command, Path(name), environment))
    floor = statistics.median(samples["python -c pass"])
    print(f"start-up: median of {RUNS} runs each, in turns (floor: python -c pass, {floor * 1000:.0f} ms)")
    for label in ("compensator --help", "compensator check-config"):
        median = statistics.median(samples[label])
        print(f"  {label}: {median * 1000:6.0f} ms, ratio to the floor {median / floor:5.1f} "
              f"(target <= {TARGET_RATIO})")


if __name__ == "__main__":
    main()
