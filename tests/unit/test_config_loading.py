"""Reading ``config.yaml`` quickly without changing what it says: libyaml reads it, PyYAML words a broken one, and
an owner's pydantic plugin setting is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from compensator.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


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
