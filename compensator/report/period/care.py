"""Care: how each attendant handed the letters over, and the letters never handed over.

A letter is what one customer was handed at once: the notices of one session first delivered
together (``rows.letters``; those never handed over are summed by ``rows.credits``), counted
once with its last delivery's way and feedback, as the day's report counts feedback. It is the
first deliverer's. The minutes from Power back to handover run from the end of the last cut the
letter tells of to its first delivery.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import timedelta

from compensator.domain.kinds import Delivery, Feedback
from compensator.report.period.data import AttendantCare, Care
from compensator.report.period.power import percentile
from compensator.report.period.rows import Letter


def care(letters: Sequence[Letter], pending_letters: int, pending_value_minor: int) -> Care:
    """Each attendant's handovers (by name), with the letters still pending and the credits they tell of."""
    by_attendant: dict[str, list[Letter]] = defaultdict(list)
    for letter in letters:
        by_attendant[letter.attendant].append(letter)
    rows = []
    for attendant in sorted(by_attendant):
        handed = by_attendant[attendant]
        ways = Counter(letter.how for letter in handed)
        faces = Counter(letter.feedback for letter in handed)
        waits = [max(letter.handed_at - letter.power_back, timedelta(0)) for letter in handed
                 if letter.power_back is not None]
        rows.append(AttendantCare(
            attendant=attendant, letters=len(handed), shown=ways[Delivery.SHOWN], printed=ways[Delivery.PRINTED],
            declined=ways[Delivery.DECLINED], median_minutes_to_handover=percentile(waits, 50),
            happy=faces[Feedback.HAPPY], neutral=faces[Feedback.NEUTRAL], unhappy=faces[Feedback.UNHAPPY]))
    return Care(tuple(rows), pending_letters, pending_value_minor)
