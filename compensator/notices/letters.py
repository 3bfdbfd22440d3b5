"""One letter for a customer whose notices wait together: every cut listed, then the total.

Three short cuts during one session make three notices. Handing a customer three letters (and
their vouchers on three slips) reads like a machine talking; this composes the one letter they
take home instead, in their language and the venue's clock style, from the same wording files
as a single notice (the ``letter.*`` keys).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from compensator.domain.kinds import CompensationForm, OutageKind
from compensator.notices.wording import NoticeCatalog, babel_locale, day_text, fill_template
from compensator.timeofday import ClockStyle, time_of_day


@dataclass(frozen=True, slots=True)
class CutFacts:
    """One cut of a letter: the seat's dark span, what it cost and what came back for it."""

    kind: OutageKind
    dark_start: datetime
    dark_end: datetime
    lost_minutes: int
    credit_minutes: int
    form: CompensationForm
    voucher_code: str | None = None
    # The customer ended the session while the seat was dark, and so lost all the paid time left.
    left_while_dark: bool = False


@dataclass(frozen=True, slots=True)
class LetterFacts:
    """What a letter over several cuts says, as plain data; ``cuts`` oldest first."""

    venue_name: str
    timezone: ZoneInfo
    customer_name: str | None
    cuts: tuple[CutFacts, ...]
    # The session's paid end now, when time was added to a session still running.
    new_end: datetime | None = None
    voucher_expires_at: datetime | None = None
    clock: ClockStyle = ClockStyle.TWENTY_FOUR_HOUR


def compose_letter(catalog: NoticeCatalog, language: str | None, facts: LetterFacts) -> tuple[str, str]:
    """The letter for ``facts`` as (language used, text), times in the venue's zone and clock style."""
    chosen = catalog.resolve_language(language)
    locale = babel_locale(chosen)

    def clock(moment: datetime) -> str:
        return time_of_day(moment, facts.timezone, facts.clock, locale)

    def minutes(count: int) -> str:
        return catalog.counted(chosen, "minutes", count)

    def fill(key: str, values: dict[str, str]) -> str:
        return fill_template(catalog.text(chosen, key), values)

    first, last = facts.cuts[0], facts.cuts[-1]
    first_day = day_text(first.dark_start, facts.timezone, locale)
    last_day = day_text(last.dark_start, facts.timezone, locale)
    shared = {"venue": facts.venue_name, "customer": facts.customer_name or "", "date": first_day,
              "last_date": last_day, "cuts": catalog.counted(chosen, "cuts", len(facts.cuts)),
              "lost": minutes(sum(cut.lost_minutes for cut in facts.cuts)),
              "credit": minutes(sum(cut.credit_minutes for cut in facts.cuts))}
    greeting = fill("greeting" if facts.customer_name else "greeting_anonymous", shared)
    apology = fill("letter.apology" if first_day == last_day else "letter.apology_days", shared)
    lines = [_cut_line(catalog, chosen, cut, clock, minutes, fill) for cut in facts.cuts]
    paragraphs = [fill("title", shared).upper(), greeting, apology, "\n".join(lines)]
    if any(_dark_length(cut)[1] for cut in facts.cuts):
        # The seconds beyond the whole minutes were counted as a minute: say so, or the sums look wrong.
        paragraphs.append(fill("rounded_up", shared))
    if any(cut.left_while_dark for cut in facts.cuts):
        paragraphs.append(fill("left_while_dark", shared))
    total = [fill("letter.total", shared)]
    if facts.new_end is not None:
        total.append(fill("letter.new_end", {**shared, "new_end": clock(facts.new_end)}))
    vouchers = sum(1 for cut in facts.cuts if cut.voucher_code)
    if vouchers and facts.voucher_expires_at is not None:
        expiry = day_text(facts.voucher_expires_at, facts.timezone, locale)
        total.append(fill_template(catalog.counted(chosen, "letter.show_vouchers", vouchers), {"expiry": expiry}))
    paragraphs += [" ".join(total), fill("fix", shared), fill("thanks", shared), f"— {facts.venue_name}"]
    return chosen, "\n\n".join(paragraphs)


def _dark_length(cut: CutFacts) -> tuple[int, int]:
    """How long the seat was dark, as whole minutes and the seconds beyond them."""
    minutes, seconds = divmod(round((cut.dark_end - cut.dark_start).total_seconds()), 60)
    return minutes, seconds


def _cut_line(catalog: NoticeCatalog, language: str, cut: CutFacts, clock: Callable[[datetime], str],
              minutes: Callable[[int], str], fill: Callable[[str, dict[str, str]], str]) -> str:
    """One line of the list: when the seat was dark, for how long, what was lost and what came back."""
    dark_minutes, dark_seconds = _dark_length(cut)
    values = {"what": catalog.text(language, f"what.{cut.kind.value}"), "start": clock(cut.dark_start),
              "end": clock(cut.dark_end), "lost": minutes(cut.lost_minutes), "credit": minutes(cut.credit_minutes),
              "code": cut.voucher_code or "", "seconds": catalog.counted(language, "seconds", dark_seconds)}
    if dark_seconds == 0:
        values["dark_length"] = minutes(dark_minutes)
    else:
        values["dark_length"] = fill("minutes_and_seconds", {"minutes": minutes(dark_minutes),
                                                             "seconds": values["seconds"]})
    given = fill(f"letter.given.{cut.form.value}", values)
    line = fill("letter.cut" if dark_minutes else "letter.cut_short", {**values, "given": given})
    return f"• {line}"
