"""The report as a PDF (fpdf2, pure Python: nothing to install on the counter PC).

The PDF's built-in fonts know only Latin-1, so other characters are replaced by close
equivalents ("→" by "->", "₦" by the currency code) rather than breaking the report.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF

from compensator.services.report import DailyReport

REPLACEMENTS = {"→": "->", "–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "·": "-",
                "≥": ">=", "≤": "<="}


def latin(text: str) -> str:
    """``text`` with every character the PDF core fonts cannot show replaced by a near equivalent."""
    for character, replacement in REPLACEMENTS.items():
        text = text.replace(character, replacement)
    result = []
    for character in text:
        try:
            character.encode("latin-1")
            result.append(character)
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFKD", character).encode("latin-1", "ignore").decode("latin-1")
            result.append(decomposed or "?")
    return "".join(result)


def _money(amount_minor: int, currency: str) -> str:
    sign = "-" if amount_minor < 0 else ""
    major, minor = divmod(abs(amount_minor), 100)
    return f"{sign}{currency} {major:,}.{minor:02d}"


def render(report: DailyReport) -> bytes:
    """The report as PDF bytes, A4 portrait."""
    tz = ZoneInfo(report.timezone)

    def local(moment: datetime | None) -> str:
        return moment.astimezone(tz).strftime("%H:%M") if moment else "ongoing"

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 7, latin(f"{report.venue_name} - end-of-day report {report.venue_date.isoformat()}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    state = "" if report.complete else " (day still open: figures so far)"
    pdf.multi_cell(0, 5, latin(f"From {local(report.window_start)} to {local(report.window_end)}{state}"),
                   new_x="LMARGIN", new_y="NEXT")

    def heading(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 7, latin(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)

    def pairs(values: dict[str, object]) -> None:
        for key, value in values.items():
            shown = "-" if value is None else value
            if key.endswith("_minor") and isinstance(value, int):
                shown = _money(value, report.currency)
            pdf.cell(80, 5, latin(key.replace("_", " ")))
            pdf.cell(0, 5, latin(str(shown)), new_x="LMARGIN", new_y="NEXT")

    heading("Figures")
    pairs(dataclasses.asdict(report.figures))
    heading("Power reliability")
    pairs(dataclasses.asdict(report.reliability))
    heading("Outages")
    if not report.outages:
        pdf.cell(0, 5, "No outage this day.", new_x="LMARGIN", new_y="NEXT")
    for row in report.outages:
        pdf.multi_cell(0, 5, latin(
            f"#{row.id} {row.kind} {local(row.started_at)}-{local(row.ended_at)}, {row.scope}, source {row.source}, "
            f"logged by {row.logged_by}, {row.minutes_in_day} min, {row.corrections} correction(s), "
            f"{row.compensations} compensated"), new_x="LMARGIN", new_y="NEXT")
    heading("Compensations")
    if not report.compensations:
        pdf.cell(0, 5, "No compensation this day.", new_x="LMARGIN", new_y="NEXT")
    for row in report.compensations:
        pdf.multi_cell(0, 5, latin(
            f"Seat {row.seat_id}, outage {row.outage_id}: lost {row.lost_minutes} min, credit {row.credit_minutes} min "
            f"({row.form}, {row.status}), value {_money(row.value_minor, report.currency)}, notice {row.notice_status}. "
            f"{row.explanation}"), new_x="LMARGIN", new_y="NEXT")
    heading("To look at")
    if not report.anomalies:
        pdf.cell(0, 5, "Nothing unusual.", new_x="LMARGIN", new_y="NEXT")
    for item in report.anomalies:
        pdf.multi_cell(0, 5, latin(f"- {item.text}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
