"""Evidence for the utility, the landlord or an insurer: every outage of a period and what it cost.

The pipeline reads as the daily report's: rows read (``rows``, with the daily report's readers),
then the records (``build`` into ``data``; ``witness`` words what recorded each outage), then the
formats (``csv_format``, ``pdf_format``, sharing ``layout``). ``render`` picks the format.
"""

from __future__ import annotations

from enum import StrEnum

from compensator.errors import InvalidInput
from compensator.report.evidence import csv_format, pdf_format
from compensator.report.evidence.data import Evidence


class EvidenceFormat(StrEnum):
    """The formats the evidence can be had in."""

    CSV = "csv"
    PDF = "pdf"


CONTENT_TYPES = {EvidenceFormat.CSV: "text/csv; charset=utf-8", EvidenceFormat.PDF: "application/pdf"}


def parse_format(value: object) -> EvidenceFormat:
    """The format named ``value`` (a file's extension, with or without its dot), or ``InvalidInput``."""
    try:
        return EvidenceFormat(str(value).strip().lower().removeprefix("."))
    except ValueError:
        raise InvalidInput("the evidence is written as .pdf or .csv", field="format") from None


def render(evidence: Evidence, evidence_format: EvidenceFormat) -> bytes:
    """The evidence in ``evidence_format``, as bytes to save or send."""
    if evidence_format is EvidenceFormat.CSV:
        return csv_format.render(evidence).encode("utf-8")
    return pdf_format.render(evidence)


def filename(evidence: Evidence, evidence_format: EvidenceFormat) -> str:
    """The file name a download of the evidence gets."""
    return (f"compensator-evidence-{evidence.first_day.isoformat()}-to-{evidence.last_day.isoformat()}"
            f".{evidence_format.value}")
