"""The named actions on a session and on an outage: one table each, shared by the API and the dashboard.

An entry point looks an action up by the name in its URL, passes the fields it received, and
gets the use case's result; an unknown name is refused here, once. The table also says which
fields each action takes (so the API can refuse others) and which actions need a manager.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from compensator.errors import NotFound, PermissionDenied
from compensator.services.outages import approvals
from compensator.services.outages import use_cases as outages
from compensator.services.outages.views import CompensationView, OutageView
from compensator.services.sessions import corrections
from compensator.services.sessions import use_cases as sessions
from compensator.services.sessions.views import SeatSessionView
from compensator.store.database import UnitOfWork

Result = TypeVar("Result")
Fields = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Action(Generic[Result]):
    """One named action: the fields it takes, whether it needs a manager, and the use case it runs."""

    fields: tuple[str, ...]
    run: Callable[[UnitOfWork, int, Fields, str], Result]
    manager_only: bool = False


SESSION_ACTIONS: dict[str, Action[SeatSessionView]] = {
    "extend": Action(("minutes",), lambda uow, target, fields, actor: sessions.extend_session(
        uow, target, minutes=fields.get("minutes"), actor=actor)),
    "pause": Action((), lambda uow, target, fields, actor: sessions.pause_session(uow, target, actor=actor)),
    "resume": Action((), lambda uow, target, fields, actor: sessions.resume_session(uow, target, actor=actor)),
    "move": Action(("seat",), lambda uow, target, fields, actor: sessions.move_session(
        uow, target, seat_id=fields.get("seat"), actor=actor)),
    "end": Action((), lambda uow, target, fields, actor: sessions.end_session(uow, target, actor=actor)),
    "reverse": Action(("entry", "minutes", "reason"), lambda uow, target, fields, actor: corrections.reverse_sale(
        uow, target, entry=fields.get("entry"), minutes=fields.get("minutes"), reason=fields.get("reason"),
        actor=actor), manager_only=True),
}

OUTAGE_ACTIONS: dict[str, Action[OutageView]] = {
    "end": Action(("ended_at",), lambda uow, target, fields, actor: outages.end_outage(
        uow, target, ended_at=fields.get("ended_at"), actor=actor)),
    "correct": Action(("started_at", "ended_at", "reason"), lambda uow, target, fields, actor: outages.correct_outage(
        uow, target, started_at=fields.get("started_at"), ended_at=fields.get("ended_at"),
        reason=fields.get("reason"), actor=actor), manager_only=True),
    "confirm": Action((), lambda uow, target, fields, actor: outages.confirm_outage(uow, target, actor=actor)),
    "dismiss": Action(("reason",), lambda uow, target, fields, actor: outages.dismiss_outage(
        uow, target, reason=fields.get("reason"), actor=actor)),
}


# What a manager decides for a credit awaiting approval (rule 10, amended).
COMPENSATION_ACTIONS: dict[str, Action[CompensationView]] = {
    "approve": Action((), lambda uow, target, fields, actor: approvals.approve_compensation(
        uow, target, actor=actor), manager_only=True),
    "reduce": Action(("minutes", "reason"), lambda uow, target, fields, actor: approvals.reduce_compensation(
        uow, target, minutes=fields.get("minutes"), reason=fields.get("reason"), actor=actor), manager_only=True),
    "refuse": Action(("reason",), lambda uow, target, fields, actor: approvals.refuse_compensation(
        uow, target, reason=fields.get("reason"), actor=actor), manager_only=True),
}


def find(table: Mapping[str, Action[Result]], name: str, *, is_manager: bool) -> Action[Result]:
    """The action called ``name`` in ``table``, if it exists and the actor may run it."""
    action = table.get(name)
    if action is None:
        raise NotFound(f"unknown action {name!r}: expected " + ", ".join(table), field="action")
    if action.manager_only and not is_manager:
        raise PermissionDenied(f"only a manager can {name} this")
    return action
