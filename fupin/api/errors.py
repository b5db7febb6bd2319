"""Requests that django-ninja refuses before a view runs (a body or parameter of the wrong type,
a body that is not JSON) answer in the same shape as every other error of the API:
``{"code", "message", "field", "errors"}``, so a client reads one format."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from fupin.core.errors import CoreError

# Where ninja says a value came from; the field name a client sent follows it.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """The field a client sent, from ninja's location: ("body", "payload", "members", 0, "name")
    is ``members[0].name``; the name of the view's body parameter is not the client's."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts:
            parts.pop(0)
    if not parts:
        return None
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problem(error: dict[str, Any]) -> dict[str, Any]:
    field = field_of(error.get("loc", ()))
    # pydantic's message is English only; the code and field are what a client should act on.
    message = str(error.get("msg") or CoreError.INVALID.message())
    return {
        "code": CoreError.INVALID.name,
        "message": f"{field}: {message}" if field else message,
        "field": field,
    }


def invalid_request(request: HttpRequest, exc: ValidationError, *, api: NinjaAPI) -> HttpResponse:
    """422: the request does not fit the schema. ninja has already dropped the submitted
    values from its errors, so a mistyped ID number is never echoed back."""
    errors = [_problem(e) for e in exc.errors]
    first = errors[0] if errors else {"code": CoreError.INVALID.name, "message": CoreError.INVALID.message()}
    body = {"code": first["code"], "message": first["message"], "field": first.get("field"), "errors": errors}
    return api.create_response(request, body, status=422)


_HTTP_CODES = {
    400: CoreError.INVALID.name,
    403: CoreError.PERMISSION_DENIED.name,
    404: CoreError.NOT_FOUND.name,
}


def http_error(request: HttpRequest, exc: HttpError, *, api: NinjaAPI) -> HttpResponse:
    """ninja's own refusals, such as a body that is not JSON (400)."""
    body = {"code": _HTTP_CODES.get(exc.status_code, "HTTP_ERROR"), "message": str(exc), "field": None}
    return api.create_response(request, body, status=exc.status_code)


def install(api: NinjaAPI) -> None:
    """Register the handlers above; more specific ones (AuthenticationError) keep theirs."""
    api.add_exception_handler(ValidationError, partial(invalid_request, api=api))
    api.add_exception_handler(HttpError, partial(http_error, api=api))
