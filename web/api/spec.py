"""Operations of the API, registered with what the OpenAPI document says of them."""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import g

from engine.errors import Forbidden

TITLE = "slaflow API"
VERSION = "1.0.0"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str                   # OpenAPI form: /workflows/{workflow_id}
    operation_id: str
    summary: str
    tag: str
    scope: str | None           # None: no token needed
    params: tuple = ()          # (name, "query"|"path", schema, required, description)
    body: dict | None = None    # JSON Schema of the request body
    response: dict = field(default_factory=lambda: {"type": "object"})
    status: int = 200
    paged: bool = False


OPERATIONS: list[Operation] = []


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule)


def operation(bp, rule: str, method: str, *, summary: str, tag: str, scope: str | None, params=(), body=None,
              response=None, status: int = 200, paged: bool = False) -> Callable:
    """Register a view as an API operation: its route, the scope its token needs, its documentation."""

    def decorate(view):
        op = Operation(method.lower(), _openapi_path(rule), view.__name__, summary, tag, scope, tuple(params), body,
                       response or {"type": "object"}, status, paged)
        OPERATIONS.append(op)

        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if scope is not None and scope not in g.api_caller.scopes:
                raise Forbidden(f"this token has no {scope!r} scope")
            return view(*args, **kwargs)

        bp.add_url_rule(rule, view.__name__, guarded, methods=[method.upper()])
        return guarded

    return decorate


PROBLEM = {
    "type": "object", "required": ["type", "title", "status"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "code": {"type": "string"},
                   "errors": {"type": "object", "additionalProperties": {"type": "array",
                                                                          "items": {"type": "string"}}}},
}


def _paged(item: dict) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total"],
            "properties": {"items": {"type": "array", "items": item}, "page": {"type": "integer", "minimum": 1},
                           "per_page": {"type": "integer", "minimum": 1}, "total": {"type": "integer", "minimum": 0}}}


def document(server_url: str = "/api/v1") -> dict:
    """The OpenAPI 3.1 document of every registered operation."""
    paths: dict = {}
    for op in OPERATIONS:
        parameters = [{"name": n, "in": where, "required": req or where == "path", "schema": schema,
                       "description": desc} for n, where, schema, req, desc in op.params]
        if op.paged:
            parameters += [
                {"name": "page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100_000}},
                {"name": "per_page", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100}}]
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        responses = {str(op.status): {"description": "OK", "content": {"application/json": {
            "schema": _paged(op.response) if op.paged else op.response}}}}
        for code, text in ((400, "Bad request"), (401, "No valid token"), (403, "The token's scope or the user's "
                           "roles do not allow it"), (404, "Not found (or another agency's)"),
                           (409, "Changed by someone else, or not in a state for this"), (422, "Invalid data"),
                           (429, "Too many requests"), (503, "Temporarily unavailable")):
            responses[str(code)] = {"description": text, "content": problem}
        if op.method == "get":
            responses["304"] = {"description": "Not modified (If-None-Match)"}
        entry = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
                 "parameters": parameters, "responses": responses,
                 "security": [{"token": [op.scope]}] if op.scope else []}
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
        paths.setdefault(op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION,
                 "description": "The SLA lifecycle of Thai public agencies: workflows, tasks, service records, "
                                "complaints, scores and published SLAs. Tokens: /account/tokens."},
        "servers": [{"url": server_url}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {"Problem": PROBLEM},
                       "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                                     "description": "A personal or service-account token "
                                                                    "(slf_…), with scopes read, work, records"}}},
    }
