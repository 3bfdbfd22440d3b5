"""The Flask dashboard and JSON API over the Compensator engine.

``create_app`` is the only way in: it binds one engine runtime to a new Flask app and registers
one blueprint per area. Views stay thin: parse input, call one service, render.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from functools import partial
from typing import Any

from flask import Flask

from compensator.printing import open_printer
from compensator.runtime import Compensator
from compensator.services.alerts import AlertBoard
from compensator.timeofday import time_of_day


def _secret_key(app: Flask) -> str:
    # The cookie key must survive restarts (or every attendant is logged out), so it is kept
    # in the instance folder; an environment variable wins for multi-counter setups.
    if os.environ.get("COMPENSATOR_SECRET_KEY"):
        return os.environ["COMPENSATOR_SECRET_KEY"]
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key, encoding="utf-8")
    return key


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
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)
    app.extensions["compensator"] = runtime

    from web import api, auth, dashboard, errors, forms, i18n, labels, language, manage, reports

    app.extensions["compensator.throttle"] = auth.LoginThrottle()
    app.extensions["compensator.alerts"] = AlertBoard()
    # A new printer for each receipt; tests put a factory of their own here.
    app.extensions["compensator.printer"] = partial(open_printer, runtime.settings.printer)
    errors.init_app(app)
    i18n.init_app(app)

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"csrf_token": auth.csrf_token, "form_fields": forms.form_fields, "actor": auth.current_actor, "venue": runtime.settings.venue,
                "has_page": lambda endpoint: endpoint in app.view_functions,
                "name_of": labels.name_of, "notice_status": labels.notice_status,
                "feedback_name": labels.feedback_name,
                "time_of_day": lambda moment: time_of_day(moment, runtime.settings.venue.tz,
                                                          runtime.settings.venue.clock, i18n.ui_language()),
                "day_and_time": lambda moment: i18n.day_and_time(moment, runtime.settings.venue)}

    app.register_blueprint(auth.bp)
    app.register_blueprint(language.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(reports.bp)
    return app
