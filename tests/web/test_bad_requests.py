"""About 185 bad requests, malformed, mistyped, huge, unicode and out of range, on SQLite and PostgreSQL.

None may answer 5xx or log an error (SPEC §5): each gets a 4xx naming what is wrong. Ids
beyond a 32-bit column are unknown ids (404), days and times outside 2000-2100 are 400
naming the field, a body over 1 MiB is 413, a wrong method is 405 with ``Allow``.
"""

from __future__ import annotations

import logging

import pytest

from tests.conftest import log_in_cookie, power_cut_over

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True),
              pytest.mark.usefixtures("past_power_cut")]

HUGE_IDS = ["0", "2147483648", "9223372036854775807", "9223372036854775808", "1" + "0" * 40]
ID_PATHS = ["/sessions/{}", "/outages/{}", "/notices/{}"]
ID_ACTIONS = ["/sessions/{}/extend", "/sessions/{}/pause", "/sessions/{}/end", "/outages/{}/end",
              "/outages/{}/confirm", "/compensations/{}/approve", "/notices/{}/deliver", "/notices/{}/print"]
BAD_DAYS = ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01", "2026-02-30", "2026-13-01", "22/11/2026", "%00"]
BAD_TIMES = ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-14:00", "9999-12-31T23:59:59-14:00",
             "9999-12-31T23:59:59+14:00", "1999-12-31T23:59:59+00:00", "2026-11-22T14:00:00", "soon", "",
             "2026-11-22T14:00:00+25:00", "x" * 10_000]
NUL, LONE = "\\u0000", "\\ud800"
TEXTS = [f"a{NUL}b", LONE, "\\udc00x", f"{LONE}{LONE}", "x" * 100_000, f'{NUL * 3}']
DEEP = ["[" * 50_000 + "]" * 50_000, '{"a":' * 50_000 + "1" + "}" * 50_000, "[" * 33 + "]" * 33,
        '{"seat": ' + "[" * 40 + "]" * 40 + "}"]
MALFORMED = ["null", "[]", '"x"', "7", "{", "{'seat': 'A1'}", '{"seat": "A1",}', "\xff\xfe", "NaN",
             '{"minutes": NaN}', '{"minutes": Infinity}', '{"minutes": 1e400}', '{"minutes": -1e400}']


def _json_string(text: str) -> str:
    return f'"{text}"'


def bad_requests() -> list[tuple[str, str, str | None, dict[str, str]]]:
    """Each bad request: method, path under /api/v1, raw JSON body (None for none), headers."""
    cases: list[tuple[str, str, str | None, dict[str, str]]] = []
    for number in HUGE_IDS:
        cases += [("GET", path.format(number), None, {}) for path in ID_PATHS]
        cases += [("POST", path.format(number), "{}", {}) for path in ID_ACTIONS]
    cases += [("GET", f"/outages?date={day}", None, {}) for day in BAD_DAYS]
    cases += [("GET", f"/reports/daily/{day}", None, {}) for day in BAD_DAYS]
    for moment in BAD_TIMES:
        cases += [("POST", "/outages", f'{{"started_at": "{moment}"}}', {}),
                  ("POST", "/outages/1/end", f'{{"ended_at": "{moment}"}}', {})]
    for text in TEXTS:
        cases += [("POST", "/sessions", f'{{"seat": "A1", "minutes": 30, "customer_name": {_json_string(text)}}}', {}),
                  ("POST", "/outages", f'{{"note": {_json_string(text)}}}', {}),
                  ("POST", "/outages", f'{{"zones": [{_json_string(text)}]}}', {}),
                  ("POST", "/heartbeats", f'{{"seat": {_json_string(text)}}}', {}),
                  ("POST", "/outages/1/dismiss", f'{{"reason": {_json_string(text)}}}', {})]
    cases += [("POST", path, raw, {}) for raw in DEEP for path in ("/sessions", "/outages")]
    cases += [("POST", path, raw, {}) for raw in MALFORMED for path in ("/sessions", "/heartbeats")]
    cases += [
        ("POST", "/sessions", '{"seat": "A1", "minutes": 30, "seet": "A2"}', {}),
        ("POST", "/sessions", '{"seat": "A1", "minutes": "30"}', {}),
        ("POST", "/sessions", '{"seat": "A1", "minutes": 30.5}', {}),
        ("POST", "/sessions", '{"seat": "A1", "minutes": 1000000000000000000000}', {}),
        ("POST", "/sessions", '{"seat": "A1", "minutes": -9223372036854775809}', {}),
        ("POST", "/sessions", '{"seat": "A1", "minutes": true}', {}),
        ("POST", "/sessions", '{"seat": ["A1"], "minutes": 30}', {}),
        ("POST", "/sessions", '{"seat": "A1", "postpaid": "true"}', {}),
        ("POST", "/sessions", '{"seat": "A1", "minutes": 30, "language": "e\\u0000n"}', {}),
        ("POST", "/vouchers/ABCDEFGHJ/redeem", '{"session": 9223372036854775808}', {}),
        ("POST", "/vouchers/ABCDEFGHJ/redeem", '{"session": "1"}', {}),
        ("POST", "/vouchers/%00/redeem", '{"seat": "A1"}', {}),
        ("POST", "/vouchers/" + "A" * 5000 + "/redeem", '{"seat": "A1"}', {}),
        ("POST", "/ups/%00/events", '{"event": "ONBATT"}', {}),
        ("POST", "/ups/venue/events", '{"event": "onbatt"}', {}),
        ("POST", "/notices/1/deliver", '{"how": "shown", "feedback": "\\u0000"}', {}),
        ("GET", "/notices?limit=99999999999999999999", None, {}),
        ("GET", "/notices?before=%00", None, {}),
        ("GET", "/notices?status=%00", None, {}),
        ("GET", "/notices?nonsense=1", None, {}),
        ("GET", "/notices/1?format=%00", None, {}),
        ("GET", "/seats?x=%00", None, {}),
        ("POST", "/sessions", '{"seat": "A1", "minutes": 30}', {"Idempotency-Key": "k" * 101}),
        ("POST", "/sessions", '{"seat": "A1", "minutes": 30}', {"Idempotency-Key": "   "}),
        ("POST", "/sessions", '{"seat": "' + "A" * (2 * 1024 * 1024) + '"}', {}),
    ]
    return cases


