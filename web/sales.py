"""Correcting a mistaken sale, for managers: a session's ledger, and its unused minutes taken back.

URL table (managers only; attendants get 403):

    GET  /manage/sessions?session=<id>             open a session's page from the manager page's picker
    GET  /manage/sessions/<id>                     the session's ledger, each sale with its correction form
    POST /manage/sessions/<id>/reverse             take back minutes of one purchase or extension, with a reason
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from compensator.domain.kinds import SALE_KINDS, SessionMode
from compensator.errors import InvalidInput, NotFound
from compensator.services import actions
from compensator.services.sessions import views as session_views
from web.auth import current_actor, manager_required
from web.billing import money
from web.context import reading
from web.forms import submit
from web.i18n import gettext

bp = Blueprint("sales", __name__, url_prefix="/manage/sessions")


@bp.get("")
@manager_required
def find() -> ResponseReturnValue:
    """Go to the page of the session chosen on the manager page."""
    raw = request.args.get("session", "").strip()
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        flash(gettext("choose a session, or type its number"), "error")
        return redirect(url_for("manage.index"))
    return redirect(url_for("sales.session_page", session_id=int(raw)))


@bp.get("/<int:session_id>")
@manager_required
def session_page(session_id: int) -> str:
    """A session's ledger: each purchase and extension with what can still be taken back of it."""
    with reading() as uow:
        view = session_views.get_session(uow, session_id)
    reversed_ids = {entry.reverses_id for entry in view.entries if entry.reverses_id is not None}
    unused = view.remaining_minutes if view.mode is SessionMode.PREPAID else 0
    rows = [{"entry": entry, "value": money(entry.value_minor),
             "correctable": entry.kind in SALE_KINDS and entry.id not in reversed_ids and unused > 0,
             "most": min(entry.minutes, unused)}
            for entry in view.entries]
    return render_template("manage_session.html", view=view, rows=rows, unused=unused)


@bp.post("/<int:session_id>/reverse")
@manager_required
def reverse(session_id: int) -> ResponseReturnValue:
    """Take back unused minutes of a mistaken purchase or extension, saying why."""
    actor = current_actor()
    assert actor is not None
    found = actions.find(actions.SESSION_ACTIONS, "reverse", is_manager=actor.is_manager)
    fields = {"entry": _whole("entry"), "minutes": _whole("minutes"), "reason": request.form.get("reason")}
    page = url_for("sales.session_page", session_id=session_id)
    return submit(lambda uow: found.run(uow, session_id, fields, actor.label),
                  lambda view: ("success", gettext("Seat %(seat)s: sale corrected, %(minutes)s min left.",
                                                   seat=view.seat_id, minutes=view.remaining_minutes)),
                  location=page)


def _whole(name: str) -> int:
    raw = request.form.get(name, "").strip()
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise (NotFound(gettext("unknown entry %(entry)r", entry=raw), field=name) if name == "entry"
               else InvalidInput(gettext("choose a number of minutes"), field=name))
    return int(raw)
