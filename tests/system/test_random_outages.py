"""A seeded random simulation of sessions, outages, corrections and keyed retries, checked after every step.

It drives the real service functions through the fake clock: sessions start, extend, pause,
resume, move and end on a handful of seats in both zones; outages (power or network, over the
venue, a zone or some seats, sometimes back-dated, sometimes first only suspected) start and
end; a manager corrects outages and approves large credits; seat PCs report that they went
down at random moments of ended cuts (issue 24), each report a correction from evidence. Many
steps go through ``run_once`` with an idempotency key, and some of those are retried with the
same key: at once, a few steps later, and as copies racing in threads, each with its own unit
of work.

After every step the database is checked against what must always hold:

1. each (outage, session) has at most one compensation; each compensation has at most one
   first credit (a ledger entry or a voucher, never both), at most one top-up per correction
   and at most one notice, and what it granted is exactly what the ledger and vouchers hold;
2. no minute is credited twice: a session's lost minutes, summed over its compensations as
   they now stand, never exceed an independent measure of the time it ran, paid, on a dark
   seat (UPS bridging per zone for power, none for network); granted minutes never go down;
   and no minute is left out: a postpaid session gets back at least the time it ran on a seat
   that an ended outage surely darkened;
3. balances equal the entries, and remaining time is never negative;
4. every keyed retry returns the first answer and changes nothing.

A refusal (a ``DomainError``) is an allowed outcome of any step, and it leaves the database as
it was. The tables are read directly, not through the services' views, so that the check does
not lean on what it checks; ``current_figures`` is the one place that knows where a
compensation's figures live.

The simulation is split along its seams: ``tests.support.random_steps`` drives it and checks
invariant 4, ``tests.support.random_requests`` draws each step's request, ``tests.support.random_world`` reads
the database and checks invariants 1 to 3, and ``tests.support.random_darkness`` measures dark,
running, paid time afresh for invariant 2.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from compensator.store.models import SeatDarkEvidence
from tests.support.random_steps import Simulation

STEPS = 150
SQLITE_SEEDS = (1, 2, 3, 4, 5)
POSTGRES_SEEDS = (6, 7)


@pytest.mark.parametrize(
    ("seed", "database_url"),
    [(seed, "sqlite") for seed in SQLITE_SEEDS] + [(seed, "postgresql") for seed in POSTGRES_SEEDS],
    indirect=["database_url"],
)
def test_random_sessions_outages_corrections_and_retries_never_credit_a_minute_twice(
        seed, uow, clock, settings, runtime) -> None:
    simulation = Simulation(seed, uow, clock, settings, runtime.engine)
    stats = simulation.run(STEPS)
    # The run must have done what it is meant to check, or it proves nothing.
    assert all(stats[name] for name in ("outage.end", "outage.correct", "retried", "raced", "refused",
                                        "seat.report")), stats
    # Seats whose PCs died at random moments of the cuts corrected their compensations (issue 24).
    with uow() as unit:
        assert unit.db.scalar(select(func.count()).select_from(SeatDarkEvidence)), "no seat report was ever used"
    # No dark minute left out: a postpaid session got back every minute it ran on a surely dark seat.
    assert not simulation.history.shortfalls, simulation.history.shortfalls[0]
