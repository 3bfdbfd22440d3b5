"""The manager page's box of what is owed in vouchers: those not used yet, by age, and the last 30 days'."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import log_in_cookie, power_cut_over


def test_the_manager_page_shows_the_vouchers_owed_at_their_value(client, uow, clock) -> None:
    # A 20-minute session on a gaming seat runs out during the cut: its credit is a voucher.
    ended, _ = power_cut_over(uow, clock, {"G1": 20}, after_minutes=10, lasting_minutes=20, actor="attendant:ada")
    (credit,) = ended.compensations
    assert credit.voucher_codes
    clock.advance(timedelta(days=24))
    log_in_cookie(client, "bola", "manager")
    page = client.get("/manage").get_data(as_text=True)
    owed = page.split('id="owed"')[1].split("</section>")[0]
    assert "1 voucher not used yet:" in owed
    # Issued 24 days ago and valid 30: in the 8-30 days band, expiring within the next 7 days.
    assert "Expiring in the next 7 days: 1" in owed
    assert "<tr><td>8 to 30 days</td><td>1</td>" in owed
    assert "In the last 30 days: 1 issued, 0 redeemed, 0 expired unused." in owed
    # Lost 10 + restart 3 + lost work 10 = 23 → 25 min, at the gaming price of NGN600/h: NGN250.00.
    assert "1 voucher not used yet: 25 min, worth NGN" in owed and "250.00" in owed
