"""The dashboard page and ``GET /api/v1/seats`` for 50, 500 and 2,000 seats.

Each size gets a venue with a session on every seat and a zone outage going on, served as
``compensator run`` serves it (what start-up left alive frozen out of the garbage collector's
sight, ``compensator.collector.freeze_after_start_up``). Each request is timed twice: as
served, where the runtime's board memo (``compensator.services.counter.board.BoardMemo``) reuses the
last board, nothing having changed; and worked out afresh, the memo emptied before each
request, as after any new fact. Printed: the median time of each (through the Flask test
client, so no network is measured), its ratio to a constant-text Flask route timed in the same
run, and how the cost per seat of the boards worked out afresh grows from 500 to 2,000 seats
(four times the seats should cost about four times as much).
"""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from bench.common import median_ms, open_venue, timed
from compensator.collector import freeze_after_start_up
from compensator.services.counter.board import BoardMemo
from compensator.services.outages import use_cases as outages
from compensator.services.people.accounts import add_attendant, create_token
from web import create_app

SIZES = (50, 500, 2000)
REPETITIONS = 21


def constant_route_ms() -> float:
    """The median time of a Flask route that returns a constant text."""
    app = Flask("constant")

    @app.get("/")
    def constant() -> str:
        return "ok"

    client = app.test_client()
    client.get("/")
    return median_ms([timed(lambda: client.get("/")) for _ in range(REPETITIONS * 5)])


def measure(seat_count: int, directory: Path) -> tuple[float, float, float, float]:
    """Median milliseconds of the dashboard page and of the seats API for ``seat_count`` seats: as served, afresh."""
    runtime, _ = open_venue(seat_count, directory, minutes=lambda index: 30 + index % 90)
    try:
        with runtime.unit_of_work() as uow:
            outages.start_outage(uow, zones=["gaming"], actor="bench")
        with runtime.unit_of_work() as uow:
            token = create_token(uow, name="bench", actor="bench").secret
        with runtime.unit_of_work() as uow:
            person = add_attendant(uow, name="bench", role="manager", pin="1234", actor="bench")
        client = create_app(runtime, {"SECRET_KEY": "bench"}).test_client()
        # A login cookie stands only for a person in the database, at their session version.
        with client.session_transaction() as cookie_session:
            cookie_session.update(attendant=person.name, role=person.role.value, attendant_id=person.id,
                                  session_version=person.session_version, csrf_token="bench")
        headers = {"Authorization": f"Bearer {token}"}
        freeze_after_start_up()

        def dashboard() -> None:
            assert client.get("/").status_code == 200

        def seats_api() -> None:
            assert client.get("/api/v1/seats", headers=headers).status_code == 200

        def afresh(request: Callable[[], None]) -> Callable[[], None]:
            def emptied_first() -> None:
                runtime.board_memo = BoardMemo()
                request()
            return emptied_first

        dashboard()
        seats_api()
        return (median_ms([timed(dashboard) for _ in range(REPETITIONS)]),
                median_ms([timed(seats_api) for _ in range(REPETITIONS)]),
                median_ms([timed(afresh(dashboard)) for _ in range(REPETITIONS)]),
                median_ms([timed(afresh(seats_api)) for _ in range(REPETITIONS)]))
    finally:
        gc.unfreeze()
        runtime.close()


def main() -> None:
    """Run the benchmark and print one line per size."""
    baseline = constant_route_ms()
    print(f"dashboard and seats API (Flask test client); constant route median {baseline:.3f} ms")
    figures: dict[int, tuple[float, float, float, float]] = {}
    for size in SIZES:
        with tempfile.TemporaryDirectory(prefix="compensator-bench-") as name:
            figures[size] = page_ms, api_ms, page_afresh_ms, api_afresh_ms = measure(size, Path(name))
        print(f"  N={size:4d}: dashboard median {page_ms:7.1f} ms (ratio {page_ms / baseline:6.0f}), "
              f"afresh {page_afresh_ms:7.1f} ms (ratio {page_afresh_ms / baseline:6.0f}); "
              f"GET /api/v1/seats median {api_ms:7.1f} ms (ratio {api_ms / baseline:6.0f}), "
              f"afresh {api_afresh_ms:7.1f} ms (ratio {api_afresh_ms / baseline:6.0f})")
    small, big = SIZES[-2], SIZES[-1]
    growth = [figures[big][which] / figures[small][which] for which in (2, 3)]
    print(f"  {big // small} x the seats ({small} -> {big}) cost, afresh, {growth[0]:.1f} x for the dashboard, "
          f"{growth[1]:.1f} x for the seats API (per seat: {growth[0] * small / big:.2f} and "
          f"{growth[1] * small / big:.2f} of the cost at {small})")


if __name__ == "__main__":
    main()
