"""Manager pages: suspected outages, corrections, approvals, people, tokens, audit log, policy.

URL table (managers only; attendants get 403):

    GET  /manage                                   everything a manager decides (and what is owed), on one page
    POST /manage/outages/<id>/confirm|dismiss      settle a suspected outage
    POST /manage/outages/<id>/correct              revise an outage's times, with a reason
    POST /manage/compensations/<id>/approve        apply a credit that waits for approval
    POST /manage/compensations/<id>/reduce|refuse  apply fewer minutes, or none, saying why
    POST /manage/attendants                        add an attendant or a manager
    POST /manage/attendants/<name>/disable|enable  stop someone logging in (ending their logins), or let them again
    POST /manage/attendants/<name>/pin             give someone a new PIN (ending their logins)
    POST /manage/tokens                            create a device token (shown once)
    POST /manage/tokens/<name>/revoke              revoke a device token

The what-if form on the page is answered by ``web.whatif`` (``/manage/whatif``).

Correcting a mistaken sale has pages of its own (``web.sales``, under ``/manage/sessions``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask.typing import ResponseReturnValue

from compensator.collector import collector_held_off
from compensator.domain.kinds import OutageStatus
from compensator.domain.terms import describe_policy
from compensator.errors import InvalidInput
from compensator.report.period.owed import owed_now
from compensator.services import actions, audit
from compensator.services.outages import views as outage_views
from compensator.services.people import accounts as people
from compensator.services.sessions import views as session_views
from compensator.services.sources import ups
from web.audit_view import audit_row
from web.auth import current_actor, manager_required
from web.billing import money
from web.board_words import scope_words
from web.context import reading, runtime
from web.dashboard import ups_lines
from web.equipment_view import equipment_card, held_words, row_name
from web.forms import submit
from web.i18n import N_, gettext, ngettext
from web.labels import name_of
from web.suspected import suspected_json
from web.whatif import whatif_form

bp = Blueprint("manage", __name__, url_prefix="/manage")
RECENT_DAYS = 7
# What the flash says once an outage action is done, by the action's name: what happened.
OUTAGE_ACTION_DONE = {"confirm": N_("Outage %(outage)s confirmed: it is going on."),
                      "dismiss": N_("Outage %(outage)s dismissed: nobody is compensated for it."),
                      "correct": N_("Outage %(outage)s corrected: its credits follow the new times.")}
FIELD_NAMES = {"started_at": N_("start"), "ended_at": N_("end")}
CREDIT_DECIDED = {"approve": N_("%(minutes)s min approved for seat %(seat)s."),
                  "reduce": N_("Seat %(seat)s: credit reduced to %(minutes)s min."),
                  "refuse": N_("Seat %(seat)s: credit refused.")}
AUDIT_PAGE = 100
# The age bands of the vouchers owed (``report.period.owed.AGE_BANDS``), in the page's words.
AGE_BANDS = {"up to 7 days": N_("up to 7 days"), "8 to 30 days": N_("8 to 30 days"),
             "over 30 days": N_("over 30 days")}


def _actor_label() -> str:
    actor = current_actor()
    assert actor is not None
    return actor.label


def _local_field(name: str) -> datetime | None:
    """A datetime-local form field, read in the venue's time zone; None when left as it was shown.

    The form shows stored times to the second; a field the manager did not touch must keep the
    stored value exactly (with its fraction of a second), so it is not sent on as a change.
    """
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(gettext("the %(field)s must be a date and time", field=gettext(FIELD_NAMES[name])),
                           field=name) from None
    try:
        # A browser may send 14:18 for a field shown as 14:18:00: compare the times, not the texts.
        if moment == datetime.fromisoformat(request.form.get(f"{name}_shown", "").strip()):
            return None
    except ValueError:
        pass
    return moment.replace(tzinfo=runtime().settings.venue.tz) if moment.tzinfo is None else moment


@bp.get("")
@manager_required
def index() -> str:
    """Show suspected outages, recent outages, credits awaiting approval, what is owed in vouchers, the equipment
    record, people, tokens, audit log, policy."""
    settings = runtime().settings
    now = runtime().clock.now()
    with reading() as uow:
        recent_outages = outage_views.list_outages(uow, start=now - timedelta(days=RECENT_DAYS))
        waiting = outage_views.awaiting_approval(uow)
        attendants = people.list_attendants(uow)
        tokens = people.list_tokens(uow)
        records = audit.recent(uow, limit=AUDIT_PAGE, before=_audit_before())
        ups_views = ups.ups_views(uow)
        open_sessions = sorted(session_views.list_open_sessions(uow), key=lambda item: item.seat_id)
        owed = owed_now(uow)
        equipment = equipment_card(uow)
    suspected = [item for item in recent_outages if item.status is OutageStatus.SUSPECTED]
    return render_template(
        "manage.html", suspected=suspected, suspected_banners=suspected_json(suspected),
        recent_outages=list(reversed(recent_outages)), waiting=waiting,
        attendants=attendants, tokens=tokens, records=[audit_row(record, settings) for record in records],
        older_audit=records[-1].id if len(records) == AUDIT_PAGE else None,
        policy=describe_policy(settings.policy), tz=settings.venue.tz, ups_states=ups_lines(ups_views),
        open_sessions=open_sessions, scope_words=scope_words, owed=owed, money=money,
        age_bands={label: gettext(words) for label, words in AGE_BANDS.items()}, equipment=equipment,
        held_words=held_words, equipment_row_name=row_name, **whatif_form())


def _audit_before() -> int | None:
    raw = request.args.get("audit_before", "")
    # A page link carries an id; anything else shows the newest page rather than an error.
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31 else None


@bp.post("/outages/<int:outage_id>/<action>")
@manager_required
@collector_held_off()
def outage_action(outage_id: int, action: str) -> ResponseReturnValue:
    """Confirm, dismiss or correct an outage."""
    found = actions.find(actions.OUTAGE_ACTIONS, action, is_manager=True)
    fields: dict[str, object] = {"reason": request.form.get("reason")}
    if action == "correct":
        fields.update(started_at=_local_field("started_at"), ended_at=_local_field("ended_at"))

    def outcome(view: outage_views.OutageView) -> tuple[str, str]:
        if action == "confirm" and view.status is not OutageStatus.ONGOING:
            return "success", ngettext("Outage %(outage)s confirmed: %(num)d customer compensated.",
                                       "Outage %(outage)s confirmed: %(num)d customers compensated.",
                                       len(view.compensations), outage=outage_id)
        return "success", gettext(OUTAGE_ACTION_DONE[action], outage=outage_id)

    return submit(lambda uow: found.run(uow, outage_id, fields, _actor_label()), outcome,
                  location=url_for("manage.index"))


@bp.post("/compensations/<int:compensation_id>/<action>")
@manager_required
def decide(compensation_id: int, action: str) -> ResponseReturnValue:
    """Approve a credit that was waiting for a manager, or reduce or refuse it with a reason."""
    found = actions.find(actions.COMPENSATION_ACTIONS, action, is_manager=True)
    fields: dict[str, object] = {"reason": request.form.get("reason")}
    if "minutes" in found.fields:
        raw = request.form.get("minutes", "").strip()
        fields["minutes"] = int(raw) if raw.isdigit() and len(raw) < 6 else raw
    return submit(lambda uow: found.run(uow, compensation_id, fields, _actor_label()),
                  lambda item: ("success", gettext(CREDIT_DECIDED[action], minutes=item.granted_minutes,
                                                    seat=item.seat_id)),
                  location=url_for("manage.index"))


@bp.post("/attendants")
@manager_required
def add_attendant() -> ResponseReturnValue:
    """Add an attendant or a manager with a PIN."""
    return submit(lambda uow: people.add_attendant(
        uow, name=request.form.get("name"), role=request.form.get("role"), pin=request.form.get("pin"),
        actor=_actor_label()), lambda person: ("success", gettext(
            "%(role)s %(name)s added.", role=name_of(person.role).capitalize(), name=person.name)),
        location=url_for("manage.index"))


@bp.post("/tokens")
@manager_required
def create_token() -> ResponseReturnValue:
    """Create a device token and show it once."""

    def outcome(token: people.TokenView) -> tuple[str, str]:
        # The secret is flashed by this response only: the answer kept for a resubmission omits it.
        flash(gettext("Token for %(name)s: %(secret)s — copy it now, it is not shown again.", name=token.name,
                      secret=token.secret), "warning")
        return "success", gettext("Token %(name)s created.", name=token.name)

    return submit(lambda uow: people.create_token(uow, name=request.form.get("name"), actor=_actor_label()),
                  outcome, location=url_for("manage.index"))


PEOPLE_ACTIONS = {
    "disable": (people.disable_attendant, N_("%(name)s disabled: their open logins have ended.")),
    "enable": (people.enable_attendant, N_("%(name)s can log in again.")),
}


@bp.post("/attendants/<name>/<action>")
@manager_required
def attendant_action(name: str, action: str) -> ResponseReturnValue:
    """Disable or enable an attendant, or give them a new PIN."""
    if action == "pin":
        return submit(lambda uow: people.change_pin(uow, name=name, pin=request.form.get("pin"), actor=_actor_label()),
                      lambda person: ("success", gettext("New PIN set for %(name)s: their open logins have ended.",
                                                                    name=person.name)),
                      location=url_for("manage.index"))
    if action not in PEOPLE_ACTIONS:
        abort(404)
    change, message = PEOPLE_ACTIONS[action]
    return submit(lambda uow: change(uow, name=name, actor=_actor_label()),
                  lambda person: ("success", gettext(message, name=person.name)), location=url_for("manage.index"))


@bp.post("/tokens/<name>/revoke")
@manager_required
def revoke_token(name: str) -> ResponseReturnValue:
    """Revoke a device token: it is refused from its next request."""
    return submit(lambda uow: people.revoke_token(uow, name=name, actor=_actor_label()),
                  lambda token: ("success", gettext("Token %(name)s revoked.", name=token.name)),
                  location=url_for("manage.index"))
