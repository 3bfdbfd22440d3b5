"""The period report as an A4 PDF made with fpdf2, its charts drawn with fpdf2's shapes from the data."""

from __future__ import annotations

from compensator.report.formats.pdf_page import Page
from compensator.report.period.data import PeriodReportData
from compensator.report.period.formats import charts, layout

CHART_HEIGHT = 30


def render(report: PeriodReportData) -> bytes:
    """The report as PDF bytes, A4 portrait."""
    page = Page(layout.title(report), report.currency)
    line, heading, table = page.line, page.heading, page.table
    page.title(layout.title(report))
    state = "" if report.complete else ", the last still open: figures so far"
    line(f"{len(report.days)} days{state} - generated {layout.generated(report)} ({report.timezone})")

    heading("Findings")
    for number, finding in enumerate(report.findings, 1):
        line(f"{number}. {finding.text}")

    heading("Power, per seat")
    page.font(7.5)
    table(layout.INDEX_HEADER, layout.index_rows(report), (14, 8, 8, 9, 10, 10, 9, 13, 20, 11, 16, 12))
    page.font(8)
    line(layout.INDEX_NOTE, 4)
    page.font(9)
    line(layout.restore(report))
    for sentence in layout.margins(report):
        line(f"- {sentence}")

    heading("Day by day")
    for chart in charts.charts(report, lambda amount: layout.money(report, amount)):
        _chart(page, report, chart)

    heading("What is owed")
    table(None, layout.owed(report), (2, 1))
    page.pdf.ln(2)
    table(layout.AGE_HEADER, layout.age_rows(report))

    heading("Care and retention")
    if report.care.attendants:
        table(layout.CARE_HEADER, layout.care_rows(report), (30, 12, 12, 12, 13, 22, 12, 12, 13))
    else:
        line("No letter was handed over.")
    line(layout.pending(report))
    line(layout.retention(report))
    return page.output()


def _chart(page: Page, report: PeriodReportData, chart: charts.Chart) -> None:
    """One chart: its title, a framed plot with its scale, a dark bar per day, the first and last day."""
    pdf, text = page.pdf, page.text
    if pdf.will_page_break(CHART_HEIGHT + 14):
        pdf.add_page()
    page.font(9, "B")
    pdf.cell(0, 5, text(chart.title), new_x="LMARGIN", new_y="NEXT")
    page.font(8)
    left = pdf.l_margin + 22
    top = pdf.get_y() + 1
    width = pdf.w - pdf.r_margin - left
    pdf.set_draw_color(150, 150, 150)
    pdf.rect(left, top, width, CHART_HEIGHT)
    pdf.set_fill_color(51, 51, 51)
    for bar in charts.bars(chart.values, width, CHART_HEIGHT):
        pdf.rect(left + bar.x, top + bar.y, bar.width, bar.height, style="F")
    # The tables after the charts fill their cells with the colour in use: back to white.
    pdf.set_fill_color(255, 255, 255)
    pdf.set_xy(pdf.l_margin, top)
    pdf.cell(20, 4, text(chart.top_label), align="R")
    pdf.set_xy(pdf.l_margin, top + CHART_HEIGHT - 4)
    pdf.cell(20, 4, "0", align="R")
    if report.days:
        pdf.set_xy(left, top + CHART_HEIGHT + 0.5)
        pdf.cell(30, 4, report.days[0].day.strftime("%d %b"))
        pdf.set_xy(left + width - 30, top + CHART_HEIGHT + 0.5)
        pdf.cell(30, 4, report.days[-1].day.strftime("%d %b"), align="R")
    pdf.set_xy(pdf.l_margin, top + CHART_HEIGHT + 6)
