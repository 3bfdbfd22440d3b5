"""Reads ``config.yaml`` and validates it into the frozen settings of ``compensator.settings``.

The file is parsed once and validated by the pydantic models of ``compensator.config_models``.
Every problem is collected with its key path (``zones[1].price_minor_per_hour: must be a whole
number ≥ 0``) and reported all at once in a ``ConfigError``, so an owner fixes the whole file in
one go. Unknown keys are errors: a typo must never silently fall back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

# The policy's parameters are defined in the pure core, which reads them; callers outside the core
# may keep importing them, and the settings, from here.
from compensator.domain.terms import PolicySettings
from compensator.settings import Settings

__all__ = ["ConfigError", "PolicySettings", "Settings", "load_settings", "parse_settings", "resolve_config_path"]

DEFAULT_CONFIG_PATH = "config.yaml"


class ConfigError(Exception):
    """The configuration has problems; ``problems`` lists every one with its key path."""

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


def parse_settings(data: object, *, environ: Mapping[str, str] | None = None, source: str = "config.yaml") -> Settings:
    """Validate the parsed YAML of a configuration file and return its settings."""
    environ = os.environ if environ is None else environ
    if not isinstance(data, Mapping):
        raise ConfigError([f"{source}: the top level must be a mapping with venue, zones and seats"])
    # pydantic and the models are loaded when a file is read: ``compensator --help`` needs neither.
    from pydantic import ValidationError

    from compensator.config_models.document import ConfigModel
    from compensator.config_models.problems import problems_of

    try:
        document = ConfigModel.model_validate(data)
    except ValidationError as error:
        raise ConfigError(problems_of(error, ConfigModel)) from None
    return document.to_settings(environ)


def resolve_config_path(path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The configuration file to use: the one given, else ``$COMPENSATOR_CONFIG``, else ./config.yaml."""
    environ = os.environ if environ is None else environ
    if path:
        return Path(path)
    return Path(environ.get("COMPENSATOR_CONFIG") or DEFAULT_CONFIG_PATH)


def load_settings(path: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None) -> Settings:
    """Read, parse and validate a configuration file."""
    import yaml

    environ = os.environ if environ is None else environ
    config_path = resolve_config_path(path, environ)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"config file not found: {config_path}"]) from None
    except OSError as error:
        raise ConfigError([f"config file cannot be read: {config_path}: {error.strerror}"]) from None
    try:
        data = _parsed_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError([f"{config_path}: {problem}{where}"]) from None
    return parse_settings(data, environ=environ, source=str(config_path))


def _parsed_yaml(text: str) -> object:
    """The YAML document in ``text``, read by libyaml when PyYAML was built with it, else by PyYAML itself.

    libyaml reads a file in a tenth of the time. Its words for a broken file are vaguer ("found
    character that cannot start any token", without the character), so a file it cannot read
    is read again by PyYAML's own parser, whose error the owner is shown, as before.
    """
    import yaml

    if hasattr(yaml, "CSafeLoader"):
        try:
            return yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass  # Read again below for PyYAML's wording of the problem.
    return yaml.safe_load(text)
