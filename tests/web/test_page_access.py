"""Every page for every persona: inside the area it works as the role allows, outside it is 404
exactly like something that does not exist, and a denied write changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.core.models import AuditEntry, Job
from fupin.core.personas import ALL_USERNAMES, OTHER_TOWNSHIP_VILLAGE, VILLAGE
from fupin.registry.models import Household, Member
from tests.conftest import make_household

ALL = ALL_USERNAMES
VIEWERS = {
    "county_admin",
    "org_dept",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "cadre",
    "supervisor",
}
EDITORS = {"county_admin", "township_officer", "village_clerk"}
PII = {"county_admin", "township_officer", "village_clerk"}
AUDITORS = {"county_admin", "township_officer", "supervisor"}
# Whose area contains 十八洞村.
INSIDE_VILLAGE = {
    "county_admin",
    "org_dept",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "cadre",
    "dept_provider",
    "supervisor",
}


@pytest.fixture
def world(personas: dict[str, Any]) -> dict[str, Any]:
    home = make_household(VILLAGE)
    elsewhere = make_household(OTHER_TOWNSHIP_VILLAGE, head_name="龙二")
    job = Job.objects.create(kind="test", area_code="433124000000", created_by=personas["county_admin"])
    return {"home": home, "elsewhere": elsewhere, "job": job, "member": home.members.first()}


# Outsiders hold the same roles as personas inside: role-only pages answer by role.
ROLE_OF = {"outsider": "county_admin", "neighbour_clerk": "village_clerk"}


def role_in(persona: str, roles: set[str]) -> bool:
    return ROLE_OF.get(persona, persona) in roles


def main_part(html: bytes) -> bytes:
    """The page body without per-request parts (CSRF token, the requested path)."""
    return html[html.index(b"<main") : html.index(b"</main>")]


def expected_for_household(persona: str, allowed: set[str]) -> int:
    """Status for a page about a household in 十八洞村 needing one of ``allowed`` roles."""
    if persona not in INSIDE_VILLAGE:
        return 404
    if persona not in VIEWERS:
        return 403  # the role cannot read the registry at all, for any id
    return 200 if persona in allowed else 403


@pytest.mark.parametrize("persona", ALL)
def test_every_read_page_answers_as_the_role_and_area_allow(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    h, m = world["home"].pk, world["member"].pk
    pages: list[tuple[str, int]] = [
        ("/", 200),
        (f"/areas/{VILLAGE}/", 200 if persona in INSIDE_VILLAGE else 404),
        ("/areas/999999999999/", 404),
        ("/households/", 200 if role_in(persona, VIEWERS) else 403),
        ("/households/new/", 200 if role_in(persona, EDITORS) else 403),
        (f"/households/{h}/", expected_for_household(persona, VIEWERS)),
        (f"/households/{h}/edit/", expected_for_household(persona, EDITORS)),
        (f"/households/{h}/members/new/", expected_for_household(persona, EDITORS)),
        (f"/households/{h}/income/", expected_for_household(persona, EDITORS)),
        (f"/households/{h}/conditions/", expected_for_household(persona, EDITORS)),
        (f"/members/{m}/edit/", expected_for_household(persona, EDITORS)),
        ("/audit/", 200 if role_in(persona, AUDITORS) else 403),
        (
            f"/jobs/{world['job'].pk}/",
            200
            if persona in {"county_admin", "org_dept", "dept_provider", "supervisor"}
            else (403 if persona == "cadre" else 404),
        ),
        ("/check/id-number/", 405),
        ("/password/", 200),
    ]
    for url, status in pages:
        assert client.get(url).status_code == status, (persona, url)


@pytest.mark.parametrize("persona", ALL)
def test_a_household_outside_the_area_answers_like_a_missing_one(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    elsewhere = world["elsewhere"].pk
    missing = Household.objects.order_by("-pk").first().pk + 1000
    for suffix in ("", "edit/", "members/new/", "income/", "conditions/"):
        outside = client.get(f"/households/{elsewhere}/{suffix}")
        absent = client.get(f"/households/{missing}/{suffix}")
        can_see_elsewhere = persona in {"county_admin", "org_dept", "supervisor"}
        if can_see_elsewhere:
            continue
        assert outside.status_code == absent.status_code, (persona, suffix)
        if outside.status_code == 404:
            assert main_part(outside.content) == main_part(absent.content)


@pytest.mark.parametrize("persona", ALL)
def test_writes_are_refused_outside_role_or_area_and_change_nothing(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    household = world["home"]
    member = world["member"]
    audit_before = AuditEntry.objects.count()
    posts = [
        (f"/households/{household.pk}/edit/", {"head_name": "改名", "main_cause": "disability"}),
        (
            f"/households/{household.pk}/members/new/",
            {"name": "新成员", "relation": "son", "id_number": "433124201001011235"},
        ),
        (f"/households/{household.pk}/income/", {"year": "2023", "wage": "1000"}),
        (f"/households/{household.pk}/conditions/", {"year": "2023", "food_secure": "on"}),
        (f"/members/{member.pk}/edit/", {"name": "改了", "relation": "head"}),
        (f"/members/{member.pk}/leave/", {"reason": "迁出"}),
        (f"/areas/{VILLAGE}/groups/", {"number": "9", "name": "九组"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        if persona in EDITORS:
            assert response.status_code in (200, 302, 400), (persona, url)
        else:
            expected = 404 if persona not in INSIDE_VILLAGE else 403
            assert response.status_code == expected, (persona, url, response.status_code)
    if persona not in EDITORS:
        household.refresh_from_db()
        member.refresh_from_db()
        assert household.head_name == "石大哥"
        assert member.name == "石大哥" and member.left_on is None
        assert Member.objects.filter(household=household).count() == 3
        assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize("persona", ALL)
def test_only_pii_roles_inside_the_area_can_reveal_an_id_number(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    member = world["member"]
    before = AuditEntry.objects.filter(action="registry.reveal_id_number").count()
    response = client_for(persona).post(f"/members/{member.pk}/reveal-id/")
    if persona in PII:
        assert response.status_code == 200
        assert AuditEntry.objects.filter(action="registry.reveal_id_number").count() == before + 1
    else:
        assert response.status_code == (404 if persona not in INSIDE_VILLAGE else 403)
        assert AuditEntry.objects.filter(action="registry.reveal_id_number").count() == before
