"""APScheduler on business time, so that a step of the PC's clock never stalls the scheduler.

APScheduler 3 reads the wall clock (``datetime.now``) to find the jobs that are due and how
long to wait, and waits on the monotonic clock: set the PC's clock back an hour and every job
waits an hour; set it forward a day and every job counts as missed. Here its scheduler and its
executors read the runtime's clock instead. Business time (``SteadyClock``) moves with the
monotonic clock, so the waits come out right whatever the PC's clock does.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

import apscheduler.executors.base as executors_base
import apscheduler.schedulers.base as schedulers_base

from compensator.clock import Clock


class _BusinessTime:
    """Stands in for ``datetime`` inside APScheduler's scheduler and executor modules, which only
    call ``datetime.now(tz)``."""

    clock: Clock | None = None

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:
        if cls.clock is None:
            return datetime.now(tz)
        moment = cls.clock.now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


def run_scheduler_on(clock: Clock | None) -> None:
    """Make APScheduler read ``clock`` (``None``: the wall clock again). One scheduler per process."""
    _BusinessTime.clock = clock
    schedulers_base.datetime = _BusinessTime
    executors_base.datetime = _BusinessTime
