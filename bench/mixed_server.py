"""The server side of ``bench.mixed_load``: a bench venue served as ``compensator run`` serves it.

``python -m bench.mixed_server --database-url URL --seats N --port P [--reads-take-write-lock]``
builds the runtime on an existing, migrated database (the venue of ``bench.common.venue_settings``)
and calls ``web.cli.serve``: waitress, the scheduler and its jobs, as in production. With
``--reads-take-write-lock`` the engine makes read-only units of work begin ``IMMEDIATE`` as every
transaction did before issue 14, which is the floor the deferred reads are compared against.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bench.common import venue_settings
from compensator.clock import SystemClock
from compensator.runtime import Compensator
from compensator.store.database import make_engine, make_session_factory
from web.cli import serve


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the bench venue until the process is stopped."""
    parser = argparse.ArgumentParser(prog="python -m bench.mixed_server")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seats", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--reads-take-write-lock", action="store_true")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url, reads_take_write_lock=args.reads_take_write_lock)
    runtime = Compensator(venue_settings(args.seats), SystemClock(), engine, make_session_factory(engine))
    try:
        return serve(runtime, "127.0.0.1", args.port, secret_key="bench")
    finally:
        runtime.close()


if __name__ == "__main__":
    raise SystemExit(main())