WRONG_METHODS = [("DELETE", "/seats"), ("PUT", "/sessions"), ("PATCH", "/sessions/1"), ("GET", "/heartbeats"),
                 ("DELETE", "/outages/1"), ("GET", "/sessions/1/extend"), ("PUT", "/notices/1/deliver"),
                 ("GET", "/ups/venue/events")]


@pytest.fixture
def past_power_cut(uow, clock) -> None:
    """A cut over a session on A1, ended: an outage, a compensation and a notice for the requests to name."""
    power_cut_over(uow, clock, {"A1": 60}, after_minutes=10, lasting_minutes=15)


def errors_logged(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


def test_no_bad_request_gets_a_server_error_or_a_traceback(app, bearer, caplog) -> None:
    caplog.set_level(logging.ERROR)
    client = app.test_client()
    answers = []
    for method, path, raw, headers in bad_requests():
        response = client.open(f"/api/v1{path}", method=method, data=raw, content_type="application/json",
                               headers={**bearer, **headers})
        answers.append((method, path[:80], (raw or "")[:60], response.status_code))
        assert response.is_json, (method, path[:80])
        assert response.get_json()["error"]["message"]
    assert len(answers) >= 160
    assert [answer for answer in answers if answer[3] >= 500] == []
    assert errors_logged(caplog) == []


@pytest.mark.parametrize("number", HUGE_IDS)
def test_an_id_beyond_the_column_is_an_unknown_id(app, bearer, number) -> None:
    client = app.test_client()
    for path in ID_PATHS:
        assert client.get(f"/api/v1{path.format(number)}", headers=bearer).status_code == 404


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2101-01-01"])
def test_a_day_outside_the_years_is_a_400_naming_the_date(app, bearer, day) -> None:
    response = app.test_client().get(f"/api/v1/outages?date={day}", headers=bearer)
    assert (response.status_code, response.get_json()["error"]["field"]) == (400, "date")


@pytest.mark.parametrize("moment", BAD_TIMES[:4])
def test_a_time_of_year_1_or_9999_is_a_400_naming_the_field(app, bearer, moment) -> None:
    response = app.test_client().post("/api/v1/outages", json={"started_at": moment}, headers=bearer)
    assert (response.status_code, response.get_json()["error"]["field"]) == (400, "started_at")


@pytest.mark.parametrize("text", ["a\x00b", "\ud800"])
def test_a_nul_or_a_lone_surrogate_in_text_is_a_400(app, bearer, text) -> None:
    raw = '{"seat": "A2", "minutes": 30, "customer_name": "' + text.encode("unicode_escape").decode().replace(
        "\\x00", "\\u0000") + '"}'
    response = app.test_client().post("/api/v1/sessions", data=raw, content_type="application/json", headers=bearer)
    assert response.status_code == 400


def test_json_nested_50000_deep_is_refused_without_a_recursion_error(app, bearer) -> None:
    response = app.test_client().post("/api/v1/outages", data="[" * 50_000 + "]" * 50_000,
                                      content_type="application/json", headers=bearer)
    assert response.status_code == 400 and "deeper than 32" in response.get_json()["error"]["message"]


def test_a_body_over_a_mebibyte_is_413_as_json(app, bearer) -> None:
    response = app.test_client().post("/api/v1/sessions", data='{"seat": "' + "A" * (2 * 1024 * 1024) + '"}',
                                      content_type="application/json", headers=bearer)
    assert response.status_code == 413 and response.get_json()["error"]["code"]


def test_a_wrong_method_is_405_with_allow(app, bearer) -> None:
    client = app.test_client()
    for method, path in WRONG_METHODS:
        response = client.open(f"/api/v1{path}", method=method, headers=bearer)
        assert response.status_code == 405, (method, path)
        assert response.headers.get("Allow"), (method, path)
        assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_the_dashboard_refuses_nul_and_huge_ids_without_a_server_error(app, caplog) -> None:
    caplog.set_level(logging.ERROR)
    client = app.test_client()
    log_in_cookie(client, "ada", csrf_token="t")
    answers = [
        client.post("/seats/A2/start", data={"csrf_token": "t", "minutes": "30", "customer_name": "a\x00b"}),
        client.post("/seats/A%00/start", data={"csrf_token": "t", "minutes": "30"}),
        client.post("/power-back", data={"csrf_token": "t", "outage": "9223372036854775808"}),
        client.get("/sessions/9223372036854775808/bill"),
        client.get("/notices/2147483648"),
        client.get("/notices/1/receipt?width=99999999999999999999"),
        client.get("/reports?date=9999-12-31"),
        client.get("/reports/0001-01-01"),
        client.get("/?q=%00"),
    ]
    assert [answer.status_code for answer in answers if answer.status_code >= 500] == []
    assert errors_logged(caplog) == []
