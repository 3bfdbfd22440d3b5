"""The PDF's long tables drawn as fixed-height monospace lines: a day's thousands of compensations in a second or two.

fpdf2's table lays every cell out with ``multi_cell``, measuring each character in Python (a
few milliseconds a cell), which a venue-wide outage's hundreds of rows turn into seconds and a
busy day into half a minute. Here each row is one line of Courier, its columns padded to fixed
widths, and each explanation is wrapped by character count, which is exact for a monospace
font; each page's lines are then placed in one text operation of its content (``_draw_block``).
Nothing is cut: a value wider than its column pushes the rest of the row along, and a row too
long for the page wraps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

FONT = "Courier"
FONT_SIZE_PT = 7.5
# Courier's every character is 600/1000 of the font size wide; 72 points make an inch of 25.4 mm.
CHARACTER_MM = 0.6 * FONT_SIZE_PT * 25.4 / 72
LINE_MM = 3.4
INDENT = "    "


def columns_line(cells: Sequence[str], widths: Sequence[int]) -> str:
    """The cells padded to their widths, one space apart (a cell wider than its width pushes the rest along)."""
    return " ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def wrap(text: str, width: int, indent: str, next_indent: str) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces (a word longer than a line is cut)."""
    # Line breaks and tabs would not show in a PDF line; runs of spaces are kept (they align columns).
    line = indent + text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    lines = []
    while len(line) > width:
        cut = line.rfind(" ", len(indent) + 1, width + 1)
        if cut <= len(indent):
            cut = width
        lines.append(line[:cut].rstrip())
        line = next_indent + line[cut:].lstrip()
        indent = next_indent
    lines.append(line)
    return lines


def draw_lines(pdf: Any, header: str | None, groups: Iterable[tuple[str, Sequence[str]]],
               text: Callable[[str], str]) -> None:
    """Draw ``header`` then each group's row and its indented notes, a line each, repeating the header on new pages.

    A row and its notes that fit on a page are not split across two: a note read under another
    page's header would seem to belong to no row.

    Without a header, only the rows and notes are drawn.

    ``text`` makes a string fit the PDF's fonts; ``pdf`` is an ``FPDF`` whose cursor is at the
    table's top.
    """
    characters = max(int(pdf.epw / CHARACTER_MM), 20)
    left = pdf.l_margin
    bottom = pdf.page_break_trigger
    pdf.set_font(FONT, "", FONT_SIZE_PT)
    y = pdf.get_y()

    def draw_header() -> float:
        if header is None:
            return y
        pdf.set_font(FONT, "B", FONT_SIZE_PT)
        pdf.text(left, y + LINE_MM * 0.8, text(header))
        pdf.set_font(FONT, "", FONT_SIZE_PT)
        pdf.line(left, y + LINE_MM + 0.3, left + pdf.epw, y + LINE_MM + 0.3)
        return y + LINE_MM + 0.8

    y = draw_header()
    page: list[str] = []
    top = y
    # The most lines a new page holds under its header: a row with its notes shorter than that is kept whole.
    whole = int((bottom - pdf.t_margin - (y - pdf.get_y())) // LINE_MM)
    for row, extra in groups:
        lines = wrap(row, characters, "", INDENT)
        for note in extra:
            lines.extend(wrap(note, characters, INDENT, INDENT + "  "))
        keep_whole = bool(page) and len(lines) <= whole and y + LINE_MM * len(lines) > bottom
        for shown in lines:
            if keep_whole or y + LINE_MM > bottom:
                keep_whole = False
                _draw_block(pdf, left, top, page, text)
                page = []
                pdf.add_page()
                y = pdf.get_y()
                y = top = draw_header()
            page.append(shown)
            y += LINE_MM
    _draw_block(pdf, left, top, page, text)
    pdf.set_xy(left, y + 1)


def _draw_block(pdf: Any, left: float, top: float, lines: list[str], text: Callable[[str], str]) -> None:
    """Draw ``lines`` one below the other from ``top``, as one ``FPDF.text`` call each would, in one text object.

    The first line goes through ``FPDF.text``, which puts the font on the page and picks the
    text's colour; the others follow it in a single operation of the page's content, each
    moved down by the leading (``T*``), which spares fpdf2's per-call work on thousands of lines.
    A page's lines (which never hold a line break: ``wrap`` made them) are made to fit the font
    and escaped as one text, as ``FPDF.text`` does for a core font's line.
    """
    # fpdf2 is imported when a PDF is made (see ``pdf_format.render``).
    from fpdf.util import escape_parens

    if not lines:
        return
    first, _, rest = text("\n".join(lines)).partition("\n")
    pdf.text(left, top + LINE_MM * 0.8, first)
    if not rest:
        return
    k = pdf.k
    shown = escape_parens(pdf.normalize_text(rest)).replace("\n", ") Tj T* (")
    operation = f"BT {left * k:.2f} {(pdf.h - top - LINE_MM * 1.8) * k:.2f} Td {LINE_MM * k:.4f} TL ({shown}) Tj ET"
    if pdf.fill_color != pdf.text_color:
        # As ``FPDF.text`` does when the fill colour is not the text's.
        operation = f"q {pdf.text_color.serialize().lower()} {operation} Q"
    pdf._out(operation)  # noqa: SLF001 - fpdf2's way to add to the page's content
