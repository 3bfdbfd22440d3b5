"""The server side of ``bench.mixed_load``: a bench venue served as ``compensator run`` serves it.

``python -m bench.mixed_server --config PATH --database-url URL --port P [--reads-take-write-lock]``
builds the runtime of the configuration file on an existing, migrated database (the venue
``bench.mixed_venue`` built) and calls ``web.cli.serve``: waitress, the scheduler and its jobs, as
in production. With
``--reads-take-write-lock`` the engine makes read-only units of work begin ``IMMEDIATE`` as every
transaction did before issue 14, which is the floor the deferred reads are compared against.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from compensator.clock import SystemClock
from compensator.config import load_settings
from compensator.runtime import Compensator
from compensator.store.database import make_engine, make_session_factory
from web.cli import serve


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the bench venue until the process is stopped."""
    parser = argparse.ArgumentParser(prog="python -m bench.mixed_server")
    parser.add_argument("--config", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--reads-take-write-lock", action="store_true")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url, reads_take_write_lock=args.reads_take_write_lock)
    runtime = Compensator(load_settings(args.config), SystemClock(), engine, make_session_factory(engine))
    try:
        return serve(runtime, "127.0.0.1", args.port, secret_key="bench")
    finally:
        runtime.close()


if __name__ == "__main__":
    raise SystemExit(main())
