"""Every endpoint for every persona: the exact status, one audit entry for an allowed write,
nothing changed by a denied one, and outside the area the same answer as for a missing id."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fupin.accounts.models import User
from fupin.core.models import AuditEntry
from fupin.core.personas import VILLAGE
from fupin.registry.models import Household, Member
from tests.api.helpers import (
    ALL_PERSONAS,
    BY_ID,
    ENDPOINTS,
    FORBIDDEN_BODY,
    NOT_FOUND_BODY,
    OUTSIDE,
    Api,
    Endpoint,
    a_village_in,
    missing_household_id,
    missing_member_id,
    new_household_body,
)
from tests.registry.helpers import registry_fingerprint


def expected_status(endpoint: Endpoint, persona: str) -> int:
    if persona in endpoint.allowed:
        return endpoint.success
    return 404 if persona in OUTSIDE else 403


@pytest.mark.parametrize("persona", ALL_PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_every_endpoint_answers_each_persona_as_role_and_area_allow(
    endpoint: Endpoint,
    persona: str,
    personas: dict[str, User],
    api_as: Callable[[str], Api],
    home: Household,
    member: Member,
) -> None:
    # given a household in 十八洞村 and the persona's own token
    api = api_as(persona)
    before = registry_fingerprint()
    last_entry = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    # when the persona calls the endpoint
    response = endpoint.call(api, home.pk, member.pk)

    # then the status is exactly the one the role and area allow
    status = expected_status(endpoint, persona)
    assert response.status_code == status, response.content
    new_entries = list(AuditEntry.objects.filter(id__gt=last_entry))
    if status >= 400:
        # a refusal is the standard body, and nothing changed: no row, no audit entry
        refusal = FORBIDDEN_BODY if status == 403 else NOT_FOUND_BODY
        if status == 404 and endpoint.name == "create":
            refusal = {**NOT_FOUND_BODY, "field": "area_code"}  # the area is unknown, not the endpoint
        assert response.json() == refusal
        assert registry_fingerprint() == before
        assert new_entries == []
    elif endpoint.audit_action is None:
        # a read changes nothing and leaves no entry
        assert registry_fingerprint() == before
        assert new_entries == []
    else:
        # an allowed write leaves exactly one entry, by the caller, in the household's village
        assert [(e.action, e.actor_id, e.area_code) for e in new_entries] == [
            (endpoint.audit_action, personas[persona].pk, VILLAGE)
        ]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_something_outside_the_area_answers_exactly_like_something_missing(
    persona: str, api_as: Callable[[str], Api], home: Household, far_away: Household
) -> None:
    # given a household outside the persona's area (泸溪县 for all but the outsider, who works there)
    foreign = home if persona == "outsider" else far_away
    foreign_member = foreign.members.first()
    assert foreign_member is not None
    foreign_area = foreign.area_id
    missing_h, missing_m = missing_household_id(), missing_member_id()
    api = api_as(persona)
    before = registry_fingerprint()

    for endpoint in BY_ID:
        # when the same call is made for the foreign object and for an id that does not exist
        outside = endpoint.call(api, foreign.pk, foreign_member.pk)
        absent = endpoint.call(api, missing_h, missing_m)
        # then the two answers cannot be told apart
        assert (outside.status_code, outside.content) == (absent.status_code, absent.content), endpoint.name
        # (a department provider may not read the file at all, so it hears 403 for every id)
        assert outside.status_code == (403 if persona == "dept_provider" else 404), endpoint.name

    # nor can a foreign area code and an unknown one, wherever a code is sent
    unknown = "439999999999"
    pairs = [
        (api.get(f"/areas/{foreign_area}"), api.get(f"/areas/{unknown}")),
        (api.get(f"/households?area={foreign_area}"), api.get(f"/households?area={unknown}")),
        (
            api.post("/households", new_household_body(foreign_area)),
            api.post("/households", new_household_body(unknown)),
        ),
    ]
    for outside, absent in pairs:
        assert (outside.status_code, outside.content) == (absent.status_code, absent.content)
    assert registry_fingerprint() == before


def test_a_foreign_area_code_in_a_filter_or_a_new_household_names_the_field(
    api_as: Callable[[str], Api],
) -> None:
    # given the clerk of 十八洞村 and a village of another county
    api = api_as("village_clerk")
    elsewhere = a_village_in("433122").code

    # when it is used as a filter and as the area of a new household
    listed = api.get(f"/households?area={elsewhere}")
    created = api.post("/households", new_household_body(elsewhere))

    # then both answer 404 and say which field named it
    assert listed.status_code == created.status_code == 404
    assert listed.json() == {**NOT_FOUND_BODY, "field": "area"}
    assert created.json() == {**NOT_FOUND_BODY, "field": "area_code"}
    assert not Household.objects.filter(head_name="新户").exists()
