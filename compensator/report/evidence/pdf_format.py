"""The evidence as an A4 PDF, made with fpdf2 as the daily report's PDF is.

A title page states the venue, the period, when the file was generated and the totals; then each
outage follows with its times, scope, source and standing, what recorded it, its corrections and
its credits; the minutes each seat lost close the file. Long tables are fixed-height monospace
lines (``pdf_rows``), and every text goes through the daily PDF's ``latin`` (core fonts only).
"""

from __future__ import annotations

from typing import Any

from compensator.report.evidence import layout
from compensator.report.evidence.data import CreditRow, Evidence, EvidenceOutage
from compensator.report.evidence.witness import stamp
from compensator.report.formats import pdf_rows
from compensator.report.formats.pdf_format import FONT, latin

CREDIT_HEADER = ("Seat", "Session", "Dark from", "Dark to", "Lost", "Credit", "Given", "Value", "Form")
CREDIT_WIDTHS = (5, 7, 9, 9, 5, 6, 6, 14, 30)
SEAT_HEADER = ("Seat", "Zone", "Outages", "Lost (min)", "Credited (min)", "Value")
SEAT_WIDTHS = (6, 16, 8, 11, 15, 16)


def _credit_cells(evidence: Evidence, credit: CreditRow) -> tuple[str, ...]:
    tz = layout.tz_of(evidence)
    return (credit.seat_id, str(credit.session_id), credit.dark_start.astimezone(tz).strftime("%H:%M:%S"),
            credit.dark_end.astimezone(tz).strftime("%H:%M:%S"), str(credit.lost_minutes), str(credit.credit_minutes),
            str(credit.granted_minutes), layout.money(evidence, credit.value_minor), layout.credit_form(credit))


def _credit_notes(evidence: Evidence, credit: CreditRow) -> tuple[str, ...]:
    tz = layout.tz_of(evidence)
    return (credit.explanation,
            *(f"Corrected at {stamp(item.at, tz)}: credit {item.previous_credit_minutes} -> {item.credit_minutes}, "
              f"+{item.topup_minutes} given, {item.waived_minutes} waived. {item.explanation}"
              for item in credit.adjustments))


def render(evidence: Evidence) -> bytes:
    """The evidence as PDF bytes, A4 portrait, its title page first."""
    # fpdf2 is imported when a PDF is made, not when the program starts.
    from fpdf import FPDF

    tz = layout.tz_of(evidence)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(latin(f"{evidence.venue_name} - {layout.TITLE.lower()} {evidence.first_day.isoformat()} to "
                        f"{evidence.last_day.isoformat()}"))
    # The file says when the evidence was generated, by the venue's clock, not when the bytes were laid out.
    pdf.set_creation_date(evidence.generated_at)
    pdf.add_page()

    def text(value: object) -> str:
        return latin(str(value), evidence.currency)

    def line(value: str, height: float = 5) -> None:
        pdf.multi_cell(0, height, text(value), new_x="LMARGIN", new_y="NEXT")

    def heading(title: str, size: int = 12) -> None:
        pdf.ln(3)
        pdf.set_font(FONT, "B", size)
        line(title, 7)
        pdf.set_font(FONT, "", 9)

    def pairs(items: list[tuple[str, str]], widths: tuple[int, int] = (70, 110)) -> None:
        with pdf.table(col_widths=widths, first_row_as_headings=False, line_height=6, text_align="LEFT") as table:
            for label, value in items:
                row = table.row()
                row.cell(text(label))
                row.cell(text(value))

    # The title page: who, which period, when generated, and the totals.
    pdf.ln(30)
    pdf.set_font(FONT, "B", 22)
    line(layout.TITLE, 11)
    pdf.set_font(FONT, "B", 15)
    line(evidence.venue_name, 8)
    pdf.ln(6)
    pdf.set_font(FONT, "", 10)
    pairs([("Period", layout.period(evidence)),
           ("From", f"{stamp(evidence.window_start, tz)} ({evidence.timezone})"),
           ("To (not included)", stamp(evidence.window_end, tz)),
           ("Generated", f"{stamp(evidence.generated_at, tz)} ({evidence.timezone})")])
    heading("Totals")
    pdf.set_font(FONT, "", 10)
    pairs(layout.totals(evidence))
    pdf.ln(6)
    pdf.set_font(FONT, "", 9)
    line(layout.ABOUT)

    pdf.add_page()
    heading("Outages", 14)
    if not evidence.outages:
        line("No outage was recorded in the period.")
    for outage in evidence.outages:
        _outage(pdf, evidence, outage, heading, line, text)

    heading("Minutes lost per seat", 14)
    if not evidence.seats:
        line("No seat lost time in the period.")
    else:
        pdf_rows.draw_lines(pdf, pdf_rows.columns_line(SEAT_HEADER, SEAT_WIDTHS),
                            ((pdf_rows.columns_line((seat.seat_id, seat.zone_name, str(seat.outages),
                                                     str(seat.lost_minutes), str(seat.granted_minutes),
                                                     layout.money(evidence, seat.value_minor)), SEAT_WIDTHS), ())
                             for seat in evidence.seats), text)
    return bytes(pdf.output())


def _outage(pdf: Any, evidence: Evidence, outage: EvidenceOutage, heading: Any, line: Any, text: Any) -> None:
    """One outage: its facts, what recorded it, its corrections and its credits."""
    tz = layout.tz_of(evidence)
    # An outage's heading and facts start a page rather than sit alone at its bottom.
    if pdf.get_y() > pdf.page_break_trigger - 60:
        pdf.add_page()
    heading(f"Outage {outage.id}: {outage.kind.value}, {layout.scope(outage)}")
    facts = [("Start", stamp(outage.started_at, tz)), ("End", stamp(outage.ended_at, tz)),
             ("Length", layout.length(outage)), ("Source", outage.source.value),
             ("Status", layout.standing(outage)), ("Opened by", outage.actor)]
    if outage.flaps:
        facts.append(("Flaps", f"{outage.flaps} (mains back briefly, then off again)"))
    if outage.note:
        facts.append(("Note", outage.note))
    # Two facts a row keep an outage's heading and its witnesses close together.
    with pdf.table(col_widths=(22, 68, 22, 68), first_row_as_headings=False, line_height=5,
                   text_align="LEFT") as table:
        for index in range(0, len(facts), 2):
            row = table.row()
            for label, value in facts[index:index + 2]:
                row.cell(text(label))
                row.cell(text(value))
    pdf.set_font(FONT, "B", 9)
    line("Recorded by")
    pdf.set_font(FONT, "", 9)
    for trace in outage.traces:
        line(f"- {stamp(trace.at, tz)} [{trace.kind.value}] {trace.text}")
    if outage.corrections:
        pdf.set_font(FONT, "B", 9)
        line("Corrections")
        pdf.set_font(FONT, "", 9)
        for item in outage.corrections:
            line(f"- {layout.correction(evidence, item)}")
    pdf.set_font(FONT, "B", 9)
    line("Credits")
    pdf.set_font(FONT, "", 9)
    if not outage.credits:
        line("No seat session was compensated for this outage.")
        return
    pdf_rows.draw_lines(pdf, pdf_rows.columns_line(CREDIT_HEADER, CREDIT_WIDTHS),
                        ((pdf_rows.columns_line(_credit_cells(evidence, credit), CREDIT_WIDTHS),
                          _credit_notes(evidence, credit)) for credit in outage.credits), text)
    pdf.set_font(FONT, "", 9)
