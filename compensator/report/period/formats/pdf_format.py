"""The period report as an A4 PDF made with fpdf2, its charts drawn with fpdf2's shapes from the data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compensator.report.formats.pdf_format import FONT, latin
from compensator.report.period.data import PeriodReportData
from compensator.report.period.formats import charts, layout

CHART_HEIGHT = 30


def render(report: PeriodReportData) -> bytes:
    """The report as PDF bytes, A4 portrait."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    heading_style = FontFace(emphasis="BOLD", fill_color=(241, 243, 245))
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(latin(layout.title(report)))
    pdf.add_page()

    def text(value: object) -> str:
        return latin(str(value), report.currency)

    def line(value: str, height: float = 5) -> None:
        pdf.multi_cell(0, height, text(value), new_x="LMARGIN", new_y="NEXT")

    def heading(title: str) -> None:
        pdf.ln(3)
        pdf.set_font(FONT, "B", 12)
        line(title, 7)
        pdf.set_font(FONT, "", 9)

    def table(header: Sequence[str] | None, rows: Sequence[Sequence[str]],
              widths: Sequence[int] | None = None) -> None:
        with pdf.table(col_widths=widths, headings_style=heading_style, line_height=5, text_align="LEFT",
                       first_row_as_headings=header is not None) as drawn:
            if header is not None:
                drawn.row([text(cell) for cell in header])
            for row in rows:
                drawn.row([text(cell) for cell in row])

    pdf.set_font(FONT, "B", 15)
    line(layout.title(report), 7)
    pdf.set_font(FONT, "", 9)
    state = "" if report.complete else ", the last still open: figures so far"
    line(f"{len(report.days)} days{state} - generated {layout.generated(report)} ({report.timezone})")

    heading("Findings")
    for number, finding in enumerate(report.findings, 1):
        line(f"{number}. {finding.text}")

    heading("Power, per seat")
    pdf.set_font(FONT, "", 7.5)
    table(layout.INDEX_HEADER, layout.index_rows(report), (14, 8, 8, 9, 10, 10, 9, 13, 20, 11, 16, 12))
    pdf.set_font(FONT, "", 8)
    line(layout.INDEX_NOTE, 4)
    pdf.set_font(FONT, "", 9)
    line(layout.restore(report))
    for sentence in layout.margins(report):
        line(f"- {sentence}")

    heading("Day by day")
    for chart in charts.charts(report, lambda amount: layout.money(report, amount)):
        _chart(pdf, report, chart, text)

    heading("What is owed")
    table(None, layout.owed(report), (2, 1))
    pdf.ln(2)
    table(layout.AGE_HEADER, layout.age_rows(report))

    heading("Care and retention")
    if report.care.attendants:
        table(layout.CARE_HEADER, layout.care_rows(report), (30, 12, 12, 12, 13, 22, 12, 12, 13))
    else:
        line("No letter was handed over.")
    line(layout.pending(report))
    line(layout.retention(report))
    return bytes(pdf.output())


def _chart(pdf: Any, report: PeriodReportData, chart: charts.Chart, text: Any) -> None:
    """One chart: its title, a framed plot with its scale, a dark bar per day, the first and last day."""
    if pdf.will_page_break(CHART_HEIGHT + 14):
        pdf.add_page()
    pdf.set_font(FONT, "B", 9)
    pdf.cell(0, 5, text(chart.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 8)
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
