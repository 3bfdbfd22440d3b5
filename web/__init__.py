"""The Flask dashboard and JSON API over the Compensator engine.

``create_app`` is the only way in: it binds one engine runtime to a new Flask app and registers
one blueprint per area. Views stay thin: parse input, call one service, render.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from compensator.runtime import Compensator


def create_app(runtime: Compensator, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web application around an engine runtime."""
    # Imported here, not above: the ``compensator`` command (``web.cli``, in this package) must
    # start without Flask, the printer library or the database layer for its other commands.
    from flask import Flask

    from compensator.adapters.escpos import open_printer
    from compensator.services.counter.alerts import AlertBoard
    from compensator.timeofday import time_of_day

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

    # ``receipts`` adds the letters' and bills' routes to the dashboard's blueprint.
    from web import (
        api,
        api_json,
        auth,
        dashboard,
        errors,
        evidence,
        forms,
        guards,
        i18n,
        labels,
        language,
        manage,
        receipts,  # noqa: F401 - adds the letters' and bills' routes to the dashboard's blueprint
        reports,
        sales,
        security,
        whatif,
    )

    security.init_app(app, runtime)

    app.extensions["compensator.alerts"] = AlertBoard()
    app.extensions["compensator.seats_answer"] = api_json.SeatsAnswer()
    # A new printer for each receipt; tests put a factory of their own here.
    app.extensions["compensator.printer"] = partial(open_printer, runtime.settings.printer)
    errors.init_app(app)
    i18n.init_app(app)
    guards.init_app(app)

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"csrf_token": auth.csrf_token, "form_fields": forms.form_fields, "actor": auth.current_actor,
                "venue": runtime.settings.venue,
                "has_page": lambda endpoint: endpoint in app.view_functions,
                "name_of": labels.name_of, "notice_status": labels.notice_status,
                "feedback_name": labels.feedback_name,
                "time_of_day": lambda moment: time_of_day(moment, runtime.settings.venue.tz,
                                                          runtime.settings.venue.clock, i18n.ui_language()),
                "day_and_time": lambda moment: i18n.day_and_time(moment, runtime.settings.venue),
                # The folder of `compensator demo`'s data when this is the demo (the login page says so).
                "demo_folder": app.config.get("COMPENSATOR_DEMO_FOLDER")}

    app.register_blueprint(auth.bp)
    app.register_blueprint(language.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(sales.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(evidence.bp)
    app.register_blueprint(whatif.bp)
    return app
