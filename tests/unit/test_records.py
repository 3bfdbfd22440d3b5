"""Records (``compensator.domain.records``): frozen, slotted dataclasses that are quicker to make, and nothing else changed."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime

import pytest

from compensator.domain.kinds import EntryKind
from compensator.domain.ledger import Balance, EntryRecord
from compensator.domain.records import record


@record
class Sample:
    """A record with a plain field, a default and a default from a factory."""

    name: str
    count: int = 3
    tags: tuple[str, ...] = dataclasses.field(default=())
    items: list[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, slots=True)
class Twin:
    """The same fields as ``Sample``, as a plain frozen dataclass."""

    name: str
    count: int = 3
    tags: tuple[str, ...] = dataclasses.field(default=())
    items: list[int] = dataclasses.field(default_factory=list)


def test_a_record_is_made_and_compared_as_the_frozen_dataclass_it_is() -> None:
    made = Sample("a", 5, ("x",))
    assert (made.name, made.count, made.tags, made.items) == ("a", 5, ("x",), [])
    assert made == Sample("a", 5, ("x",)) and made != Sample("b", 5, ("x",))
    assert Sample(name="a") == Sample("a", 3, (), [])
    assert repr(made) == repr(Twin("a", 5, ("x",))).replace("Twin", "Sample")
    assert dataclasses.is_dataclass(made) and [field.name for field in dataclasses.fields(made)] == [
        "name", "count", "tags", "items"]
    assert not hasattr(made, "__dict__")
    assert dataclasses.replace(made, count=7) == Sample("a", 7, ("x",))


def test_each_record_left_without_a_factory_field_gets_a_value_of_its_own() -> None:
    first, second = Sample("a"), Sample("a")
    assert first.items is not second.items


def test_a_record_refuses_to_be_changed() -> None:
    made = Sample("a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.count = 4  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del made.name  # type: ignore[misc]


def test_records_hash_as_their_fields_and_survive_a_round_trip_through_pickle() -> None:
    moment = datetime(2026, 11, 22, 8, tzinfo=UTC)
    entry = EntryRecord(1, EntryKind.PURCHASE, 60, moment)
    assert hash(entry) == hash(EntryRecord(1, EntryKind.PURCHASE, 60, moment, 0, None))
    assert {entry: "found"}[EntryRecord(1, EntryKind.PURCHASE, 60, moment)] == "found"
    made = Sample("a", 2, ("y",), [4])
    assert pickle.loads(pickle.dumps(made)) == made
    assert pickle.loads(pickle.dumps(entry)) == entry


def test_a_missing_or_unknown_argument_is_refused_as_by_a_dataclass() -> None:
    with pytest.raises(TypeError):
        Sample()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Sample("a", colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Balance()  # type: ignore[call-arg]


def test_what_a_record_cannot_be_is_refused_when_it_is_declared() -> None:
    with pytest.raises(TypeError, match="__post_init__"):
        @record
        class Checked:
            value: int

            def __post_init__(self) -> None:
                pass
    with pytest.raises(TypeError, match="positional"):
        @record
        class KeywordOnly:
            value: int = dataclasses.field(kw_only=True)
