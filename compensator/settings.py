"""The frozen settings that ``config.yaml`` describes (SPEC appendix A), as the engine reads them.

``compensator.config`` reads and validates the file into these types, reporting every problem
with its key path; everything else (the runtime, the store, the services, the web layer) only
reads them. They hold no parsing, so a test or a scenario can build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

# The policy's parameters are defined in the pure core, which reads them; the settings carry them
# and ``compensator.config`` builds and validates them.
from compensator.domain.kinds import DashboardLanguage
from compensator.domain.silence import SilenceRule
from compensator.domain.terms import PolicySettings, ZoneTerms
from compensator.timeofday import ClockStyle

DEFAULT_DATABASE_URL = "sqlite:///compensator.db"


@dataclass(frozen=True, slots=True)
class VenueSettings:
    """The venue: its name, time zone, currency, notice languages, closing time and clock style."""

    name: str
    timezone: str
    currency: str
    languages: tuple[str, ...]
    closing_time: time
    clock: ClockStyle = ClockStyle.TWENTY_FOUR_HOUR

    @property
    def tz(self) -> ZoneInfo:
        """The venue's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def default_language(self) -> str:
        """The language of notices for customers who chose none."""
        return self.languages[0]


@dataclass(frozen=True, slots=True)
class ZoneSettings:
    """A group of seats on one circuit and price."""

    id: str
    name: str
    price_minor_per_hour: int
    ups_minutes: int = 0


@dataclass(frozen=True, slots=True)
class SeatSettings:
    """One seat and the zone it belongs to."""

    id: str
    label: str
    zone_id: str


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """Where the data lives."""

    url: str = DEFAULT_DATABASE_URL


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """Where ``compensator run`` listens; only this machine unless configured."""

    host: str = "127.0.0.1"
    port: int = 8080
    # Served over HTTPS (behind a proxy that ends TLS, for instance): login cookies are then Secure.
    https: bool = False


@dataclass(frozen=True, slots=True)
class DashboardSettings:
    """Choices offered on the dashboard."""

    packages_minutes: tuple[int, ...] = (30, 60, 120)
    # The pages' language for an attendant who has chosen none and a browser that asks for none of them.
    language: DashboardLanguage = DashboardLanguage.EN


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """Where end-of-day reports are archived."""

    directory: str = "reports"


@dataclass(frozen=True, slots=True)
class NoticeSettings:
    """The owner's own notice wording, if any (one YAML file per language)."""

    templates_directory: str | None = None


class PrinterKind(StrEnum):
    """How the ESC/POS receipt printer is reached, if there is one."""

    NONE = "none"
    NETWORK = "network"
    USB = "usb"
    SERIAL = "serial"
    FILE = "file"


# The widths of receipt roll a printer takes, in millimetres.
RollWidthMm = Literal[58, 80]
# A receipt line holds this many characters of the printer's standard font on each roll width.
COLUMNS_BY_WIDTH_MM = {58: 32, 80: 48}


@dataclass(frozen=True, slots=True)
class PrinterSettings:
    """The ESC/POS thermal receipt printer, and whether every new notice is printed at once."""

    kind: PrinterKind = PrinterKind.NONE
    host: str | None = None
    port: int = 9100
    # usb: "VENDOR:PRODUCT" in hex; serial: a port such as /dev/ttyUSB0 or COM3; file: a path.
    device: str | None = None
    width_mm: RollWidthMm = 80
    auto_print: bool = False

    @property
    def columns(self) -> int:
        """How many characters a receipt line holds."""
        return COLUMNS_BY_WIDTH_MM[self.width_mm]


@dataclass(frozen=True, slots=True)
class BackupSettings:
    """Where the nightly backup after closing time goes, and how many are kept."""

    # Relative to the SQLite database's folder (the data folder), else to the working directory.
    directory: str = "backups"
    keep: int = 14


@dataclass(frozen=True, slots=True)
class UpsSettings:
    """One UPS read through NUT's ``upsd``, and the zones whose mains it watches."""

    # The UPS's name in upsd, as in ``upsc venue@127.0.0.1``.
    name: str
    host: str = "127.0.0.1"
    port: int = 3493
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    # None: its mains feed the whole venue.
    zones: tuple[str, ...] | None = None
    poll_seconds: float = 2.0
    debounce_seconds: float = 15.0
    merge_seconds: float = 60.0
    # False: the server does not poll it; a upsmon elsewhere reports through the webhook.
    poll: bool = True


@dataclass(frozen=True, slots=True)
class ServerGapSettings:
    """How long the server may be silent before the gap is taken for a power cut of the counter PC."""

    threshold_minutes: int = 3


@dataclass(frozen=True)
class Settings:
    """Everything ``config.yaml`` says, validated."""

    venue: VenueSettings
    zones: tuple[ZoneSettings, ...]
    seats: tuple[SeatSettings, ...]
    policy: PolicySettings = field(default_factory=PolicySettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    dashboard: DashboardSettings = field(default_factory=DashboardSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    notices: NoticeSettings = field(default_factory=NoticeSettings)
    printer: PrinterSettings = field(default_factory=PrinterSettings)
    backups: BackupSettings = field(default_factory=BackupSettings)
    ups: tuple[UpsSettings, ...] = ()
    # The heartbeat rule is the pure core's own type, as the policy's terms are.
    heartbeats: SilenceRule = field(default_factory=SilenceRule)
    server_gap: ServerGapSettings = field(default_factory=ServerGapSettings)

    @cached_property
    def zones_by_id(self) -> dict[str, ZoneSettings]:
        """Zones keyed by id."""
        return {zone.id: zone for zone in self.zones}

    @cached_property
    def seats_by_id(self) -> dict[str, SeatSettings]:
        """Seats keyed by id."""
        return {seat.id: seat for seat in self.seats}

    @cached_property
    def seat_ids(self) -> frozenset[str]:
        """The ids of every seat: what a venue-wide outage covers."""
        return frozenset(self.seats_by_id)

    @cached_property
    def seat_terms(self) -> MappingProxyType[str, ZoneTerms]:
        """Each seat's zone terms (its UPS and its price), as the policy reads them."""
        return MappingProxyType({seat.id: ZoneTerms(self.zone(seat.zone_id).ups_minutes,
                                                    self.zone(seat.zone_id).price_minor_per_hour)
                                 for seat in self.seats})

    @cached_property
    def ups_by_name(self) -> dict[str, UpsSettings]:
        """The UPS monitors keyed by name."""
        return {ups.name: ups for ups in self.ups}

    def zone(self, zone_id: str) -> ZoneSettings:
        """The zone with ``zone_id`` (KeyError if unknown)."""
        return self.zones_by_id[zone_id]

    def seat(self, seat_id: str) -> SeatSettings:
        """The seat with ``seat_id`` (KeyError if unknown)."""
        return self.seats_by_id[seat_id]
