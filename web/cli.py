"""The ``compensator`` console script: the engine's commands plus ``run`` and ``demo``.

This is the composition root: it is the one place that joins the engine to the web layer and
the server, so that ``compensator/`` never has to import Flask.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compensator import cli
from compensator.cli.common import EXIT_OK, CommandError, runtime_of, settings_of

if TYPE_CHECKING:
    from compensator.runtime import Compensator

# Where `compensator demo` (and `make run`) keeps its database and config.yaml unless --dir says otherwise.
DEMO_FOLDER = "compensator-demo"


def serve(runtime: Compensator, host: str, port: int, *, secret_key: str | None = None,
          demo_folder: Path | None = None) -> int:
    """Serve the dashboard and API of ``runtime``, with the scheduler and UPS pollers running, until interrupted."""
    from compensator.adapters.nut import start_pollers, stop_pollers
    from compensator.collector import freeze_after_start_up
    from compensator.scheduler import build_scheduler
    from web import create_app
    from web.server import serve_app

    _log_engine_to_stderr()
    config: dict[str, Any] = {"SECRET_KEY": secret_key} if secret_key else {}
    if demo_folder is not None:
        config["COMPENSATOR_DEMO_FOLDER"] = str(demo_folder)
    app = create_app(runtime, config or None)
    scheduler = build_scheduler(runtime, app.extensions["compensator.alerts"])
    scheduler.start()
    pollers = start_pollers(runtime)
    # Started: what is alive now lives as long as the process, and the collector need not walk it again.
    freeze_after_start_up()
    print(f"Compensator serving {runtime.settings.venue.name} on http://{host}:{port}/ (Ctrl+C stops)", flush=True)
    try:
        # waitress, guarded against slow and hostile clients: web.server says how.
        serve_app(app, host, port)
    finally:
        stop_pollers(pollers)
        scheduler.shutdown(wait=False)
    return EXIT_OK


def _log_engine_to_stderr() -> None:
    """Show the program's own log lines (a UPS on battery, a report archived) on the server's terminal, once each.

    One handler, on the root logger: waitress's ``logging.basicConfig()`` then finds it there and
    adds none, and a line from the engine or the web layer goes through it once. Libraries keep
    the root's WARNING level; the program's own loggers say what they do at INFO.
    """
    import logging

    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    for name in ("compensator", "web"):
        logging.getLogger(name).setLevel(logging.INFO)


def cmd_run(args: argparse.Namespace) -> int:
    """Serve the dashboard and the API for the configured venue."""
    from compensator.store.health import DatabaseUnusable
    from compensator.store.server_lock import hold_server_lock

    # Before the runtime opens: a step of the PC's clock found at start-up is told like any other.
    _log_engine_to_stderr()
    # Taken before the migrations: a second server on the same SQLite file is refused before it touches it.
    try:
        lock = hold_server_lock(settings_of(args).database.url)
    except DatabaseUnusable as error:
        raise CommandError(str(error)) from None
    try:
        runtime = runtime_of(args)
        try:
            return serve(runtime, args.host or runtime.settings.server.host,
                         args.port or runtime.settings.server.port)
        finally:
            runtime.close()
    finally:
        if lock is not None:
            lock.release()


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve a demo venue with live data from a database kept in a folder of its own."""
    import os
    import secrets
    import shlex
    import sys

    from compensator.demo import CONFIG_FILE, DEMO_PINS, open_demo

    folder = Path(args.dir).resolve()
    runtime, seeded = open_demo(folder, config_path=args.config, fresh=args.fresh)
    config = folder / CONFIG_FILE
    print(("Demo seeded in " if seeded else "Demo data kept from the last start in ") + f"{folder} "
          "(delete the folder, or start with --fresh, for a new demo).", flush=True)
    print("Log in as " + " or ".join(f"{name} (PIN {pin}, {role})" for name, (role, pin) in DEMO_PINS.items())
          + ".", flush=True)
    # The command as it was started (`make run` starts .venv/bin/compensator), so that the line runs as printed.
    command = sys.argv[0] if Path(sys.argv[0]).name == "compensator" else "compensator"
    print(f"The command line reaches this demo's data with --config {config}, for example:\n"
          f"  {shlex.quote(command)} --config {shlex.quote(str(config))} token create my-device", flush=True)
    if os.environ.get("COMPENSATOR_DATABASE_URL"):
        print("Note: COMPENSATOR_DATABASE_URL is set and would win over that --config: unset it for the demo.",
              flush=True)
    try:
        # A demo's logins need not survive it: a fresh key leaves no file behind.
        return serve(runtime, args.host, args.port, secret_key=secrets.token_hex(32), demo_folder=folder)
    finally:
        runtime.close()


def add_server_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add ``run`` and ``demo`` to the command's sub-commands."""
    run = commands.add_parser("run", parents=[common], help="serve the dashboard, API and scheduler")
    run.add_argument("--host", default=None)
    run.add_argument("--port", type=int, default=None)
    run.set_defaults(handler=cmd_run)
    demo = commands.add_parser("demo", parents=[common],
                               help="serve a demo venue from a database kept in a folder (./compensator-demo)")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--dir", default=DEMO_FOLDER, help="the demo's folder: its database and config.yaml")
    demo.add_argument("--fresh", action="store_true", help="throw the kept demo data away and seed a new demo")
    demo.set_defaults(handler=cmd_demo)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``compensator`` command."""
    return cli.main(argv, add_server_commands)
