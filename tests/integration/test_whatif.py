"""What a fix would save (issue 25, item 2): a period's credits replayed with the equipment or policy changed.

The known day (``tests/support/known_day.py``) is the fixed period; its figures are checked by
hand there, and each what-if below is worked out by hand from them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from compensator.cli import main
from compensator.clock import FakeClock
from compensator.errors import InvalidInput
from compensator.services.outages import use_cases as outages
from compensator.services.sessions import use_cases as sessions
from compensator.services.whatif import parse_changes, what_if
from tests.conftest import VENUE
from tests.support.golden_day import report_of_the_golden_day
from tests.support.known_day import DAY, at_local, do

# 40 + 25 + 30 + 20 minutes; 40 000 + 25 000 + 15 000 + 20 000 kobo; s1 (o1), s2, s3, s1 (o2).
REAL = {"credit_minutes": 115, "credit_value_minor": 100000, "compensations": 4}


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock at 08:00 Lagos time on the known day, before the golden day opens."""
    return FakeClock(datetime(2026, 11, 22, 7, 0, tzinfo=UTC))


def ask(uow, *texts: str, first: date = DAY, last: date = DAY, price: int | None = None):
    with uow() as unit:
        return what_if(unit, first, last, parse_changes(unit.settings, texts), price).outcome


def test_the_known_day_replayed_unchanged_gives_what_was_really_credited(uow, known_day) -> None:
    outcome = ask(uow)
    assert outcome.before.as_dict() == REAL
    assert outcome.after == outcome.before
    assert (outcome.saving_minor, outcome.saving_per_30_days_minor, outcome.payback_days) == (0, 0, None)


def test_a_gaming_ups_longer_than_every_cut_leaves_only_the_standard_zones_credit(uow, known_day) -> None:
    # o1 lasted 25 min (corrected), o2 5 min: a 30-minute UPS bridges both for G1 and G2.
    outcome = ask(uow, "zones.gaming.ups_minutes=30", price=180000)
    assert outcome.after.as_dict() == {"credit_minutes": 30, "credit_value_minor": 15000, "compensations": 1}
    assert outcome.saving_minor == 85000
    assert outcome.saving_per_30_days_minor == 85000 * 30
    # 180 000 / 85 000 a day → 2.1… → 3 days.
    assert outcome.payback_days == 3


def test_a_standard_ups_longer_than_every_cut_spares_the_postpaid_bill(uow, known_day) -> None:
    outcome = ask(uow, "zones.standard.ups_minutes=30")
    assert outcome.after.as_dict() == {"credit_minutes": 85, "credit_value_minor": 85000, "compensations": 3}
    assert outcome.saving_minor == 15000


def test_a_generator_within_ten_minutes_shortens_the_long_cut(uow, known_day) -> None:
    # o1 14:20–14:30. s1: lost 10 + restart 3 + lost work 10 = 23 → 25 time (25 000); s2 the same,
    # its time up at 14:30 → 25 voucher (25 000); s3 behind the 10-minute UPS is never dark.
    # o2 (5 min) is unchanged: s1 lost 5 + 3 + 10 = 18 → 20 (20 000).
    outcome = ask(uow, "restore_within_minutes=10")
    assert outcome.after.as_dict() == {"credit_minutes": 70, "credit_value_minor": 70000, "compensations": 3}
    assert outcome.saving_minor == 30000


def test_a_policy_change_goes_through_the_policy(uow, known_day) -> None:
    # Unrounded: 38 + 23 + 28 + 18 = 107 min; 38 000 + 23 000 + 14 000 + 18 000 kobo.
    outcome = ask(uow, "policy.round_to_minutes=1")
    assert outcome.after.as_dict() == {"credit_minutes": 107, "credit_value_minor": 93000, "compensations": 4}
    # More goodwill costs more: the saving is negative, and nothing pays back.
    dearer = ask(uow, "policy.goodwill_minutes=5", price=1000)
    assert dearer.saving_minor < 0 and dearer.payback_days is None


def test_a_seat_fault_is_not_bridged_by_a_bigger_ups(uow, clock) -> None:
    at_local(clock, 14, 0)
    do(uow, sessions.start_session, seat_id="A1", minutes=120)
    fault = do(uow, outages.start_outage, seats=["A1"])
    at_local(clock, 14, 20)
    do(uow, outages.end_outage, fault.id)
    at_local(clock, 15, 0)
    venue = do(uow, outages.start_outage, zones=["standard"])
    at_local(clock, 15, 30)
    do(uow, outages.end_outage, venue.id)
    before = ask(uow)
    after = ask(uow, "zones.standard.ups_minutes=60", "restore_within_minutes=5")
    assert after.before == before.after == before.before
    # The seat fault's credit stands: dark 14:10–14:20 behind the real 10-minute UPS, lost 10 + restart 3
    # + lost work 10 = 23 → 25 min (12 500 kobo); the zone's 30-minute cut is bridged by the new UPS.
    assert after.after.as_dict() == {"credit_minutes": 25, "credit_value_minor": 12500, "compensations": 1}


