"""The checks every section of ``config.yaml`` is read with, each adding problems with their key paths.

``compensator.config`` and the sections kept in modules of their own use these, so that every
key is reported the same way: its path, what it must be, and a "did you mean" for a typo.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any


def is_int(value: object) -> bool:
    """Whether ``value`` is a whole number (YAML's true and false are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def mapping_of(value: object, path: str, problems: list[str]) -> Mapping[str, Any] | None:
    """``value`` if it is a mapping, else None with a problem at ``path``."""
    if not isinstance(value, Mapping):
        problems.append(f"{path}: must be a mapping of keys to values")
        return None
    return value


def unknown_keys(data: Mapping[str, Any], allowed: tuple[str, ...], path: str, problems: list[str]) -> None:
    """Add a problem for every key of ``data`` not in ``allowed``, naming the closest allowed key."""
    for key in data:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            problems.append(f"{where}: unknown key" + (f' (did you mean "{hint[0]}"?)' if hint else ""))


def whole_number(data: Mapping[str, Any], key: str, path: str, problems: list[str], *, default: int | None,
                 minimum: int, maximum: int) -> int | None:
    """The whole number at ``key`` within its bounds, else ``default`` (required when None) with a problem."""
    if key not in data:
        if default is None:
            problems.append(f"{path}.{key}: is required")
        return default
    value = data[key]
    if not is_int(value) or not minimum <= value <= maximum:
        problems.append(f"{path}.{key}: must be a whole number from {minimum} to {maximum}"
                        if maximum < 10**9 else f"{path}.{key}: must be a whole number ≥ {minimum}")
        return default
    return value


def text_value(data: Mapping[str, Any], key: str, path: str, problems: list[str], *, default: str | None = None,
               maximum: int = 200) -> str | None:
    """The non-empty text at ``key``, stripped, else ``default`` (required when None) with a problem."""
    if key not in data:
        if default is None:
            problems.append(f"{path}.{key}: is required")
        return default
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{path}.{key}: must be non-empty text")
        return default
    if len(value) > maximum:
        problems.append(f"{path}.{key}: must be at most {maximum} characters")
        return default
    return value.strip()
