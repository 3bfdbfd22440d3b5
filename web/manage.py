"""Manager pages: suspected outages, corrections, approvals, people, tokens, audit log, policy.

URL table (managers only; attendants get 403):

    GET  /manage                                   everything a manager decides, on one page
    POST /manage/outages/<id>/confirm|dismiss      settle a suspected outage
    POST /manage/outages/<id>/correct              revise an outage's times, with a reason
    POST /manage/compensations/<id>/approve        apply a credit that waits for approval
    POST /manage/attendants                        add an attendant or a manager
    POST /manage/tokens                            create a device token (shown once)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from compensator.domain.kinds import OutageStatus
from compensator.domain.terms import describe_policy
from compensator.errors import InvalidInput
from compensator.services import audit, outages, people
from web.auth import current_actor, manager_required
from web.context import runtime, unit_of_work

bp = Blueprint("manage", __name__, url_prefix="/manage")
RECENT_DAYS = 7


def _actor_label() -> str:
    actor = current_actor()
    assert actor is not None
    return actor.label


def _local_field(name: str) -> datetime | None:
    """A datetime-local form field, read in the venue's time zone."""
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{name.replace('_', ' ')} must be a date and time", field=name) from None
    return moment.replace(tzinfo=runtime().settings.venue.tz) if moment.tzinfo is None else moment


@bp.get("")
@manager_required
def index() -> str:
    """Show suspected outages, recent outages, credits awaiting approval, people, tokens, audit log, policy."""
    settings = runtime().settings
    now = runtime().clock.now()
    with unit_of_work() as uow:
        recent_outages = outages.list_outages(uow, start=now - timedelta(days=RECENT_DAYS))
        waiting = outages.awaiting_approval(uow)
        attendants = people.list_attendants(uow)
        tokens = people.list_tokens(uow)
        records = audit.recent(uow)
    suspected = [item for item in recent_outages if item.status is OutageStatus.SUSPECTED]
    return render_template(
        "manage.html", suspected=suspected, recent_outages=list(reversed(recent_outages)), waiting=waiting,
        attendants=attendants, tokens=tokens, records=records, policy=describe_policy(settings.policy),
        tz=settings.venue.tz)


@bp.post("/outages/<int:outage_id>/<action>")
@manager_required
def outage_action(outage_id: int, action: str) -> ResponseReturnValue:
    """Confirm, dismiss or correct an outage."""
    actor = _actor_label()
    with unit_of_work() as uow:
        if action == "confirm":
            outages.confirm_outage(uow, outage_id, actor=actor)
        elif action == "dismiss":
            outages.dismiss_outage(uow, outage_id, reason=request.form.get("reason"), actor=actor)
        elif action == "correct":
            outages.correct_outage(uow, outage_id, started_at=_local_field("started_at"),
                                   ended_at=_local_field("ended_at"), reason=request.form.get("reason"),
                                   actor=actor)
        else:
            raise InvalidInput(f"unknown action {action!r}", field="action")
    flash(f"Outage {outage_id}: {action} done.", "success")
    return redirect(url_for("manage.index"))


@bp.post("/compensations/<int:compensation_id>/approve")
@manager_required
def approve(compensation_id: int) -> ResponseReturnValue:
    """Apply a credit that was waiting for a manager."""
    with unit_of_work() as uow:
        item = outages.approve_compensation(uow, compensation_id, actor=_actor_label())
    flash(f"{item.credit_minutes} min approved for seat {item.seat_id}.", "success")
    return redirect(url_for("manage.index"))


@bp.post("/attendants")
@manager_required
def add_attendant() -> ResponseReturnValue:
    """Add an attendant or a manager with a PIN."""
    with unit_of_work() as uow:
        person = people.add_attendant(uow, name=request.form.get("name"), role=request.form.get("role"),
                                      pin=request.form.get("pin"), actor=_actor_label())
    flash(f"{person.role.value.capitalize()} {person.name} added.", "success")
    return redirect(url_for("manage.index"))


@bp.post("/tokens")
@manager_required
def create_token() -> ResponseReturnValue:
    """Create a device token and show it once."""
    with unit_of_work() as uow:
        token = people.create_token(uow, name=request.form.get("name"), actor=_actor_label())
    flash(f"Token for {token.name}: {token.secret} — copy it now, it is not shown again.", "warning")
    return redirect(url_for("manage.index"))
