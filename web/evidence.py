"""The outage evidence of a chosen period, for managers: a form, and the PDF or CSV file it downloads.

    GET /reports/evidence                                  the form (this month so far offered)
    GET /reports/evidence?from=DAY&to=DAY&format=pdf|csv   the file (``compensator evidence`` does the same)
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from compensator.collector import collector_held_off
from compensator.errors import InvalidInput
from compensator.report import evidence
from compensator.report.evidence.build import build_evidence
from web.auth import manager_required
from web.context import reading, venue_today
from web.downloads import file_response

bp = Blueprint("evidence", __name__)


@collector_held_off()
def _file(first: str, last: str, shape: str) -> Response:
    evidence_format = evidence.parse_format(shape)
    with reading() as uow:
        found = build_evidence(uow, first, last)
    return file_response(evidence.render(found, evidence_format), evidence.CONTENT_TYPES[evidence_format],
                         evidence.filename(found, evidence_format))


@bp.get("/reports/evidence")
@manager_required
def download() -> ResponseReturnValue:
    """Choose a period and download its outage evidence as a PDF or a CSV file."""
    today = venue_today()
    first = request.args.get("from")
    last = request.args.get("to")
    shape = request.args.get("format", evidence.EvidenceFormat.PDF.value)
    if first is None and last is None:
        return render_template("evidence.html", today=today.isoformat(), first=today.replace(day=1).isoformat(),
                               last=today.isoformat(), shape=shape, error=None)
    try:
        return _file(first or "", last or "", shape)
    except InvalidInput as problem:
        return render_template("evidence.html", today=today.isoformat(), first=first or "", last=last or "",
                               shape=shape, error=problem.message), 400
