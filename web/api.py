"""JSON API v1 (SPEC appendix C), described by ``/api/v1/openapi.json``.

Every endpoint but ``health`` and ``openapi.json`` needs ``Authorization: Bearer TOKEN`` or a
logged-in attendant (cookie plus ``X-CSRF-Token``). Errors are ``{"error": {"code", "message",
"field"}}`` with a 4xx status (see ``web.errors``), or 503 ``printer_unavailable`` when the
receipt printer is off.

    GET  /health                          GET  /openapi.json
    GET  /seats
    POST /sessions                        GET  /sessions/<id>
    POST /sessions/<id>/extend|pause|resume|move|end
    POST /outages                         GET  /outages?date=   GET /outages/<id>
    POST /outages/<id>/end|correct|confirm|dismiss
    POST /compensations/<id>/approve|reduce|refuse
    GET  /notices?status=                 GET  /notices/<id>?format=json|text|html
    POST /notices/<id>/deliver            POST /notices/<id>/print
    POST /vouchers/<code>/redeem
    POST /heartbeats                      GET  /sources
    POST /ups/<name>/events
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, render_template_string, request
from flask.typing import ResponseReturnValue

from compensator.collector import collector_held_off
from compensator.domain.venue_day import date_of, day_bounds
from compensator.errors import DomainError
from compensator.services import actions
from compensator.services.handover import notices
from compensator.services.handover.printing import print_notice
from compensator.services.once import KEY_FIELD, Answer, request_key, run_once
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.services.sessions.vouchers import redeem_voucher
from compensator.services.sources import detection, equipment, server_gap, ups
from compensator.services.sources.heartbeats import HeartbeatView, PowerDown, record_seat_heartbeat
from compensator.store.database import UnitOfWork
from web.api_json import (
    Submitted,
    compensation_json,
    equipment_json,
    local_time,
    notice_json,
    outage_json,
    query,
    redemption_json,
    session_json,
    submitted,
    ups_json,
    ups_outcome_json,
)
from web.auth import Actor, require_api_actor
from web.context import printer, reading, runtime, seats_answer, unit_of_work
from web.errors import error_body
from web.openapi import openapi_document
from web.schemas import common, devices
from web.schemas import notices as notice_schemas
from web.schemas import outages as outage_schemas
from web.schemas import sessions as session_schemas
from web.schemas.routes import body_of

bp = Blueprint("api", __name__, url_prefix="/api/v1")
T = TypeVar("T")

NOTICE_HTML = """<!doctype html><html lang="{{ notice.language }}"><head><meta charset="utf-8">
<title>Notice {{ notice.id }}</title></head><body><pre style="font: 16px/1.5 sans-serif; white-space: pre-wrap">
{{ notice.text }}{% if notice.voucher %}

{{ notice.voucher }}{% endif %}</pre></body></html>"""


@bp.get("/health")
def health() -> ResponseReturnValue:
    """Tell a monitor that the server answers."""
    return jsonify(status="ok")


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI document of this API."""
    return jsonify(openapi_document())


@bp.get("/seats")
def list_seats() -> ResponseReturnValue:
    """Every seat with its zone, state, session and remaining minutes."""
    require_api_actor()
    with reading() as uow:
        tiles = runtime().board_memo.seat_board(uow)
    return seats_answer().response(tiles)


@bp.post("/sessions")
def start_session() -> ResponseReturnValue:
    """Start a prepaid session of some minutes, or a postpaid one, on a free seat."""
    actor = require_api_actor()
    data = submitted(session_schemas.StartSession)
    return _mutation(actor, data, lambda uow: sessions.start_session(
        uow, seat_id=data.get("seat"), minutes=data.get("minutes"), postpaid=data.get("postpaid", False),
        customer_name=data.get("customer_name"), language=data.get("language"), actor=actor.label),
        lambda view: Answer(201, session_json(view)))


@bp.get("/sessions/<int:session_id>")
def get_session(session_id: int) -> ResponseReturnValue:
    """A session with its ledger entries, paid end and remaining minutes."""
    require_api_actor()
    with reading() as uow:
        return jsonify(session_json(session_views.get_session(uow, session_id)))


@bp.post("/sessions/<int:session_id>/<action>")
def session_action(session_id: int, action: str) -> ResponseReturnValue:
    """Extend, pause, resume, move or end a session; managers also correct a mistaken sale."""
    actor = require_api_actor()
    found = actions.find(actions.SESSION_ACTIONS, action, is_manager=actor.is_manager)
    data = submitted(body_of("post", f"/sessions/{{session_id}}/{action}"))
    return _mutation(actor, data, lambda uow: found.run(uow, session_id, data, actor.label),
                     lambda view: Answer(200, session_json(view)))


