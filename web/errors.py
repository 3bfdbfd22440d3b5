"""The one place where domain errors become HTTP status codes, JSON errors and flash messages."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from compensator.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PrinterNotConfigured,
    PrinterUnavailable,
)
from compensator.store.health import RETRY_AFTER_SECONDS, DatabaseProblem
from web.i18n import N_, gettext

log = logging.getLogger(__name__)

STATUS_BY_ERROR: tuple[tuple[type[DomainError], int], ...] = (
    # No printer configured at all is a state of the venue's configuration, as a conflict is (before the 503).
    (PrinterNotConfigured, 409),
    (InvalidInput, 400),
    (AuthenticationFailed, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    # The one 5xx: the receipt printer, outside the program, is off or refused the receipt.
    (PrinterUnavailable, 503),
)


# A database lost or a disk full is the machine's fault, not a bug: the status, the API's code,
# and the words a person reads (the JSON message too, so the dashboard's script can show it).
DATABASE_ANSWERS = {
    DatabaseProblem.UNAVAILABLE: (503, "database_unavailable", N_("Database unavailable"),
                                  N_("The database cannot be reached: nothing was changed. "
                                     "The dashboard keeps the last board and tries again by itself.")),
    DatabaseProblem.DISK_FULL: (507, "disk_full", N_("Disk full"),
                                N_("The disk of the counter PC is full: nothing was saved. Free some space "
                                   "(old files, the recycle bin); the dashboard tries again by itself.")),
}


def database_warning(problem: DatabaseProblem | None) -> dict[str, str] | None:
    """What the dashboard shows while the database is lost or its disk full: its code and words; None when well."""
    if problem is None:
        return None
    _status, code, title, message = DATABASE_ANSWERS[problem]
    return {"code": code, "title": gettext(title), "message": gettext(message)}


def database_answer(problem: DatabaseProblem) -> ResponseReturnValue:
    """The answer to a request the database could not serve: 503 or 507, with ``Retry-After``, no traceback."""
    status, code, title, message = DATABASE_ANSWERS[problem]
    if wants_json():
        response, _ = json_error(status, code, gettext(message))
    else:
        # Who is logged in is in the database too: the page is shown without the navigation.
        g.actor = None
        response = Response(render_template("error.html", title=gettext(title), message=gettext(message)))
    response.status_code = status
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# The refusals a person can meet while clicking around, with the words the page shows.
PAGE_ERRORS = {
    403: (N_("Not for this account"), N_("This page is for managers. Ask a manager to log in.")),
    404: (N_("Page not found"), N_("There is no such page: it may have been a mistyped address or an old link.")),
}


def status_of(error: DomainError) -> int:
    """The HTTP status for a domain error (422 for any other refusal)."""
    for error_type, status in STATUS_BY_ERROR:
        if isinstance(error, error_type):
            return status
    return 422


def error_body(error: DomainError) -> tuple[int, dict[str, object]]:
    """The status and JSON body that answer a domain error."""
    return status_of(error), {"error": {"code": error.code, "message": error.message, "field": error.field}}


def json_error(status: int, code: str, message: str, field: str | None = None) -> tuple[Response, int]:
    """The API's error body: ``{"error": {"code", "message", "field"}}``."""
    return jsonify(error={"code": code, "message": message, "field": field}), status


def wants_json() -> bool:
    """Whether the request came to the JSON API (or asks for JSON)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def init_app(app: Flask) -> None:
    """Register the error handlers on ``app``."""

    @app.errorhandler(DomainError)
    def on_domain_error(error: DomainError) -> ResponseReturnValue:
        if wants_json():
            status, payload = error_body(error)
            return jsonify(payload), status
        flash(error.message, "error")
        return redirect(request.referrer or url_for("dashboard.index"))

    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException) -> ResponseReturnValue:
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            response, status = json_error(error.code or 400, code, error.description or error.name)
            # A 405 says which methods the path takes; the JSON body must not lose that header.
            for name, value in error.get_headers():
                if name.lower() == "allow":
                    response.headers[name] = value
            return response, status
        if error.code in PAGE_ERRORS:
            # A person gets a page of the site, with its navigation, rather than a bare status.
            title, message = PAGE_ERRORS[error.code]
            # Werkzeug's own description of a 404 is English; a description this app gave is already the page's.
            given = error.description if error.description != type(error).description else None
            return render_template("error.html", title=gettext(title),
                                   message=given or gettext(message)), error.code
        return error

    @app.errorhandler(Exception)
    def on_unexpected(error: Exception) -> ResponseReturnValue:
        # The database lost or its disk full: logged once when it begins (``store.health``), answered plainly.
        problem = current_app.extensions["compensator"].health.failed(error)
        if problem is not None:
            return database_answer(problem)
        # A bug must never show a traceback to a user; it is logged for the developers.
        log.exception("unexpected error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, "internal_error", "something went wrong on the server; nothing was changed")
        return Response(gettext("Something went wrong; nothing was changed. Please try again."), status=500)
