"""Immutable records that are quick to make: frozen, slotted dataclasses that set their slots directly.

A frozen dataclass's generated ``__init__`` assigns each field through ``object.__setattr__``
(its own ``__setattr__`` refuses), which costs about twice what writing the slot does. Closing
an outage over a venue makes some ten records per session (entries, balances, results, notices,
views): tens of thousands, where that difference is a sixth of the close. ``record`` makes the
same dataclass as ``dataclass(frozen=True, slots=True)`` (fields, defaults, equality, hashing,
``dataclasses.replace`` and the refusal to assign all as it makes them), then gives it an
``__init__`` that writes each slot through its descriptor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from typing import Any, TypeVar, dataclass_transform

Record = TypeVar("Record", bound=type)


@dataclass_transform(frozen_default=True)
def record(cls: Record) -> Record:
    """``cls`` as a frozen, slotted dataclass whose ``__init__`` writes its slots directly."""
    made: Any = dataclass(frozen=True, slots=True)(cls)
    if hasattr(made, "__post_init__"):
        raise TypeError(f"{made.__name__}: a record has no __post_init__")
    namespace: dict[str, Any] = {}
    parameters: list[str] = []
    body: list[str] = []
    for field in fields(made):
        if not field.init or field.kw_only:
            raise TypeError(f"{made.__name__}.{field.name}: a record's fields are all positional parameters")
        namespace[f"_set_{field.name}"] = made.__dict__[field.name].__set__
        if field.default is not MISSING:
            namespace[f"_default_{field.name}"] = field.default
            parameters.append(f"{field.name}=_default_{field.name}")
        elif field.default_factory is not MISSING:
            namespace[f"_factory_{field.name}"] = field.default_factory
            parameters.append(f"{field.name}=_no_value")
            body.append(f"    if {field.name} is _no_value: {field.name} = _factory_{field.name}()")
        else:
            parameters.append(field.name)
        body.append(f"    _set_{field.name}(self, {field.name})")
    # A field whose default comes from a factory defaults to MISSING, and the factory is called then.
    namespace["_no_value"] = MISSING
    source = f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(body or ["    pass"]) + "\n"
    exec(source, namespace)  # noqa: S102 - the source is built above from the field names alone
    init: Callable[..., None] = namespace["__init__"]
    init.__qualname__ = f"{made.__qualname__}.__init__"
    init.__doc__ = made.__init__.__doc__
    made.__init__ = init
    return made

