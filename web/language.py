"""The language switch in the navigation: each attendant reads the pages in English or French.

    POST /language      keep the language the attendant chose and show the page again in it
"""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from compensator.services.people import accounts as people
from web.auth import current_actor, login_required, safe_next
from web.context import unit_of_work
from web.forms import submit
from web.i18n import gettext, remember_language

bp = Blueprint("language", __name__)


@bp.post("/language")
@login_required
def switch() -> ResponseReturnValue:
    """Keep the language the attendant chose for their pages and show the page again in it."""
    actor = current_actor()
    assert actor is not None

    def outcome(person: people.AttendantView) -> tuple[str, str]:
        remember_language(person.language)
        return "success", gettext("The pages are now in English.")

    response = submit(lambda uow: people.set_language(uow, name=actor.name, language=request.form.get("language"),
                                                      actor=actor.label),
                      outcome, location=safe_next(request.form.get("next")))
    # A resent form replays the first answer without running ``outcome``: the cookie follows the database.
    with unit_of_work() as uow:
        remember_language(people.chosen_language(uow, actor.name))
    return response
