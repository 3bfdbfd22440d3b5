"""schemathesis over the whole OpenAPI document against the real app: the document says exactly what the server does.

Two runs, each with every check schemathesis has (none left out):

- every operation of the route table gets generated requests, valid ones and invalid ones, sent
  with a device token through the app itself: every answer has a documented status, content
  type, headers and body shape, a valid request is accepted (no 400 for a rule the document does
  not state), an invalid one refused, and none is a 5xx or logs an error;
- schemathesis's own engine, as ``schemathesis run`` drives it, over the app served on a port,
  with each of its phases: examples (the bodies' examples in the document), coverage (the
  document's boundaries, one value at a time), fuzzing (generated requests, valid and invalid)
  and stateful (chains of calls following the links between operations). Each phase must run
  and pass.

The runs are bounded (a fixed number of examples, a tenth of them under Hypothesis's dev
profile, derandomized) so that they take a few minutes and fail the same way twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import schemathesis
from escpos.printer import Dummy
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.engine import events, from_schema
from schemathesis.engine.run import PhaseName

from tests.conftest import power_cut_over
from tests.support.budgets import budget
from tests.support.served import served_in_a_thread
from web.schemas.routes import OPERATIONS

MAX_EXAMPLES = budget(20)
# The engine's examples per operation and phase: its fuzzing and stateful phases send many requests each.
ENGINE_EXAMPLES = budget(60)
# The phases of ``schemathesis run`` that test the API (its probing and analysis phases come first).
TESTING_PHASES = {PhaseName.EXAMPLES, PhaseName.COVERAGE, PhaseName.FUZZING, PhaseName.STATEFUL_TESTING}
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
        # Every check schemathesis has, positive_data_acceptance included (it was left out before issue 22).
        case.call_and_validate(headers=headers)

    caplog.set_level(logging.ERROR)
    answers_as_documented()
    # Shown with ``pytest -s``: how many requests this operation got.
    print(f"\n{method.upper()} {path} {mode.value}: {len(sent)} requests")
    assert sent
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []


@pytest.fixture
def served(app) -> Iterator[str]:
    """The app served by werkzeug in a thread, as ``schemathesis run`` reaches a server: its API's address."""
    with served_in_a_thread(app) as address:
        yield f"{address}/api/v1"


# Hypothesis warns when it writes out a large generated value; the run's report is what matters.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_every_phase_of_schemathesis_run_passes(served, token, caplog) -> None:
    schema = schemathesis.openapi.from_url(f"{served}/openapi.json")
    schema.config.update(headers={"Authorization": f"Bearer {token}"})
    schema.config.generation.update(max_examples=ENGINE_EXAMPLES, deterministic=True)
    caplog.set_level(logging.ERROR)
    failures, errors, phases = [], [], {}
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            failures += [f"{event.phase.value} {event.recorder.label}: {check.name}: {check.failure_info.failure}\n"
                         f"{check.failure_info.code_sample}"
                         for checks in event.recorder.checks.values() for check in checks
                         if check.failure_info is not None]
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(str(getattr(event, "value", None) or getattr(event, "exception", None)))
        elif isinstance(event, events.PhaseFinished):
            phases[event.phase.name] = event.status.value
    assert errors == []
    assert failures == []
    # Each testing phase ran (none skipped for want of examples or links) and passed.
    assert {phase: phases.get(phase) for phase in TESTING_PHASES} == dict.fromkeys(TESTING_PHASES, "success")
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
