"""What devices and monitors send and read: vouchers, seat heartbeats, UPS events, the sources' state."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from compensator.domain.kinds import DarkBasis
from compensator.domain.ups import Reading, UpsDisplay
from web.schemas.common import Time
from web.schemas.fields import Closed, Day, Id, Language, Moment, Name, Query, SeatId, Shape, text, whole_number
from web.schemas.outages import Outage

# Any value asks for the report as a file to save rather than shown in the browser.
Download = text(16)


class RedeemVoucher(Closed):
    """Exactly one of ``seat`` (a free seat: a new session) and ``session`` (a running prepaid one)."""

    # What the server enforces beyond each field (400 otherwise): a seat or a session, exactly one.
    model_config = ConfigDict(json_schema_extra={
        "oneOf": [
            {"title": "onto a free seat", "required": ["seat"],
             "properties": {"seat": {"type": "string"}, "session": {"type": "null"}}},
            {"title": "onto a running session", "required": ["session"],
             "properties": {"session": {"type": "integer"}, "seat": {"type": "null"}}},
        ],
        "examples": [{"seat": "A3", "customer_name": "Tunde"}, {"session": 1}],
    })

    seat: SeatId | None = None
    session: Id | None = None
    customer_name: Name | None = None
    language: Language | None = None


class PowerDown(Closed):
    """The seat agent's report that its PC lost power: alive at ``after`` by its last record, the next due by
    ``before`` (the server's time, worked out from the server's answers before the cut)."""

    after: Moment
    before: Moment


class SeatHeartbeat(Closed):
    """The seat PC that is alive; a seat agent of this version also says how long its PC has been up, and
    (after its PC lost power, until the answer says ``went_down``) when it went down."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"seat": "A1"}]})

    seat: SeatId
    up_seconds: Annotated[int, Field(ge=0, le=10 ** 9), BeforeValidator(whole_number)] | None = None
    went_down: PowerDown | None = None


class UpsEvent(Closed):
    """What NUT's upsmon saw: the mains off (``ONBATT``) or back (``ONLINE``), its battery about to give out
    (``LOWBATT``, ``FSD``: the seats it feeds go dark then), or its battery to replace (``REPLBATT``: kept in
    the equipment record only)."""

    event: Literal["ONBATT", "ONLINE", "LOWBATT", "FSD", "REPLBATT"]


class SeatMessage(Shape):
    """The newest undelivered credit of the seat, in the session's language."""

    notice_id: Id
    text: str
    credit_minutes: int


class Heartbeat(Shape):
    """The heartbeat as recorded, with the message for the seat's screen (or null)."""

    seat: str
    at: Time
    message: SeatMessage | None
    # What the report that the PC went down did, in words; null when the heartbeat carried none.
    went_down: str | None = None


class Ups(Shape):
    """A UPS as an outage source; ``zones`` null means the whole venue, ``polled`` false the webhook."""

    name: str
    state: UpsDisplay
    since: Time | None
    last_change: Time | None
    mains: Reading | None
    zones: list[str] | None
    outage_open: bool
    polled: bool


class UpsOutcome(Ups):
    """A UPS after an event, with the outage the event opened or ended (else null)."""

    opened: Outage | None
    ended: Outage | None


class SilentSeat(Shape):
    """A seat that had been beating and is silent now."""

    seat: str
    last_heartbeat: Time | None


class ServerGap(Shape):
    """The last gap in the server's own heartbeat that raised a suspected outage."""

    started_at: Time | None
    ended_at: Time | None
    outage: int | None


class UpsChange(Shape):
    """A change of a UPS's status as NUT gave it (``OB DISCHRG``, ``OB LB``, ``OL CHRG RB``), with the battery's
    charge (percent), runtime (seconds) and the load (percent) where the UPS gives them; ``source`` ``nut`` (polled)
    or ``webhook`` (reported by upsmon)."""

    ups: str
    at: Time
    status: str
    battery_charge: int | None
    battery_runtime: int | None
    ups_load: int | None
    source: Literal["nut", "webhook"]


class ZoneEquipment(Shape):
    """A zone, the UPSes whose mains feed it, and their last status changes, newest first."""

    zone: str
    name: str
    ups: list[str]
    changes: list[UpsChange]


class SeatBridge(Shape):
    """One measured bridge of a seat's UPS: from the cut's start it held ``held_seconds`` (to ``dark_from``, or
    through the whole cut when that is null), against its zone's rating."""

    outage: int
    started_at: Time
    basis: DarkBasis
    dark_from: Time | None
    held_seconds: int
    rated_minutes: int


class SeatEquipment(Shape):
    """A seat with a measured bridge, and its last ones (three at most), newest first."""

    seat: str
    zone: str | None
    bridges: list[SeatBridge]


class Equipment(Shape):
    """The equipment record: every configured zone's last UPS status changes, every measured seat's last bridges."""

    zones: list[ZoneEquipment]
    seats: list[SeatEquipment]


class Sources(Shape):
    """The state of each automatic outage source, and the equipment record."""

    ups: list[Ups]
    silent_seats: list[SilentSeat]
    last_server_gap: ServerGap | None
    equipment: Equipment


class ReportQuery(Query):
    """``?format=`` of the daily report (JSON unless asked)."""

    format: Literal["json", "csv", "html", "pdf"] = "json"
    download: Download | None = None


class PeriodReportQuery(Query):
    """``?from=&to=`` (both venue days, included) and ``?format=`` of the period report (JSON unless asked)."""

    first: Day = Field(alias="from", description="the period's first venue day, like 2026-11-01")
    to: Day = Field(description="the period's last venue day, today or earlier: a day still to come has no report "
                                "(404); a last day before the first, or a period longer than 400 days, is 409 "
                                "time_out_of_range")
    format: Literal["json", "csv", "html", "pdf"] = "json"
    download: Download | None = None
