"""What every response carries for safety: the cookie key's home, security headers, Secure cookies.

The cookie key is generated on first run into the venue's data folder (beside the SQLite
database), readable by its owner only, so that two venues on one PC never share it and an
installed package holds no secret; ``COMPENSATOR_SECRET_KEY`` wins for several counters that
must accept each other's cookies. The Content-Security-Policy allows scripts from this site
only (there is no inline script to allow) and no framing at all: a dashboard with a *Power cut*
button must never be clickable inside another site's page.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from compensator.clock import Clock
from compensator.runtime import Compensator
from compensator.store.database import data_directory

SECRET_FILE = ".compensator-secret-key"
# Styles stay allowed inline: receipts compute their page size in a <style> block, and a style
# cannot run code. Images may be data: URIs (the report's timeline).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # For browsers older than frame-ancestors.
    "X-Frame-Options": "DENY",
}


def secret_key(runtime: Compensator) -> str:
    """The cookie key: the environment's, else the data folder's, generated there on first run."""
    if os.environ.get("COMPENSATOR_SECRET_KEY"):
        return os.environ["COMPENSATOR_SECRET_KEY"]
    path = data_directory(runtime.engine.url.render_as_string(hide_password=False)) / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    return _create_secret(path)


def _create_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created with owner-only permissions from the start (O_EXCL: two starting servers never
    # write two keys); the one that loses the race reads the winner's.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key)
    return key


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, Secure whenever the request came over HTTPS, its cookies dated
    in business time: setting the PC's clock back an hour must not log every counter out (a cookie
    "signed in the future" is refused), nor setting it forward age them."""

    def __init__(self, https: bool, clock: Clock) -> None:
        self.https = https
        self.clock = clock

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, with a signer that reads the business clock."""
        serializer = super().get_signing_serializer(app)
        if serializer is not None:
            clock = self.clock

            class BusinessTimestampSigner(TimestampSigner):
                def get_timestamp(self) -> int:
                    return int(clock.now().timestamp())

            serializer.signer = BusinessTimestampSigner
        return serializer

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured for HTTPS or when this request arrived over it."""
        return self.https or request.is_secure or super().get_cookie_secure(app)


def add_security_headers(response: Response) -> Response:
    """Put the security headers on a response that does not set its own."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask, runtime: Compensator) -> None:
    """Give the app its cookie key, its cookie session and the security headers."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(runtime)
    app.session_interface = SessionInterface(runtime.settings.server.https, runtime.clock)
    app.after_request(add_security_headers)
