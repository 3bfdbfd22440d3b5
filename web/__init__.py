"""The Flask dashboard and JSON API over the Compensator engine.

``create_app`` is the only way in: it binds one engine runtime to a new Flask app and registers
one blueprint per area. Views stay thin: parse input, call one service, render.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from compensator.runtime import Compensator


def create_app(runtime: Compensator, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web application around an engine runtime."""
    app = Flask(__name__)
    app.config.from_mapping(JSON_SORT_KEYS=False)
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["compensator"] = runtime

    from web import api, dashboard

    app.register_blueprint(dashboard.bp)
    app.register_blueprint(api.bp)
    return app
