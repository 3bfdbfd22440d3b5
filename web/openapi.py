"""The OpenAPI 3.1 document of JSON API v1, generated from the route table and served at ``/api/v1/openapi.json``.

Nothing here describes a field by hand: bodies, queries and answers are the JSON Schemas of
the pydantic models in ``web.schemas`` that the views validate with, so the document cannot
promise what the server refuses nor hide a limit it applies. A test checks that every route
of the API is in the table and that everything in the table is a route.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel

from compensator import __version__
from compensator.domain.vouchers import ALPHABET, LENGTH
from compensator.services.once import MAX_KEY_LENGTH
from web.schemas.common import Error
from web.schemas.fields import DAY_PATTERN, ID_MAX, NO_NUL
from web.schemas.routes import OPERATIONS, Body, Operation

JSON = "application/json"
# A voucher code as the server reads it: 9 characters of the alphabet, in any case, with dashes and spaces anywhere.
_LETTER = "[" + "".join(sorted(set(ALPHABET + ALPHABET.lower()))) + "]"
VOUCHER_CODE = rf"^[\s-]*({_LETTER}[\s-]*){{{LENGTH}}}$"
REF = "#/components/schemas/{model}"
ID = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
PATH_PARAMETERS: dict[str, dict[str, Any]] = {
    "code": {"schema": {"type": "string", "minLength": LENGTH, "maxLength": 64, "pattern": VOUCHER_CODE},
             "description": "the voucher's code: its 9 letters and digits as printed (no 0, 1, I, L or O); dashes, "
                            "spaces and case do not matter. A code whose check character does not match names no "
                            "voucher: 404, with a message about a typing mistake"},
    "name": {"schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": NO_NUL},
             "description": "the UPS's name under ups: in config.yaml"},
    "date": {"schema": {"type": "string", "format": "date", "pattern": DAY_PATTERN},
             "description": "the venue day, today or earlier: a day still to come has no report (404)"},
}
ERRORS = {
    400: "bad input: a missing field, a wrong type, an absurd number, an unknown field",
    401: "no valid token or login",
    403: "not allowed (manager only, or a missing CSRF token)",
    404: "unknown id",
    409: "conflicts with the current state: a seat busy, a seat dark in a power cut, a session ended, a key reused, "
         "an action that does not apply now (invalid_state), or a well-formed time the clock or the outage refuses: "
         "in the future, more than 7 days back, or before what it ends (time_out_of_range)",
}
TOO_LARGE = "the body is larger than the server takes (1 MiB)"
# Faults of the machine, not of the request: said with a Retry-After header, and the same request
# may be sent again (with its Idempotency-Key) once that time has passed.
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before sending the request again",
                               "schema": {"type": "integer", "minimum": 1}}}
DATABASE_UNAVAILABLE = "database_unavailable: the database cannot be reached; nothing was changed"
DISK_FULL = "disk_full: the disk of the counter PC is full; nothing was saved"
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": r"^[!-~]([ -~]*[!-~])?$"},
    "description": "a retry with the same key and request returns the first answer (same status and body, header "
                   "Idempotency-Replayed: true) and has no second effect, also when copies race; the same key with "
                   "another request is 409 idempotency_conflict. Keys are per actor and kept for 7 days."}


class _Schemas:
    """The components being collected: each model's schema once, under its name."""

    def __init__(self) -> None:
        self.found: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], mode: Literal["validation", "serialization"]) -> dict[str, str]:
        schema = model.model_json_schema(ref_template=REF, mode=mode)
        self.found.update(schema.pop("$defs", {}))
        self.found[model.__name__] = schema
        return {"$ref": REF.format(model=model.__name__)}

    def parameters(self, model: type[BaseModel]) -> list[dict[str, Any]]:
        schema = model.model_json_schema(ref_template=REF)
        self.found.update(schema.pop("$defs", {}))
        required = set(schema.get("required", ()))
        return [{"name": name, "in": "query", "required": name in required, "schema": _without_null(item),
                 **({"description": item["description"]} if "description" in item else {})}
                for name, item in schema["properties"].items()]


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    # A query value is absent or text: "null" is not a value a query string can carry.
    options = [option for option in schema.get("anyOf", ()) if option != {"type": "null"}]
    if len(options) == 1:
        rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
        return {**rest, **options[0]}
    return schema


def _content(body: Body, schemas: _Schemas) -> dict[str, Any]:
    if body is None:
        return {}
    if isinstance(body, dict):
        return {"content": {media: {"schema": schema} for media, schema in body.items()}}
    return {"content": {JSON: {"schema": schemas.ref(body, "serialization")}}}


def _operation(operation: Operation, schemas: _Schemas) -> dict[str, Any]:
    answers = {str(status): {"description": description, **_content(body, schemas)}
               for status, (description, body) in operation.answers.items()}
    if "rendered" in operation.extra:
        for media, schema in operation.extra["rendered"].items():
            answers["200"]["content"][media] = {"schema": schema}
    refusals = {} if operation.public else dict(ERRORS)
    if operation.body is not None:
        refusals[413] = TOO_LARGE
    for status, description in refusals.items():
        answers.setdefault(str(status), {"description": description, **_content(Error, schemas)})
    if not operation.public:
        lost = answers.setdefault("503", {"description": DATABASE_UNAVAILABLE, **_content(Error, schemas)})
        if lost["description"] != DATABASE_UNAVAILABLE:
            lost["description"] += f"; or {DATABASE_UNAVAILABLE}"
        lost["headers"] = RETRY_AFTER
        if operation.mutation:
            answers["507"] = {"description": DISK_FULL, "headers": RETRY_AFTER, **_content(Error, schemas)}
    parameters = [{"name": name, "in": "path", "required": True,
                   **(PATH_PARAMETERS.get(name) or {"schema": ID})}
                  for name in re.findall(r"{([^}]+)}", operation.path)]
    if operation.query is not None:
        parameters += schemas.parameters(operation.query)
    if operation.mutation:
        parameters.append(IDEMPOTENCY_KEY)
    document: dict[str, Any] = {"summary": operation.summary, "operationId": _operation_id(operation),
                                "responses": answers}
    if operation.manager_only:
        document["description"] = "Managers only: an attendant or a device token gets 403."
    if operation.public:
        document["security"] = []
    if parameters:
        document["parameters"] = parameters
    if operation.body is not None:
        # A body is required when it has required fields, or must be one of several shapes (a seat or a session).
        body_schema = operation.body.model_json_schema()
        document["requestBody"] = {"required": bool(body_schema.get("required")) or "oneOf" in body_schema,
                                   "content": {JSON: {"schema": schemas.ref(operation.body, "validation")}}}
    return document


def _operation_id(operation: Operation) -> str:
    words = re.sub(r"[{}]", "", operation.path).strip("/").replace(".", "_").replace("/", "_")
    return f"{operation.method}_{words}"


def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method] = _operation(operation, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Compensator API", "version": __version__,
                 "description": "Outage compensation for pay-per-time venues. Times are ISO 8601 with offset; "
                                "money is in integer minor units. Errors are {\"error\": {\"code\", \"message\", "
                                "\"field\"}}."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "components": {"schemas": dict(sorted(schemas.found.items())),
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }
