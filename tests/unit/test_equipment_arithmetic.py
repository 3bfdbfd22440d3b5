"""The equipment record's arithmetic: which UPS readings are changes, and what a seat's or zone's bridges say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from compensator.domain.equipment import Bridge, UpsStatus, normalised, number, summary, worth_keeping
from compensator.report.equipment import duration, weak_words

T0 = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(("last", "reading", "kept"), [
    (None, UpsStatus("OL", 100), True),
    (UpsStatus("OL", 100), UpsStatus("OL", 95), False),
    (UpsStatus("OL", 100), UpsStatus("OL", 90), True),
    (UpsStatus("OB DISCHRG", 50), UpsStatus("DISCHRG OB", 49), False),
    (UpsStatus("OB DISCHRG", 50), UpsStatus("OB DISCHRG LB", 49), True),
    (UpsStatus("OL CHRG", 40), UpsStatus("OL CHRG RB", 40), True),
    (UpsStatus("OL"), UpsStatus("OL", 80), True),
    (UpsStatus("OL", 80), UpsStatus("OL"), False),
    (UpsStatus("OL", 80), UpsStatus("", 80), False),
])
def test_a_reading_is_kept_for_new_flags_or_a_charge_moved_ten_points(last, reading, kept) -> None:
    assert worth_keeping(last, reading) is kept


def test_statuses_and_figures_are_read_as_nut_gives_them() -> None:
    assert normalised(" ob  dischrg OB ") == "OB DISCHRG"
    assert (number(b"87.6"), number("12"), number(b""), number(None), number(b"n/a")) == (88, 12, None, None, None)
    assert UpsStatus("OB LB").battery_low and UpsStatus("FSD").battery_low and not UpsStatus("OB").battery_low
    assert UpsStatus("OL RB").replace_battery


def bridge(index: int, held: int, rated: int = 2, dark: bool = True) -> Bridge:
    return Bridge(index, T0 + timedelta(hours=index), held, rated, dark)


def test_short_in_two_of_the_last_three_cuts_is_weak_and_older_cuts_do_not_count() -> None:
    found = summary([bridge(3, 200), bridge(1, 40), bridge(2, 60), bridge(4, 65), bridge(0, 30)])
    assert found is not None
    assert (found.cuts, found.median_held_seconds, found.shortest_held_seconds) == (5, 60, 30)
    # The last three are 60 s, 200 s and 65 s: two short of 120 s, the longer of them 65.
    assert (found.recent, found.short_recent, found.short_held_seconds, found.weak) == (3, 2, 65, True)
    older = summary([bridge(0, 30), bridge(1, 40), bridge(2, 300), bridge(3, 200), bridge(4, 65)])
    assert older is not None and (older.short_recent, older.weak) == (1, False)


def test_a_ups_that_held_through_a_short_cut_never_falls_short() -> None:
    found = summary([bridge(0, 50, dark=False), bridge(1, 60, dark=False), bridge(2, 30)])
    assert found is not None and (found.short_recent, found.weak) == (1, False)
    assert summary([]) is None


def test_the_finding_says_what_was_held_of_the_rating_in_plain_words() -> None:
    assert duration(60) == "1 min" and duration(65) == "1 min 5 s" and duration(45) == "45 s"
    assert weak_words(("A3", "A7"), None, 10, 95, 2, 3) == (
        "Seats A3 and A7: their UPSes held at most 1 min 35 s of their rated 10 minutes in 2 of the last 3 cuts — "
        "check their batteries")
    assert weak_words(("A3",), None, 2, 60, 3, 3) == (
        "Seat A3: its UPS held at most 1 min of its rated 2 minutes in each of the last 3 cuts — check its battery")
