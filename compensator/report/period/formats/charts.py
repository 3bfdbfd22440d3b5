"""The period report's per-day charts, drawn from the data: cuts, minutes lost per seat, credits.

One geometry serves both drawings, the inline SVG of the HTML page and the fpdf2 shapes of the
PDF: a bar per day, its height the day's figure over the period's largest, in a plot of a given
size. Black on white with a grey frame and the scale written out, so that a printed page (even
in grey) reads as the screen does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import escape

from compensator.report.period.data import DayPoint, PeriodReportData


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: its title, the day's figures, and how the largest is written."""

    title: str
    values: tuple[float, ...]
    top_label: str


@dataclass(frozen=True, slots=True)
class Bar:
    """A bar's place in a plot of width × height, from the plot's top-left corner, downwards."""

    x: float
    y: float
    width: float
    height: float


def charts(report: PeriodReportData, money: Callable[[int], str]) -> list[Chart]:
    """The three charts of the report."""
    def series(pick: Callable[[DayPoint], float]) -> tuple[float, ...]:
        return tuple(pick(point) for point in report.days)

    cuts = series(lambda point: point.cuts)
    lost = series(lambda point: point.minutes_lost_per_seat)
    credits = series(lambda point: point.credit_value_minor)
    return [
        Chart("Power cuts per day", cuts, f"{max(cuts, default=0):g}"),
        Chart("Minutes dark per seat per day", lost, f"{max(lost, default=0):g} min"),
        Chart("Credits per day", credits, money(int(max(credits, default=0)))),
    ]


def bars(values: tuple[float, ...], width: float, height: float) -> list[Bar]:
    """The bars of ``values`` in a plot of ``width`` × ``height``; a day of nothing has none."""
    if not values:
        return []
    top = max(values) or 1
    slot = width / len(values)
    gap = slot * 0.2 if slot > 2 else 0
    found = []
    for index, value in enumerate(values):
        tall = height * value / top
        if tall > 0:
            found.append(Bar(index * slot + gap / 2, height - tall, slot - gap, tall))
    return found


SVG_WIDTH, SVG_HEIGHT, SVG_LEFT, SVG_TOP, SVG_BOTTOM = 640, 130, 70, 22, 20


def svg(report: PeriodReportData, chart: Chart) -> str:
    """One chart as an inline SVG, the first and last day written under it."""
    plot_width = SVG_WIDTH - SVG_LEFT - 10
    plot_height = SVG_HEIGHT - SVG_TOP - SVG_BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" '
             f'width="{SVG_WIDTH}" height="{SVG_HEIGHT}" role="img" aria-label="{escape(chart.title)}">',
             f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(chart.title)}</text>',
             f'<rect x="{SVG_LEFT}" y="{SVG_TOP}" width="{plot_width}" height="{plot_height}" fill="none" '
             f'stroke="#999"/>',
             f'<text x="{SVG_LEFT - 4}" y="{SVG_TOP + 10}" font-size="11" text-anchor="end">'
             f'{escape(chart.top_label)}</text>',
             f'<text x="{SVG_LEFT - 4}" y="{SVG_TOP + plot_height}" font-size="11" text-anchor="end">0</text>']
    for bar in bars(chart.values, plot_width, plot_height):
        parts.append(f'<rect x="{SVG_LEFT + bar.x:.1f}" y="{SVG_TOP + bar.y:.1f}" width="{bar.width:.1f}" '
                     f'height="{bar.height:.1f}" fill="#333"/>')
    if report.days:
        bottom = SVG_HEIGHT - 5
        parts.append(f'<text x="{SVG_LEFT}" y="{bottom}" font-size="11">'
                     f'{report.days[0].day.strftime("%d %b")}</text>')
        parts.append(f'<text x="{SVG_WIDTH - 10}" y="{bottom}" font-size="11" text-anchor="end">'
                     f'{report.days[-1].day.strftime("%d %b")}</text>')
    parts.append("</svg>")
    return "".join(parts)
