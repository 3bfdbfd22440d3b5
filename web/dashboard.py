"""The attendant's dashboard: the seat grid, the Power cut button, quick actions and notices.

URL table (all need a logged-in attendant; every POST carries the CSRF token):

    GET  /                              the dashboard
    GET  /board.json                    the live state the page polls every few seconds
    POST /power-cut                     open an outage (whole venue, or the zones chosen)
    POST /power-back                    end the ongoing outage and compensate
    POST /outages/<id>/confirm|dismiss  settle a suspected outage from its banner
    POST /seats/<seat>/start            start a package (minutes) or a postpaid session
    POST /sessions/<id>/<action>        extend, pause, resume, move, end
    POST /vouchers/redeem               a typed or scanned voucher onto a free seat or a running session
    GET  /seat-agent.py                 the seat agent, one standard-library file for the seat PCs

The letters, receipts and the bill are ``web.receipts``, on this same blueprint.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from compensator import seat_agent
from compensator.clock import STEP_TOLERANCE, SteadyClock
from compensator.collector import collector_held_off
from compensator.domain.kinds import CompensationStatus, OutageStatus, SessionMode
from compensator.domain.ups import UpsDisplay
from compensator.domain.venue_day import next_closing
from compensator.errors import InvalidInput, NotFound
from compensator.services import actions
from compensator.services.counter.board import NEARLY_UP_MINUTES, SeatTile
from compensator.services.counter.today import today_figures
from compensator.services.handover import letters
from compensator.services.outages import use_cases as outages
from compensator.services.outages import views as outage_views
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions import views as session_views
from compensator.services.sessions.vouchers import Redemption, redeem_voucher
from compensator.services.sources import ups
from compensator.settings import PrinterKind
from compensator.store.database import UnitOfWork
from compensator.timeofday import time_of_day
from web.auth import current_actor, login_required
from web.billing import end_message, hourly_prices, money, move_message, owed_message, package_buttons
from web.board_words import alert_text, clock_step_words, letter_label, outage_label, page_words, zone_names
from web.context import reading, runtime
from web.errors import database_warning
from web.forms import Message, submit
from web.i18n import N_, format_number, gettext, ngettext, ui_language
from web.labels import name_of
from web.suspected import suspected_json

bp = Blueprint("dashboard", __name__)


ALERTS_SHOWN = 5
# A step of the PC's clock is told for a day (and as long as the clock still differs).
CLOCK_WARNING_FOR = timedelta(hours=24)
# A "5 min left" alert is stale once those minutes have passed.
ALERTS_SHOWN_FOR = timedelta(minutes=NEARLY_UP_MINUTES)
# What the flash says once a session action other than ending is done, by the action's name: what happened.
ACTION_DONE = {"extend": N_("Seat %(seat)s: %(minutes)s min added (%(paid)s min paid in all)."),
               "pause": N_("Session on %(seat)s paused."), "resume": N_("Session on %(seat)s resumed."),
               "move": N_("Seat %(from_seat)s moved to %(seat)s.")}


def actor_label() -> str:
    """How the logged-in person is written in the ledger and the audit log."""
    actor = current_actor()
    assert actor is not None
    return actor.label


def _local(moment: datetime | None) -> str:
    venue = runtime().settings.venue
    return time_of_day(moment, venue.tz, venue.clock, ui_language()) if moment else ""


def _voucher_targets(tiles: tuple[SeatTile, ...]) -> list[dict[str, str]]:
    """Where a voucher can go: each free seat (a new session), then each prepaid session by its seat."""
    # Each phrase translated once, then filled in for every seat.
    free_words, running_words = gettext("%(seat)s (free: start a session)"), gettext("%(seat)s (add to its session)")
    # A free seat without power cannot take a session until the power is back.
    free = [{"value": f"seat:{tile.seat_id}", "label": free_words % {"seat": tile.label}}
            for tile in tiles if tile.session_id is None and not tile.no_power]
    running = [{"value": f"session:{tile.session_id}", "label": running_words % {"seat": tile.label}}
               for tile in tiles if tile.session_id is not None and tile.mode is SessionMode.PREPAID]
    return free + running


def _board_state() -> dict[str, object]:
    with reading() as uow:
        tiles = runtime().board_memo.seat_board(uow)
        ongoing = outage_views.open_outages(uow)
        suspected = outage_views.list_outages(uow, statuses=(OutageStatus.SUSPECTED,))
        figures = today_figures(uow)
        pending = letters.pending_letters(uow)
        waiting = outage_views.waiting_credits(uow)
        ups_views = ups.ups_views(uow)
    state_labels = {state: name_of(state) for state in {tile.state for tile in tiles}}
    return {
        "seats": [
            {
                "seat": tile.seat_id, "label": tile.label, "zone": tile.zone_name, "zone_id": tile.zone_id,
                "state": tile.state,
                "state_label": state_labels[tile.state], "dark": tile.dark, "on_ups": tile.on_ups,
                "no_power": tile.no_power,
                "nearly_up": tile.nearly_up, "session": tile.session_id, "remaining_minutes": tile.remaining_minutes,
                "paid_end": _local(tile.paid_end), "customer": tile.customer_name or "",
                "postpaid": tile.mode is not None and tile.mode.value == "postpaid",
            }
            for tile in tiles
        ],
        # The power bar shows the outages going on; a suspected one waits in its banner instead.
        "outages": [
            {"id": outage.id, "kind": outage.kind.value, "status": outage.status.value,
             "started_at": outage.started_at.isoformat(), "started_local": _local(outage.started_at),
             "label": outage_label(outage, _local(outage.started_at)), "source": outage.source.value}
            for outage in ongoing if outage.status is OutageStatus.ONGOING
        ],
        "ups": ups_lines(ups_views),
        "suspected": suspected_json(suspected),
        # The Today box counts what the lists show: the report's outages, seat faults apart, letters to hand over.
        "figures": {"sessions": figures.sessions, "outages": figures.outages, "seat_faults": figures.seat_faults,
                    "credited_minutes": figures.credited_minutes, "pending_notices": figures.pending_notices,
                    "awaiting_approval": figures.awaiting_approval},
        "figures_text": {"sessions": format_number(figures.sessions), "outages": format_number(figures.outages),
                         "seat_faults": format_number(figures.seat_faults),
                         "credited_minutes": format_number(figures.credited_minutes),
                         "pending_notices": format_number(figures.pending_notices),
                         "awaiting_approval": format_number(figures.awaiting_approval)},
        "letters": [
            {"id": letter.first_notice_id, "seat": letter.seat_id, "cuts": len(letter.notice_ids),
             "credit_minutes": letter.credit_minutes, "label": letter_label(letter)}
            for letter in pending
        ],
        # Credits waiting for a manager, so the counter can tell the customer (and keep them there).
        "waiting": [{"seat": item.seat_id, "customer": item.customer_name or "",
                     "credit_minutes": item.credit_minutes, "label": waiting_label(item)} for item in waiting],
        "voucher_targets": _voucher_targets(tiles),
        "alerts": [{"id": alert.id, "seat": alert.seat_id, "message": alert_text(alert)}
                   for alert in current_app.extensions["compensator.alerts"].fresh(
                       runtime().clock.now(), ALERTS_SHOWN_FOR)[-ALERTS_SHOWN:]],
        "clock_warning": clock_warning(),
        "now": runtime().clock.now().isoformat(),
        # A full disk still lets the board be read: the page warns while nothing can be saved.
        "database": database_warning(runtime().health.problem),
    }


def clock_warning() -> str:
    """A plain warning after the PC's clock was set (the day it happened, or while it still differs)."""
    clock = runtime().clock
    if not isinstance(clock, SteadyClock):
        return ""
    step = clock.last_step
    if step is None:
        return ""
    difference = clock.difference
    if clock.now() - step.at > CLOCK_WARNING_FOR and abs(difference) <= STEP_TOLERANCE:
        return ""
    return clock_step_words(step, _local(step.at), difference)


