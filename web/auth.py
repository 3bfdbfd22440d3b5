"""Logging in and out, roles, CSRF protection, login throttling and API bearer tokens.

Attendants log in with name and PIN into a cookie session, checked against the database on
every request (so it ends at logout, when the person is disabled or gets a new PIN); every
form and every cookie-authed API call carries the session's CSRF token. Failed logins are
counted in the database per (name, address) and per address. Devices use
``Authorization: Bearer TOKEN`` instead.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from compensator.domain.kinds import Role
from compensator.errors import AuthenticationFailed, PermissionDenied
from compensator.services.people import throttle
from compensator.services.people.accounts import authenticate, end_sessions, logged_in, verify_token
from web.context import reading, unit_of_work
from web.i18n import gettext, ngettext, remember_language

bp = Blueprint("auth", __name__)
Parameters = ParamSpec("Parameters")
# A view, which a guard returns with the same parameters.
View = Callable[Parameters, ResponseReturnValue]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is making the request: a logged-in person or a device token."""

    name: str
    role: Role | None
    via_token: bool

    @property
    def label(self) -> str:
        """How the actor is written in the ledger and the audit log."""
        return f"token:{self.name}" if self.via_token else f"{self.role.value if self.role else 'user'}:{self.name}"

    @property
    def is_manager(self) -> bool:
        """Whether the actor may do a manager's actions."""
        return self.role is Role.MANAGER


def csrf_token() -> str:
    """The CSRF token of the current cookie session, created on first use."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def _csrf_valid() -> bool:
    expected = session.get(CSRF_FIELD)
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    return bool(expected) and hmac.compare_digest(str(expected), str(given))


def current_actor() -> Actor | None:
    """The actor of this request, resolved once: bearer token first, then the cookie session."""
    if "actor" in g:
        return g.actor
    actor: Actor | None = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        with reading() as uow:
            token = verify_token(uow, header[7:].strip())
        actor = Actor(token.name, None, via_token=True)
    elif session.get("attendant"):
        # The cookie stands only while its person is enabled and their session version has not
        # moved on: logging out, disabling and a new PIN end every cookie issued before.
        with reading() as uow:
            person = logged_in(uow, session.get("attendant_id"), session.get("session_version"))
        if person is None:
            session.clear()
        else:
            actor = Actor(person.name, person.role, via_token=False)
    g.actor = actor
    return actor


def check_csrf(actor: Actor | None) -> None:
    """Refuse a state-changing request from a cookie session without the right CSRF token."""
    if (request.method in ("POST", "PUT", "PATCH", "DELETE") and (actor is None or not actor.via_token)
            and not _csrf_valid()):
        raise PermissionDenied(gettext("the form has expired or did not come from this site; please try again"))


def login_required(view: View[Parameters]) -> View[Parameters]:
    """Let only logged-in attendants (and managers) through; others go to the login page."""
    @functools.wraps(view)
    def wrapped(*args: Parameters.args, **kwargs: Parameters.kwargs) -> ResponseReturnValue:
        actor = current_actor()
        if actor is None or actor.via_token:
            return redirect(url_for("auth.login", next=request.full_path))
        check_csrf(actor)
        return view(*args, **kwargs)
    return wrapped


def manager_required(view: View[Parameters]) -> View[Parameters]:
    """Let only managers through; an attendant gets 403."""
    @functools.wraps(view)
    def wrapped(*args: Parameters.args, **kwargs: Parameters.kwargs) -> ResponseReturnValue:
        actor = current_actor()
        if actor is None or actor.via_token:
            return redirect(url_for("auth.login", next=request.full_path))
        if not actor.is_manager:
            abort(403, description=gettext("only a manager can do this"))
        check_csrf(actor)
        return view(*args, **kwargs)
    return wrapped


def require_api_actor(*, manager: bool = False) -> Actor:
    """The actor of an API request: a token or a logged-in person (with CSRF); 401/403 otherwise."""
    actor = current_actor()
    if actor is None:
        raise AuthenticationFailed("log in or send Authorization: Bearer TOKEN")
    check_csrf(actor)
    if manager and not actor.is_manager:
        raise PermissionDenied("only a manager can do this")
    return actor


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else the dashboard."""
    # Only paths on this site: an attacker's link must not bounce a login to another site.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form, or log an attendant in with name and PIN."""
    if request.method != "POST":  # GET, and HEAD (which Flask answers with the GET view)
        return render_template("login.html", next=request.args.get("next", ""))
    if not _csrf_valid():
        flash(gettext("The form had expired; please try again."), "error")
        return redirect(url_for("auth.login"))
    name = request.form.get("name", "").strip()
    pin = request.form.get("pin", "")
    address = request.remote_addr or "unknown"
    with unit_of_work() as uow:
        locked = throttle.lockout(uow, name=name, address=address)
        if locked is not None:
            minutes = locked.wait_minutes(uow.now())
            flash(ngettext("Too many wrong attempts from this computer: wait %(num)d minute and try again.",
                           "Too many wrong attempts from this computer: wait %(num)d minutes and try again.",
                           minutes), "error")
            return render_template("login.html", next=request.form.get("next", "")), 429
        try:
            person = authenticate(uow, name=name, pin=pin)
        except AuthenticationFailed:
            throttle.record_failure(uow, name=name, address=address)
            flash(gettext("Unknown name or wrong PIN."), "error")
            return render_template("login.html", next=request.form.get("next", "")), 401
        throttle.record_success(uow, name=name, address=address)
    session.clear()
    session["attendant"] = person.name
    session["role"] = person.role.value
    session["attendant_id"] = person.id
    session["session_version"] = person.session_version
    remember_language(person.language)
    csrf_token()
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Log out everywhere (every open login of this person ends) and return to the login page."""
    if _csrf_valid():
        with unit_of_work() as uow:
            person = logged_in(uow, session.get("attendant_id"), session.get("session_version"))
            if person is not None:
                end_sessions(uow, person.id)
        session.clear()
    return redirect(url_for("auth.login"))
