"""Dashboard and manager forms: each rendered form carries its own idempotency key.

``form_fields()`` puts the CSRF token and a fresh key into a form; ``submit`` runs the form's
use case once per key (``compensator.services.once``), so a double click on "extend 30" or a
resent POST extends once and shows the first outcome again. Forms without a key still work.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape

from compensator.errors import DomainError
from compensator.services.once import Answer, request_key, run_once
from compensator.store.database import UnitOfWork
from web.auth import CSRF_FIELD, csrf_token, current_actor
from web.context import unit_of_work

FORM_KEY_FIELD = "idempotency_key"
# Not part of what a form asks for: the CSRF token and the key itself, and a PIN, which must
# not end up even hashed in the key's fingerprint.
NOT_COMPARED = frozenset({CSRF_FIELD, FORM_KEY_FIELD, "pin"})
T = TypeVar("T")
# A flash message: (category, text), or (category, text, (link text, address)) to end with a link.
Message = tuple[str, str] | tuple[str, str, tuple[str, str]]


def form_fields() -> Markup:
    """The hidden fields every state-changing form carries: the CSRF token and a new key."""
    return Markup(
        f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token())}">'
        f'<input type="hidden" name="{FORM_KEY_FIELD}" value="{secrets.token_urlsafe(16)}">'
    )


def submit(action: Callable[[UnitOfWork], T], outcome: Callable[[T], Message | None], *,
           location: str | None = None, refused_location: str | None = None) -> ResponseReturnValue:
    """Run a form's use case once per key, flash its outcome and redirect (to the dashboard by default).

    A refusal goes back to ``refused_location`` when given (a page that keeps what the form had
    chosen), else to the page the form was on.
    """
    actor = current_actor()
    assert actor is not None
    payload = {name: request.form.getlist(name) for name in sorted(request.form) if name not in NOT_COMPARED}
    key = request_key(actor.label, request.form.get(FORM_KEY_FIELD), operation=f"POST {request.path}",
                      payload=payload)
    target = location or url_for("dashboard.index")

    def answer(result: T) -> Answer:
        message = outcome(result)
        return Answer(302, {"location": target, "flash": [list(message)] if message else []})

    def refusal(error: DomainError) -> Answer:
        return Answer(302, {"location": refused_location or request.referrer or target,
                            "flash": [["error", error.message]]})

    try:
        with unit_of_work() as uow:
            reply = run_once(uow, key, action, answer, refusal)
    except DomainError as error:
        # A form without a key is refused by raising, its unit of work rolled back.
        if refused_location is None:
            raise
        reply = refusal(error)
    for category, message, *link in reply.body["flash"]:
        flash(_with_link(message, *link[0]) if link else message, category)
    return redirect(reply.body["location"], code=reply.status)


def _with_link(message: str, text: str, address: str) -> Markup:
    """A flash message ending with a link that opens in a new tab, the dashboard staying where it is."""
    return Markup('{} <a href="{}" target="_blank">{}</a>').format(message, address, text)