def waiting_label(item: outage_views.WaitingCredit) -> str:
    """A credit waiting for a manager, as the counter's list shows it."""
    who = (gettext("Seat %(seat)s (%(customer)s)", seat=item.seat_id, customer=item.customer_name)
           if item.customer_name else gettext("Seat %(seat)s", seat=item.seat_id))
    return gettext("%(who)s: %(minutes)s min wait for a manager", who=who, minutes=item.credit_minutes)


def can_print() -> bool:
    """Whether an ESC/POS receipt printer is configured."""
    return runtime().settings.printer.kind is not PrinterKind.NONE


def ups_lines(views: list[ups.UpsView]) -> list[dict[str, str]]:
    """Each UPS's state in words, for the dashboard and the manager page ("on battery since 14:18")."""
    lines = []
    for view in views:
        label = name_of(view.display)
        if view.display in (UpsDisplay.ON_BATTERY, UpsDisplay.NOT_ANSWERING) and view.since:
            label = gettext("%(state)s since %(time)s", state=label, time=_local(view.since))
        if view.display is UpsDisplay.NOT_ANSWERING and view.in_outage:
            label += " " + gettext("(the outage stays open)")
        lines.append({"name": view.name, "state": view.display.value, "label": label,
                      "zones": zone_names(view.zones) if view.zones else gettext("whole venue")})
    return lines


