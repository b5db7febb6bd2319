"""Plain helpers for the API tests (fixtures live in conftest.py beside this file)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, NamedTuple

from django.test import Client

from fupin.areas.models import Area, Level
from fupin.core.errors import NotFound, PermissionDenied
from fupin.core.personas import ALL_USERNAMES, VILLAGE
from fupin.registry.models import Household, Member
from tests.conftest import new_id_number

BASE = "/api/v1"
NOT_FOUND_BODY = NotFound().as_dict()
FORBIDDEN_BODY = PermissionDenied().as_dict()

ALL_PERSONAS = ALL_USERNAMES
# Whose area does not contain 十八洞村: everything there answers them 404.
OUTSIDE = {"outsider", "neighbour_clerk"}
INSIDE = set(ALL_PERSONAS) - OUTSIDE
# Roles holding registry.view (the outsiders hold it too, for their own areas).
VIEWER_ROLES = set(ALL_PERSONAS) - {"dept_provider"}
VIEWERS = VIEWER_ROLES & INSIDE
# Roles holding registry.edit and registry.view_pii whose area contains 十八洞村.
EDITORS = {"county_admin", "township_officer", "village_clerk"}

# One client for the whole run: building its handler loads the middleware, and WhiteNoise then
# indexes every static file (about 0.3 s here), which a client per test would pay each time.
# The API sets no cookies, and each Api clears them anyway.
_CLIENT = Client()


class Api:
    """Django's test client speaking JSON with a bearer token. It keeps every body it received,
    so a test can search all of them (for a leaked ID number, say)."""

    def __init__(self, token: str | None, *, authorization: str | None = None) -> None:
        self.client = _CLIENT
        self.client.cookies.clear()
        header = authorization if authorization is not None else (f"Bearer {token}" if token else None)
        self.headers = {"HTTP_AUTHORIZATION": header} if header is not None else {}
        self.bodies: list[str] = []

    def call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        kwargs: dict[str, Any] = {**self.headers, **extra}
        if body is not None:
            kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        response = getattr(self.client, method.lower())(BASE + path, **kwargs)
        self.bodies.append(response.content.decode())
        return response

    def get(self, path: str, **extra: Any) -> Any:
        return self.call("GET", path, **extra)

    def post(self, path: str, body: Any = None) -> Any:
        return self.call("POST", path, {} if body is None else body)

    def patch(self, path: str, body: Any) -> Any:
        return self.call("PATCH", path, body)

    def put(self, path: str, body: Any) -> Any:
        return self.call("PUT", path, body)


def a_village_in(county_code: str) -> Area:
    village = (
        Area.objects.filter(code__startswith=county_code[:6], level=Level.VILLAGE).order_by("code").first()
    )
    assert village is not None
    return village


def missing_household_id() -> int:
    return (Household.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def missing_member_id() -> int:
    return (Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


# --- every endpoint, with a request that succeeds where role and area allow it -------------


class Endpoint(NamedTuple):
    name: str
    method: str
    path: Callable[[int, int], str]  # (household id, member id) -> path
    body: Callable[[], Any]
    allowed: set[str]  # the personas it succeeds for, on a household in 十八洞村
    success: int
    audit_action: str | None  # the entry an allowed call writes; None for a plain read

    def call(self, api: Api, household_id: int, member_id: int) -> Any:
        path = self.path(household_id, member_id)
        if self.method == "GET":
            return api.get(path)
        return api.call(self.method, path, self.body() or {})


def new_household_body(area_code: str = VILLAGE) -> dict[str, Any]:
    return {
        "area_code": area_code,
        "head_name": "新户",
        "main_cause": "labour",
        "members": [{"name": "新户", "relation": "head", "id_number": new_id_number(dt.date(1955, 5, 5))}],
    }


def new_member_body() -> dict[str, Any]:
    return {"name": "新生", "relation": "grandchild", "id_number": new_id_number(dt.date(2020, 1, 1))}


CHECKS = {
    "food_secure": True,
    "clothing_secure": True,
    "education_secured": True,
    "medical_secured": False,
    "housing_secured": True,
    "water_secured": True,
}

ENDPOINTS = [
    Endpoint("me", "GET", lambda h, m: "/me", lambda: None, set(ALL_PERSONAS), 200, None),
    Endpoint("area", "GET", lambda h, m: f"/areas/{VILLAGE}", lambda: None, INSIDE, 200, None),
    Endpoint("list", "GET", lambda h, m: "/households", lambda: None, VIEWER_ROLES, 200, None),
    Endpoint("detail", "GET", lambda h, m: f"/households/{h}", lambda: None, VIEWERS, 200, None),
    Endpoint(
        "create",
        "POST",
        lambda h, m: "/households",
        new_household_body,
        EDITORS,
        201,
        "registry.create_household",
    ),
    Endpoint(
        "update",
        "PATCH",
        lambda h, m: f"/households/{h}",
        lambda: {"bank_name": "农商银行"},
        EDITORS,
        200,
        "registry.update_household",
    ),
    Endpoint(
        "add_member",
        "POST",
        lambda h, m: f"/households/{h}/members",
        new_member_body,
        EDITORS,
        201,
        "registry.add_member",
    ),
    Endpoint(
        "update_member",
        "PATCH",
        lambda h, m: f"/members/{m}",
        lambda: {"education": "junior"},
        EDITORS,
        200,
        "registry.update_member",
    ),
    Endpoint(
        "leave",
        "POST",
        lambda h, m: f"/members/{m}/leave",
        lambda: {"left_on": "2024-01-01", "reason": "迁出"},
        EDITORS,
        200,
        "registry.remove_member",
    ),
    Endpoint(
        "income",
        "PUT",
        lambda h, m: f"/households/{h}/incomes/2023",
        lambda: {"wage": "5000"},
        EDITORS,
        200,
        "registry.record_income",
    ),
    Endpoint(
        "conditions",
        "PUT",
        lambda h, m: f"/households/{h}/conditions/2023",
        lambda: CHECKS,
        EDITORS,
        200,
        "registry.record_conditions",
    ),
    Endpoint(
        "reveal_id",
        "POST",
        lambda h, m: f"/members/{m}/reveal-id",
        lambda: None,
        EDITORS,
        200,
        "registry.reveal_id_number",
    ),
]
# Those about one household or member: a missing id and a foreign one must answer alike.
BY_ID = [e for e in ENDPOINTS if e.name not in {"me", "area", "list", "create"}]
