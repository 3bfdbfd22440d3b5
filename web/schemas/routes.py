"""The API's route table: each operation's path, method, body, query and answers, as models.

The views validate their input with the models named here, and ``web.openapi`` builds the
OpenAPI document from this table alone, so the document states exactly what the server
accepts and answers. A test checks that every route of the API is in the table and back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from web.schemas import common, devices, notices, outages, reports, sessions
from web.schemas.fields import Closed

# An answer is a description and its body: a model, a map of media types to JSON Schemas, or nothing.
Body = type[BaseModel] | dict[str, dict[str, Any]] | None


@dataclass(frozen=True)
class Operation:
    """One method on one path of the API."""

    method: str
    path: str
    summary: str
    answers: dict[int, tuple[str, Body]]
    body: type[Closed] | None = None
    query: type[BaseModel] | None = None
    public: bool = False
    manager_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def mutation(self) -> bool:
        """Whether the operation changes something (and so takes an ``Idempotency-Key``)."""
        return self.method == "post"


TEXT = {"type": "string"}
REPORT_FORMATS = {"application/json": reports.DAILY_REPORT,
                  "text/csv": TEXT, "text/html": TEXT, "application/pdf": {"type": "string", "format": "binary"}}
PERIOD_REPORT_FORMATS = {**REPORT_FORMATS, "application/json": reports.PERIOD_REPORT}
NOTICE_FORMATS = {"text/plain": TEXT, "text/html": TEXT}


def _ok(description: str, body: Body) -> dict[int, tuple[str, Body]]:
    return {200: (description, body)}


def _session_action(name: str, summary: str, body: type[Closed], *, manager_only: bool = False) -> Operation:
    return Operation("post", f"/sessions/{{session_id}}/{name}", summary, _ok("the session", sessions.Session),
                     body=body, manager_only=manager_only)


def _outage_action(name: str, summary: str, body: type[Closed], *, manager_only: bool = False) -> Operation:
    return Operation("post", f"/outages/{{outage_id}}/{name}", summary, _ok("the outage", outages.Outage),
                     body=body, manager_only=manager_only)


OPERATIONS: tuple[Operation, ...] = (
    Operation("get", "/health", "Tell a monitor that the server answers", _ok("ok", common.Health), public=True),
    Operation("get", "/openapi.json", "This document", _ok("the document", {"application/json": {"type": "object"}}),
              public=True),
    Operation("get", "/seats", "Every seat with its state and remaining minutes", _ok("the seats", sessions.SeatList)),
    Operation("post", "/sessions", "Start a prepaid ({seat, minutes}) or postpaid ({seat, postpaid: true}) session; "
              "a seat dark in a power cut is refused (409 seat_dark)",
              {201: ("the new session", sessions.Session)}, body=sessions.StartSession),
    Operation("get", "/sessions/{session_id}", "A session with its ledger entries",
              _ok("the session", sessions.Session)),
    _session_action("extend", "Sell more minutes", sessions.ExtendSession),
    _session_action("pause", "Pause the session's clock", common.Empty),
    _session_action("resume", "Resume a paused session (409 seat_dark while its seat is dark)", common.Empty),
    _session_action("move", "Move the session to a free seat that has power; a prepaid session's paid time left is "
                    "re-priced at its price, the difference in the answer's moved", sessions.MoveSession),
    _session_action("end", "End the session", common.Empty),
    _session_action("reverse", "Managers: take back unused minutes of a mistaken purchase or extension, with a reason",
                    sessions.ReverseSale, manager_only=True),
    Operation("post", "/outages",
              "Open an outage (whole venue by default); 200 with the ongoing one of the same kind and scope",
              {201: ("the new outage", outages.Outage),
               200: ("the outage of the same kind and scope already open", outages.Outage)}, body=outages.StartOutage),
    Operation("get", "/outages", "The outages of a venue day, with their compensations",
              _ok("the outages", outages.OutageList), query=outages.OutagesQuery),
    Operation("get", "/outages/{outage_id}", "One outage with its compensations", _ok("the outage", outages.Outage)),
    _outage_action("end", "Power is back: end the outage and compensate", outages.EndOutage),
    _outage_action("correct", "Managers: revise the outage's times; differences are appended", outages.CorrectOutage,
                   manager_only=True),
    _outage_action("confirm", "Accept a suspected outage", common.Empty),
    _outage_action("dismiss", "Reject a suspected outage", outages.DismissOutage),
    Operation("post", "/compensations/{compensation_id}/approve", "Managers: apply a credit that waits for approval",
              _ok("the compensation", outages.Compensation), body=common.Empty, manager_only=True),
    Operation("post", "/compensations/{compensation_id}/reduce",
              "Managers: apply fewer minutes of a credit that waits for approval, saying why",
              _ok("the compensation", outages.Compensation), body=outages.ReduceCredit, manager_only=True),
    Operation("post", "/compensations/{compensation_id}/refuse",
              "Managers: refuse a credit that waits for approval, saying why",
              _ok("the compensation", outages.Compensation), body=outages.RefuseCredit, manager_only=True),
    Operation("get", "/notices", "Notices, newest first, a page at a time",
              _ok("a page of notices", notices.NoticePage),
              query=notices.NoticesQuery),
    Operation("get", "/notices/{notice_id}", "One notice, as JSON or rendered (?format=text or html)",
              _ok("the notice", notices.Notice), query=notices.NoticeQuery, extra={"rendered": NOTICE_FORMATS}),
    Operation("post", "/notices/{notice_id}/deliver", "Record how the notice reached the customer",
              _ok("the notice", notices.Notice), body=notices.DeliverNotice),
    Operation("post", "/notices/{notice_id}/print",
              "Print the notice's receipt on the ESC/POS printer and record it printed",
              {200: ("the notice, now printed", notices.Notice),
               409: ("conflicts with the current state: the notice was already handed over, or "
                     "printer_not_configured: the venue has no receipt printer (printer.kind is none)", common.Error),
               503: ("printer_unavailable: the receipt printer is off or refused; the notice stays pending",
                     common.Error)}, body=common.Empty),
    Operation("post", "/vouchers/{code}/redeem",
              "Start a session with a voucher's minutes on a free seat, or add them to a running prepaid session "
              "(exactly one of seat and session); the voucher keeps its value in money, so a seat of another price "
              "gets that value's minutes (voucher.minutes); a dark seat is refused (409 seat_dark)",
              {201: ("the new session", sessions.RedeemedSession),
               200: ("the running session with the voucher's entry added", sessions.RedeemedSession)},
              body=devices.RedeemVoucher),
    Operation("post", "/heartbeats", "A seat PC is alive; the answer carries the seat's newest undelivered credit",
              _ok("recorded", devices.Heartbeat), body=devices.SeatHeartbeat),
    Operation("post", "/ups/{name}/events",
              "A NUT upsmon reports the mains off (ONBATT) or back (ONLINE) for a configured UPS; debounced like a "
              "poll: an outage opens once ONBATT has lasted debounce_seconds, back-dated to the event; LOWBATT and FSD "
              "darken its seats, REPLBATT is kept in the equipment record",
              _ok("the UPS after the event, with the outage it opened or ended (else null)", devices.UpsOutcome),
              body=devices.UpsEvent),
    Operation("get", "/sources", "The state of each automatic outage source, and the equipment record",
              _ok("one key per source; equipment: each zone's last UPS status changes, each seat's last measured "
                  "bridges", devices.Sources)),
    Operation("get", "/reports/daily/{date}", "The end-of-day report of a venue day",
              _ok("the report", REPORT_FORMATS), query=devices.ReportQuery),
    Operation("get", "/reports/period", "The owner's report of a period of venue days (a week, a month, any two days)",
              _ok("the report", PERIOD_REPORT_FORMATS), query=devices.PeriodReportQuery),
)

BODIES: dict[tuple[str, str], type[Closed]] = {
    (operation.method, operation.path): operation.body for operation in OPERATIONS if operation.body is not None}


def body_of(method: str, path: str) -> type[Closed]:
    """The body model of the operation at ``path`` (in the document's form, such as ``/sessions/{session_id}/move``)."""
    return BODIES[(method, path)]
