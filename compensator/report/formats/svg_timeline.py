"""The day's timeline as an SVG picture: seats against time, with sessions, dark spells and outages as bands.

The picture is built as text with every value escaped and no external font or resource, so it
can sit inline in the HTML report and be drawn into the PDF. A day with more seats in use than
fit on a page is drawn one row per zone instead, each row the union of its seats' bands. The
venue's outages are bands across every row; a seat fault is a band on its seat's row alone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from compensator.domain.intervals import Span, merge
from compensator.domain.kinds import OutageKind
from compensator.report.data import DailyReportData
from compensator.report.formats.layout import zone_name

WIDTH = 900
LABEL_WIDTH = 90
LABEL_CHARACTERS = 14
MAX_SEAT_ROWS = 40
ROW_HEIGHT = 16
TOP = 34
SESSION_COLOUR = "#2b8a3e"
DARK_COLOUR = "#212529"
FAULT_COLOUR = "#ae3ec9"
OUTAGE_COLOURS = {OutageKind.POWER: "#c92a2a", OutageKind.NETWORK: "#e67700"}


def picture_rows(report: DailyReportData) -> list[tuple[str, list[Span], list[Span], list[Span]]]:
    """The rows to draw as (label, session bands, dark bands, seat faults): one per seat, or one per zone when many."""
    if len(report.timeline) <= MAX_SEAT_ROWS:
        return [(row.seat_id, list(row.sessions), list(row.dark), list(row.faults)) for row in report.timeline]
    seats: dict[str, int] = defaultdict(int)
    sessions: dict[str, list[Span]] = defaultdict(list)
    dark: dict[str, list[Span]] = defaultdict(list)
    faults: dict[str, list[Span]] = defaultdict(list)
    for row in report.timeline:
        zone = row.zone_id or "?"
        seats[zone] += 1
        sessions[zone].extend(row.sessions)
        dark[zone].extend(row.dark)
        faults[zone].extend(row.faults)
    return [(f"{zone_name(report, zone)} ({count})", merge(sessions[zone]), merge(dark[zone]), merge(faults[zone]))
            for zone, count in seats.items()]


def picture_height(report: DailyReportData) -> int:
    """The height of the picture, in the same units as ``WIDTH``."""
    return _height(len(picture_rows(report)))


def _height(row_count: int) -> int:
    return TOP + ROW_HEIGHT * max(row_count, 1) + 10


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[:LABEL_CHARACTERS - 1] + "…"


def render_svg(report: DailyReportData) -> str:
    """An SVG of the day: one row per seat, outage bands across all rows, an hour scale on top."""
    tz = ZoneInfo(report.timezone)
    # The picture starts at the hour of the day's first activity, not at midnight, so that an
    # afternoon's sessions are not squeezed into a sliver at the right.
    starts = [span[0] for row in report.timeline for span in row.sessions + row.dark + row.faults]
    starts += [band.start for band in report.outage_bands]
    first = min(starts, default=report.window_start).astimezone(tz).replace(minute=0, second=0, microsecond=0)
    start = max(report.window_start, first)
    end = max(report.window_end, start + timedelta(hours=1))
    span_seconds = (end - start).total_seconds()
    plot_width = WIDTH - LABEL_WIDTH - 10

    def x(moment: datetime) -> float:
        share = max(0.0, min(1.0, (moment - start).total_seconds() / span_seconds))
        return round(LABEL_WIDTH + plot_width * share, 1)

    def width(band_start: datetime, band_end: datetime) -> float:
        return max(round(x(band_end) - x(band_start), 1), 1.0)

    rows = picture_rows(report)
    height = _height(len(rows))
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
              f'height="{height}" font-family="sans-serif" font-size="10">')]
    # Every hour gets a line; with a long span, only every other hour gets a label.
    label_every = 1 if span_seconds <= 12 * 3600 else 2
    # Steps are taken in UTC, so that a daylight-saving change neither repeats nor skips a line.
    hour = start.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    while hour <= end:
        if hour >= start:
            position = x(hour)
            shown = hour.astimezone(tz)
            parts.append(f'<line x1="{position}" y1="{TOP - 6}" x2="{position}" y2="{height - 8}" '
                         f'stroke="#dee2e6" stroke-width="1"/>')
            if shown.hour % label_every == 0:
                parts.append(f'<text x="{position}" y="{TOP - 10}" text-anchor="middle" fill="#495057">'
                             f'{shown.strftime("%H")}</text>')
        hour += timedelta(hours=1)
    for band in report.outage_bands:
        colour = OUTAGE_COLOURS[band.kind]
        parts.append(f'<rect x="{x(band.start)}" y="2" width="{width(band.start, band.end)}" height="{height - 10}" '
                     f'fill="{colour}" fill-opacity="0.15"/>')
        parts.append(f'<text x="{x(band.start) + 2}" y="10" fill="{colour}">'
                     f'{escape(band.kind.value)} {band.outage_id}</text>')
    for index, (label, sessions, dark, faults) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        parts.append(f'<text x="4" y="{y + 11}" fill="#212529">{escape(_label(label))}</text>')
        for band_start, band_end in sessions:
            parts.append(f'<rect x="{x(band_start)}" y="{y + 2}" width="{width(band_start, band_end)}" '
                         f'height="{ROW_HEIGHT - 4}" fill="{SESSION_COLOUR}"/>')
        for band_start, band_end in dark:
            parts.append(f'<rect x="{x(band_start)}" y="{y + 5}" width="{width(band_start, band_end)}" '
                         f'height="{ROW_HEIGHT - 10}" fill="{DARK_COLOUR}"/>')
        # A seat fault outlines its spell on this row alone, over the session and dark bands.
        for band_start, band_end in faults:
            parts.append(f'<rect x="{x(band_start)}" y="{y + 1}" width="{width(band_start, band_end)}" '
                         f'height="{ROW_HEIGHT - 2}" fill="{FAULT_COLOUR}" fill-opacity="0.3" '
                         f'stroke="{FAULT_COLOUR}" stroke-width="1.5"/>')
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{TOP + 11}" fill="#868e96">no sessions this day</text>')
    parts.append("</svg>")
    return "".join(parts)
