"""One letter for a customer whose notices wait together: every cut listed, then the total.

Three short cuts during one session make three notices. Handing a customer three letters (and
their vouchers on three slips) reads like a machine talking; this composes the one letter they
take home instead, in their language and the venue's clock style, from the same wording files
as a single notice (the ``letter.*`` keys). Each cut is told as it was (the outage's own start
and length), then when this seat went dark, what was lost and what came back. A correction that
adds minutes after a letter was handed over makes a short letter of its own (``compose_topup``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from compensator.domain.kinds import CompensationForm, OutageKind
from compensator.notices.compose import cut_words, length, span_words, what_key
from compensator.notices.wording import NoticeCatalog, babel_locale, day_text, fill_template
from compensator.timeofday import ClockStyle, time_of_day


@dataclass(frozen=True, slots=True)
class CutFacts:
    """One cut of a letter: the cut as it was, the seat's dark span, what it cost and what came back for it."""

    kind: OutageKind
    dark_start: datetime
    dark_end: datetime
    lost_minutes: int
    credit_minutes: int
    form: CompensationForm
    voucher_code: str | None = None
    # The customer ended the session while the seat was dark, and so lost all the paid time left.
    left_while_dark: bool = False
    # The outage's own start and end (None while it goes on).
    cut_start: datetime | None = None
    cut_end: datetime | None = None
    left_at: datetime | None = None
    # Of a time credit, the minutes past closing time that came as a voucher.
    voucher_minutes: int = 0
    # Of the lost minutes, those given back before and not used (carried over).
    carried_minutes: int = 0
    # Every voucher the cut came with, as (code, minutes): more than one after a correction's top-up.
    vouchers: tuple[tuple[str, int], ...] = ()
    # An outage of single seats: told as a fault on the seat.
    seat_fault: bool = False


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
    # The venue's closing time, when the session runs until it: no letter promises time after it.
    closing: datetime | None = None


class _Words:
    """The wording helpers of one letter: its language, times in the venue's clock style, counts."""

    def __init__(self, catalog: NoticeCatalog, language: str | None, timezone: ZoneInfo, clock: ClockStyle) -> None:
        self.catalog = catalog
        self.chosen = catalog.resolve_language(language)
        self.locale = babel_locale(self.chosen)
        self.timezone = timezone
        self.clock_style = clock

    def clock(self, moment: datetime) -> str:
        return time_of_day(moment, self.timezone, self.clock_style, self.locale)

    def day(self, moment: datetime) -> str:
        return day_text(moment, self.timezone, self.locale)

    def minutes(self, count: int) -> str:
        return self.catalog.counted(self.chosen, "minutes", count)

    def fill(self, key: str, values: dict[str, str]) -> str:
        return fill_template(self.catalog.text(self.chosen, key), values)

    def given(self, cut: CutFacts) -> str:
        """What came back for one cut, as the clause its line ends with."""
        values = {"credit": self.minutes(cut.credit_minutes), "code": self.codes(cut),
                  "time_credit": self.minutes(cut.credit_minutes - cut.voucher_minutes),
                  "voucher_credit": self.minutes(cut.voucher_minutes)}
        return self.fill(f"letter.given.{given_form(cut.form, cut.credit_minutes, cut.voucher_minutes)}", values)

    def codes(self, cut: CutFacts) -> str:
        """The cut's voucher code, or each of its codes with its minutes when it came with several."""
        return codes_told(self.catalog, self.chosen, cut.vouchers) or cut.voucher_code or ""

    def cut_values(self, cut: CutFacts) -> dict[str, str]:
        """The placeholders of one cut: the cut as it was, the seat's dark span, the lost minutes."""
        cut_start = cut.cut_start or cut.dark_start
        dark = cut.dark_end - cut.dark_start
        dark_when = (span_words(self.catalog, self.chosen, self.clock(cut.dark_start), self.clock(cut.dark_end))
                     if dark >= timedelta(minutes=1) else
                     self.fill("when.lasting", {"length": length(self.catalog, self.chosen, dark)}))
        what = self.catalog.text(self.chosen, what_key(cut.kind, cut.seat_fault))
        return {"what": what, "date": self.day(cut_start),
                "cut_told": cut_words(self.catalog, self.chosen, cut_start, cut.cut_end, self.clock),
                "dark_when": dark_when,
                "cut_start": self.clock(cut_start), "cut_end": self.clock(cut.cut_end) if cut.cut_end else "",
                "cut_length": length(self.catalog, self.chosen, cut.cut_end - cut_start) if cut.cut_end else "",
                "start": self.clock(cut.dark_start), "end": self.clock(cut.dark_end),
                "dark_length": length(self.catalog, self.chosen, cut.dark_end - cut.dark_start),
                "seconds": length(self.catalog, self.chosen, cut.dark_end - cut.dark_start),
                "left_at": self.clock(cut.left_at) if cut.left_at else "", "lost": self.minutes(cut.lost_minutes),
                "credit": self.minutes(cut.credit_minutes), "code": self.codes(cut)}


