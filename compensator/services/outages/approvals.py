"""A manager's decision on a credit awaiting approval (SPEC section 3, rule 10 amended): approve, reduce or refuse.

A credit above ``manager_approval_above_minutes`` waits for a manager. Approving applies it as
it stands now (a correction since may have changed it); reducing applies fewer minutes, and
refusing applies none: both need a reason, which the report lists under "to look at". A refused
credit stays refused through later corrections; a reduced one is topped up only by what a
correction adds (``domain.policy.correct_credit``).
"""

from __future__ import annotations

from sqlalchemy import select

from compensator.domain.kinds import CompensationStatus
from compensator.errors import InvalidInput, InvalidState, NotFound, require_id
from compensator.services import audit, parsing
from compensator.services.outages.credits import CreditOrder, apply_credits
from compensator.services.outages.settlement import current_figures
from compensator.services.outages.views import CompensationView, outage_views
from compensator.services.sessions.views import load_sessions
from compensator.store.database import UnitOfWork
from compensator.store.models import Compensation, Outage


def approve_compensation(uow: UnitOfWork, compensation_id: object, *, actor: str) -> CompensationView:
    """A manager accepts a large credit: it is applied now, as it stands."""
    return _decide(uow, compensation_id, minutes=None, reason=None, actor=actor, action="approve")


def reduce_compensation(uow: UnitOfWork, compensation_id: object, *, minutes: object, reason: object,
                        actor: str) -> CompensationView:
    """A manager applies fewer minutes of a large credit than the policy gave, saying why."""
    return _decide(uow, compensation_id, minutes=minutes, reason=_reason(reason, "reducing"), actor=actor,
                   action="reduce")


def refuse_compensation(uow: UnitOfWork, compensation_id: object, *, reason: object, actor: str) -> CompensationView:
    """A manager refuses a large credit, saying why: nothing is applied and no letter is made."""
    return _decide(uow, compensation_id, minutes=0, reason=_reason(reason, "refusing"), actor=actor, action="refuse")


def _reason(value: object, doing: str) -> str:
    reason = parsing.note(value, "reason")
    if reason is None:
        raise InvalidInput(f"{doing} a credit needs a reason", field="reason")
    return reason


def _decide(uow: UnitOfWork, compensation_id: object, *, minutes: object, reason: str | None, actor: str,
            action: str) -> CompensationView:
    compensation_id = require_id(compensation_id, "compensation")
    row = uow.db.scalar(select(Compensation).where(Compensation.id == compensation_id).with_for_update())
    if row is None:
        raise NotFound(f"unknown compensation {compensation_id}", field="compensation")
    if row.status is not CompensationStatus.AWAITING_APPROVAL:
        raise InvalidState(f"compensation {row.id} was decided already: it is {row.status.value.replace('_', ' ')}")
    outage = uow.db.get(Outage, row.outage_id)
    assert outage is not None
    # A correction since may have changed the credit: the figures that stand now are decided on.
    figures = current_figures(uow, select(Compensation.id).where(Compensation.id == row.id))[row.id]
    if figures.credit_minutes == 0:
        raise InvalidState(f"compensation {row.id} has nothing left to decide: a correction brought it to 0 min")
    given = figures.credit_minutes if minutes is None else 0 if minutes == 0 else parsing.minutes(minutes)
    if minutes is not None and given >= figures.credit_minutes:
        raise InvalidState(f"a reduced credit gives fewer than the {figures.credit_minutes} min due: "
                           "approve it to give them all", field="minutes")
    row.applied_at = uow.now()
    row.approved_by = actor
    row.decision_reason = reason
    row.granted_minutes = given
    if given == 0:
        row.status = CompensationStatus.REFUSED
    else:
        row.status = CompensationStatus.APPLIED
        loaded = load_sessions(uow.db, [row.seat_session_id], authors=False)[row.seat_session_id]
        delivered = apply_credits(uow, [CreditOrder(
            compensation_id=row.id, seat_id=row.seat_id, figures=figures, session=loaded, minutes=given)],
            outage=outage, actor=actor)
        row.form = delivered.forms[row.id]
    audit.record(uow, actor=actor, action=f"compensation.{action}", target_type="compensation", target_id=row.id,
                 before={"credit_minutes": figures.credit_minutes},
                 after={"credit_minutes": given, **({"reason": reason} if reason else {})})
    uow.db.flush()
    view = next(item for item in outage_views(uow, [outage])[0].compensations if item.id == row.id)
    uow.commit()
    return view
