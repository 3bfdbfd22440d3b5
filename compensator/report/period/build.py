"""The period report: the venue's power, money, what is owed, care and retention over a run of venue days.

The period runs from the first day's midnight to the last day's closing time (cut at now for
today), every hour in between included. Outages are read by the day's reader over that window
(``report.rows.overlapping_outages``), the takings by the day's (``report.takings``). As in the
day's report, an outage's compensations count in the period in which it ended (by the midnight
after the last day), so that consecutive periods never count one twice; its power is counted
where it was, clipped to the period (``period.power``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from compensator.domain.intervals import Span, clip, measure
from compensator.domain.kinds import COUNTED_OUTAGE_STATUSES
from compensator.domain.venue_day import date_of, day_bounds
from compensator.errors import InvalidInput, NotFound, TimeOutOfRange
from compensator.report.build import EARLIEST_REPORT_DATE, day_window
from compensator.report.period import care as care_figures
from compensator.report.period import findings, owed, power, rows
from compensator.report.period.data import DayPoint, Indices, PeriodReportData
from compensator.report.rows import load_catalog, overlapping_outages
from compensator.report.takings import daily_takings
from compensator.services import parsing
from compensator.store.database import UnitOfWork

# A longer period is a typing mistake (or a year's report, which a year of days would give).
LONGEST_PERIOD_DAYS = 400


def parse_period(uow: UnitOfWork, first: object, last: object) -> tuple[date, date]:
    """The first and last venue days named, checked: in order, not in the future, not absurdly long."""
    first_day = first if isinstance(first, date) else parsing.venue_day(first, field="from")
    last_day = last if isinstance(last, date) else parsing.venue_day(last, field="to")
    today = date_of(uow.now(), uow.settings.venue.tz)
    if first_day < EARLIEST_REPORT_DATE:
        raise InvalidInput(f"there are no reports before {EARLIEST_REPORT_DATE.isoformat()}", field="from")
    if last_day > today:
        raise NotFound(f"{last_day.isoformat()} is in the future: there is no report for it yet", field="to")
    if last_day < first_day:
        raise TimeOutOfRange("the period ends before it begins: put the earlier day first", field="to")
    if (last_day - first_day).days >= LONGEST_PERIOD_DAYS:
        raise TimeOutOfRange(f"a period is at most {LONGEST_PERIOD_DAYS} days long", field="to")
    return first_day, last_day


def build_period_report(uow: UnitOfWork, first: object, last: object) -> PeriodReportData:
    """Compute the report of the venue days from ``first`` to ``last`` (both included)."""
    first_day, last_day = parse_period(uow, first, last)
    start = day_window(uow, first_day)[0]
    _, end, complete = day_window(uow, last_day)
    window = (start, end)
    settings = uow.settings
    tz = settings.venue.tz
    credit_until = day_bounds(last_day, tz)[1]
    catalog = load_catalog(uow)

    outages = [item for item in overlapping_outages(uow, start, max(end, credit_until))
               if item.status in COUNTED_OUTAGE_STATUSES]
    in_window = [item for item in outages if item.started_at < end]
    cuts = power.venue_cuts(in_window)
    counted = [item.id for item in outages
               if item.ended_at is not None and start <= item.ended_at < credit_until]
    ended = {item.id: item.ended_at for item in outages}
    given = rows.credits(uow, counted, catalog)
    letters = rows.letters(uow, counted, ended)
    vouchers = rows.vouchers(uow, max(end, uow.now()))
    sessions = rows.sessions_by_zone(uow, start, end)

    zone_ids = [zone.id for zone in settings.zones]
    names = {zone.id: catalog.zone_names.get(zone.id, zone.name) for zone in settings.zones}
    takings, total = daily_takings(uow, window, zones=list(names.items()), zone_of_seat=catalog.zone_of_seat,
                                   price_minor_per_hour=catalog.price_minor_per_hour,
                                   credited_by_zone=given.value_minor)
    taken = {row.zone_id: row.takings_minor for row in takings}
    zone_power = {zone: power.zone_power(cuts, zone, catalog, window) for zone in zone_ids}
    seats = {zone: sum(1 for seat in catalog.active_seats if catalog.zone_of_seat.get(seat) == zone)
             for zone in zone_ids}
    minutes = max(int((end - start).total_seconds()) // 60, 1)
    zones = tuple(_zone_indices(zone, names[zone], seats[zone], zone_power[zone], minutes, sessions.get(zone, 0),
                                given, taken.get(zone, 0))
                  for zone in zone_ids)
    venue = _venue_indices(zones, len(power.joined(cuts, window)), minutes, given, total.takings_minor)
    days = _days(first_day, last_day, window, tz, power.joined(cuts, window), zone_power, seats, given.by_outage,
                 ended)
    owed_now = owed.owed(vouchers, window)
    care = care_figures.care(letters, len(given.pending_sessions), given.pending_value_minor)
    retention = owed.retention(vouchers, window)
    report = PeriodReportData(
        venue_name=settings.venue.name, currency=settings.venue.currency, timezone=settings.venue.timezone,
        clock=settings.venue.clock, first_day=first_day, last_day=last_day, window_start=start, window_end=end,
        complete=complete, generated_at=uow.now(), venue=venue, zones=zones, days=days,
        restore=power.restore_times(cuts, window), owed=owed_now, care=care, retention=retention, findings=())
    return findings.with_findings(report)


def _share(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` with one decimal, None when ``whole`` is nothing."""
    return round(100 * part / whole, 1) if whole else None