@bp.post("/outages")
def start_outage() -> ResponseReturnValue:
    """Open an outage; 200 with the ongoing one when one of the same kind and scope is open."""
    actor = require_api_actor()
    data = submitted(outage_schemas.StartOutage)
    return _mutation(actor, data, lambda uow: outages.start_outage(
        uow, kind=data.get("kind") or "power", zones=data.get("zones"), seats=data.get("seats"),
        started_at=data.get("started_at"), source=data.get("source") or "api", note=data.get("note"),
        actor=actor.label),
        lambda view: Answer(201 if view.created else 200, outage_json(view)))


@bp.get("/outages")
def list_outages() -> ResponseReturnValue:
    """The outages of a venue day (``?date=YYYY-MM-DD``, today by default) with their compensations."""
    require_api_actor()
    venue_tz = runtime().settings.venue.tz
    day = query(outage_schemas.OutagesQuery).date or date_of(runtime().clock.now(), venue_tz)
    start, end = day_bounds(day, venue_tz)
    with reading() as uow:
        views = outage_views.list_outages(uow, start=start, end=end)
    return jsonify(outages=[outage_json(view) for view in views])


@bp.get("/outages/<int:outage_id>")
def get_outage(outage_id: int) -> ResponseReturnValue:
    """One outage with its compensations."""
    require_api_actor()
    with reading() as uow:
        return jsonify(outage_json(outage_views.get_outage(uow, outage_id)))


@bp.post("/outages/<int:outage_id>/<action>")
@collector_held_off()
def outage_action(outage_id: int, action: str) -> ResponseReturnValue:
    """End (and compensate), correct (managers), confirm or dismiss an outage."""
    actor = require_api_actor()
    found = actions.find(actions.OUTAGE_ACTIONS, action, is_manager=actor.is_manager)
    data = submitted(body_of("post", f"/outages/{{outage_id}}/{action}"))
    return _mutation(actor, data, lambda uow: found.run(uow, outage_id, data, actor.label),
                     lambda view: Answer(200, outage_json(view)))


@bp.post("/compensations/<int:compensation_id>/<action>")
def compensation_action(compensation_id: int, action: str) -> ResponseReturnValue:
    """A manager approves, reduces (with a reason) or refuses (with a reason) a credit that waits for approval."""
    actor = require_api_actor(manager=True)
    found = actions.find(actions.COMPENSATION_ACTIONS, action, is_manager=actor.is_manager)
    data = submitted(body_of("post", f"/compensations/{{compensation_id}}/{action}"))
    return _mutation(actor, data, lambda uow: found.run(uow, compensation_id, data, actor.label),
                     lambda item: Answer(200, compensation_json(item)))


@bp.get("/notices")
def list_notices() -> ResponseReturnValue:
    """Notices, newest first, a page at a time; ``?status=pending`` keeps those still to hand over."""
    require_api_actor()
    page = query(notice_schemas.NoticesQuery)
    limit = page.limit
    with reading() as uow:
        views = notices.list_notices(uow, status=page.status, limit=limit, before=page.before)
    # The next page starts below the last id of a full one; a short page is the last.
    return jsonify(notices=[notice_json(view) for view in views],
                   next_before=views[-1].id if len(views) == limit else None)


@bp.get("/notices/<int:notice_id>")
def get_notice(notice_id: int) -> ResponseReturnValue:
    """One notice as JSON, or rendered (``?format=text`` or ``html``)."""
    require_api_actor()
    shape = query(notice_schemas.NoticeQuery).format
    with reading() as uow:
        view = notice_json(notices.get_notice(uow, notice_id))
    if shape == "text":
        text = view["text"] + (f"\n\n{view['voucher']}" if view["voucher"] else "")
        return Response(text, mimetype="text/plain")
    if shape == "html":
        return Response(render_template_string(NOTICE_HTML, notice=view), mimetype="text/html")
    return jsonify(view)


@bp.post("/notices/<int:notice_id>/deliver")
def deliver_notice(notice_id: int) -> ResponseReturnValue:
    """Record that a notice was shown, printed or declined, with optional customer feedback."""
    actor = require_api_actor()
    data = submitted(notice_schemas.DeliverNotice)
    return _mutation(actor, data, lambda uow: notices.deliver_notice(
        uow, notice_id, how=data.get("how"), feedback=data.get("feedback"), actor=actor.label),
        lambda view: Answer(200, notice_json(view)))


