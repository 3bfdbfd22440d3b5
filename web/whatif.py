"""What a fix would save, for managers (issue 25, item 2): the what-if form and its answer.

URL table (managers only; attendants get 403):

    GET  /manage/whatif?from=&to=&changes=&price=   the form, and with a period its answer

The manager page carries the same form. The answer is computed in a read-only unit of work
(``services.whatif``): nothing is written, so a GET is the right verb and the page can be
bookmarked. A bad key, value or day is shown on the form (status 400), not as an error page.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from flask import Blueprint, render_template, request

from compensator.collector import collector_held_off
from compensator.domain.whatif import SAVING_DAYS, WhatIfOutcome, payback_months
from compensator.errors import InvalidInput
from compensator.services.parsing import venue_day
from compensator.services.whatif import GENERATOR_KEY, parse_changes, what_if
from compensator.settings import Settings
from web.auth import manager_required
from web.billing import money
from web.context import reading, runtime, venue_today
from web.i18n import gettext, long_day, ngettext

bp = Blueprint("whatif", __name__, url_prefix="/manage/whatif")
# The changes the form suggests, as the manager types them.
EXAMPLES = ("zones.{zone}.ups_minutes=15", f"{GENERATOR_KEY}=10", "policy.goodwill_minutes=5")


def this_month(today: date) -> tuple[date, date]:
    """The period the form offers first: this month so far."""
    return today.replace(day=1), today


def _price_minor(raw: str, currency: str) -> int | None:
    """A price typed in the currency's major units (``180000`` or ``180,000.50``) in minor units; None if empty."""
    text = raw.strip().replace(",", "").replace(" ", "")
    if not text:
        return None
    precision = get_currency_precision(currency)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(-1)
    minor = amount.scaleb(precision)
    if not amount.is_finite() or amount < 0 or minor != minor.to_integral_value() or minor >= 10 ** 15:
        raise InvalidInput(gettext("the price must be an amount like 180000"), field="price")
    return int(minor)


def change_words(settings: Settings, text: str) -> str:
    """One change (``KEY=VALUE``) in the page's words."""
    key, _, value = text.partition("=")
    parts = key.split(".")
    if parts[0] == "zones":
        zone = settings.zone(parts[1]).name
        if value == "0":
            return gettext("no UPS in %(zone)s", zone=zone)
        return gettext("a %(minutes)s-minute UPS in %(zone)s", minutes=value, zone=zone)
    if key == GENERATOR_KEY:
        return gettext("a generator that restores the power within %(minutes)s min", minutes=value)
    return gettext("the policy's %(key)s at %(value)s", key=parts[-1], value=value)


def sentence(settings: Settings, changes: tuple[str, ...], outcome: WhatIfOutcome, price: int | None) -> str:
    """The answer in one sentence, in the page's language."""
    if not changes:
        return gettext("Nothing was changed: the replay gives what was credited.")
    what = gettext(" and ").join(change_words(settings, text) for text in changes)
    what = what[0].upper() + what[1:]
    if outcome.saving_minor < 0:
        return ngettext("%(what)s would have cost %(amount)s more in credits in %(num)d day.",
                        "%(what)s would have cost %(amount)s more in credits over these %(num)d days.",
                        outcome.days, what=what, amount=money(-outcome.saving_minor))
    said = ngettext("%(what)s would have saved %(amount)s in %(num)d day.",
                    "%(what)s would have saved %(amount)s over these %(num)d days.", outcome.days, what=what,
                    amount=money(outcome.saving_minor))
    days = outcome.payback_days
    if price is not None and days is not None and days < SAVING_DAYS:
        said += " " + ngettext("At %(price)s it pays for itself in %(num)d day.",
                               "At %(price)s it pays for itself in %(num)d days.", days, price=money(price))
    elif price is not None and days is not None:
        said += " " + gettext("At %(price)s it pays for itself in %(months)s months (%(days)s days).",
                              price=money(price), months=payback_months(days), days=days)
    elif price is not None:
        said += " " + gettext("At %(price)s it never pays for itself.", price=money(price))
    return said


def heading(first_day: date, last_day: date) -> str:
    """The answer's title: the credits of which days (the form is left out when the page is printed)."""
    if first_day == last_day:
        return gettext("Credits on %(day)s", day=long_day(first_day))
    return gettext("Credits from %(first)s to %(last)s (%(days)s days)", first=long_day(first_day),
                   last=long_day(last_day), days=(last_day - first_day).days + 1)


def whatif_form() -> dict[str, object]:
    """What the form needs to be drawn, filled from the query or with this month."""
    settings = runtime().settings
    first, last = this_month(venue_today())
    form = {"from": request.args.get("from", first.isoformat()), "to": request.args.get("to", last.isoformat()),
            "changes": request.args.get("changes", ""), "price": request.args.get("price", "")}
    return {"form": form, "examples": [text.format(zone=settings.zones[0].id) for text in EXAMPLES]}


@bp.get("")
@manager_required
def page() -> tuple[str, int] | str:
    """The what-if form, and its answer when a period is given."""
    settings = runtime().settings
    shown = {**whatif_form(), "answer": None, "error": None, "said": None}
    form = shown["form"]
    assert isinstance(form, dict)
    if "from" not in request.args:
        return render_template("whatif.html", **shown)
    try:
        first_day = venue_day(form["from"], field=gettext("from"))
        last_day = venue_day(form["to"], field=gettext("to"))
        price = _price_minor(form["price"], settings.venue.currency)
        changes = parse_changes(settings, [line for line in form["changes"].splitlines() if line.strip()])
        # A month's replay makes millions of objects, none in a cycle: the collector's passes made it 4 times slower.
        with collector_held_off(), reading() as uow:
            answer = what_if(uow, first_day, last_day, changes, price)
    except InvalidInput as error:
        shown["error"] = error.message
        return render_template("whatif.html", **shown), 400
    outcome = answer.outcome
    shown["answer"] = {
        "rows": [(gettext("Before"), outcome.before, money(outcome.before.credit_value_minor)),
                 (gettext("After"), outcome.after, money(outcome.after.credit_value_minor))],
        "saving": money(outcome.saving_minor), "per_30_days": money(outcome.saving_per_30_days_minor),
        "payback_days": outcome.payback_days, "heading": heading(answer.first_day, answer.last_day)}
    shown["said"] = sentence(settings, answer.changes, outcome, price)
    return render_template("whatif.html", **shown)