@bp.get("/")
@login_required
def index() -> str:
    """Show the seat grid, the Power cut button, today's figures and the notices to hand over."""
    settings = runtime().settings
    return render_template("dashboard.html", state=_board_state(), zones=settings.zones,
                           packages=package_buttons(), hourly_prices=hourly_prices(), seats=settings.seats,
                           can_print=can_print(), words=page_words(), onto=request.args.get("onto", ""))


@bp.get("/board.json")
@login_required
def board() -> ResponseReturnValue:
    """The live state of the dashboard, polled by the page."""
    return jsonify(_board_state())


@bp.post("/power-cut")
@login_required
def power_cut() -> ResponseReturnValue:
    """Open a power outage for the whole venue or the zones chosen; a second click changes nothing."""
    zones = request.form.getlist("zone") or None
    return submit(lambda uow: outages.start_outage(uow, zones=zones, actor=actor_label()), lambda outage: (
        "warning", gettext("Power cut recorded at %(time)s. Press Power back when it returns.",
                           time=_local(outage.started_at)))
        if outage.created else None)


@bp.post("/power-back")
@login_required
@collector_held_off()
def power_back() -> ResponseReturnValue:
    """End the ongoing outages (or the one named) and compensate every affected session."""
    outage_id = request.form.get("outage", type=int)
    return submit(lambda uow: outages.end_ongoing_outages(uow, outage_id, actor=actor_label()), _power_back_outcome)


def _power_back_outcome(ended: list[outage_views.OutageView]) -> tuple[str, str]:
    # What this Power back gave: not the customers compensated earlier as they left in the dark.
    made = [item for outage in ended for item in outage.compensations
            if outage.ended_at is None or item.created_at >= outage.ended_at]
    compensated = sum(item.status is CompensationStatus.APPLIED for item in made)
    waiting = sum(item.status is CompensationStatus.AWAITING_APPROVAL for item in made)
    said = (ngettext("Power back. %(num)d customer compensated: hand over the notice.",
                     "Power back. %(num)d customers compensated: hand over their notices.", compensated)
            if compensated else gettext("Power back.") if waiting else gettext("Power back. No customer lost time."))
    if waiting:
        said += " " + ngettext("%(num)d credit waits for a manager's approval.",
                               "%(num)d credits wait for a manager's approval.", waiting)
    return ("warning" if waiting else "success"), said


SUSPECTED_ACTIONS = ("confirm", "dismiss")


@bp.post("/outages/<int:outage_id>/<action>")
@login_required
@collector_held_off()
def suspected_action(outage_id: int, action: str) -> ResponseReturnValue:
    """Confirm a suspected outage (compensating at once if it has ended) or dismiss it, from its banner."""
    actor = current_actor()
    assert actor is not None
    if action not in SUSPECTED_ACTIONS:
        raise NotFound(gettext("unknown action %(action)r: expected confirm or dismiss", action=action),
                       field="action")
    found = actions.find(actions.OUTAGE_ACTIONS, action, is_manager=actor.is_manager)
    location = url_for("manage.index") if request.form.get("from") == "manage" else None

    def outcome(view: outage_views.OutageView) -> tuple[str, str]:
        if action == "dismiss":
            return "success", gettext("Dismissed: nobody is compensated for it.")
        if view.status is OutageStatus.ONGOING:
            return "warning", gettext("Confirmed: the outage is going on. Press Power back when it returns.")
        return "success", ngettext("Confirmed. %(num)d customer compensated: hand over the notice.",
                                   "Confirmed. %(num)d customers compensated: hand over their notices.",
                                   len(view.compensations))

    # A dismissal may say why (kept with the outage, shown on the manager page, in the API and the report).
    fields: dict[str, object] = {"reason": request.form.get("reason") or None} if action == "dismiss" else {}
    return submit(lambda uow: found.run(uow, outage_id, fields, actor.label), outcome, location=location)


@bp.post("/seats/<seat_id>/start")
@login_required
def start_session(seat_id: str) -> ResponseReturnValue:
    """Start a package of minutes, or a postpaid session, on a free seat."""
    postpaid = request.form.get("postpaid") == "1"
    return submit(lambda uow: sessions.start_session(
        uow, seat_id=seat_id, minutes=None if postpaid else _minutes_field(), postpaid=postpaid,
        customer_name=request.form.get("customer_name") or None, language=request.form.get("language") or None,
        actor=actor_label()), lambda view: _with_closing(view, gettext("Seat %(seat)s: session started.",
                                                                         seat=view.seat_id)))


