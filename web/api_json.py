"""JSON shapes of the API: service results in, plain dicts out; requests validated by their models.

Times go out as ISO 8601 in the venue's time zone with its offset, and must come in with an
offset. Money is always an integer in minor units.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from flask import Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

from compensator.domain import vouchers
from compensator.domain.bill import SessionBill
from compensator.domain.figures import CompensationFigures
from compensator.errors import InvalidInput
from compensator.services.counter.board import SeatTile
from compensator.services.handover.notices import NoticeView
from compensator.services.outages.views import CompensationView, OutageView
from compensator.services.sessions.views import SeatSessionView
from compensator.services.sessions.vouchers import Redemption
from compensator.services.sources.equipment import LastBridges
from compensator.services.sources.ups import UpsOutcome, UpsView
from web.context import runtime
from web.schemas.fields import WHOLE_MESSAGE


def local_time(moment: datetime | None, venue_tz: tzinfo | None = None) -> str | None:
    """``moment`` in the venue's time zone (``venue_tz`` when the caller has it at hand), ISO 8601 with offset."""
    if not moment:
        return None
    return moment.astimezone(venue_tz or runtime().settings.venue.tz).isoformat()


# Deeper JSON than this is no request of this API; refusing it before parsing keeps a parser
# from recursing 50,000 levels down.
MAX_JSON_DEPTH = 32
Model = TypeVar("Model", bound=BaseModel)


def json_depth(raw: bytes) -> int:
    """How deeply arrays and objects nest in the JSON text ``raw`` (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                break
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


class UnknownField(InvalidInput):
    """A body or query carries a field its model does not declare: refused before anything else."""


def refusal(error: ValidationError, what: str = "field") -> InvalidInput:
    """The first problem pydantic found, as the API's ``InvalidInput`` naming the field (or parameter)."""
    first = error.errors(include_url=False)[0]
    location = [str(part) for part in first["loc"]]
    field = location[0] if location else None
    if first["type"] == "extra_forbidden":
        return UnknownField(f"unknown {what} {field!r}", field=field)
    if first["type"] == "missing":
        return InvalidInput(f"{field} is required", field=field)
    if first["type"] in ("model_type", "model_attributes_type") and not location:
        return InvalidInput("the body must be a JSON object")
    if first["type"] == "json_invalid":
        return InvalidInput("the body is not valid JSON: " + first["msg"].removeprefix("Invalid JSON: "))
    if first["type"] in ("literal_error", "enum"):
        return InvalidInput(f"{field} must be {first['ctx']['expected'].replace(chr(39), '')}", field=field)
    message = first["msg"]
    if first["type"] != WHOLE_MESSAGE:
        message = message[:1].lower() + message[1:]
        message = f"{'.'.join(location)} {message}" if location else message
    return InvalidInput(message, field=field)


