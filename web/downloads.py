"""A report or a file of evidence as an HTTP answer: shown in the browser or saved, never kept in a cache."""

from __future__ import annotations

from flask import Response


def file_response(content: bytes, content_type: str, filename: str, *, attachment: bool = True) -> Response:
    """``content`` named ``filename``: saved as a file (``attachment``), or shown in the browser."""
    response = Response(content, content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # Today's report and the evidence change by the minute: a browser must not show a stale copy.
    response.headers["Cache-Control"] = "no-store"
    return response
