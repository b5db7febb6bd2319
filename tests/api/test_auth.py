"""Only a valid bearer token of an active user opens the API; /me says who it belongs to."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fupin.accounts.models import ApiToken, User
from fupin.accounts.permissions import ROLE_PERMISSIONS
from fupin.core.personas import PERSONAS
from fupin.registry.models import Household, Member
from tests.api.helpers import ALL_PERSONAS, ENDPOINTS, Api, Endpoint
from tests.registry.helpers import registry_fingerprint

UNAUTHENTICATED = {"code": "UNAUTHENTICATED", "message": "A valid API token is required.", "field": None}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_every_endpoint_refuses_a_request_without_a_token_and_changes_nothing(
    endpoint: Endpoint, home: Household, member: Member
) -> None:
    # given no Authorization header at all
    before = registry_fingerprint()

    # when the endpoint is called
    response = endpoint.call(Api(None), home.pk, member.pk)

    # then it answers 401 and nothing changed
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert registry_fingerprint() == before


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-token-at-all",
        "Bearer ",
        "Bearer",
        "Token {token}",  # the right token under the wrong scheme
        "{token}",
        "Basic dmlsbGFnZV9jbGVyazpUZXN0LXBhc3MtMjAyNA==",  # the clerk's user name and password
    ],
)
def test_a_malformed_or_unknown_token_is_refused(
    authorization: str, tokens: dict[str, str], home: Household, member: Member
) -> None:
    # given a header that does not carry a valid bearer token
    api = Api(None, authorization=authorization.format(token=tokens["village_clerk"]))
    before = registry_fingerprint()

    # when it reads and writes
    read = api.get(f"/households/{home.pk}")
    write = api.patch(f"/households/{home.pk}", {"head_name": "改名"})

    # then both are refused as unauthenticated, and nothing changed
    assert (read.status_code, write.status_code) == (401, 401)
    assert read.json() == write.json() == UNAUTHENTICATED
    assert registry_fingerprint() == before


def test_a_revoked_token_is_refused(tokens: dict[str, str], home: Household) -> None:
    # given the clerk's token, which worked, then was revoked
    api = Api(tokens["village_clerk"])
    assert api.get(f"/households/{home.pk}").status_code == 200
    # there is no revoke action yet, so the flag is set the way one would set it
    ApiToken.objects.filter(user__username="village_clerk").update(revoked=True)
    before = registry_fingerprint()

    # when it is used again
    response = api.patch(f"/households/{home.pk}", {"head_name": "改名"})

    # then it is refused and nothing changed
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert registry_fingerprint() == before


def test_the_token_of_a_deactivated_user_is_refused(tokens: dict[str, str], home: Household) -> None:
    # given a clerk whose account was switched off after the token was issued
    User.objects.filter(username="village_clerk").update(is_active=False)  # no deactivate action yet

    # when the token is used
    response = Api(tokens["village_clerk"]).get(f"/households/{home.pk}")

    # then it is refused
    assert response.status_code == 401


def test_a_token_records_when_it_was_last_used(tokens: dict[str, str]) -> None:
    # given a token never used
    row = ApiToken.objects.get(user__username="cadre")
    assert row.last_used_at is None

    # when it is used
    Api(tokens["cadre"]).get("/me")

    # then its use is recorded
    row.refresh_from_db()
    assert row.last_used_at is not None


@pytest.mark.parametrize("persona", [p.username for p in PERSONAS])
def test_me_names_the_user_role_area_and_permissions(
    persona: str, personas: dict[str, User], api_as: Callable[[str], Api]
) -> None:
    # given a persona's token
    user = personas[persona]

    # when it asks who it is
    response = api_as(persona).get("/me")

    # then the answer is its own account
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == persona
    assert body["role"] == user.role
    assert body["role_label"]
    assert body["area"] == {"code": user.area.code, "name": user.area.name, "level": user.area.level}
    assert body["permissions"] == sorted(ROLE_PERMISSIONS[user.role])


def test_a_department_provider_holds_no_registry_permission(api_as: Callable[[str], Api]) -> None:
    # when the department provider asks what it may do
    body = api_as("dept_provider").get("/me").json()

    # then nothing of the household file is among it
    assert not [p for p in body["permissions"] if p.startswith("registry.")]


def test_every_persona_sees_only_itself(api_as: Callable[[str], Api]) -> None:
    # when each persona asks who it is, then each hears its own name
    assert [api_as(p).get("/me").json()["username"] for p in ALL_PERSONAS] == ALL_PERSONAS
