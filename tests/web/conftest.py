"""The web tests' fixtures: the people who log in, a client that logs in through the login page, the API as a device."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support.login import Auth


@pytest.fixture
def staff(add_person: Callable[..., Any]) -> None:
    """ada, an attendant with PIN 1234, and bola, a manager with PIN 4321."""
    add_person("ada")
    add_person("bola", role="manager", pin="4321")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    """The test client, logging in and out through the login page."""
    return Auth(client)


@pytest.fixture
def api(client: FlaskClient, token: str) -> Any:
    """Calls the API with a device token."""

    class Api:
        def get(self, path: str, **kwargs):
            return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, **kwargs)

        def post(self, path: str, json=None, headers=None, **kwargs):
            return client.post(f"/api/v1{path}", json=json,
                               headers={"Authorization": f"Bearer {token}", **(headers or {})}, **kwargs)

        def raw(self, path: str, data: str):
            return client.post(f"/api/v1{path}", data=data, content_type="application/json",
                               headers={"Authorization": f"Bearer {token}"})

    return Api()
