"""The attendant's dashboard: the seat grid of the venue."""

from __future__ import annotations

from flask import Blueprint, render_template

from compensator.services.seats import seat_board
from web.context import runtime, unit_of_work

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index() -> str:
    """Show every seat with its zone, state and remaining minutes."""
    with unit_of_work() as uow:
        board = seat_board(uow)
    return render_template("dashboard.html", board=board, venue=runtime().settings.venue)
