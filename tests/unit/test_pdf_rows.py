"""The PDF's long tables (compensator.report.formats.pdf_rows): a row and its notes are not split over two pages."""

from __future__ import annotations

import subprocess

from fpdf import FPDF

from compensator.report.formats import pdf_rows


def pages_of(groups, room_lines: float) -> list[str]:
    """The text of each page after drawing ``groups`` with room for ``room_lines`` lines left on the first."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_y(pdf.page_break_trigger - pdf_rows.LINE_MM * room_lines)
    pdf_rows.draw_lines(pdf, "Seat Lost", groups, str)
    # Poppler's pdftotext reads the lines a block moves down to (``T*``), which pypdf does not.
    said = subprocess.run(["pdftotext", "-layout", "-", "-"], input=bytes(pdf.output()), capture_output=True,
                          check=True).stdout.decode()
    return said.split("\f")[:-1]


def test_a_row_whose_notes_would_run_over_the_page_starts_the_next_page_under_the_header() -> None:
    first, second = pages_of([("G1 25", ("lost 25 min",)), ("A1 15", ("lost 15 min", "corrected at 14:50"))], 4.5)
    assert "G1 25" in first and "lost 25 min" in first
    assert "A1" not in first and "corrected" not in first
    assert second.split() == ["Seat", "Lost", "A1", "15", "lost", "15", "min", "corrected", "at", "14:50"]


def test_a_row_with_more_notes_than_a_page_holds_is_still_drawn_whole_over_pages() -> None:
    notes = tuple(f"note {number}" for number in range(120))
    pages = pages_of([("G1 25", notes)], 10)
    assert len(pages) == 3
    drawn = [line.strip() for page in pages for line in page.splitlines()]
    assert [line for line in drawn if line.startswith("note")] == list(notes)
    # It starts where there was room: on the first page.
    assert "G1 25" in pages[0]
