"""The evidence as an A4 PDF, made with fpdf2 as the daily report's PDF is.

A title page states the venue, the period, when the file was generated and the totals; then each
outage follows with its times, scope, source and standing, what recorded it, its corrections and
its credits; the minutes each seat lost close the file. Long tables are fixed-height monospace
lines (``pdf_rows``), and the page is the reports' shared ``pdf_page.Page`` (core fonts only).
"""

from __future__ import annotations

from compensator.report.evidence import layout
from compensator.report.evidence.data import CreditRow, Evidence, EvidenceOutage
from compensator.report.evidence.witness import stamp
from compensator.report.formats import pdf_rows
from compensator.report.formats.pdf_page import Page

CREDIT_HEADER = ("Seat", "Session", "Dark from", "Dark to", "Lost", "Credit", "Given", "Value", "Form")
CREDIT_WIDTHS = (5, 7, 9, 9, 5, 6, 6, 14, 30)
SEAT_HEADER = ("Seat", "Zone", "Outages", "Lost (min)", "Credited (min)", "Value")
SEAT_WIDTHS = (6, 16, 8, 11, 15, 16)
# The title page's label/value pairs: one a row.
TITLE_WIDTHS = (70, 110)


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
    tz = layout.tz_of(evidence)
    # The file says when the evidence was generated, by the venue's clock, not when the bytes were laid out.
    page = Page(f"{evidence.venue_name} - {layout.TITLE.lower()} {evidence.first_day.isoformat()} to "
                f"{evidence.last_day.isoformat()}", evidence.currency, created=evidence.generated_at)
    pdf, line, heading = page.pdf, page.line, page.heading

    # The title page: who, which period, when generated, and the totals.
    pdf.ln(30)
    page.font(22, "B")
    line(layout.TITLE, 11)
    page.font(15, "B")
    line(evidence.venue_name, 8)
    pdf.ln(6)
    page.font(10)
    page.pairs([("Period", layout.period(evidence)),
                ("From", f"{stamp(evidence.window_start, tz)} ({evidence.timezone})"),
                ("To (not included)", f"{stamp(evidence.window_end, tz)} ({evidence.timezone})"),
                ("Generated", f"{stamp(evidence.generated_at, tz)} ({evidence.timezone})")], TITLE_WIDTHS, 6)
    heading("Totals")
    page.font(10)
    page.pairs(layout.totals(evidence), TITLE_WIDTHS, 6)
    pdf.ln(6)
    page.font(9)
    line(layout.ABOUT)

    pdf.add_page()
    heading("Outages", 14)
    if not evidence.outages:
        line("No outage was recorded in the period.")
    for outage in evidence.outages:
        _outage(page, evidence, outage)

    heading("Minutes lost per seat", 14)
    if not evidence.seats:
        line("No seat lost time in the period.")
    else:
        pdf_rows.draw_lines(pdf, pdf_rows.columns_line(SEAT_HEADER, SEAT_WIDTHS),
                            ((pdf_rows.columns_line((seat.seat_id, seat.zone_name, str(seat.outages),
                                                     str(seat.lost_minutes), str(seat.granted_minutes),
                                                     layout.money(evidence, seat.value_minor)), SEAT_WIDTHS), ())
                             for seat in evidence.seats), page.text)
    return page.output()


def _outage(page: Page, evidence: Evidence, outage: EvidenceOutage) -> None:
    """One outage: its facts, what recorded it, its corrections and its credits."""
    tz = layout.tz_of(evidence)
    pdf, line = page.pdf, page.line
    # An outage's heading and facts start a page rather than sit alone at its bottom.
    if pdf.get_y() > pdf.page_break_trigger - 60:
        pdf.add_page()
    page.heading(f"Outage {outage.id}: {outage.kind.value}, {layout.scope(outage)}")
    facts = [("Start", stamp(outage.started_at, tz)), ("End", stamp(outage.ended_at, tz)),
             ("Length", layout.length(outage)), ("Source", outage.source.value),
             ("Status", layout.standing(outage)), ("Opened by", outage.actor)]
    if outage.flaps:
        facts.append(("Flaps", f"{outage.flaps} (mains back briefly, then off again)"))
    if outage.note:
        facts.append(("Note", outage.note))
    # Two facts a row keep an outage's heading and its witnesses close together.
    page.pairs(facts, (22, 68, 22, 68))
    page.font(9, "B")
    line("Recorded by")
    page.font(9)
    for trace in outage.traces:
        line(f"- {stamp(trace.at, tz)} [{trace.kind.value}] {trace.text}")
    if outage.corrections:
        page.font(9, "B")
        line("Corrections")
        page.font(9)
        for item in outage.corrections:
            line(f"- {layout.correction(evidence, item)}")
    page.font(9, "B")
    line("Credits")
    page.font(9)
    if not outage.credits:
        line("No seat session was compensated for this outage.")
        return
    pdf_rows.draw_lines(pdf, pdf_rows.columns_line(CREDIT_HEADER, CREDIT_WIDTHS),
                        ((pdf_rows.columns_line(_credit_cells(evidence, credit), CREDIT_WIDTHS),
                          _credit_notes(evidence, credit)) for credit in outage.credits), page.text)
    page.font(9)