@bp.post("/notices/<int:notice_id>/print")
def print_receipt(notice_id: int) -> ResponseReturnValue:
    """Print the notice's receipt on the configured ESC/POS printer and record it printed."""
    actor = require_api_actor()
    data = submitted(common.Empty)
    return _mutation(actor, data, lambda uow: print_notice(uow, notice_id, printer=printer(), actor=actor.label),
                     lambda view: Answer(200, notice_json(view)))


@bp.post("/vouchers/<code>/redeem")
def redeem(code: str) -> ResponseReturnValue:
    """Start a session with a voucher's minutes on a free seat (201), or add them to a running session (200)."""
    actor = require_api_actor()
    data = submitted(devices.RedeemVoucher)
    return _mutation(actor, data, lambda uow: redeem_voucher(
        uow, code, seat_id=data.get("seat"), session_id=data.get("session"), customer_name=data.get("customer_name"),
        language=data.get("language"), actor=actor.label),
        lambda redeemed: Answer(201 if redeemed.started else 200, redemption_json(redeemed)))


@bp.post("/heartbeats")
def heartbeat() -> ResponseReturnValue:
    """A seat PC is alive; the answer carries the seat's newest undelivered credit for its screen."""
    actor = require_api_actor()
    data = submitted(devices.SeatHeartbeat)

    def went_down() -> PowerDown | None:
        # Read only once the body is known valid: a refused one is answered before this runs.
        down = data.get("went_down")
        return PowerDown(down["after"], down["before"]) if isinstance(down, dict) else None

    return _mutation(actor, data, lambda uow: record_seat_heartbeat(
        uow, seat_id=data.get("seat"), up_seconds=data.get("up_seconds"), went_down=went_down(), actor=actor.label),
        lambda beat: Answer(200, _heartbeat_json(beat)))


def _heartbeat_json(beat: HeartbeatView) -> dict[str, Any]:
    message = beat.message
    return {"seat": beat.seat_id, "at": local_time(beat.last_seen_at),
            "message": None if message is None else {"notice_id": message.notice_id, "text": message.text,
                                                      "credit_minutes": message.credit_minutes},
            "went_down": beat.went_down}


def _silent_seats(uow: UnitOfWork) -> list[dict[str, Any]]:
    return [{"seat": seat.seat_id, "last_heartbeat": local_time(seat.last_seen_at)}
            for seat in detection.silent_seats(uow)]


def _last_server_gap(uow: UnitOfWork) -> dict[str, Any] | None:
    gap = server_gap.last_gap(uow)
    return None if gap is None else {"started_at": local_time(gap.started_at), "ended_at": local_time(gap.ended_at),
                                     "outage": gap.outage_id}


@bp.post("/ups/<name>/events")
def ups_event(name: str) -> ResponseReturnValue:
    """A NUT upsmon on another machine reports the mains off (ONBATT) or back (ONLINE) for a UPS."""
    actor = require_api_actor()
    data = submitted(devices.UpsEvent)
    return _mutation(actor, data, lambda uow: ups.report_event(uow, name, data.get("event")),
                     lambda outcome: Answer(200, ups_outcome_json(outcome)))


# Each outage source's part of ``GET /sources``, under its own key.
SOURCES: dict[str, Callable[[UnitOfWork], Any]] = {
    "ups": lambda uow: [ups_json(view) for view in ups.ups_views(uow)],
    "silent_seats": _silent_seats,
    "last_server_gap": _last_server_gap,
    "equipment": lambda uow: equipment_json(equipment.last_bridges(uow)),
}


@bp.get("/sources")
def sources() -> ResponseReturnValue:
    """The state of each automatic outage source: every UPS, the seats silent now, the last server gap, and the
    equipment record (each zone's last UPS status changes, each seat's last measured bridges)."""
    require_api_actor()
    with reading() as uow:
        return jsonify({name: build(uow) for name, build in SOURCES.items()})


def _refusal(error: DomainError) -> Answer:
    status, payload = error_body(error)
    return Answer(status, payload)


def _mutation(actor: Actor, data: Submitted, action: Callable[[UnitOfWork], T],
              answer: Callable[[T], Answer]) -> ResponseReturnValue:
    """Run a mutation, once per ``Idempotency-Key`` when the request carries one, and send its answer."""
    key = request_key(actor.label, request.headers.get(KEY_FIELD), operation=f"{request.method} {request.path}",
                      payload=data)

    def checked(uow: UnitOfWork) -> T:
        if data.refusal is not None:
            raise data.refusal
        return action(uow)

    with unit_of_work() as uow:
        reply = run_once(uow, key, checked, answer, _refusal)
    response = jsonify(reply.body)
    response.status_code = reply.status
    if reply.replayed:
        response.headers["Idempotency-Replayed"] = "true"
    return response
