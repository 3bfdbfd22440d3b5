"""The OpenAPI document and the API's routes describe each other exactly."""

from __future__ import annotations

import re

PREFIX = "/api/v1"


def routes(app) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len(PREFIX):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


def documented(document: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, operations in document["paths"].items() for method in operations}


def test_the_document_is_served_as_openapi_3_1(app) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_route_is_documented_and_every_documented_operation_is_a_route(app) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    actual = routes(app)
    # Session and outage actions share one route each with an <action> part; the document lists them one by one.
    action_routes = {path for _, path in actual if path.endswith("/{action}")}
    concrete = {(method, path) for method, path in actual if not path.endswith("/{action}")}
    described = documented(document)
    for method, path in described:
        generic = re.sub(r"/[a-z]+$", "/{action}", path)
        assert (method, path) in concrete or (method == "post" and generic in action_routes), (method, path)
    for method, path in concrete:
        assert (method, path) in described, (method, path)
    for path in action_routes:
        assert any(re.sub(r"/[a-z]+$", "/{action}", documented_path) == path
                   for _, documented_path in described), path


def test_every_operation_documents_its_answers(app) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (method, path)
            assert any(code.startswith("2") for code in operation["responses"]), (method, path)
            if operation.get("security") != []:
                assert "401" in operation["responses"], (method, path)
