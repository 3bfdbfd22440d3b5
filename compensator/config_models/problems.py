"""pydantic's validation errors as the problems ``config.yaml``'s owner reads: a key path and plain words.

``zones[1].price_minor_per_hour: must be a whole number ≥ 0``. The models word most problems
themselves (``fields.PROBLEM``); here a missing key is "is required", an unknown key gets a
"did you mean" from the keys its section knows, and a section that is not a mapping says so.
Problems are listed in the order the models declare their keys, an unknown key first in its
section, so they read top to bottom like the file.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from compensator.config_models.fields import PROBLEM

UNKNOWN_KEY_TYPES = ("extra_forbidden", "invalid_key")
NOT_A_MAPPING_TYPES = ("model_type", "model_attributes_type", "dict_type")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean "name"?)`` for the choice closest to a mistyped ``word``, or nothing."""
    # Loaded for a mistyped word only: a good file is checked without it.
    import difflib

    hint = difflib.get_close_matches(word, sorted(choices), n=1)
    return f' (did you mean "{hint[0]}"?)' if hint else ""


def problems_of(error: ValidationError, root: type[BaseModel]) -> list[str]:
    """Every problem in ``error``, raised validating ``root``, in words after its key path, in the file's order."""
    placed = [(_walk(root, item["loc"]), item) for item in error.errors()]
    placed.sort(key=lambda pair: pair[0][0])
    return [f"{_path(item)}: {_words(item, section)}" for (_, section), item in placed]


def _walk(root: type[BaseModel], loc: tuple[int | str, ...]) -> tuple[tuple[int, ...], type[BaseModel] | None]:
    """Where ``loc`` is among the models' declared keys, and the model whose key its last part is."""
    shape: Any = root
    section: type[BaseModel] | None = None
    place: list[int] = []
    for part in loc:
        shape = _unwrapped(shape)
        if isinstance(shape, type) and issubclass(shape, BaseModel):
            section = shape
            if part not in shape.model_fields:
                # An unknown key goes before the keys its section knows.
                place.append(-1)
                break
            place.append(list(shape.model_fields).index(str(part)))
            shape = shape.model_fields[str(part)].annotation
        elif isinstance(part, int):
            section = None
            place.append(part)
            shape = next(iter(get_args(shape)), None)
        else:
            place.append(0)
    return tuple(place), section


def _unwrapped(shape: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``... | None``."""
    while True:
        origin = get_origin(shape)
        if origin is Annotated:
            shape = get_args(shape)[0]
        elif origin in (Union, types.UnionType):
            shape = next(arg for arg in get_args(shape) if arg is not type(None))
        else:
            return shape


def _path(item: ErrorDetails) -> str:
    """``zones[1].price_minor_per_hour``: keys joined by dots, list positions in brackets."""
    path = ""
    last = len(item["loc"]) - 1
    for index, part in enumerate(item["loc"]):
        # YAML allows a number as a key; an unknown one is still a key, not a position.
        is_key = isinstance(part, str) or (index == last and item["type"] in UNKNOWN_KEY_TYPES)
        if is_key:
            path += f".{part}" if path else str(part)
        else:
            path += f"[{part}]"
    return path


def _words(item: ErrorDetails, section: type[BaseModel] | None) -> str:
    kind = item["type"]
    if kind == PROBLEM:
        return item["msg"]
    if kind == "missing":
        return "is required"
    if kind in UNKNOWN_KEY_TYPES:
        known = section.model_fields if section is not None else ()
        return "unknown key" + did_you_mean(str(item["loc"][-1]), known)
    if kind in NOT_A_MAPPING_TYPES:
        return "must be a mapping of keys to values"
    # Every value's type words its own problems; this is pydantic's wording for anything missed.
    return item["msg"]