def _with_closing(view: session_views.SeatSessionView, done: str) -> Message:
    """``done``, warning when some of the minutes sold run past closing time and cannot be used."""
    if not view.past_closing_minutes:
        return "success", done
    venue = runtime().settings.venue
    closing = _local(next_closing(view.as_of, venue.tz, venue.closing_time))
    return "warning", done + " " + ngettext(
        "%(num)d minute of this session runs past closing time (%(closing)s) and cannot be used.",
        "%(num)d minutes of this session run past closing time (%(closing)s) and cannot be used.",
        view.past_closing_minutes, closing=closing)


def _minutes_field() -> int:
    raw = request.form.get("minutes", "")
    if not raw.strip().isdigit():
        raise InvalidInput(gettext("choose a number of minutes"), field="minutes")
    return int(raw)


@bp.post("/sessions/<int:session_id>/<action>")
@login_required
def session_action(session_id: int, action: str) -> ResponseReturnValue:
    """Extend, pause, resume, move or end a session."""
    actor = current_actor()
    assert actor is not None
    found = actions.find(actions.SESSION_ACTIONS, action, is_manager=actor.is_manager)
    fields: dict[str, object] = {"minutes": _minutes_field()} if "minutes" in found.fields else {}
    if "seat" in found.fields:
        fields["seat"] = request.form.get("seat", "")

    before: dict[str, str] = {}

    def run(uow: UnitOfWork) -> session_views.SeatSessionView:
        before["seat"] = session_views.get_session(uow, session_id).seat_id
        return found.run(uow, session_id, fields, actor.label)

    def outcome(view: session_views.SeatSessionView) -> Message:
        if action == "move" and view.moved is not None:
            # A move to a seat of another price: the money changes hands at the counter now.
            moved = _with_closing(view, move_message(view, before.get("seat", "")) or "")
            return ("warning", moved[1]) if view.moved.difference_minor else moved
        if action != "end":
            return _with_closing(view, gettext(ACTION_DONE[action], seat=view.seat_id, minutes=fields.get("minutes"),
                                               paid=view.paid_minutes, from_seat=before.get("seat", "")))
        owed = owed_message(view)
        letter = next((credit.notice_id for credit in view.owed_on_leaving if credit.notice_id is not None), None)
        if letter is not None:
            return "warning", f"{end_message(view)} {owed}", (
                gettext("Open the letter"), url_for("dashboard.notice_screen", notice_id=letter))
        width = runtime().settings.printer.width_mm
        return "warning" if owed else "success", f"{end_message(view)} {owed}".strip(), (
            gettext("Print the bill"), url_for("dashboard.bill_receipt", session_id=view.id, width=width))

    return submit(run, outcome)


def _voucher_target() -> dict[str, object]:
    """The seat or the session the form's ``onto`` names (``seat:A3`` or ``session:12``); none if neither."""
    kind, _, value = request.form.get("onto", "").partition(":")
    if kind == "session":
        return {"session_id": int(value) if value.isdigit() else value}
    return {"seat_id": value} if kind == "seat" else {}


@bp.post("/vouchers/redeem")
@login_required
def redeem() -> ResponseReturnValue:
    """Redeem a typed or scanned voucher code onto a free seat or onto a running prepaid session."""
    def outcome(redeemed: Redemption) -> Message:
        words = (N_("Voucher %(code)s: %(minutes)s min started on seat %(seat)s") if redeemed.started
                 else N_("Voucher %(code)s: %(minutes)s min added to seat %(seat)s"))
        said = gettext(words, code=redeemed.code, minutes=redeemed.minutes, seat=redeemed.session.seat_id)
        value = redeemed.value_minor
        if value is not None and redeemed.minutes != redeemed.issued_minutes:
            # Issued in a zone of another price: its value in money is kept, in this seat's minutes.
            assert redeemed.issued_price_minor_per_hour is not None
            said += "; " + gettext(
                "it is worth %(value)s (%(issued)s min at %(issued_price)s/h): %(minutes)s min at this seat's "
                "%(price)s/h.", value=money(value), issued=redeemed.issued_minutes,
                issued_price=money(redeemed.issued_price_minor_per_hour), minutes=redeemed.minutes,
                price=money(redeemed.price_minor_per_hour))
        return _with_closing(redeemed.session, said)

    # A refused code comes back with the same "Onto" chosen, so that the re-scan goes where the attendant meant.
    return submit(lambda uow: redeem_voucher(uow, request.form.get("code", ""), actor=actor_label(),
                                             **_voucher_target()), outcome,
                  refused_location=url_for("dashboard.index", onto=request.form.get("onto", "")[:80] or None))


@bp.get("/seat-agent.py")
@login_required
def seat_agent_file() -> ResponseReturnValue:
    """The seat agent to copy onto each seat PC and run there with Python."""
    source = Path(seat_agent.__file__).read_bytes()
    return Response(source, mimetype="text/x-python",
                    headers={"Content-Disposition": "attachment; filename=seat_agent.py"})
