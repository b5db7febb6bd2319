"""Refuse what an operation does not declare: unknown query parameters, and a JSON body that
is not an object or carries keys the operation does not read.

A filter the API does not know used to be dropped silently: ``/cases?area=…`` answered with
the caller's whole area as if it had been filtered. And because ninja's schemas read fields as
attributes, any JSON value passed for a body whose fields are all optional: ``[null,null]``,
``"x"`` or ``123`` started a county screening. Every operation now answers 422 naming the
parameter or key instead, so a client learns at once that its input did nothing.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext, gettext_noop
from ninja.operation import Operation
from ninja.params.models import BodyModel, QueryModel
from pydantic import BaseModel

UNKNOWN_PARAMETER = gettext_noop("This request takes no parameter {name}; it takes: {known}.")
NO_PARAMETERS = gettext_noop("This request takes no query parameters, not {name}.")
NOT_AN_OBJECT = gettext_noop("The request body must be a JSON object.")
UNKNOWN_KEY = gettext_noop("The request body has no field {name}; it takes: {known}.")


def declared_query(operation: Operation) -> frozenset[str]:
    names: list[str] = []
    for model in operation.models:
        if issubclass(model, QueryModel):
            flattened = getattr(model, "__ninja_flatten_map__", None)
            if flattened:
                names.extend(flattened)
            else:
                names.extend(field.alias or name for name, field in model.model_fields.items())
    return frozenset(names)


def declared_body(operation: Operation) -> frozenset[str] | None:
    """The top-level keys of the operation's JSON body, or None when it takes none."""
    for model in operation.models:
        if issubclass(model, BodyModel):
            single = getattr(model, "__read_from_single_attr__", None)
            if not single:
                return frozenset(field.alias or name for name, field in model.model_fields.items())
            inner = model.model_fields[single].annotation
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return frozenset(field.alias or name for name, field in inner.model_fields.items())
    return None


def _body_problem(request: HttpRequest, known: frozenset[str]) -> tuple[str, str | None] | None:
    """(message, field) when a JSON body is not an object of known keys; None otherwise."""
    if not request.body or not (request.content_type or "").endswith("json"):
        return None
    try:
        data = json.loads(request.body)
    except ValueError:
        return None  # ninja answers an unreadable body itself
    if not isinstance(data, dict):
        return gettext(NOT_AN_OBJECT), None
    unknown = sorted(set(data) - known)
    if unknown:
        return gettext(UNKNOWN_KEY).format(name=unknown[0], known=", ".join(sorted(known))), unknown[0]
    return None


def refuse_unknown_query(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A view decorator for ``NinjaAPI.add_decorator(..., mode="view")``: ninja hands it each
    operation's bound ``run``, so the operation and its declared parameters are at hand."""
    operation: Operation = run.__self__  # type: ignore[attr-defined]
    known = declared_query(operation)
    body_keys = declared_body(operation)

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        problem: tuple[str, str, str | None] | None = None
        unknown = sorted(set(request.GET) - known)
        if unknown:
            if known:
                text = gettext(UNKNOWN_PARAMETER).format(name=unknown[0], known=", ".join(sorted(known)))
            else:
                text = gettext(NO_PARAMETERS).format(name=unknown[0])
            problem = ("UNKNOWN_PARAMETER", text, unknown[0])
        elif body_keys is not None:
            found = _body_problem(request, body_keys)
            if found is not None:
                problem = ("NOT_AN_OBJECT" if found[1] is None else "UNKNOWN_FIELD", found[0], found[1])
        if problem is None:
            return run(request, *args, **kwargs)
        # Authentication first, so an anonymous caller is told only that it must log in.
        refused = operation._run_checks(request)
        if refused is not None:
            return refused
        code, message, field = problem
        return operation.api.create_response(
            request, {"code": code, "message": message, "field": field}, status=422
        )

    return checked


# What a decimal given as text must look like to be read: pydantic documents Decimal as "a
# number or any string", so a generated client (or a fuzzer) sent "^" for an income and was
# refused as invalid although the document allowed it.
DECIMAL_TEXT = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$"


def _tighten(schema: Any, components: dict[str, Any], seen: set[str]) -> None:
    if isinstance(schema, list):
        for item in schema:
            _tighten(item, components, seen)
        return
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name not in seen and name in components:
            seen.add(name)
            _tighten(components[name], components, seen)
        return
    branches = schema.get("anyOf")
    if isinstance(branches, list) and {"type": "number"} in branches:
        for branch in branches:
            if branch.get("type") == "string" and "pattern" not in branch and "format" not in branch:
                branch["pattern"] = DECIMAL_TEXT
    for value in schema.values():
        _tighten(value, components, seen)


def close_request_bodies(document: dict[str, Any]) -> dict[str, Any]:
    """Say in the OpenAPI document what the server enforces on a request body: its top-level
    object takes no keys but its own (``additionalProperties: false``), and a decimal given as
    text is a number written out."""
    components = document.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                ref = media.get("schema", {}).get("$ref", "")
                target = components.get(ref.rsplit("/", 1)[-1]) if ref else media.get("schema")
                if target is not None and target.get("type", "object") == "object":
                    target["additionalProperties"] = False
                _tighten(media.get("schema"), components, seen)
    return document
