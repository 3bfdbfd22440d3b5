"""Logging in through the login page, as a person at the counter does."""

from __future__ import annotations

import re


def csrf_of(client) -> str:
    """The CSRF token the login page gives the client."""
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


class Auth:
    """Logs the test client in and out like a person at the counter."""

    def __init__(self, client) -> None:
        self.client = client
        self.token = ""

    def login(self, name: str = "ada", pin: str = "1234"):
        self.token = csrf_of(self.client)
        response = self.client.post("/login", data={"name": name, "pin": pin, "csrf_token": self.token})
        # Logging in starts a new session with a new CSRF token.
        with self.client.session_transaction() as cookie_session:
            self.token = cookie_session.get("csrf_token", self.token)
        return response

    def post(self, path: str, **data):
        response = self.client.post(path, data={"csrf_token": self.token, **data})
        # A person at the counter never meets a server error, whatever they submit.
        assert response.status_code < 500, response.get_data(as_text=True)
        return response