def _zone_indices(zone: str, name: str, seats: int, lived: power.ZonePower, minutes: int, sessions: int,
                  given: rows.Credits, takings: int) -> Indices:
    interrupted = len(given.sessions.get(zone, ()))
    value = given.value_minor.get(zone, 0)
    return Indices(
        zone=zone, zone_name=name, seats=seats, cuts=len(lived.cuts), saifi=float(lived.interruptions),
        saidi_minutes=float(lived.dark_minutes),
        caidi_minutes=round(lived.dark_minutes / lived.interruptions, 1) if lived.interruptions else None,
        maifi=float(lived.momentary), asai_percent=round(100 * (1 - lived.dark_minutes / minutes), 3),
        sessions=sessions, sessions_interrupted=interrupted, interrupted_percent=_share(interrupted, sessions),
        credit_minutes=given.minutes.get(zone, 0), credit_value_minor=value, takings_minor=takings,
        credit_share_percent=_share(value, takings), margin=lived.margin)


def _venue_indices(zones: Sequence[Indices], cuts: int, minutes: int, given: rows.Credits,
                   takings: int) -> Indices:
    """The venue's figures: the zones' indices weighted by their seats; credits of every seat, seat faults' too."""
    seats = sum(zone.seats for zone in zones)

    def weighted(values: Sequence[float]) -> float:
        return sum(zone.seats * value for zone, value in zip(zones, values, strict=True)) / seats if seats else 0.0

    saifi = weighted([zone.saifi for zone in zones])
    saidi = weighted([zone.saidi_minutes for zone in zones])
    sessions = sum(zone.sessions for zone in zones)
    # A session compensated on seats of two zones is one session interrupted.
    interrupted = len(set().union(*given.sessions.values()))
    value = sum(given.value_minor.values())
    return Indices(
        zone=None, zone_name="Venue", seats=seats, cuts=cuts, saifi=round(saifi, 2), saidi_minutes=round(saidi, 1),
        caidi_minutes=round(saidi / saifi, 1) if saifi else None,
        maifi=round(weighted([zone.maifi for zone in zones]), 2), asai_percent=round(100 * (1 - saidi / minutes), 3),
        sessions=sessions, sessions_interrupted=interrupted, interrupted_percent=_share(interrupted, sessions),
        credit_minutes=sum(given.minutes.values()), credit_value_minor=value, takings_minor=takings,
        credit_share_percent=_share(value, takings), margin=None)


def _days(first_day: date, last_day: date, window: Span, tz: ZoneInfo, cuts: Sequence[power.Cut],
          zone_power: dict[str, power.ZonePower], seats: dict[str, int], credited: dict[int, list[int]],
          ended: dict[int, datetime | None]) -> tuple[DayPoint, ...]:
    """Each day of the period: the cuts that began in it (one begun before the period on its first day),
    the minutes its seats were dark on average, and the credits of the outages that ended in it."""
    total_seats = sum(seats.values())
    credit_minutes: dict[date, int] = defaultdict(int)
    credit_value: dict[date, int] = defaultdict(int)
    for outage_id, (minutes, value) in credited.items():
        end = ended.get(outage_id)
        if end is not None:
            credit_minutes[date_of(end, tz)] += minutes
            credit_value[date_of(end, tz)] += value
    begun: dict[date, int] = defaultdict(int)
    for cut in cuts:
        begun[date_of(max(cut.start, window[0]), tz)] += 1
    points = []
    day = first_day
    while day <= last_day:
        span = clip([day_bounds(day, tz)], window)
        dark = sum((seats[zone] * measure(clip(lived.dark, span[0])) for zone, lived in zone_power.items()),
                   timedelta()) if span else timedelta()
        per_seat = dark.total_seconds() / 60 / total_seats if total_seats else 0.0
        points.append(DayPoint(day, begun[day], round(per_seat, 1), credit_minutes[day], credit_value[day]))
        day += timedelta(days=1)
    return tuple(points)

