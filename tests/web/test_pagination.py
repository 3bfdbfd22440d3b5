"""Lists that grow are read a page at a time: notices through the API, the audit log on the manager page."""

from __future__ import annotations

import pytest

from compensator.services import audit
from compensator.services.handover import notices
from tests.conftest import power_cut_over


@pytest.fixture
def seven_notices(uow, clock) -> list[int]:
    power_cut_over(uow, clock, dict.fromkeys(("A1", "A2", "A3", "G1", "G2", "G3", "G4"), 60),
                   after_minutes=10, lasting_minutes=15)
    with uow() as unit:
        return [notice.id for notice in notices.list_notices(unit)]


def test_notices_come_a_page_at_a_time_newest_first(api, seven_notices) -> None:
    first = api.get("/notices?limit=3").get_json()
    assert [item["id"] for item in first["notices"]] == seven_notices[:3]
    second = api.get(f"/notices?limit=3&before={first['next_before']}").get_json()
    assert [item["id"] for item in second["notices"]] == seven_notices[3:6]
    last = api.get(f"/notices?limit=3&before={second['next_before']}").get_json()
    assert [item["id"] for item in last["notices"]] == seven_notices[6:] and last["next_before"] is None


def test_the_status_filter_is_applied_before_the_page_is_cut(api, uow, seven_notices) -> None:
    with uow() as unit:
        for notice_id in seven_notices[:4]:
            notices.deliver_notice(unit, notice_id, how="shown", actor="test")
        notices.deliver_notice(unit, seven_notices[4], how="declined", actor="test")
        notices.deliver_notice(unit, seven_notices[0], how="printed", actor="test")
    pending = api.get("/notices?status=pending&limit=5").get_json()["notices"]
    assert [item["id"] for item in pending] == seven_notices[5:]
    shown = api.get("/notices?status=shown").get_json()["notices"]
    assert [item["id"] for item in shown] == seven_notices[1:4]
    assert [item["id"] for item in api.get("/notices?status=printed").get_json()["notices"]] == [seven_notices[0]]


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=ten", "limit=-1", "before=0",
                                   "before=9223372036854775808", "limit=%EF%BC%95", "status=lost"])
def test_a_bad_page_is_a_400_naming_the_parameter(api, query) -> None:
    response = api.get(f"/notices?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == query.split("=")[0]


def test_the_audit_log_is_read_a_page_at_a_time(uow, seven_notices) -> None:
    with uow() as unit:
        newest = audit.recent(unit, limit=2)
        older = audit.recent(unit, limit=2, before=newest[-1].id)
    assert [record.id for record in older] == [newest[-1].id - 1, newest[-1].id - 2]
