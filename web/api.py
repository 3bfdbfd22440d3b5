"""JSON API v1 (SPEC appendix C)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/health")
def health() -> ResponseReturnValue:
    """Tell a monitor that the server answers."""
    return jsonify(status="ok")
