"""The what-if form on the manager page (issue 25, item 2): the answer, and a bad change as a form error."""

from __future__ import annotations

import html

from tests.conftest import log_in_cookie

PAGE = "/manage/whatif"
DAY = "2026-11-22"


def ask(client, changes: str, price: str = "") -> tuple[int, str]:
    reply = client.get(PAGE, query_string={"from": DAY, "to": DAY, "changes": changes, "price": price})
    return reply.status_code, html.unescape(reply.get_data(as_text=True))


def test_the_manager_page_carries_the_form(client, known_day) -> None:
    log_in_cookie(client, "bola", "manager")
    page = client.get("/manage").get_data(as_text=True)
    assert 'action="/manage/whatif"' in page and 'name="changes"' in page
    # This month so far, by default.
    assert 'value="2026-11-01"' in page and f'value="{DAY}"' in page


def test_a_gaming_ups_longer_than_every_cut_answers_with_the_saving_and_payback(client, known_day) -> None:
    log_in_cookie(client, "bola", "manager")
    status, page = ask(client, "zones.gaming.ups_minutes=30", price="1,800")
    assert status == 200
    assert "<h2>Credits on 22 November 2026</h2>" in page
    # Before 115 min, NGN 1,000; after 30 min, NGN 150; saving NGN 850 a day; 1 800 / 850 → 3 days.
    assert "<td>115</td><td>NGN1,000.00</td><td>4</td>" in page.replace("\xa0", "")
    assert "<td>30</td><td>NGN150.00</td><td>1</td>" in page.replace("\xa0", "")
    assert "Payback: 3 days." in page
    assert "A 30-minute UPS in Gaming would have saved" in page and "pays for itself in 3 days." in page


def test_a_bad_change_is_a_form_error(client, known_day) -> None:
    log_in_cookie(client, "bola", "manager")
    status, page = ask(client, "zones.vip.ups_minutes=5")
    assert status == 400
    assert "unknown zone 'vip'" in page and 'role="alert"' in page
    # The form keeps what was typed.
    assert "zones.vip.ups_minutes=5</textarea>" in page
    status, page = ask(client, "", price="a lot")
    assert status == 400 and "the price must be an amount" in page


def test_an_attendant_may_not_ask(client) -> None:
    log_in_cookie(client, "ada")
    assert client.get(PAGE).status_code == 403


def test_the_answer_names_its_period_and_leaves_the_form_out_of_print(client, known_day) -> None:
    log_in_cookie(client, "bola", "manager")
    reply = client.get(PAGE, query_string={"from": "2026-11-01", "to": DAY, "changes": "zones.gaming.ups_minutes=30"})
    page = html.unescape(reply.get_data(as_text=True))
    assert "<h2>Credits from 1 November 2026 to 22 November 2026 (22 days)</h2>" in page
    assert '<section class="card no-print">' in page and '<p class="no-print"><a href="/manage">' in page


def test_the_replay_runs_with_the_collector_held_off(client, known_day, monkeypatch) -> None:
    # A month's replay over a busy venue took 186 s with the collector on and 42 s with it held off (bench.whatif).
    import gc

    from web import whatif

    seen = []

    def replayed(*args, **kwargs):
        seen.append(gc.isenabled())
        return what_if(*args, **kwargs)

    what_if = whatif.what_if
    monkeypatch.setattr(whatif, "what_if", replayed)
    log_in_cookie(client, "bola", "manager")
    status, page = ask(client, "zones.gaming.ups_minutes=30")
    assert status == 200 and "Payback" not in page and "would have saved" in page
    assert seen == [False] and gc.isenabled()
