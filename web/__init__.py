"""The Flask dashboard and JSON API over the Compensator engine.

``create_app`` is the only way in: it binds one engine runtime to a new Flask app and registers
one blueprint per area. Views stay thin: parse input, call one service, render.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Flask

from compensator.printing import open_printer
from compensator.runtime import Compensator
from compensator.services.alerts import AlertBoard
from compensator.timeofday import time_of_day


def create_app(runtime: Compensator, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web application around an engine runtime."""
    app = Flask(__name__)
    app.config.from_mapping(
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=1024 * 1024,
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.extensions["compensator"] = runtime

    from web import api, auth, dashboard, errors, forms, guards, manage, reports, security

    security.init_app(app, runtime)

    app.extensions["compensator.alerts"] = AlertBoard()
    # A new printer for each receipt; tests put a factory of their own here.
    app.extensions["compensator.printer"] = partial(open_printer, runtime.settings.printer)
    errors.init_app(app)
    guards.init_app(app)

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"csrf_token": auth.csrf_token, "form_fields": forms.form_fields, "actor": auth.current_actor, "venue": runtime.settings.venue,
                "has_page": lambda endpoint: endpoint in app.view_functions,
                "time_of_day": lambda moment: time_of_day(moment, runtime.settings.venue.tz,
                                                          runtime.settings.venue.clock)}

    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(reports.bp)
    return app
