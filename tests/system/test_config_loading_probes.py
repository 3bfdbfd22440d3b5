"""Reading ``config.yaml`` in a fresh interpreter: the models are built out of the collector's way and with no
pydantic plugin looked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from compensator.config import PYDANTIC_PLUGINS_VARIABLE

ROOT = Path(__file__).resolve().parents[2]


def run_probe(probe: str, *arguments: str, python_path: tuple[Path, ...] = ()) -> dict:
    """What a fresh interpreter running ``probe`` prints on its last line, read as JSON."""
    environment = dict(os.environ)
    environment.pop(PYDANTIC_PLUGINS_VARIABLE, None)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *map(str, python_path), *filter(None, [environment.get("PYTHONPATH")])])
    finished = subprocess.run([sys.executable, "-c", probe, *arguments], cwd=ROOT, env=environment,
                              capture_output=True, text=True, check=True)
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_the_models_are_built_without_a_pass_of_the_collector_and_kept_among_its_oldest() -> None:
    # Left alone, the collector made a dozen passes while the models were built.
    probe = """
import gc, json, sys
import yaml
from pydantic import BaseModel
from compensator.config import parse_settings
data = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
passes = []
gc.callbacks.append(lambda phase, info: passes.append(info["generation"]) if phase == "stop" else None)
parse_settings(data, environ={})
from compensator.config_models.document import ConfigModel
oldest = {id(item) for item in gc.get_objects(generation=2)}
print(json.dumps({"passes": len(passes), "enabled": gc.isenabled(), "model among the oldest": id(ConfigModel) in oldest}))
"""
    found = run_probe(probe, str(ROOT / "config.yaml"))
    assert found == {"passes": 0, "enabled": True, "model among the oldest": True}


WATCHER = """
watched = []


class Watcher:
    def new_schema_validator(self, schema, schema_type, schema_type_path, schema_kind, config, plugin_settings):
        watched.append(schema_type_path.name)
        return None, None, None


plugin = Watcher()
"""


def test_no_pydantic_plugin_watches_the_configuration_and_later_models_still_find_theirs(tmp_path: Path) -> None:
    # A pydantic plugin installed beside Compensator: a package whose entry point pydantic looks for.
    (tmp_path / "watcher.py").write_text(WATCHER, encoding="utf-8")
    metadata = tmp_path / "watcher-1.0.dist-info"
    metadata.mkdir()
    (metadata / "METADATA").write_text("Metadata-Version: 2.1\nName: watcher\nVersion: 1.0\n", encoding="utf-8")
    (metadata / "entry_points.txt").write_text("[pydantic]\nwatcher = watcher:plugin\n", encoding="utf-8")
    probe = f"""
import json, os, sys
from pydantic import BaseModel
from compensator.config import load_settings
load_settings(sys.argv[1], environ={{}})
variable = os.environ.get({PYDANTIC_PLUGINS_VARIABLE!r})
class Later(BaseModel):
    x: int
import watcher
print(json.dumps({{"watched": watcher.watched, "variable": variable}}))
"""
    found = run_probe(probe, str(ROOT / "config.yaml"), python_path=(tmp_path,))
    assert found == {"watched": ["Later"], "variable": None}
