"""The report as an A4 PDF, on the reports' shared ``pdf_page.Page`` (fpdf2; every text in Latin-1)."""

from __future__ import annotations

import io

from compensator.report.data import CompensationRow, DailyReportData, OutageRow
from compensator.report.formats import layout, pdf_rows
from compensator.report.formats.pdf_page import Page
from compensator.report.formats.svg_timeline import WIDTH, picture_height, render_svg

COMPENSATION_HEADER = ("Seat", "Outage", "Lost", "Credit", "Given", "Form", "Value", "Status", "Notice")
COMPENSATION_WIDTHS = (6, 6, 5, 6, 15, 14, 13, 17, 8)


def _compensation_cells(report: DailyReportData, compensation: CompensationRow) -> tuple[str, ...]:
    given = str(compensation.granted_minutes)
    if compensation.waived_minutes:
        given += f" ({compensation.waived_minutes} waived)"
    return (compensation.seat_id, str(compensation.outage_id), str(compensation.figures.lost_minutes),
            str(compensation.figures.credit_minutes), given, compensation.forms_given,
            layout.money(report, compensation.given_value_minor), compensation.status.value.replace("_", " "),
            compensation.notice.value if compensation.notice else layout.NOTHING)


def outage_table(page: Page, report: DailyReportData, outages: tuple[OutageRow, ...], empty: str) -> None:
    """The table of ``outages`` (the venue's, or the seat faults), or ``empty`` without one."""
    text = page.text
    if not outages:
        page.line(empty)
        return
    with page.pdf.table(col_widths=(7, 11, 14, 14, 22, 13, 22, 14, 11, 28, 24), headings_style=page.heading_style,
                        line_height=5, text_align="LEFT") as table:
        table.row([text(cell) for cell in ("#", "Start", "End", "Kind", "Scope", "Source", "Logged by",
                                            "Minutes", "Flaps", "UPS carried (min)", "Compensated")])
        for outage in outages:
            table.row([text(cell) for cell in (
                outage.id, layout.local(report, outage.started_at), layout.end_text(report, outage),
                outage.kind.value, layout.scope(report, outage), outage.source.value, outage.logged_by,
                outage.minutes_in_day, layout.flaps(outage), layout.ups_text(outage), outage.compensations)])
            for item in outage.corrections:
                row = table.row()
                row.cell("")
                row.cell(text(f"Corrected {layout.correction(report, item)}"), colspan=10)
            if outage.note:
                row = table.row()
                row.cell("")
                row.cell(text(f"Note: {outage.note}"), colspan=10)


def render(report: DailyReportData) -> bytes:
    """The report as PDF bytes, A4 portrait."""
    page = Page(f"{report.venue_name} - report {report.venue_date.isoformat()}", report.currency)
    pdf, text, line, heading = page.pdf, page.text, page.line, page.heading
    page.title(f"{report.venue_name} - end-of-day report, {report.venue_date.strftime('%A %d %B %Y')}")
    state = "" if report.complete else " (day still open: figures so far)"
    line(f"From {layout.local(report, report.window_start)} to {layout.local(report, report.window_end)}{state}"
         f" - generated {layout.local(report, report.generated_at, '%d %b %Y')} ({report.timezone})")

    heading("Figures")
    # Two label/value pairs a row keep the figures on a third of a page.
    page.pairs(layout.headline(report), (62, 28, 62, 28))
    heading("Power reliability")
    page.pairs(layout.reliability(report), (62, 28, 62, 28))
    pdf.ln(2)
    page.table(layout.UPS_HEADER, layout.ups(report), (36, 24, 24, 48, 48),
               ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))
    line(layout.UPS_NOTE)

    heading("Equipment")
    if not report.equipment.rows:
        line("No cut measured.")
    else:
        page.table(layout.EQUIPMENT_HEADER, layout.equipment(report), (26, 22, 18, 22, 22, 16, 30, 24),
                   ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))
    for finding in report.equipment.findings:
        line(f"- {finding.text}.")
    line(layout.equipment_note(report))

    heading("Takings")
    page.table(layout.TAKINGS_HEADER, layout.takings(report), (30, 24, 24, 24, 24, 24, 20),
               ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"))
    line(layout.takings_note(report.takings_total))

    heading("Timeline")
    # A day with many seats is scaled down to fit one page rather than run off its bottom.
    ratio = picture_height(report) / WIDTH
    width = min(pdf.epw, pdf.eph / ratio)
    if pdf.get_y() + width * ratio > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(io.BytesIO(text(render_svg(report)).encode("utf-8")), w=width, h=width * ratio)

    heading("Outages")
    outage_table(page, report, report.outages, "No outage of the venue this day.")
    heading("Seat faults")
    line(layout.SEAT_FAULTS_NOTE)
    outage_table(page, report, report.seat_faults, "No seat fault this day.")

    heading("Compensations")
    if not report.compensations:
        line("No compensation this day.")
    else:
        # Thousands of rows on a busy day: fixed-height monospace lines, not an fpdf2 table.
        pdf_rows.draw_lines(pdf, pdf_rows.columns_line(COMPENSATION_HEADER, COMPENSATION_WIDTHS),
                            ((pdf_rows.columns_line(_compensation_cells(report, compensation), COMPENSATION_WIDTHS),
                              (compensation.explanation,
                               *(f"Then {adjustment}" for adjustment in compensation.adjustments)))
                             for compensation in report.compensations), text)
        page.font(9)

    heading("To look at")
    if not report.anomalies:
        line("Nothing unusual.")
    else:
        # One for each notice never delivered: as many as the compensations on a bad day.
        pdf_rows.draw_lines(pdf, None, ((f"- {layout.anomaly(anomaly)}", ()) for anomaly in report.anomalies), text)
    return page.output()
