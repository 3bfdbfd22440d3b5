"""The steps of the PC's clock, recorded in the audit log once each with their size.

Business time comes from a ``SteadyClock`` (``compensator.clock``) that never follows a step
of the wall clock; this module writes down what it noticed, and tells it where the recorded
time stands at start-up so that business time never runs back behind what was written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from compensator.clock import ClockStep, SteadyClock
from compensator.services import audit
from compensator.store.database import UnitOfWork
from compensator.store.models import AuditRecord
from compensator.store.operations import ServerRun

STEP_ACTION = "clock.step"
STEP_ACTOR = "clock"


def latest_recorded(uow: UnitOfWork) -> datetime | None:
    """The latest business time written down: the last alive record or the last audited change."""
    times = [uow.db.scalar(select(func.max(ServerRun.last_alive_at))),
             uow.db.scalar(select(func.max(AuditRecord.at)))]
    known = [moment for moment in times if moment is not None]
    return max(known) if known else None


def record_pending(uow: UnitOfWork, clock: SteadyClock) -> list[ClockStep]:
    """Write each step the clock noticed and has not had recorded yet into the audit log; commit."""
    clock.now()  # a reading notices a step made since the last one
    steps = clock.pending()
    for step in steps:
        audit.record(uow, actor=STEP_ACTOR, action=STEP_ACTION, target_type="clock", target_id="pc",
                     after=step_record(step))
    if steps:
        uow.commit()
        clock.recorded(len(steps))
    return steps


def step_record(step: ClockStep) -> dict[str, object]:
    """What the audit log keeps of a step: when, by how much, and how far the PC's clock now is."""
    return {"at": step.at.isoformat(), "size_seconds": round(step.size.total_seconds()),
            "pc_clock": step.wall.isoformat(), "difference_seconds": round(step.difference.total_seconds())}
