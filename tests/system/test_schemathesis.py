"""schemathesis over the whole OpenAPI document against the real app: no server error, no schema violation.

Every operation of the route table gets generated requests, valid ones and invalid ones, sent
with a device token; every answer must have a documented status, content type, headers and
body shape, and none may be a 5xx or log an error. The run is bounded (a fixed number of
examples per operation and mode, a tenth of them under Hypothesis's dev profile, derandomized)
so that it takes a few minutes and fails the same way twice.
"""

from __future__ import annotations

import logging

import pytest
import schemathesis
from escpos.printer import Dummy
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import power_cut_over
from tests.support.budgets import budget
from web.schemas.routes import OPERATIONS

MAX_EXAMPLES = budget(20)
# Every check but one: a request the schema allows may still be refused with a documented 400
# for rules JSON Schema cannot carry (minutes unless postpaid, exactly one of seat and session,
# a back-dated time within the last 7 days, a report day not in the future).
EXCLUDED = [positive_data_acceptance]
# Negative requests need something to get wrong: a body, a query or a path parameter.
CASES = [(operation.method, operation.path, mode) for operation in OPERATIONS for mode in GenerationMode
         if mode is GenerationMode.POSITIVE or operation.body or operation.query or "{" in operation.path]


@pytest.fixture
def past_power_cut(uow, clock) -> None:
    """A venue with a past power cut: sessions, an outage, compensations and notices to find."""
    power_cut_over(uow, clock, {"A1": 60, "G1": 30}, after_minutes=20, lasting_minutes=30)


@pytest.fixture
def printer_on(app) -> None:
    """A printer that is on: the one 5xx the API may give (503, printer off) is not what this run looks for."""
    app.extensions["compensator.printer"] = Dummy


pytestmark = pytest.mark.usefixtures("past_power_cut", "printer_on")


@pytest.mark.parametrize(("method", "path", "mode"), CASES,
                         ids=[f"{method.upper()} {path} {mode.value}" for method, path, mode in CASES])
def test_every_operation_answers_as_documented(app, token, caplog, method, path, mode) -> None:
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method.upper()]
    headers = {"Authorization": f"Bearer {token}"}
    sent = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_documented(case) -> None:
        sent.append(case)
        case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

    caplog.set_level(logging.ERROR)
    answers_as_documented()
    # Shown with ``pytest -s``: how many requests this operation got.
    print(f"\n{method.upper()} {path} {mode.value}: {len(sent)} requests")
    assert sent
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
