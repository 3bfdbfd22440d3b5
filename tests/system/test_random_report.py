"""The report adds up from what was given: after random sessions, cuts, leavers, approvals and corrections.

The seeded random simulation of ``test_random_outages`` runs (sessions start, move and end,
customers leave in the dark, outages start, end and are corrected, large credits approved),
then each venue day it touched is reported. Every minute the report says was credited, by form
(as time, off bills, as vouchers), must be what the ledger's credit entries and the vouchers of
the day's compensations hold, read directly from the tables; and each compensation's row must
add up the same way. The power figures count the venue's cuts alone (seat faults apart), and
each zone's UPS minutes, carried and not, add up to the minutes of the cuts over it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import select

from compensator.domain.kinds import COUNTED_OUTAGE_STATUSES, EntryKind, OutageKind, ScopeKind, SessionMode
from compensator.domain.venue_day import closing_of, date_of, day_bounds
from compensator.report.build import build_daily_report
from compensator.store.models import Compensation, LedgerEntry, Outage, SeatSession, Voucher
from tests.support.random_steps import Simulation

STEPS = 150
SEEDS = (11, 12, 13)


def given_by_the_tables(unit, day, settings) -> dict[int, dict[str, int]]:
    """What each compensation counted in ``day`` gave, by form, as the ledger and the vouchers hold it."""
    tz = settings.venue.tz
    start, next_midnight = day_bounds(day, tz)
    end = min(closing_of(day, tz, settings.venue.closing_time), unit.now())
    counted = {outage_id for outage_id, status, started_at, ended_at in unit.db.execute(
        select(Outage.id, Outage.status, Outage.started_at, Outage.ended_at)).tuples()
        if status in COUNTED_OUTAGE_STATUSES and started_at < end and ended_at is not None
        and start < ended_at < next_midnight}
    compensations = {compensation_id for compensation_id, outage_id in unit.db.execute(
        select(Compensation.id, Compensation.outage_id)).tuples() if outage_id in counted}
    given: dict[int, dict[str, int]] = defaultdict(lambda: {"time": 0, "bill": 0, "voucher": 0})
    for compensation_id, kind, minutes, mode in unit.db.execute(
            select(LedgerEntry.compensation_id, LedgerEntry.kind, LedgerEntry.minutes, SeatSession.mode)
            .join(SeatSession, SeatSession.id == LedgerEntry.seat_session_id)).tuples():
        if compensation_id in compensations:
            assert kind in (EntryKind.OUTAGE_CREDIT, EntryKind.OUTAGE_TOPUP)
            given[compensation_id]["bill" if mode is SessionMode.POSTPAID else "time"] += minutes
    for compensation_id, minutes in unit.db.execute(select(Voucher.compensation_id, Voucher.minutes)).tuples():
        if compensation_id in compensations:
            given[compensation_id]["voucher"] += minutes
    return {compensation_id: given[compensation_id] for compensation_id in compensations}


def check_power_figures(report, zones: list[str]) -> None:
    """The power figures count the venue's cuts alone, and each zone's UPS minutes split its cuts' minutes."""
    assert all(row.scope_kind is ScopeKind.SEATS for row in report.seat_faults)
    assert all(row.scope_kind is not ScopeKind.SEATS for row in report.outages)
    cuts = [row for row in report.outages if row.kind is OutageKind.POWER]
    assert report.reliability.cuts == len(cuts)
    assert report.reliability.longest_cut_minutes == max((row.minutes_in_day for row in cuts), default=0)
    assert report.figures.seat_faults == len(report.seat_faults)
    for zone in report.ups_by_zone:
        covering = [row for row in cuts if row.scope_kind is ScopeKind.VENUE or zone.zone_id in row.scope_ids]
        assert zone.cuts == len(covering), zone
        assert zone.carried_minutes + zone.not_carried_minutes == sum(row.minutes_in_day for row in covering), zone
        assert zone.carried_minutes <= zone.ups_minutes * zone.cuts, zone
    assert [zone.zone_id for zone in report.ups_by_zone][:len(zones)] == zones


@pytest.mark.parametrize("seed", SEEDS)
def test_every_report_figure_by_form_is_the_sum_of_what_the_ledger_and_the_vouchers_hold(
        seed, uow, clock, settings, runtime) -> None:
    simulation = Simulation(seed, uow, clock, settings, runtime.engine)
    stats = simulation.run(STEPS)
    assert stats["outage.end"] and stats["outage.correct"], stats
    # The day is over by the next morning: every outage the run began is reported whole.
    clock.advance(minutes=12 * 60)
    tz = settings.venue.tz
    first_day = date_of(runtime.clock.now() - timedelta(days=2), tz)
    checked = 0
    with uow() as unit:
        for offset in range(3):
            day = first_day + timedelta(days=offset)
            if day > date_of(unit.now(), tz):
                break
            report = build_daily_report(unit, day)
            tables = given_by_the_tables(unit, day, settings)
            figures = report.figures
            assert (figures.credited_time_minutes, figures.credited_bill_minutes,
                    figures.credited_voucher_minutes) == (
                sum(item["time"] for item in tables.values()), sum(item["bill"] for item in tables.values()),
                sum(item["voucher"] for item in tables.values())), day
            assert {row.id for row in report.compensations} == set(tables), day
            check_power_figures(report, [zone.id for zone in settings.zones])
            for row in report.compensations:
                held = tables.get(row.id, {"time": 0, "bill": 0, "voucher": 0})
                assert (row.given.time_minutes, row.given.bill_minutes, row.given.voucher_minutes) == (
                    held["time"], held["bill"], held["voucher"]), row
                assert row.granted_minutes == sum(held.values()), row
                checked += 1
    assert checked, "the run compensated nobody: it proves nothing"
