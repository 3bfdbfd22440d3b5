"""Start-up: ``compensator --help`` and ``check-config`` load none of the heavy libraries, and ``check-config`` spares the
interpreter's collections at exit (time is for ``bench.startup``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the server, a migration or a report needs, and a command that does neither must not load.
HEAVY = ("flask", "werkzeug", "waitress", "sqlalchemy", "alembic", "apscheduler", "fpdf", "fontTools", "escpos",
         "segno", "PyNUTClient")
PROBE = """
import json, sys
from web.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def packages_loaded_by(*arguments: str) -> set[str]:
    """The top-level packages a fresh ``compensator ARGUMENTS`` has imported when it is done."""
    environment = dict(os.environ)
    environment.pop("COMPENSATOR_CONFIG", None)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
    finished = subprocess.run([sys.executable, "-c", PROBE, *arguments], cwd=ROOT, env=environment,
                              capture_output=True, text=True, check=True)
    return set(json.loads(finished.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("arguments", [("--help",), ("check-config", str(ROOT / "config.yaml"))],
                         ids=["help", "check-config"])
def test_help_and_check_config_import_no_heavy_library(arguments: tuple[str, ...]) -> None:
    loaded = packages_loaded_by(*arguments)
    assert "compensator" in loaded
    assert sorted(loaded.intersection(HEAVY)) == []


@pytest.mark.parametrize("arguments", [("--help",), ("check-config", str(ROOT / "config.yaml"))],
                         ids=["help", "check-config"])
def test_help_and_check_config_show_no_time_and_write_no_log(arguments: tuple[str, ...]) -> None:
    # Babel shows a time of day in the venue's clock style, logging the server's log lines: neither command needs them.
    loaded = packages_loaded_by(*arguments)
    assert sorted(loaded.intersection({"babel", "logging"})) == []


def test_help_reads_no_configuration_library() -> None:
    # pydantic and PyYAML are for reading config.yaml, which --help never does.
    loaded = packages_loaded_by("--help")
    assert sorted(loaded.intersection({"pydantic", "pydantic_core", "yaml"})) == []


def test_the_report_formats_load_the_pdf_library_only_when_a_pdf_is_made() -> None:
    probe = "import sys; import compensator.report.formats; print('fpdf' in sys.modules)"
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    finished = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=environment, capture_output=True,
                              text=True, check=True)
    assert finished.stdout.strip() == "False"