def given_form(form: CompensationForm, credit_minutes: int, voucher_minutes: int) -> str:
    """How a credit reached the customer: its form, or a voucher for the part (or all) that could not
    go on the session (past closing) or on the bill (already paid)."""
    if form not in (CompensationForm.TIME, CompensationForm.BILL_REDUCTION) or not voucher_minutes:
        return form.value
    if voucher_minutes >= credit_minutes:
        return "voucher"
    return "time_and_voucher" if form is CompensationForm.TIME else "bill_and_voucher"


def codes_told(catalog: NoticeCatalog, language: str, vouchers: tuple[tuple[str, int], ...]) -> str:
    """Several vouchers' codes each with its minutes ("ABC-DEF-GHJ (20 minutes), ..."); one code alone; or ""."""
    if len(vouchers) == 1:
        return vouchers[0][0]
    return ", ".join(f"{code} ({catalog.counted(language, 'minutes', minutes)})" for code, minutes in vouchers)


def compose_letter(catalog: NoticeCatalog, language: str | None, facts: LetterFacts) -> tuple[str, str]:
    """The letter for ``facts`` as (language used, text), times in the venue's zone and clock style."""
    words = _Words(catalog, language, facts.timezone, facts.clock)
    first, last = facts.cuts[0], facts.cuts[-1]
    first_day = words.day(first.cut_start or first.dark_start)
    last_day = words.day(last.cut_start or last.dark_start)
    shared = {"venue": facts.venue_name, "customer": facts.customer_name or "", "date": first_day,
              "last_date": last_day, "cuts": catalog.counted(words.chosen, "cuts", len(facts.cuts)),
              "lost": words.minutes(sum(cut.lost_minutes for cut in facts.cuts)),
              "credit": words.minutes(sum(cut.credit_minutes for cut in facts.cuts)),
              "carried": words.minutes(sum(cut.carried_minutes for cut in facts.cuts))}
    greeting = words.fill("greeting" if facts.customer_name else "greeting_anonymous", shared)
    apology = words.fill("letter.apology" if first_day == last_day else "letter.apology_days", shared)
    lines = [_cut_line(words, cut) for cut in facts.cuts]
    paragraphs = [words.fill("title", shared).upper(), greeting, apology, "\n".join(lines)]
    if any((cut.dark_end - cut.dark_start).total_seconds() % 60 for cut in facts.cuts if not cut.left_while_dark):
        # The seconds beyond the whole minutes were counted as a minute: say so, or the sums look wrong.
        paragraphs.append(words.fill("rounded_up", shared))
    if any(cut.carried_minutes for cut in facts.cuts):
        paragraphs.append(words.fill("letter.carried", shared))
    total = [words.fill("letter.total", shared)]
    if facts.closing is not None:
        total.append(words.fill("letter.until_closing", {**shared, "closing": words.clock(facts.closing)}))
    elif facts.new_end is not None:
        total.append(words.fill("letter.new_end", {**shared, "new_end": words.clock(facts.new_end)}))
    vouchers = sum(1 for cut in facts.cuts if cut.voucher_code)
    if vouchers and facts.voucher_expires_at is not None:
        expiry = words.day(facts.voucher_expires_at)
        total.append(fill_template(catalog.counted(words.chosen, "letter.show_vouchers", vouchers),
                                   {"expiry": expiry}))
    thanks = "thanks_left" if any(cut.left_while_dark for cut in facts.cuts) else "thanks"
    paragraphs += [" ".join(total), words.fill("fix", shared), words.fill(thanks, shared), f"— {facts.venue_name}"]
    return words.chosen, "\n\n".join(paragraphs)


def compose_topup(catalog: NoticeCatalog, language: str | None, facts: LetterFacts) -> tuple[str, str]:
    """The short letter of a correction that added minutes after the letter was handed over (one cut in ``facts``)."""
    words = _Words(catalog, language, facts.timezone, facts.clock)
    (cut,) = facts.cuts
    values = {**words.cut_values(cut), "venue": facts.venue_name, "customer": facts.customer_name or "",
              "given": words.given(cut)}
    paragraphs = [words.fill("title", values).upper(),
                  words.fill("greeting" if facts.customer_name else "greeting_anonymous", values),
                  words.fill("letter.topup", values)]
    if cut.voucher_code and facts.voucher_expires_at is not None:
        paragraphs.append(fill_template(catalog.counted(words.chosen, "letter.show_vouchers", 1),
                                        {"expiry": words.day(facts.voucher_expires_at)}))
    elif facts.closing is not None:
        paragraphs.append(words.fill("letter.until_closing", {"closing": words.clock(facts.closing)}))
    elif facts.new_end is not None:
        paragraphs.append(words.fill("letter.new_end", {"new_end": words.clock(facts.new_end)}))
    paragraphs += [words.fill("thanks", values), f"— {facts.venue_name}"]
    return words.chosen, "\n\n".join(paragraphs)


def _cut_line(words: _Words, cut: CutFacts) -> str:
    """One line of the list: the cut as it was, when the seat was dark, what was lost and what came back."""
    values = {**words.cut_values(cut), "given": words.given(cut)}
    key = "letter.cut_left" if cut.left_while_dark and cut.left_at is not None else "letter.cut"
    return "• " + words.fill(key, values)