def body(model: type[Model]) -> Model:
    """The request's JSON object (an empty body counts as ``{}``), validated by ``model``.

    Unknown fields are refused rather than ignored, so that a typo (``seat`` for ``seats``)
    cannot silently widen an outage to the whole venue.
    """
    raw = request.get_data(cache=True) or b"{}"
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise InvalidInput(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise refusal(error) from None


class Submitted(dict[str, Any]):
    """A mutation's body: the fields it gave as the service layer takes them, or the object and its refusal.

    A JSON object the model refuses is still the request an ``Idempotency-Key`` was sent with:
    the key is checked against it first (another request with a used key is 409, as always),
    and the refusal is then the key's first answer, given inside its transaction.
    """

    refusal: InvalidInput | None = None


def submitted(model: type[BaseModel]) -> Submitted:
    """The body of a mutation, validated by ``model``; an object that is not valid keeps its refusal."""
    raw = request.get_data(cache=True) or b"{}"
    try:
        return Submitted(body(model).model_dump(exclude_unset=True))
    except UnknownField:
        raise
    except InvalidInput as problem:
        # Only a field's value was wrong: pydantic read the object, so Python's parser reads it too.
        data = json.loads(raw) if problem.field is not None else None
        if not isinstance(data, dict):
            raise
        found = Submitted(data)
        found.refusal = problem
        return found


def query(model: type[Model]) -> Model:
    """The request's query string, validated by ``model`` (the first value of a repeated name)."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise refusal(error, "parameter") from None


def seats_json(tiles: tuple[SeatTile, ...]) -> list[dict[str, Any]]:
    """The seats on the board (the venue's time zone looked up once for all of them)."""
    venue_tz = runtime().settings.venue.tz
    return [{
        "seat": tile.seat_id, "label": tile.label, "zone": tile.zone_id, "state": tile.api_state,
        "session": tile.session_id, "remaining_minutes": tile.remaining_minutes,
        "paid_end": local_time(tile.paid_end, venue_tz), "nearly_up": tile.nearly_up, "on_ups": tile.on_ups,
    } for tile in tiles]


class SeatsAnswer:
    """The answer of ``GET /seats``, encoded again only when the board's tiles are not the ones last encoded.

    ``BoardMemo`` hands out the very same tuple of tiles for as long as nothing on the board
    changes, so most readings of the board answer with the bytes already encoded. The tuple is
    held, not its ``id``: it cannot be freed and its identity taken by another while kept here.
    One per app (its JSON settings and its runtime's time zone shape the bytes), shared by the
    server's threads: each answers from the pair it read, and a pair is never changed once kept.
    """

    def __init__(self) -> None:
        self._last: tuple[tuple[SeatTile, ...], bytes, str | None] | None = None

    def response(self, tiles: tuple[SeatTile, ...]) -> Response:
        """The JSON response listing ``tiles``, as ``jsonify(seats=seats_json(tiles))`` makes it."""
        last = self._last
        if last is None or last[0] is not tiles:
            encoded = jsonify(seats=seats_json(tiles))
            last = (tiles, encoded.get_data(), encoded.mimetype)
            self._last = last
        return current_app.response_class(last[1], mimetype=last[2])


def session_json(view: SeatSessionView) -> dict[str, Any]:
    """A session with its ledger entries and derived balance."""
    return {
        "id": view.id, "seat": view.seat_id, "start_seat": view.start_seat_id, "zone": view.zone_id,
        "mode": view.mode.value, "state": view.state.value, "started_at": local_time(view.started_at),
        "ended_at": local_time(view.ended_at), "customer_name": view.customer_name, "language": view.language,
        "paid_minutes": view.paid_minutes, "remaining_minutes": view.remaining_minutes,
        "paid_end": local_time(view.paid_end), "billed_minutes": view.billed_minutes, "bill_minor": view.bill_minor,
        "bill": bill_json(view.bill) if view.bill else None,
        "past_closing_minutes": view.past_closing_minutes,
        # A move's answer: what re-pricing the paid time left at the new seat's price came to.
        "moved": None if view.moved is None else {
            "minutes_left": view.moved.minutes_left,
            "from_price_minor_per_hour": view.moved.from_price_minor_per_hour,
            "to_price_minor_per_hour": view.moved.to_price_minor_per_hour,
            "difference_minor": view.moved.difference_minor},
        "owed_on_leaving": [
            {"compensation": credit.compensation_id, "outage": credit.outage_id,
             "credit_minutes": credit.credit_minutes, "carried_minutes": credit.carried_minutes,
             "form": credit.form.value, "awaiting_approval": credit.awaiting_approval, "notice": credit.notice_id,
             "voucher_codes": list(credit.voucher_codes)}
            for credit in view.owed_on_leaving
        ],
        "entries": [
            {"id": entry.id, "kind": entry.kind.value, "minutes": entry.minutes, "value_minor": entry.value_minor,
             "created_at": local_time(entry.created_at), "reverses": entry.reverses_id, "actor": entry.actor,
             "note": entry.note}
            for entry in view.entries
        ],
    }


def redemption_json(redeemed: Redemption) -> dict[str, Any]:
    """A redeemed voucher's session, with what the voucher was worth and the minutes it gave at this seat's price."""
    return {**session_json(redeemed.session), "voucher": {
        "code": redeemed.code, "issued_minutes": redeemed.issued_minutes,
        "issued_price_minor_per_hour": redeemed.issued_price_minor_per_hour, "value_minor": redeemed.value_minor,
        "price_minor_per_hour": redeemed.price_minor_per_hour, "minutes": redeemed.minutes}}


def bill_json(bill: SessionBill) -> dict[str, Any]:
    """An ended session's final bill: minutes, money in minor units, and its credits by reason."""
    return {
        "price_minor_per_hour": bill.price_minor_per_hour, "used_minutes": bill.used_minutes,
        "paid_minutes": bill.paid_minutes, "paid_minor": bill.paid_minor,
        "credits": [{"reason": line.reason.value, "minutes": line.minutes, "outages": line.outages}
                    for line in bill.credits],
        "billed_minutes": bill.billed_minutes, "due_minor": bill.due_minor,
    }


def figures_json(figures: CompensationFigures) -> dict[str, Any]:
    """A compensation's figures, each under its own name (times in the venue's zone)."""
    return {name: local_time(value) if isinstance(value, datetime) else value
            for name, value in figures.columns().items()}


def compensation_json(item: CompensationView) -> dict[str, Any]:
    """A compensation: its figures as they stand, its first explanation, and each correction's adjustment."""
    return {
        "id": item.id, "outage": item.outage_id, "session": item.session_id, "seat": item.seat_id,
        **figures_json(item.current), "granted_minutes": item.granted_minutes, "waived_minutes": item.waived_minutes,
        "status": item.status.value, "explanation": item.explanation, "policy": item.policy_fingerprint,
        "notice": item.notice_id, "vouchers": [vouchers.display(code) for code in item.voucher_codes],
        "adjustments": [
            {"at": local_time(adjustment.at), **figures_json(adjustment.figures),
             "previous_credit_minutes": adjustment.previous_credit_minutes, "topup_minutes": adjustment.topup_minutes,
             "waived_minutes": adjustment.waived_minutes, "explanation": adjustment.explanation,
             "policy": adjustment.policy_fingerprint}
            for adjustment in item.adjustments
        ],
    }


def outage_json(view: OutageView) -> dict[str, Any]:
    """An outage with its compensations."""
    return {
        "id": view.id, "kind": view.kind.value, "scope": view.scope_kind.value, "zones": list(view.scope_ids)
        if view.scope_kind.value == "zones" else None, "seats": list(view.scope_ids)
        if view.scope_kind.value == "seats" else None, "started_at": local_time(view.started_at),
        "ended_at": local_time(view.ended_at), "source": view.source.value, "status": view.status.value,
        "logged_by": view.actor, "note": view.note, "corrections": view.corrections, "flaps": view.flaps,
        "dismissal_reason": view.dismissal_reason,
        "compensations": [compensation_json(item) for item in view.compensations],
    }


def notice_json(view: NoticeView) -> dict[str, Any]:
    """A notice with its delivery record."""
    return {
        "id": view.id, "compensation": view.compensation_id, "outage": view.outage_id, "session": view.session_id,
        "seat": view.seat_id, "language": view.language, "status": view.status, "text": view.text,
        "credit_minutes": view.credit_minutes, "form": view.form.value,
        "voucher": vouchers.display(view.voucher_code) if view.voucher_code else None,
        "created_at": local_time(view.created_at),
        "deliveries": [
            {"how": delivery.how.value, "feedback": delivery.feedback.value if delivery.feedback else None,
             "by": delivery.actor, "at": local_time(delivery.at)}
            for delivery in view.deliveries
        ],
    }


def ups_json(view: UpsView) -> dict[str, Any]:
    """A UPS as an outage source: what it shows, since when, and the zones its mains feed."""
    return {
        "name": view.name, "state": view.display.value, "since": local_time(view.since),
        "last_change": local_time(view.last_change), "mains": view.mains.value if view.mains else None,
        "zones": list(view.zones) if view.zones else None, "outage_open": view.in_outage, "polled": view.polled,
    }


def equipment_json(record: LastBridges) -> dict[str, Any]:
    """The equipment record as ``GET /sources`` shows it: each zone's last UPS status changes, each seat's last
    measured bridges, newest first."""
    tz = runtime().settings.venue.tz
    return {
        "zones": [{"zone": zone.zone_id, "name": zone.zone_name, "ups": list(zone.ups), "changes": [
            {"ups": change.ups, "at": local_time(change.at, tz), "status": change.status,
             "battery_charge": change.battery_charge, "battery_runtime": change.battery_runtime,
             "ups_load": change.ups_load, "source": change.source} for change in zone.changes]}
            for zone in record.zones],
        "seats": [{"seat": seat.seat_id, "zone": seat.zone_id, "bridges": [
            {"outage": bridge.outage_id, "started_at": local_time(bridge.started_at, tz), "basis": bridge.basis.value,
             "dark_from": local_time(bridge.dark_from, tz), "held_seconds": bridge.held_seconds,
             "rated_minutes": bridge.rated_minutes} for bridge in seat.bridges]}
            for seat in record.seats],
    }


def ups_outcome_json(outcome: UpsOutcome) -> dict[str, Any]:
    """A UPS after an event, with the outage the event opened or ended, if any."""
    return {**ups_json(outcome.ups), "opened": outage_json(outcome.opened) if outcome.opened else None,
            "ended": outage_json(outcome.ended) if outcome.ended else None}
