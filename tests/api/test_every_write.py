"""Every write of the API, found in its OpenAPI document (not listed by hand), sent with each
body field null, empty and at its limits: the answer is a success or a refusal naming the
field (400 in Chinese, 422 naming it), never a server error. Each call is undone, so every
variant meets the same small demo county."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from fupin.accounts.actions import do_issue_token
from fupin.api.urls import api
from tests.conftest import new_id_number
from tests.web import formwalk
from tests.web.test_every_form import demo_world  # noqa: F401  the same small demo county

WRITES = ("post", "put", "patch", "delete")
# Tried in turn; the first whose plain call is not refused for role or area sends the variants.
CALLERS = (
    "county_admin",
    "village_clerk",
    "township_officer",
    "first_secretary",
    "org_dept",
    "dept_provider",
)


def resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [resolve(s, components) for s in schema[key] if s.get("type") != "null"]
            if options:
                return {**options[0], **{k: v for k, v in schema.items() if k not in (key,)}}
    return schema


def sample(name: str, schema: dict[str, Any], components: dict[str, Any]) -> Any:
    schema = resolve(schema, components)
    if "enum" in schema:
        return next((v for v in schema["enum"] if v not in ("", None)), schema["enum"][0])
    kind = schema.get("type")
    if kind == "object":
        return {k: sample(k, s, components) for k, s in schema.get("properties", {}).items()}
    if kind == "array":
        return []
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return timezone.localdate().isoformat()
    if schema.get("format") == "date-time":
        return timezone.now().isoformat()
    if "id_number" in name:
        return new_id_number()
    if "phone" in name:
        return "13800138000"
    return "测试"


def limits(schema: dict[str, Any], components: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    schema = resolve(schema, components)
    yield "null", None
    yield "empty", ""
    if "enum" in schema:
        yield "unknown", "no-such-choice"
        return
    kind = schema.get("type")
    if kind in ("integer", "number"):
        yield from (
            ("negative", -1),
            ("1e12", 10**12),
            ("int64+1", 2**63),
            ("1e300", 1e300),
            ("fraction", 0.001),
        )
    elif kind == "boolean":
        yield "word", "maybe"
    elif kind == "array":
        yield "null item", [None]
        yield "text item", ["no-such"]
    elif schema.get("format") in ("date", "date-time"):
        yield from (("first day", "0001-01-01"), ("last day", "9999-12-31"), ("no such day", "2023-02-30"))
    elif kind == "string":
        if "maxLength" in schema:
            yield "past maxLength", "字" * (schema["maxLength"] + 1)
        yield "long", "字" * 5000
        yield "int64+1", "9223372036854775808"


def call(client: Client, method: str, path: str, token: str, body: Any) -> Any:
    cache.clear()  # a rate limit met by one variant must not refuse the next
    with transaction.atomic():
        response = getattr(client, method)(
            path, data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        transaction.set_rollback(True)
    return response


def judge(response: Any) -> str | None:
    status = response.status_code
    if status >= 500:
        exc = getattr(response, "exc_info", None)
        return f"{status} {exc[0].__name__}: {str(exc[1])[:160]}" if exc else str(status)
    if status == 400:
        body = response.json()
        if not formwalk.CJK.search(str(body.get("message", ""))):
            return f"400 without a Chinese message: {body}"
    if status == 422 and not response.json().get("field"):
        return f"422 naming no field: {response.json()}"
    return None


def test_every_api_write_takes_null_empty_and_extreme_values_without_a_server_error(
    demo_world: dict[str, Client],  # noqa: F811
    personas: dict[str, Any],
) -> None:
    values = formwalk.world_values()
    values["year"] = timezone.localdate().year
    values["objection_id"] = 1
    tokens = {name: do_issue_token(personas[name], actor=personas[name]) for name in CALLERS}
    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    client = Client(raise_request_exception=False)
    problems: list[str] = []
    calls = 0
    operations = 0
    for route, methods in document["paths"].items():
        for method, operation in methods.items():
            if method not in WRITES:
                continue
            operations += 1
            path = route
            for param in operation.get("parameters", []):
                if param.get("in") == "path":
                    path = path.replace("{" + param["name"] + "}", str(values.get(param["name"], 1)))
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                # A file upload (multipart) or no body: sent once, empty.
                for name in CALLERS:
                    calls += 1
                    if wrong := judge(call(client, method, path, tokens[name], {})):
                        problems.append(f"{method.upper()} {route} ({name}) empty body: {wrong}")
                continue
            base = sample("", schema, components)
            caller = CALLERS[0]
            for name in CALLERS:
                calls += 1
                first = call(client, method, path, tokens[name], base)
                if wrong := judge(first):
                    problems.append(f"{method.upper()} {route} ({name}) as filled: {wrong}")
                if first.status_code not in (403, 404):
                    caller = name
                    break
            properties = resolve(schema, components).get("properties", {})
            for prop, prop_schema in properties.items():
                for label, value in limits(prop_schema, components):
                    calls += 1
                    response = call(client, method, path, tokens[caller], {**base, prop: value})
                    if wrong := judge(response):
                        problems.append(f"{method.upper()} {route} ({caller}) {prop} {label}: {wrong}")
    assert operations >= 30 and calls > 500, (operations, calls)
    assert not problems, f"{len(problems)} of {calls} calls:\n" + "\n".join(problems)
