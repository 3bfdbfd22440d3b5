"""What every PDF of the reports shares: an A4 page of fpdf2 (pure Python: nothing to install on
the counter PC), its texts in Latin-1, and the lines, headings, tables and label/value pairs they
are laid out with. The daily report, the period report and the evidence each draw on a ``Page``.

The PDF's built-in fonts know only Latin-1, and bundling a Unicode font would add megabytes
for a few symbols, so every text goes through ``latin``: dashes, arrows and quotes become
their ASCII look-alikes, a currency sign outside Latin-1 ("₦", "€") becomes the report's
currency code, accented letters outside Latin-1 lose their accent, and anything else becomes
"?". The report never fails over a character.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Any

REPLACEMENTS = {"→": "->", "←": "<-", "–": "-", "—": "-", "‒": "-", "−": "-", "’": "'", "‘": "'", "“": '"',
                "”": '"', "…": "...", "·": "-", "•": "-", "≥": ">=", "≤": "<=", "\u202f": " ", "\u2009": " "}
FONT = "Helvetica"


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


class Page:
    """An A4 portrait PDF, its first page added, that shows every text through ``latin`` in ``currency``.

    ``pdf`` is the fpdf2 document, for what only one report draws; ``created``, when given, is the
    file's creation date (otherwise the moment the bytes are laid out).
    """

    def __init__(self, title: str, currency: str, created: datetime | None = None) -> None:
        # fpdf2 (and fontTools under it) is imported here, when a PDF is made, not when the
        # program starts: most runs never make one.
        from fpdf import FPDF
        from fpdf.fonts import FontFace

        self.currency = currency
        self.heading_style = FontFace(emphasis="BOLD", fill_color=(241, 243, 245))
        self.pdf: Any = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.set_title(latin(title))
        if created is not None:
            self.pdf.set_creation_date(created)
        self.pdf.add_page()

    def text(self, value: object) -> str:
        """``value`` as the core fonts can show it."""
        return latin(str(value), self.currency)

    def font(self, size: float, style: str = "") -> None:
        """Write on in the page's font, ``style`` "B" for bold."""
        self.pdf.set_font(FONT, style, size)

    def line(self, value: str, height: float = 5) -> None:
        """``value`` across the page, wrapped, the next line below it."""
        self.pdf.multi_cell(0, height, self.text(value), new_x="LMARGIN", new_y="NEXT")

    def title(self, value: str) -> None:
        """The document's title line, in large bold, the text after it in the body's size."""
        self.font(15, "B")
        self.line(value, 7)
        self.font(9)

    def heading(self, value: str, size: int = 12) -> None:
        """A section's heading in bold, a little space above it, the text after it in the body's size."""
        self.pdf.ln(3)
        self.font(size, "B")
        self.line(value, 7)
        self.font(9)

    def table(self, header: Sequence[str] | None, rows: Sequence[Sequence[str]],
              widths: Sequence[int] | None = None, align: str | Sequence[str] = "LEFT") -> None:
        """A table of ``rows`` under ``header`` (shaded; None: no header row)."""
        with self.pdf.table(col_widths=widths, headings_style=self.heading_style, line_height=5, text_align=align,
                            first_row_as_headings=header is not None) as drawn:
            if header is not None:
                drawn.row([self.text(cell) for cell in header])
            for row in rows:
                drawn.row([self.text(cell) for cell in row])

    def pairs(self, items: Sequence[tuple[str, str]], widths: Sequence[int], line_height: float = 5) -> None:
        """Label/value pairs in a table without a header, as many a row as ``widths`` has pairs of columns."""
        per_row = len(widths) // 2
        with self.pdf.table(col_widths=widths, first_row_as_headings=False, line_height=line_height,
                            text_align="LEFT") as drawn:
            for index in range(0, len(items), per_row):
                row = drawn.row()
                for label, value in items[index:index + per_row]:
                    row.cell(self.text(label))
                    row.cell(self.text(value))

    def output(self) -> bytes:
        """The PDF's bytes."""
        return bytes(self.pdf.output())
