"""The day's timeline as an SVG picture: seats against time, sessions and dark spells as bands."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from compensator.services.report import DailyReport

WIDTH = 900
LABEL_WIDTH = 60
ROW_HEIGHT = 16
TOP = 34


def render_svg(report: DailyReport) -> str:
    """An inline SVG of the day: one row per seat, outage bands across the top, hour ticks."""
    tz = ZoneInfo(report.timezone)
    # The picture starts at the hour of the day's first activity, not at midnight, so that an
    # afternoon's sessions are not squeezed into a sliver at the right.
    starts = [band[0] for row in report.timeline for band in row.sessions + row.dark]
    starts += [band_start for _, band_start, _ in report.outage_bands]
    first = min(starts, default=report.window_start).astimezone(tz).replace(minute=0, second=0, microsecond=0)
    start = max(report.window_start, first)
    end = max(report.window_end, start + timedelta(hours=1))
    span = (end - start).total_seconds()
    plot = WIDTH - LABEL_WIDTH - 10

    def x(moment: datetime) -> float:
        return round(LABEL_WIDTH + plot * max(0.0, min(1.0, (moment - start).total_seconds() / span)), 1)

    rows = report.timeline
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
             f'role="img" aria-label="Timeline of the day" font-family="sans-serif" font-size="10">']
    hour = start.astimezone(tz).replace(minute=0, second=0, microsecond=0)
    while hour <= end:
        if hour >= start:
            position = x(hour)
            parts.append(f'<line x1="{position}" y1="{TOP - 6}" x2="{position}" y2="{height - 8}" stroke="#dee2e6"/>')
            parts.append(f'<text x="{position}" y="{TOP - 10}" text-anchor="middle" fill="#495057">'
                         f'{hour.astimezone(tz).strftime("%H")}</text>')
        hour += timedelta(hours=1)
    for outage_id, band_start, band_end in report.outage_bands:
        parts.append(f'<rect x="{x(band_start)}" y="2" width="{max(x(band_end) - x(band_start), 1)}" height="{height - 10}" '
                     f'fill="#c92a2a" fill-opacity="0.12"><title>outage {outage_id}</title></rect>')
        parts.append(f'<text x="{x(band_start) + 2}" y="10" fill="#c92a2a">outage {outage_id}</text>')
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        parts.append(f'<text x="4" y="{y + 11}" fill="#212529">{escape(row.seat_id)}</text>')
        for band_start, band_end in row.sessions:
            parts.append(f'<rect x="{x(band_start)}" y="{y + 2}" width="{max(x(band_end) - x(band_start), 1)}" '
                         f'height="{ROW_HEIGHT - 4}" fill="#2b8a3e" rx="2"/>')
        for band_start, band_end in row.dark:
            parts.append(f'<rect x="{x(band_start)}" y="{y + 5}" width="{max(x(band_end) - x(band_start), 1)}" '
                         f'height="{ROW_HEIGHT - 10}" fill="#212529"/>')
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{TOP + 11}" fill="#868e96">no sessions this day</text>')
    parts.append("</svg>")
    return "".join(parts)
