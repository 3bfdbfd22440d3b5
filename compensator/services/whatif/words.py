"""A what-if's answer in plain words: what changed, what it would have saved, and when it pays for itself.

"A 15-minute UPS in Standard would have saved NGN 41,000.00 over these 30 days; at NGN
180,000.00 it pays for itself in 4½ months." The web page words the same figures through its
own translations; these are the command line's, in English.
"""

from __future__ import annotations

from compensator.domain.whatif import SAVING_DAYS, WhatIfOutcome, payback_months
from compensator.notices.wording import format_money
from compensator.services.whatif.changes import GENERATOR_KEY
from compensator.settings import Settings


def change_words(settings: Settings, text: str) -> str:
    """One change (``KEY=VALUE``, as ``parse_changes`` keeps it) in words."""
    key, _, value = text.partition("=")
    parts = key.split(".")
    if parts[0] == "zones":
        zone = settings.zone(parts[1]).name
        return f"no UPS in {zone}" if value == "0" else f"a {value}-minute UPS in {zone}"
    if key == GENERATOR_KEY:
        return f"a generator restoring the power within {value} min"
    return f"{parts[-1].replace('_', ' ')} at {value}"


def summary(settings: Settings, changes: tuple[str, ...], outcome: WhatIfOutcome,
            price_minor: int | None = None) -> str:
    """The answer in one sentence."""
    currency = settings.venue.currency

    def money(amount: int) -> str:
        return format_money(amount, currency)

    if not changes:
        return "Nothing was changed: the replay gives what was credited."
    what = " and ".join(change_words(settings, text) for text in changes)
    what = what[0].upper() + what[1:]
    period = "on that day" if outcome.days == 1 else f"over these {outcome.days} days"
    saving = outcome.saving_minor
    if saving < 0:
        return f"{what} would have cost {money(-saving)} more in credits {period}."
    sentence = f"{what} would have saved {money(saving)} {period}"
    days = outcome.payback_days
    if price_minor is not None and days is not None and days < SAVING_DAYS:
        sentence += f"; at {money(price_minor)} it pays for itself in {days} days"
    elif price_minor is not None and days is not None:
        sentence += f"; at {money(price_minor)} it pays for itself in {payback_months(days)} months ({days} days)"
    elif price_minor is not None:
        sentence += f"; at {money(price_minor)} it never pays for itself"
    return sentence + "."
