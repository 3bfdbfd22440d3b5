"""The report as an A4 PDF, made with fpdf2 (pure Python: nothing to install on the counter PC).

The PDF's built-in fonts know only Latin-1, and bundling a Unicode font would add megabytes
for a few symbols, so every text goes through ``latin``: dashes, arrows and quotes become
their ASCII look-alikes, a currency sign outside Latin-1 ("₦", "€") becomes the report's
currency code, accented letters outside Latin-1 lose their accent, and anything else becomes
"?". The report never fails over a character.
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from compensator.report.data import CompensationRow, DailyReportData, OutageRow
from compensator.report.formats import layout, pdf_rows
from compensator.report.formats.svg_timeline import WIDTH, picture_height, render_svg

REPLACEMENTS = {"→": "->", "←": "<-", "–": "-", "—": "-", "‒": "-", "−": "-", "’": "'", "‘": "'", "“": '"',
                "”": '"', "…": "...", "·": "-", "•": "-", "≥": ">=", "≤": "<=", "\u202f": " ", "\u2009": " "}
FONT = "Helvetica"
COMPENSATION_HEADER = ("Seat", "Outage", "Lost", "Credit", "Given", "Form", "Value", "Status", "Notice")
COMPENSATION_WIDTHS = (6, 6, 5, 6, 15, 14, 13, 17, 8)


def latin(text: str, currency: str = "") -> str:
    """``text`` with every character the PDF core fonts cannot show replaced by a near equivalent."""
    # The common case first, without a loop in Python: only look-alikes to put in, then Latin-1.
    translated = text
    if not text.isascii():
        for character, replacement in REPLACEMENTS.items():
            if character in translated:
                translated = translated.replace(character, replacement)
    try:
        translated.encode("latin-1")
        return translated
    except UnicodeEncodeError:
        pass
    result = []
    for character in text:
        if character in REPLACEMENTS:
            result.append(REPLACEMENTS[character])
            continue
        try:
            character.encode("latin-1")
            result.append(character)
        except UnicodeEncodeError:
            if unicodedata.category(character) == "Sc" and currency:
                result.append(currency)
                continue
            stripped = unicodedata.normalize("NFKD", character).encode("latin-1", "ignore").decode("latin-1")
            result.append(stripped or "?")
    return "".join(result)


def _compensation_cells(report: DailyReportData, compensation: CompensationRow) -> tuple[str, ...]:
    given = str(compensation.granted_minutes)
    if compensation.waived_minutes:
        given += f" ({compensation.waived_minutes} waived)"
    return (compensation.seat_id, str(compensation.outage_id), str(compensation.figures.lost_minutes),
            str(compensation.figures.credit_minutes), given, compensation.forms_given,
            layout.money(report, compensation.given_value_minor), compensation.status.value.replace("_", " "),
            compensation.notice.value if compensation.notice else layout.NOTHING)


def outage_table(pdf: Any, report: DailyReportData, outages: tuple[OutageRow, ...], empty: str,
                 heading_style: Any) -> None:
    """The table of ``outages`` (the venue's, or the seat faults), or ``empty`` without one."""
    def text(value: object) -> str:
        return latin(str(value), report.currency)

    if not outages:
        pdf.multi_cell(0, 5, text(empty), new_x="LMARGIN", new_y="NEXT")
        return
    with pdf.table(col_widths=(7, 11, 14, 14, 22, 13, 22, 14, 11, 28, 24), headings_style=heading_style,
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
    # fpdf2 (and fontTools under it) is imported here, when a PDF is made, not when the
    # program starts: most runs never make one.
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    heading_style = FontFace(emphasis="BOLD", fill_color=(241, 243, 245))
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(latin(f"{report.venue_name} - report {report.venue_date.isoformat()}"))
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

    def pairs(items: list[tuple[str, str]]) -> None:
        # Two label/value pairs a row keeps the figures on a third of a page.
        with pdf.table(col_widths=(62, 28, 62, 28), first_row_as_headings=False, line_height=5,
                       text_align="LEFT") as table:
            for index in range(0, len(items), 2):
                row = table.row()
                for label, value in items[index:index + 2]:
                    row.cell(text(label))
                    row.cell(text(value))

    pdf.set_font(FONT, "B", 15)
    line(f"{report.venue_name} - end-of-day report, {report.venue_date.strftime('%A %d %B %Y')}", 7)
    pdf.set_font(FONT, "", 9)
    state = "" if report.complete else " (day still open: figures so far)"
    line(f"From {layout.local(report, report.window_start)} to {layout.local(report, report.window_end)}{state}"
         f" - generated {layout.local(report, report.generated_at, '%d %b %Y')} ({report.timezone})")

    heading("Figures")
    pairs(layout.headline(report))
    heading("Power reliability")
    pairs(layout.reliability(report))
    pdf.ln(2)
    with pdf.table(col_widths=(36, 24, 24, 48, 48), headings_style=heading_style, line_height=5,
                   text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")) as table:
        table.row([text(title) for title in layout.UPS_HEADER])
        for cells in layout.ups(report):
            table.row([text(cell) for cell in cells])
    line(layout.UPS_NOTE)

    heading("Equipment")
    if not report.equipment.rows:
        line("No cut measured.")
    else:
        with pdf.table(col_widths=(26, 22, 18, 22, 22, 16, 30, 24), headings_style=heading_style, line_height=5,
                       text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")) as table:
            table.row([text(title) for title in layout.EQUIPMENT_HEADER])
            for cells in layout.equipment(report):
                table.row([text(cell) for cell in cells])
    for finding in report.equipment.findings:
        line(f"- {finding.text}.")
    line(layout.equipment_note(report))

    heading("Takings")
    with pdf.table(col_widths=(30, 24, 24, 24, 24, 24, 20), headings_style=heading_style, line_height=5,
                   text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")) as table:
        table.row([text(title) for title in layout.TAKINGS_HEADER])
        for cells in layout.takings(report):
            table.row([text(cell) for cell in cells])
    line(layout.takings_note(report.takings_total))

    heading("Timeline")
    # A day with many seats is scaled down to fit one page rather than run off its bottom.
    ratio = picture_height(report) / WIDTH
    width = min(pdf.epw, pdf.eph / ratio)
    if pdf.get_y() + width * ratio > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(io.BytesIO(text(render_svg(report)).encode("utf-8")), w=width, h=width * ratio)

    heading("Outages")
    outage_table(pdf, report, report.outages, "No outage of the venue this day.", heading_style)
    heading("Seat faults")
    line(layout.SEAT_FAULTS_NOTE)
    outage_table(pdf, report, report.seat_faults, "No seat fault this day.", heading_style)

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
        pdf.set_font(FONT, "", 9)

    heading("To look at")
    if not report.anomalies:
        line("Nothing unusual.")
    else:
        # One for each notice never delivered: as many as the compensations on a bad day.
        pdf_rows.draw_lines(pdf, None, ((f"- {layout.anomaly(anomaly)}", ()) for anomaly in report.anomalies), text)
    return bytes(pdf.output())
