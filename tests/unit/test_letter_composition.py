"""A customer's letter: every cut of a session with its own span, worded once with the totals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from compensator.domain.kinds import CompensationForm, OutageKind
from compensator.notices.letters import CutFacts, LetterFacts, compose_letter
from compensator.notices.wording import NoticeCatalog
from compensator.timeofday import ClockStyle

LAGOS = ZoneInfo("Africa/Lagos")
# 13:00 UTC is 14:00 in Lagos.
AT = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)


def cut(start_minutes: int, lasting_seconds: int, lost: int, credit: int, form=CompensationForm.TIME,
        code: str | None = None, left: bool = False) -> CutFacts:
    start = AT + timedelta(minutes=start_minutes)
    end = start + timedelta(seconds=lasting_seconds)
    # A seat without a UPS: dark as long as the cut; a customer who left did so 2 minutes in.
    return CutFacts(OutageKind.POWER, start, end, lost, credit, form, code, left, cut_start=start,
                    cut_end=end if not left else None, left_at=start + timedelta(minutes=2) if left else None)


def letter_facts(*cuts: CutFacts, **overrides) -> LetterFacts:
    values = dict(venue_name="Bright Star", timezone=LAGOS, customer_name="Chidi", cuts=cuts,
                  new_end=AT + timedelta(minutes=150), voucher_expires_at=AT + timedelta(days=30))
    values.update(overrides)
    return LetterFacts(**values)


THREE_CUTS = (cut(10, 180, 3, 5), cut(20, 40, 1, 5), cut(40, 300, 30, 35, CompensationForm.VOUCHER, "ABCD-EFGH-J",
                                                       left=True))


@pytest.mark.parametrize("language", ["en", "fr", "pcm"])
def test_a_letter_lists_every_cut_with_its_own_span_and_adds_them_up(language) -> None:
    chosen, text = compose_letter(NoticeCatalog.load("en"), language, letter_facts(*THREE_CUTS))
    assert chosen == language
    bullets = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(bullets) == 3
    assert "14:10" in bullets[0] and "14:13" in bullets[0]
    assert "14:20" in bullets[1] and "40" in bullets[1]
    assert "ABCD-EFGH-J" in bullets[2]
    assert "45" in text  # 5 + 5 + 35 minutes back in all
    assert "34" in text  # 3 + 1 + 30 minutes lost in all
    assert "16:30" in text  # the session's paid end now
    assert not re.search(r"\b1 minutes\b|\b1 secondes\b|\$\w", text)


def test_an_english_letter_reads_as_one_apology_with_a_total() -> None:
    _, text = compose_letter(NoticeCatalog.load("en"), "en", letter_facts(*THREE_CUTS))
    assert "there were 3 cuts at Bright Star on November 22, 2026, and you lost 34 minutes in all" in text
    assert ("• The power cut from 14:10 to 14:13 (3 minutes): your seat was dark from 14:10 to 14:13, and you "
            "lost 3 minutes; 5 minutes added to your time.") in text
    assert ("• The power cut at 14:20 (40 seconds): your seat was dark for 40 seconds, and you lost 1 minute; "
            "5 minutes added to your time.") in text
    assert ("• The power cut since 14:40: your seat went dark at 14:40 and you left at 14:42, giving up the 30 "
            "minutes of paid time you had left; a voucher for 35 minutes, ABCD-EFGH-J.") in text
    assert "Every minute that had begun is counted as a whole minute." in text
    assert "for staying with us" not in text and "We hope to see you again soon." in text
    assert ("In all, you get 45 minutes back. Your session now ends at 16:30. "
            "Show the voucher at the counter any time before December 22, 2026.") in text


def test_a_letter_over_two_days_names_both_and_follows_the_venues_clock() -> None:
    late = cut(60 * 24, 120, 2, 5)
    _, text = compose_letter(NoticeCatalog.load("en"), "en", letter_facts(
        THREE_CUTS[0], late, new_end=None, voucher_expires_at=None, clock=ClockStyle.TWELVE_HOUR))
    assert "between November 22, 2026 and November 23, 2026" in text
    assert "from 2:10\u202fPM to 2:13\u202fPM" in text or "from 2:10 PM to 2:13 PM" in text
    assert "ends at" not in text and "voucher" not in text