def test_a_cut_across_midnight_counts_whole_in_the_period_it_began_in(uow, clock) -> None:
    at_local(clock, 21, 0)
    do(uow, sessions.start_session, seat_id="G1", minutes=240)
    at_local(clock, 23, 50)
    cut = do(uow, outages.start_outage)
    at_local(clock, 0, 10, day=23)
    do(uow, outages.end_outage, cut.id)
    # Dark 23:50–00:10: lost 20 + restart 3 + lost work 10 = 33 → 35 min at 600/h.
    assert ask(uow).before.as_dict() == {"credit_minutes": 35, "credit_value_minor": 35000, "compensations": 1}
    assert ask(uow, first=DAY + timedelta(days=1), last=DAY + timedelta(days=1)).before.compensations == 0
    both = ask(uow, "restore_within_minutes=10", first=DAY, last=DAY + timedelta(days=1))
    # 10 + 3 + 10 = 23 → 25 min; over two days.
    assert both.after.as_dict() == {"credit_minutes": 25, "credit_value_minor": 25000, "compensations": 1}
    assert both.saving_per_30_days_minor == 10000 * 30 // 2


@pytest.mark.parametrize(("text", "words"), [
    ("zones.vip.ups_minutes=5", "unknown zone 'vip'"),
    ("zones.standard.price_minor_per_hour=5", "ups_minutes is the only equipment"),
    ("zones.standard.ups_minutes=ten", "must be a whole number"),
    ("zones.standard.ups_minutes=-1", "must be a whole number"),
    ("policy.round_to=1", 'did you mean "round_to_minutes"'),
    ("policy.round_to_minutes=0", "policy.round_to_minutes: must be a whole number from 1 to 60"),
    ("restore_within_minutes", "is not KEY=VALUE"),
    ("generator=5", "unknown key 'generator'"),
])
def test_a_bad_change_is_refused_with_a_clear_sentence(settings, text: str, words: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_changes(settings, [text])
    assert words in raised.value.message


def _config(tmp_path: Path, database: Path) -> Path:
    path = tmp_path / "whatif.yaml"
    path.write_text(yaml.safe_dump(dict(VENUE, database={"url": f"sqlite:///{database.as_posix()}"})),
                    encoding="utf-8")
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_command_answers_in_json_and_leaves_the_database_byte_for_byte(runtime, known_day, tmp_path: Path,
                                                                          capsys) -> None:
    database = Path(str(runtime.engine.url).removeprefix("sqlite:///"))
    # Closing the runtime's connections writes its log into the file: the file is then the whole database.
    runtime.close()
    config = _config(tmp_path, database)
    before = _sha256(database)
    assert main(["whatif", "--config", str(config), "--from", DAY.isoformat(), "--to", DAY.isoformat(),
                 "--set", "zones.gaming.ups_minutes=30", "--set", "zones.standard.ups_minutes=30",
                 "--price", "180000", "--format", "json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert list(answer) == ["before", "after", "saving_minor", "saving_per_30_days_minor", "payback_days"]
    assert _sha256(database) == before
    assert not database.with_name(database.name + "-wal").exists() or database.with_name(
        database.name + "-wal").stat().st_size == 0
    assert answer["before"] == REAL
    # Every power cut of both zones bridged: nothing is credited any more.
    assert answer["after"] == {"credit_minutes": 0, "credit_value_minor": 0, "compensations": 0}
    assert answer["saving_minor"] == 100000
    assert answer["saving_per_30_days_minor"] == 3000000
    assert answer["payback_days"] == 2
    assert main(["whatif", "--config", str(config), "--from", DAY.isoformat(), "--to",
                 (DAY + timedelta(days=29)).isoformat(), "--set", "zones.gaming.ups_minutes=30",
                 "--price", "180000"]) == 0
    text = capsys.readouterr().out
    assert "A 30-minute UPS in Gaming would have saved NGN" in text and "pays for itself in" in text
    assert _sha256(database) == before


def test_the_command_refuses_a_bad_key_with_exit_status_2(runtime, tmp_path: Path, capsys) -> None:
    database = Path(str(runtime.engine.url).removeprefix("sqlite:///"))
    config = _config(tmp_path, database)
    assert main(["whatif", "--config", str(config), "--from", "2026-11-01", "--to", "2026-11-30",
                 "--set", "zones.vip.ups_minutes=5"]) == 2
    assert "unknown zone 'vip'" in capsys.readouterr().err
    assert main(["whatif", "--config", str(config), "--from", "2026-11-30", "--to", "2026-11-01"]) == 2
    assert "ends before it begins" in capsys.readouterr().err


def test_the_golden_day_replayed_unchanged_gives_what_was_really_credited(uow, clock) -> None:
    # Moves, pauses, corrections that top up and waive, a voucher redeemed, a credit awaiting approval.
    report_of_the_golden_day(uow, clock)
    outcome = ask(uow)
    assert outcome.before.compensations > 5
    assert outcome.after == outcome.before


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_on_either_database_the_replay_equals_the_real_credits_and_writes_nothing(uow, known_day) -> None:
    from sqlalchemy import func, select

    from compensator.store.models import AuditRecord, Compensation, LedgerEntry, Notice, Voucher

    def counts():
        with uow() as unit:
            return [unit.db.scalar(select(func.count()).select_from(model))
                    for model in (Compensation, LedgerEntry, Voucher, Notice, AuditRecord)]

    before = counts()
    assert ask(uow).after.as_dict() == REAL
    bridged = ask(uow, "zones.gaming.ups_minutes=30", "zones.standard.ups_minutes=30")
    assert bridged.after.as_dict() == {"credit_minutes": 0, "credit_value_minor": 0, "compensations": 0}
    assert counts() == before
