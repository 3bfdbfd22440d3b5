"""Builds the venue of ``bench.mixed_load`` with the checkout on the path, and prints what the clients need.

``PYTHONPATH=CHECKOUT python -P bench/mixed_venue.py CONFIG DATABASE_URL`` migrates an empty
database with that checkout's migrations, starts a session of ``SESSION_MINUTES`` on every
configured seat through its ``start_session``, creates a device token, and prints one JSON
object: the file of the ``compensator`` package it imported (so the caller can check which
checkout built the venue), the token's secret and the ids of the sessions. It imports neither
``bench`` nor anything newer than commit b1d7794 (the issue 14 baseline), so that an old tree
builds its venue with its own code; ``-P`` keeps this folder off the path.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from sqlalchemy import select

import compensator
from compensator.config import load_settings
from compensator.runtime import Compensator
from compensator.store.models import SeatSession

try:
    from compensator.services.people.accounts import create_token
    from compensator.services.sessions import use_cases as sessions
except ImportError:
    # The baseline's tree, before ``services/`` was split by feature.
    from compensator.services import sessions  # type: ignore[no-redef]
    from compensator.services.people import create_token  # type: ignore[no-redef]

# Long enough that no session runs out during a run, short of a day.
SESSION_MINUTES = 8 * 60


def main(argv: Sequence[str]) -> int:
    """Build the venue on the empty database ``argv[1]`` from the configuration file ``argv[0]``."""
    config, database_url = argv
    runtime = Compensator.open(load_settings(config), database_url=database_url)
    try:
        for seat in runtime.settings.seats:
            with runtime.unit_of_work() as uow:
                sessions.start_session(uow, seat_id=seat.id, minutes=SESSION_MINUTES, actor="bench")
        with runtime.unit_of_work() as uow:
            token = create_token(uow, name="bench", actor="bench").secret
        with runtime.unit_of_work() as uow:
            session_ids = sorted(uow.db.scalars(select(SeatSession.id)))
    finally:
        runtime.close()
    json.dump({"package": compensator.__file__, "token": token, "sessions": session_ids}, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
