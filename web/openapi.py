"""The OpenAPI 3.1 document of JSON API v1, built as data and served at ``/api/v1/openapi.json``.

A test checks that every route of the API is documented here and that everything documented
here is a route, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from compensator import __version__

JSON = "application/json"
ID = {"type": "integer", "minimum": 1}
TIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with offset"}
TEXT = {"type": "string"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": True}
    if required:
        schema["required"] = required
    return {"required": bool(required), "content": {JSON: {"schema": schema}}}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = {JSON: {"schema": schema}}
    return answer


ERRORS = {
    "400": _answer("bad input: a missing field, a wrong type, an absurd number", _ref("Error")),
    "401": _answer("no valid token or login", _ref("Error")),
    "403": _answer("not allowed (manager only, or a missing CSRF token)", _ref("Error")),
    "404": _answer("unknown id", _ref("Error")),
    "409": _answer("conflicts with the current state (seat busy, session ended, key reused)", _ref("Error")),
}


def _operation(summary: str, ok: dict[str, Any], *, body: dict[str, Any] | None = None,
               parameters: list[dict[str, Any]] | None = None, idempotent_key: bool = False,
               public: bool = False, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {**ok, **({} if public else ERRORS), **(extra or {})}}
    if public:
        operation["security"] = []
    params = list(parameters or [])
    if idempotent_key:
        params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                       "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                       "description": "a retry with the same key and request returns the first answer (same "
                                      "status and body, header Idempotency-Replayed: true) and has no second "
                                      "effect, also when copies race; the same key with another request is 409 "
                                      "idempotency_conflict. Keys are per actor and kept for 7 days."})
    if params:
        operation["parameters"] = params
    if body is not None:
        operation["requestBody"] = body
    return operation


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _session_action(summary: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"post": _operation(summary, {"200": _answer("the session", _ref("Session"))}, body=body,
                               parameters=[_path_id("session_id")], idempotent_key=True)}


def _outage_action(summary: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"post": _operation(summary, {"200": _answer("the outage", _ref("Outage"))}, body=body,
                               parameters=[_path_id("outage_id")], idempotent_key=True)}


def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    entry = {"type": "object", "properties": {
        "id": ID, "kind": {"enum": ["purchase", "extension", "outage_credit", "outage_topup", "manual_credit",
                                    "reversal", "voucher_redemption"]},
        "minutes": {"type": "integer"}, "value_minor": {"type": "integer"}, "created_at": TIME}}
    schemas = {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {"code": TEXT, "message": TEXT, "field": {"type": ["string", "null"]}}}}},
        "Seat": {"type": "object", "properties": {
            "seat": TEXT, "label": TEXT, "zone": TEXT, "state": {"enum": ["free", "in_session", "paused", "dark"]},
            "session": {"type": ["integer", "null"]}, "remaining_minutes": {"type": ["integer", "null"]},
            "paid_end": {"type": ["string", "null"]}, "nearly_up": {"type": "boolean"}, "on_ups": {"type": "boolean"}}},
        "Session": {"type": "object", "properties": {
            "id": ID, "seat": TEXT, "mode": {"enum": ["prepaid", "postpaid"]},
            "state": {"enum": ["running", "paused", "time_up", "ended"]}, "started_at": TIME,
            "paid_minutes": {"type": "integer"}, "remaining_minutes": {"type": "integer"},
            "paid_end": {"type": ["string", "null"]}, "billed_minutes": {"type": ["integer", "null"]},
            "bill_minor": {"type": ["integer", "null"], "description": "the bill so far (postpaid)"},
            "bill": {"oneOf": [{"type": "null"}, _ref("Bill")],
                     "description": "the final bill, once the session has ended; null while it runs"},
            "entries": {"type": "array", "items": entry}}},
        "Bill": {"type": "object", "properties": {
            "price_minor_per_hour": {"type": "integer"}, "used_minutes": {"type": "integer"},
            "paid_minutes": {"type": "integer", "description": "prepaid: minutes bought"},
            "paid_minor": {"type": "integer", "description": "prepaid: what they were charged"},
            "credits": {"type": "array", "items": {"type": "object", "properties": {
                "reason": {"enum": ["power_cut", "network_failure", "manual", "voucher"]},
                "minutes": {"type": "integer"}, "outages": {"type": "integer"}}}},
            "billed_minutes": {"type": ["integer", "null"],
                               "description": "postpaid: used minutes less the credits, never below zero"},
            "due_minor": {"type": "integer",
                          "description": "left to pay: the billed minutes at the zone's price, 0 when prepaid"}}},
        "Compensation": {"type": "object", "properties": {
            "id": ID, "outage": ID, "session": ID, "seat": TEXT, "lost_minutes": {"type": "integer"},
            "credit_minutes": {"type": "integer"}, "granted_minutes": {"type": "integer"},
            "form": {"enum": ["time", "voucher", "bill_reduction"]}, "value_minor": {"type": "integer"},
            "status": {"enum": ["applied", "awaiting_approval"]}, "explanation": TEXT, "policy": TEXT,
            "vouchers": {"type": "array", "items": TEXT}}},
        "Outage": {"type": "object", "properties": {
            "id": ID, "kind": {"enum": ["power", "network"]}, "scope": {"enum": ["venue", "zones", "seats"]},
            "started_at": TIME, "ended_at": {"type": ["string", "null"]},
            "source": {"enum": ["manual", "ups", "heartbeat", "server_gap", "api"]},
            "status": {"enum": ["suspected", "ongoing", "ended", "dismissed"]},
            "compensations": {"type": "array", "items": _ref("Compensation")}}},
        "Ups": {"type": "object", "properties": {
            "name": TEXT, "state": {"enum": ["online", "on_battery", "not_answering", "unknown"]},
            "since": {"type": ["string", "null"], "description": "when the state began (ISO 8601 with offset)"},
            "last_change": {"type": ["string", "null"], "description": "when the state last changed"},
            "mains": {"enum": ["online", "on_battery", None], "description": "the last status read, kept "
                      "while the monitor does not answer"},
            "zones": {"type": ["array", "null"], "items": TEXT, "description": "null: the whole venue"},
            "outage_open": {"type": "boolean"},
            "polled": {"type": "boolean", "description": "false: it reports through the webhook"}}},
        "Notice": {"type": "object", "properties": {
            "id": ID, "seat": TEXT, "language": TEXT, "status": {"enum": ["pending", "shown", "printed", "declined"]},
            "text": TEXT, "voucher": {"type": ["string", "null"]}}},
    }
    reason = {"reason": TEXT}
    paths: dict[str, Any] = {
        "/health": {"get": _operation("Tell a monitor that the server answers",
                                      {"200": _answer("ok", {"type": "object"})}, public=True)},
        "/openapi.json": {"get": _operation("This document", {"200": _answer("the document", {"type": "object"})},
                                            public=True)},
        "/seats": {"get": _operation("Every seat with its state and remaining minutes", {"200": _answer(
            "the seats", {"type": "object", "properties": {"seats": {"type": "array", "items": _ref("Seat")}}})})},
        "/sessions": {"post": _operation(
            "Start a prepaid ({seat, minutes}) or postpaid ({seat, postpaid: true}) session",
            {"201": _answer("the new session", _ref("Session"))}, idempotent_key=True,
            body=_body({"seat": TEXT, "minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
                        "postpaid": {"type": "boolean"}, "customer_name": TEXT, "language": TEXT}, ["seat"]))},
        "/sessions/{session_id}": {"get": _operation("A session with its ledger entries",
                                                     {"200": _answer("the session", _ref("Session"))},
                                                     parameters=[_path_id("session_id")])},
        "/sessions/{session_id}/extend": _session_action(
            "Sell more minutes", _body({"minutes": {"type": "integer", "minimum": 1, "maximum": 1440}}, ["minutes"])),
        "/sessions/{session_id}/pause": _session_action("Pause the session's clock"),
        "/sessions/{session_id}/resume": _session_action("Resume a paused session"),
        "/sessions/{session_id}/move": _session_action("Move the session to a free seat", _body({"seat": TEXT}, ["seat"])),
        "/sessions/{session_id}/end": _session_action("End the session"),
        "/outages": {
            "post": _operation(
                "Open an outage (whole venue by default); 200 with the ongoing one of the same kind and scope",
                {"201": _answer("the new outage", _ref("Outage")),
                 "200": _answer("the outage of the same kind and scope already open", _ref("Outage"))},
                idempotent_key=True,
                body=_body({"kind": {"enum": ["power", "network"]}, "zones": {"type": "array", "items": TEXT},
                            "seats": {"type": "array", "items": TEXT}, "started_at": TIME,
                            "source": {"enum": ["manual", "ups", "heartbeat", "server_gap", "api"]},
                            "note": TEXT})),
            "get": _operation("The outages of a venue day, with their compensations", {"200": _answer(
                "the outages", {"type": "object", "properties": {"outages": {"type": "array", "items": _ref("Outage")}}})},
                parameters=[{"name": "date", "in": "query", "required": False,
                             "schema": {"type": "string", "format": "date"}}]),
        },
        "/outages/{outage_id}": {"get": _operation("One outage with its compensations",
                                                   {"200": _answer("the outage", _ref("Outage"))},
                                                   parameters=[_path_id("outage_id")])},
        "/outages/{outage_id}/end": _outage_action("Power is back: end the outage and compensate",
                                                   _body({"ended_at": TIME})),
        "/outages/{outage_id}/correct": _outage_action(
            "Managers: revise the outage's times; differences are appended",
            _body({"started_at": TIME, "ended_at": TIME, **reason}, ["reason"])),
        "/outages/{outage_id}/confirm": _outage_action("Accept a suspected outage"),
        "/outages/{outage_id}/dismiss": _outage_action("Reject a suspected outage", _body(reason)),
        "/compensations/{compensation_id}/approve": {"post": _operation(
            "Managers: apply a credit that waits for approval",
            {"200": _answer("the compensation", _ref("Compensation"))}, parameters=[_path_id("compensation_id")],
            idempotent_key=True)},
        "/notices": {"get": _operation("Notices, newest first, a page at a time", {"200": _answer(
            "a page of notices", {"type": "object", "properties": {
                "notices": {"type": "array", "items": _ref("Notice")},
                "next_before": {"oneOf": [ID, {"type": "null"}],
                                "description": "pass as ?before= for the next page; null on the last"}}})},
            parameters=[{"name": "status", "in": "query", "required": False,
                         "schema": {"enum": ["pending", "shown", "printed", "declined"]}},
                        {"name": "limit", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
                        {"name": "before", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}])},
        "/notices/{notice_id}": {"get": _operation(
            "One notice, as JSON or rendered", {"200": {"description": "the notice", "content": {
                JSON: {"schema": _ref("Notice")}, "text/plain": {"schema": TEXT}, "text/html": {"schema": TEXT}}}},
            parameters=[_path_id("notice_id"), {"name": "format", "in": "query", "required": False,
                                                "schema": {"enum": ["json", "text", "html"]}}])},
        "/notices/{notice_id}/deliver": {"post": _operation(
            "Record how the notice reached the customer", {"200": _answer("the notice", _ref("Notice"))},
            parameters=[_path_id("notice_id")], idempotent_key=True,
            body=_body({"how": {"enum": ["shown", "printed", "declined"]},
                        "feedback": {"enum": ["happy", "neutral", "unhappy"]}}, ["how"]))},
        "/notices/{notice_id}/print": {"post": _operation(
            "Print the notice's receipt on the ESC/POS printer and record it printed",
            {"200": _answer("the notice, now printed", _ref("Notice"))}, parameters=[_path_id("notice_id")],
            idempotent_key=True, extra={"503": _answer(
                "printer_unavailable: the receipt printer is off or refused; the notice stays pending",
                _ref("Error"))})},
        "/vouchers/{code}/redeem": {"post": _operation(
            "Start a session with a voucher's minutes on a free seat, or add them to a running prepaid session "
            "(exactly one of seat and session)",
            {"201": _answer("the new session", _ref("Session")),
             "200": _answer("the running session with the voucher's entry added", _ref("Session"))},
            parameters=[{"name": "code", "in": "path", "required": True, "schema": TEXT}], idempotent_key=True,
            body=_body({"seat": TEXT, "session": {"type": "integer"}, "customer_name": TEXT, "language": TEXT}, []))},
        "/heartbeats": {"post": _operation(
            "A seat PC is alive; the answer carries the seat's newest undelivered credit, or null",
            {"200": _answer("recorded", {"type": "object", "required": ["seat", "at", "message"], "properties": {
                "seat": TEXT, "at": TIME, "message": {"oneOf": [{"type": "null"}, {
                    "type": "object", "required": ["notice_id", "text", "credit_minutes"],
                    "properties": {"notice_id": ID, "text": TEXT, "credit_minutes": {"type": "integer"}}}]}}})},
            body=_body({"seat": TEXT}, ["seat"]), idempotent_key=True)},
        "/ups/{name}/events": {"post": _operation(
            "A NUT upsmon reports the mains off (ONBATT) or back (ONLINE) for a configured UPS; debounced like a "
            "poll: an outage opens once ONBATT has lasted debounce_seconds, back-dated to the event",
            {"200": _answer("the UPS after the event, with the outage it opened or ended (else null)",
                            {"allOf": [_ref("Ups"), {"type": "object", "properties": {
                                "opened": {"oneOf": [_ref("Outage"), {"type": "null"}]},
                                "ended": {"oneOf": [_ref("Outage"), {"type": "null"}]}}}]})},
            parameters=[{"name": "name", "in": "path", "required": True, "schema": TEXT,
                         "description": "the UPS's name under ups: in config.yaml"}], idempotent_key=True,
            body=_body({"event": {"enum": ["ONBATT", "ONLINE"]}}, ["event"]))},
        "/sources": {"get": _operation("The state of each automatic outage source", {"200": _answer(
            "one key per source", {"type": "object", "properties": {
                "ups": {"type": "array", "items": _ref("Ups")},
                "silent_seats": {"type": "array", "description": "seats that had been beating and are silent now",
                                 "items": {"type": "object", "properties": {"seat": TEXT, "last_heartbeat": TIME}}},
                "last_server_gap": {"description": "the last gap that raised a suspected outage, or null",
                                    "oneOf": [{"type": "null"}, {"type": "object", "properties": {
                                        "started_at": TIME, "ended_at": TIME, "outage": ID}}]}}})})},
        "/reports/daily/{date}": {"get": _operation(
            "The end-of-day report of a venue day", {"200": {"description": "the report", "content": {
                JSON: {"schema": {"type": "object"}}, "text/csv": {"schema": TEXT}, "text/html": {"schema": TEXT},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
            parameters=[{"name": "date", "in": "path", "required": True, "schema": {"type": "string", "format": "date"}},
                        {"name": "format", "in": "query", "required": False,
                         "schema": {"enum": ["json", "csv", "html", "pdf"]}}])},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Compensator API", "version": __version__,
                 "description": "Outage compensation for pay-per-time venues. Times are ISO 8601 with offset; "
                                "money is in integer minor units."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "components": {"schemas": schemas, "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }
