"""Apology notices: wording in every language, fallbacks, owner overrides."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compensator.domain.kinds import CompensationForm, OutageKind
from compensator.notices.compose import NoticeComposer, NoticeFacts, compose
from compensator.notices.wording import BUILT_IN_DIRECTORY, NoticeCatalog, _flatten, _read, template_parts
from compensator.timeofday import ClockStyle

START = datetime(2026, 11, 22, 13, 18, tzinfo=UTC)


def facts(form: CompensationForm = CompensationForm.TIME, **overrides) -> NoticeFacts:
    values = dict(
        venue_name="Bright Star Cyber Café", timezone=ZoneInfo("Africa/Lagos"), currency="NGN",
        customer_name="Chidi", kind=OutageKind.POWER, dark_start=START + timedelta(minutes=10),
        dark_end=START + timedelta(minutes=21),
        lost_minutes=11, credit_minutes=25, form=form, value_minor=12500,
        new_end=START + timedelta(minutes=67), voucher_code="ABC-DEF-GHJ",
        voucher_expires_at=START + timedelta(days=30), cut_start=START, cut_end=START + timedelta(minutes=21),
        ups_minutes=10,
    )
    values.update(overrides)
    return NoticeFacts(**values)


@pytest.mark.parametrize("language", ["en", "fr", "pcm"])
@pytest.mark.parametrize("form", list(CompensationForm))
def test_a_notice_renders_in_every_shipped_language_and_form(language, form) -> None:
    chosen, text = compose(NoticeCatalog.load("en"), language, facts(form))
    assert chosen == language
    assert "$" not in text
    assert "25" in text and "11" in text
    assert "Bright Star Cyber Café" in text
    if form is CompensationForm.VOUCHER:
        assert "ABC-DEF-GHJ" in text


def test_times_are_shown_in_the_venues_local_time() -> None:
    _, text = compose(NoticeCatalog.load("en"), "fr", facts())
    assert "14:28" in text and "14:39" in text and "15:25" in text


def test_an_unknown_language_falls_back_to_the_venues_default_language() -> None:
    chosen, text = compose(NoticeCatalog.load("fr"), "xx", facts())
    assert chosen == "fr"
    assert "excuses" in text


def test_a_missing_key_in_an_owner_language_falls_back_never_to_an_empty_string(tmp_path: Path) -> None:
    (tmp_path / "yo.yaml").write_text("title: E ma binu\n", encoding="utf-8")
    catalog = NoticeCatalog.load("en", tmp_path)
    chosen, text = compose(catalog, "yo", facts())
    assert chosen == "yo"
    assert text.startswith("E MA BINU")
    assert "We have added 25 minutes" in text
    assert all(paragraph.strip() for paragraph in text.split("\n\n"))


def test_an_owner_template_overrides_the_built_in_wording(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text("thanks: See you tomorrow, $customer!\n", encoding="utf-8")
    _, text = compose(NoticeCatalog.load("en", tmp_path), "en", facts())
    assert "See you tomorrow, Chidi!" in text
    assert "We are sorry" in text


LANGUAGES = ["en", "fr", "pcm"]


def text_of(language: str, **overrides) -> str:
    return compose(NoticeCatalog.load("en"), language, facts(**overrides))[1]


def test_every_language_file_carries_the_same_messages() -> None:
    keys = {path.stem: set(_flatten(_read(path))) for path in BUILT_IN_DIRECTORY.glob("*.yaml")}
    assert set(keys) == set(LANGUAGES)
    assert keys["fr"] == keys["en"] and keys["pcm"] == keys["en"]


@pytest.mark.parametrize(("language", "one", "many"), [
    ("en", "1 minute", "2 minutes"), ("fr", "1 minute", "2 minutes"), ("pcm", "1 minute", "2 minutes")])
def test_one_minute_is_singular_and_more_are_plural_in_every_language(language, one, many) -> None:
    single = text_of(language, dark_end=START + timedelta(minutes=11), lost_minutes=1, credit_minutes=1,
                     cut_end=START + timedelta(minutes=20))
    assert single.count(one) >= 3 and "1 minutes" not in single
    double = text_of(language, dark_end=START + timedelta(minutes=12), lost_minutes=2, credit_minutes=2)
    assert double.count(many) >= 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_notice_tells_the_cut_as_it_was_then_when_and_why_the_seat_went_dark(language) -> None:
    text = text_of(language).replace("\n", " ")
    assert {"en": "from 14:18 to 14:39 (21 minutes)", "fr": "de 14:18 à 14:39 (21 minutes)",
            "pcm": "from 14:18 reach 14:39 (21 minutes)"}[language] in text
    assert {"en": "kept your PC on for 10 minutes; then it went dark, at 14:28",
            "fr": "l'a gardé allumé pendant 10 minutes ; il s'est ensuite éteint, à 14:28",
            "pcm": "hold your PC for 10 minutes; after that, e off for 14:28"}[language] in text
    assert {"en": "It was dark until 14:39 (11 minutes)", "fr": "Il est resté éteint jusqu'à 14:39 (11 minutes)",
            "pcm": "E no get light reach 14:39 (11 minutes)"}[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_seat_without_a_ups_went_dark_as_the_cut_began(language) -> None:
    text = text_of(language, dark_start=START, ups_minutes=0, lost_minutes=21).replace("\n", " ")
    assert {"en": "Your PC went dark as the cut began, at 14:18", "fr": "s'est éteint dès le début de la coupure, à 14:18",
            "pcm": "Your PC off as the light go, for 14:18"}[language] in text


@pytest.mark.parametrize(("language", "length"), [
    ("en", "It was dark for 40 seconds"), ("fr", "Il est resté éteint 40 secondes"),
    ("pcm", "E no get light for 40 seconds")])
def test_a_seat_dark_under_a_minute_is_told_in_seconds_and_never_until_the_same_minute(language, length) -> None:
    text = text_of(language, dark_start=START + timedelta(minutes=10), dark_end=START + timedelta(minutes=10, seconds=40),
                   lost_minutes=1, credit_minutes=1).replace("\n", " ")
    assert length in text
    assert "until 14:28" not in text and "jusqu'à 14:28" not in text and "reach 14:28" not in text
    assert {"en": "counted as a whole minute", "fr": "compte comme une minute entière",
            "pcm": "we count am as full minute"}[language] in text


@pytest.mark.parametrize(("language", "length"), [
    ("en", "3 minutes and 30 seconds"), ("fr", "3 minutes et 30 secondes"), ("pcm", "3 minutes and 30 seconds")])
def test_seconds_beyond_whole_minutes_are_shown_and_said_to_count_as_a_minute(language, length) -> None:
    text = text_of(language, dark_start=START + timedelta(seconds=10), dark_end=START + timedelta(minutes=3, seconds=40),
                   lost_minutes=4, credit_minutes=4).replace("\n", " ")
    assert length in text and "4 minutes" in text
    assert {"en": "whole minute", "fr": "minute entière", "pcm": "full minute"}[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_whole_number_of_minutes_is_not_said_to_be_rounded(language) -> None:
    text = text_of(language).replace("\n", " ")
    assert "seconds" not in text and "secondes" not in text
    assert not any(words in text for words in ("whole minute", "minute entière", "full minute"))


@pytest.mark.parametrize(("language", "words", "thanks"), [
    ("en", "You left at 14:30 while your seat was dark, so the 30 minutes of paid time", "hope to see you again"),
    ("fr", "Vous êtes reparti·e à 14:30 pendant que votre poste était éteint", "espérons vous revoir"),
    ("pcm", "You comot for 14:30 when your seat no get light", "hope to see you again")])
def test_a_customer_who_left_in_the_dark_is_told_what_they_gave_up_and_not_thanked_for_staying(
        language, words, thanks) -> None:
    told = text_of(language, form=CompensationForm.VOUCHER, lost_minutes=30, credit_minutes=45, left_while_dark=True,
                   left_at=START + timedelta(minutes=12)).replace("\n", " ")
    assert words in told and "45 minutes" in told and thanks in told
    assert "for staying with us" not in told and "fidélité" not in told
    stayed = text_of(language, form=CompensationForm.VOUCHER).replace("\n", " ")
    assert words not in stayed and thanks not in stayed


@pytest.mark.parametrize(("language", "words"), [
    ("en", "Of them, 15 minutes had been given back to you before and were not used yet."),
    ("fr", "Parmi elles, 15 minutes étaient des minutes que nous vous avions déjà rendues"),
    ("pcm", "15 minutes from dem na minutes wey we don give you back before")])
def test_a_leaver_is_told_which_minutes_were_carried_over(language, words) -> None:
    told = text_of(language, form=CompensationForm.VOUCHER, lost_minutes=30, credit_minutes=45, left_while_dark=True,
                   left_at=START + timedelta(minutes=12), carried_minutes=15).replace("\n", " ")
    assert words in told


@pytest.mark.parametrize(("language", "words"), [
    ("en", "We have added 10 minutes to your time, up to closing time at 22:00; the other 15 minutes are on a voucher"),
    ("fr", "Nous avons ajouté 10 minutes à votre temps, jusqu'à la fermeture à 22:00 ; les 15 minutes restantes"),
    ("pcm", "We don add 10 minutes to your time, reach closing time for 22:00; the remaining 15 minutes")])
def test_a_time_credit_past_closing_is_told_as_time_until_closing_and_a_voucher(language, words) -> None:
    told = text_of(language, voucher_minutes=15, closing=datetime(2026, 11, 22, 21, 0, tzinfo=UTC)).replace(
        "\n", " ")
    assert words in told and "ABC-DEF-GHJ" in told


@pytest.mark.parametrize(("language", "start", "new_end"), [
    ("en", "2:28 PM", "3:25 PM"), ("fr", "2:28 PM", "3:25 PM"), ("pcm", "2:28 FI", "3:25 FI")])
def test_a_twelve_hour_venue_shows_every_time_on_a_twelve_hour_clock(language, start, new_end) -> None:
    text = text_of(language, clock=ClockStyle.TWELVE_HOUR).replace("\n", " ")
    assert start in text and new_end in text and "14:28" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_twenty_four_hour_venue_shows_every_time_on_a_twenty_four_hour_clock(language) -> None:
    text = text_of(language)
    assert "14:28" in text and "15:25" in text and "PM" not in text


@given(st.text(alphabet="ab ${}_1x", max_size=30))
def test_owner_wording_is_filled_exactly_as_string_template_would(text: str) -> None:
    values = {"a": "A", "ab": "AB", "x_1": "X"}
    filled = "".join(part if isinstance(part, str) else values.get(part[0], part[1])
                     for part in template_parts(text))
    assert filled == string.Template(text).safe_substitute(values)


def test_a_batch_of_notices_reads_as_each_composed_alone_whatever_placeholders_the_owner_puts_where(
        tmp_path: Path) -> None:
    # Owner wording that puts a notice's own placeholders into paragraphs the built-in wording
    # fills from the figures alone, and into the dark span's length.
    (tmp_path / "en.yaml").write_text(
        "fix: $customer, we fix it by $new_end.\nminutes_and_seconds: $minutes and $seconds for $customer\n"
        "title: Sorry $code\n", encoding="utf-8")
    for catalog in (NoticeCatalog.load("en"), NoticeCatalog.load("en", tmp_path)):
        batch = NoticeComposer(catalog)
        variants = [
            facts(), facts(customer_name="Ngozi", new_end=START + timedelta(minutes=71)),
            facts(CompensationForm.VOUCHER, customer_name=None, voucher_code="KLM-NPQ-RST"),
            facts(dark_end=START + timedelta(minutes=21, seconds=30), customer_name="Ada"),
            facts(dark_end=START + timedelta(minutes=21, seconds=30), customer_name="Bola"),
            facts(dark_end=START + timedelta(minutes=10, seconds=40), left_while_dark=True),
            facts(CompensationForm.TIME, new_end=None, lost_minutes=12),
        ]
        for language in ("en", "fr", "en", None):
            for item in variants:
                assert batch.compose(language, item) == compose(catalog, language, item)
    owner = NoticeComposer(NoticeCatalog.load("en", tmp_path))
    first = owner.compose("en", facts(dark_end=START + timedelta(minutes=21, seconds=30)))[1]
    second = owner.compose("en", facts(dark_end=START + timedelta(minutes=21, seconds=30), customer_name="Bola"))[1]
    assert "for Chidi" in first and "for Bola" in second and "Chidi" not in second
    assert "SORRY ABC-DEF-GHJ" in first
