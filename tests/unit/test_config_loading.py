"""Reading ``config.yaml`` quickly without changing what it says: libyaml reads it, PyYAML words a broken one, and
the models are built out of the collector's way and with no pydantic plugin looked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from compensator.config import PYDANTIC_PLUGINS_VARIABLE, ConfigError, load_settings, parse_settings
from tests.conftest import VENUE

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


def test_libyaml_and_pyyaml_read_the_shipped_file_into_the_same_settings(monkeypatch) -> None:
    monkeypatch.delenv("COMPENSATOR_DATABASE_URL", raising=False)
    assert hasattr(yaml, "CSafeLoader"), "PyYAML here was built without libyaml"
    read_by_libyaml = load_settings(ROOT / "config.yaml")
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert load_settings(ROOT / "config.yaml") == read_by_libyaml


def test_a_broken_file_is_worded_by_pyyaml_which_names_the_character(tmp_path: Path) -> None:
    # libyaml only says "found character that cannot start any token".
    path = tmp_path / "broken.yaml"
    path.write_text("venue:\n  name: @home\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings(path, environ={})
    assert raised.value.problems == (f"{path}: found character '@' that cannot start any token at line 2, column 9",)


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


def test_a_plugin_setting_of_the_owners_is_as_it_was_after_the_file_is_checked(monkeypatch) -> None:
    monkeypatch.setenv(PYDANTIC_PLUGINS_VARIABLE, "logfire")
    parse_settings(VENUE, environ={})
    assert os.environ[PYDANTIC_PLUGINS_VARIABLE] == "logfire"
    with pytest.raises(ConfigError):
        parse_settings({**VENUE, "zones": []}, environ={})
    assert os.environ[PYDANTIC_PLUGINS_VARIABLE] == "logfire"
