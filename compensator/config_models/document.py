"""The whole of ``config.yaml`` (SPEC appendix A) as one pydantic model, and the rules across its entries.

``ConfigModel.model_validate`` checks every section and every entry; the rules that need more
than one entry (an id used twice, a zone that no zone declares) run beside that checking, on
each entry's key as its own type reads it, so that an entry with some other problem still
declares its id and every problem in the file is found in one go.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, cast

from pydantic import Field, TypeAdapter, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails

from compensator.config_models.fields import Section, details, plainly, problem
from compensator.config_models.printer import PrinterModel
from compensator.config_models.problems import did_you_mean
from compensator.config_models.sections import (
    BackupsModel,
    DashboardModel,
    DatabaseModel,
    HeartbeatsModel,
    NoticesModel,
    PolicyModel,
    ReportsModel,
    ServerGapModel,
    ServerModel,
)
from compensator.config_models.ups import UpsModel, UpsName, UpsZones
from compensator.config_models.venue import MAX_SEATS, SeatIds, SeatModel, SeatZone, VenueModel, ZoneId, ZoneModel
from compensator.settings import DatabaseSettings, Settings

DATABASE_URL_VARIABLE = "COMPENSATOR_DATABASE_URL"
OPTIONAL_SECTIONS = ("policy", "database", "server", "dashboard", "reports", "notices", "printer", "backups",
                     "heartbeats", "server_gap")

Zones = Annotated[tuple[ZoneModel, ...], Field(min_length=1),
                  plainly("must be a non-empty list of zones", entries=True)]
Seats = Annotated[tuple[SeatModel, ...], Field(min_length=1),
                  plainly("must be a non-empty list of seats or seat ranges", entries=True)]
Monitors = Annotated[tuple[UpsModel, ...], plainly("must be a list of UPS monitors (or left out for none)",
                                                   entries=True)]

# What a rule across entries finds: the key path and the words.
Problem = tuple[tuple[int | str, ...], str]


class ConfigModel(Section):
    """``config.yaml``: the venue, its zones and seats, and the optional sections, each with its defaults."""

    venue: VenueModel
    zones: Zones
    seats: Seats
    policy: PolicyModel = PolicyModel()
    database: DatabaseModel = DatabaseModel()
    server: ServerModel = ServerModel()
    dashboard: DashboardModel = DashboardModel()
    reports: ReportsModel = ReportsModel()
    notices: NoticesModel = NoticesModel()
    printer: PrinterModel = PrinterModel()
    backups: BackupsModel = BackupsModel()
    ups: Monitors = ()
    heartbeats: HeartbeatsModel = HeartbeatsModel()
    server_gap: ServerGapModel = ServerGapModel()

    @field_validator(*OPTIONAL_SECTIONS, mode="before")
    @classmethod
    def _an_empty_section_has_the_defaults(cls, value: Any) -> Any:
        return {} if value is None else value

    @field_validator("ups", mode="before")
    @classmethod
    def _no_ups_by_default(cls, value: Any) -> Any:
        return () if value is None else value

    @model_validator(mode="wrap")
    @classmethod
    def _rules_across_entries(cls, data: Any, handler: Callable[[Any], ConfigModel]) -> ConfigModel:
        found = [_detail(loc, words) for loc, words in across_entries(data)] if isinstance(data, Mapping) else []
        try:
            document = handler(data)
        except ValidationError as error:
            raise ValidationError.from_exception_data(cls.__name__, [*details(error.errors()), *found]) from None
        if found:
            raise ValidationError.from_exception_data(cls.__name__, found)
        return document

    def to_settings(self, environ: Mapping[str, str]) -> Settings:
        """The frozen settings the file describes; the database URL and UPS passwords in ``environ`` win."""
        override = environ.get(DATABASE_URL_VARIABLE)
        return Settings(
            venue=self.venue.to_settings(),
            zones=tuple(zone.to_settings() for zone in self.zones),
            seats=tuple(seat for entry in self.seats for seat in entry.to_settings()),
            policy=self.policy.to_settings(),
            database=DatabaseSettings(override) if override else self.database.to_settings(),
            server=self.server.to_settings(),
            dashboard=self.dashboard.to_settings(),
            reports=self.reports.to_settings(),
            notices=self.notices.to_settings(),
            printer=self.printer.to_settings(),
            backups=self.backups.to_settings(),
            ups=tuple(monitor.to_settings(environ) for monitor in self.ups),
            heartbeats=self.heartbeats.to_settings(),
            server_gap=self.server_gap.to_settings(),
        )


def _detail(loc: tuple[int | str, ...], words: str) -> InitErrorDetails:
    return InitErrorDetails(type=problem(words), loc=loc, input=None)


# A zone's id and a UPS's name are ``Annotated`` over ``text()``, which mypy cannot read as a type
# (pyproject.toml's mypy section says why): their adapters are typed by what they read, a text.
ZONE_ID: TypeAdapter[str] = TypeAdapter(cast(Any, ZoneId))
SEAT_IDS = TypeAdapter(SeatIds)
SEAT_ZONE = TypeAdapter(SeatZone)
UPS_NAME: TypeAdapter[str] = TypeAdapter(cast(Any, UpsName))
UPS_ZONES = TypeAdapter(UpsZones)


def declared(entries: object, key: str, adapter: TypeAdapter[Any]) -> list[tuple[int, Any]]:
    """Each entry's ``key`` as ``adapter`` reads it, with the entry's index, where it reads well."""
    if not isinstance(entries, list):
        return []
    found = []
    for index, entry in enumerate(entries):
        if isinstance(entry, Mapping) and key in entry:
            try:
                found.append((index, adapter.validate_python(entry[key])))
            except ValidationError:
                pass  # The entry's own model reports it.
    return found


def across_entries(data: Mapping[str, Any]) -> list[Problem]:
    """The problems only several entries show: ids used twice, zones no zone declares."""
    found: list[Problem] = []
    zones = data.get("zones")
    zone_ids = _unique(declared(zones, "id", ZONE_ID), "zones", "id", found)
    # Without a usable list of zones, a reference to one cannot be checked.
    known = set(zone_ids) if isinstance(zones, list) and zones else None
    seen: dict[str, int] = {}
    for index, seat_ids in declared(data.get("seats"), "id", SEAT_IDS):
        for seat_id in seat_ids:
            if seat_id in seen:
                found.append((("seats", index, "id"), f"seat {seat_id} is already defined by seats[{seen[seat_id]}]"))
            else:
                seen[seat_id] = index
    if len(seen) > MAX_SEATS:
        found.append((("seats",), f"a venue holds at most {MAX_SEATS} seats; these entries make {len(seen)}"))
    for index, zone in declared(data.get("seats"), "zone", SEAT_ZONE):
        if known is not None and zone not in known:
            found.append((("seats", index, "zone"), f"unknown zone {zone!r}" + did_you_mean(zone, known)))
    _unique(declared(data.get("ups"), "name", UPS_NAME), "ups", "name", found)
    for index, monitor_zones in declared(data.get("ups"), "zones", UPS_ZONES):
        for zone in monitor_zones:
            if known is not None and zone not in known:
                found.append((("ups", index, "zones"), f"unknown zone {zone!r}" + did_you_mean(zone, known)))
    return found


def _unique(values: list[tuple[int, str]], section: str, key: str, found: list[Problem]) -> dict[str, int]:
    """The index of each value's first entry, with a problem for each entry that uses a value again."""
    first: dict[str, int] = {}
    for index, value in values:
        if value in first:
            found.append(((section, index, key), f"{value!r} is already used by {section}[{first[value]}]"))
        else:
            first[value] = index
    return first
