"""Party pages for every persona: 200 for a role with VIEW_PARTY inside its area, 403 for a role
without it, 404 for an object outside the user's area (the same page as a missing one); the
forms only for who may use them; a refused post changes nothing; form errors shown on the page;
and the organisation department's journey (journey 5.3) through the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from fupin.core.personas import ALL_USERNAMES, COUNTY, NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE
from fupin.party.errors import PartyError
from fupin.party.models import Cadre, Linkage, Organisation, PartyMember, Rating, Unit
from tests.party.helpers import EDITORS, OUTSIDE, RATERS, VIEWERS, expected, state
from tests.web.test_pages import OUTSIDE_URL

INSIDE_VIEWERS = VIEWERS - OUTSIDE


def main_part(html: bytes) -> bytes:
    return html[html.index(b"<main") : html.index(b"</main>")]


def message(code: PartyError, **params: Any) -> str:
    """The message as the page shows it, in the interface language (Chinese by default)."""
    with translation.override("zh-hans"):
        return escape(code.message(**params))


def text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_the_lists_answer_by_role_and_show_only_the_users_area(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    reads = 200 if persona in VIEWERS else 403
    for url in ("/party/", "/party/organisations/", "/party/units/", "/party/cadres/"):
        response = client.get(url)
        assert response.status_code == reads, (persona, url)
        if reads == 200:
            assert not OUTSIDE_URL.search(response.content), url
        # an area outside the user's own is not found
        inside = client.get(f"{url}?area={VILLAGE}")
        assert inside.status_code == (reads if persona not in OUTSIDE else 404), (persona, url)
    assert client.get("/party/organisations/new/").status_code == (200 if persona in EDITORS else 403)
    if persona in VIEWERS:
        listed = text(client.get("/party/organisations/"))
        assert (f'href="/party/organisations/{world["branch"].pk}/"' in listed) == (persona in INSIDE_VIEWERS)
        if persona == "outsider":
            assert f'href="/party/organisations/{world["far"].pk}/"' in listed
        units = text(client.get("/party/units/"))
        assert (world["unit"].name in units) == (persona in INSIDE_VIEWERS)
        cadres = text(client.get("/party/cadres/"))
        assert (world["cadre"].name in cadres) == (persona in INSIDE_VIEWERS)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_one_object_pages_answer_by_role_and_area(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    branch = world["branch"]
    detail = client.get(f"/party/organisations/{branch.pk}/")
    assert detail.status_code == expected(persona, VIEWERS), persona
    missing = client.get(f"/party/organisations/{branch.pk + 10**6}/")
    assert missing.status_code == (404 if persona in VIEWERS else 403)
    if persona in OUTSIDE:
        assert main_part(detail.content) == main_part(missing.content)
    edit_pages = [
        f"/party/organisations/{branch.pk}/edit/",
        f"/party/members/{world['member'].pk}/edit/",
        f"/party/units/{world['unit'].pk}/edit/",
        f"/party/cadres/{world['cadre'].pk}/edit/",
    ]
    for url in edit_pages:
        response = client.get(url)
        assert response.status_code == expected(persona, EDITORS), (persona, url)
        if persona in OUTSIDE:
            absent = client.get(url.replace("/edit/", "0000/edit/"))
            assert absent.status_code == 404 and main_part(response.content) == main_part(absent.content)
    if detail.status_code == 200:
        page = text(detail)
        assert not OUTSIDE_URL.search(detail.content)
        assert branch.name in page and world["member"].name in page and world["coop"].name in page
        for action in ("member", "link", "dissolve"):
            assert (f'name="action" value="{action}"' in page) == (persona in EDITORS), (persona, action)
        assert ('name="action" value="rate"' in page) == (persona in RATERS), persona
        assert (f'href="/party/organisations/{branch.pk}/edit/"' in page) == (persona in EDITORS)
        # the higher organisation (the township committee) is a link for who may open it
        assert (f'href="/party/organisations/{world["township"].pk}/"' in page) == (
            persona in {"county_admin", "org_dept", "township_officer", "supervisor"}
        )


def post_all(client: Client, world: dict[str, Any]) -> list[tuple[str, int]]:
    """Every form of the party pages, posted once with valid data; (name, status) for each."""
    branch, coop = world["branch"], world["coop"]
    act = f"/party/organisations/{branch.pk}/act/"
    posts = [
        ("member", act, {"action": "member", "name": "吴新党员", "status": "full"}),
        ("link", act, {"action": "link", "other": world["neighbour"].pk, "kind": "area", "role": "leads"}),
        ("rate", act, {"action": "rate", "year": "2024", "stars": "4", "rating_class": "advanced"}),
        ("end_link", f"/party/linkages/{world['link'].pk}/end/", {"back": branch.pk}),
        (
            "org_edit",
            f"/party/organisations/{branch.pk}/edit/",
            {
                "area": VILLAGE,
                "name": branch.name,
                "kind": "branch",
                "setting": "village",
                "secretary_name": "新书记",
            },
        ),
        (
            "member_edit",
            f"/party/members/{world['member'].pk}/edit/",
            {"name": "龙老党员", "status": "transferred"},
        ),
        (
            "unit_edit",
            f"/party/units/{world['unit'].pk}/edit/",
            {"area": VILLAGE, "name": "改名合作社", "kind": "other"},
        ),
        (
            "cadre_edit",
            f"/party/cadres/{world['cadre'].pk}/edit/",
            {
                "area": VILLAGE,
                "name": "施村主任",
                "post": "director",
                "birth_year": "1975",
                "education": "college",
            },
        ),
        ("unit_new", "/party/units/", {"area": VILLAGE, "name": "新单位", "kind": "department"}),
        (
            "cadre_new",
            "/party/cadres/",
            {
                "area": VILLAGE,
                "name": "杨会计",
                "post": "accountant",
                "birth_year": "1980",
                "education": "senior",
            },
        ),
        (
            "org_new",
            "/party/organisations/new/",
            {"area": VILLAGE, "name": "新支部", "kind": "branch", "setting": "village"},
        ),
        ("dissolve", f"/party/organisations/{coop.pk}/act/", {"action": "dissolve"}),
    ]
    return [(name, client.post(url, data).status_code) for name, url, data in posts]


CREATES = {"unit_new", "cadre_new", "org_new"}  # no object in the URL: the role decides first


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_only_who_may_can_post_and_a_refusal_changes_nothing(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    before = state()
    results = dict(post_all(client, world))
    for name, status in results.items():
        allowed = RATERS if name == "rate" else EDITORS
        want = (302 if persona in EDITORS else 403) if name in CREATES else expected(persona, allowed, 302)
        assert status == want, (persona, name, status)
    if not any(status == 302 for status in results.values()):
        assert state() == before
    if persona == "org_dept":
        branch = Organisation.objects.get(pk=world["branch"].pk)
        assert branch.secretary_name == "新书记"
        assert PartyMember.objects.filter(name="吴新党员", organisation=branch).exists()
        assert Rating.objects.get(organisation=branch, year=2024).stars == 4
        assert Linkage.objects.filter(first=branch, second=world["neighbour"], kind="area").exists()
        assert Linkage.objects.get(pk=world["link"].pk).ended_on == timezone.localdate()
        assert Organisation.objects.get(pk=world["coop"].pk).dissolved_on == timezone.localdate()
        assert Unit.objects.filter(name="新单位", area_id=VILLAGE).exists()
        assert Cadre.objects.get(pk=world["cadre"].pk).education == "college"
        assert Cadre.objects.filter(name="杨会计").exists()
        assert Organisation.objects.filter(name="新支部", area_id=VILLAGE).exists()
        assert PartyMember.objects.get(pk=world["member"].pk).status == "transferred"


def test_a_rater_without_edit_rights_and_an_editor_without_rate_rights_post_their_own_forms_only(
    world: dict[str, Any], client_for: Any
) -> None:
    """The township officer edits but does not rate: the rate post is refused, nothing changes."""
    officer = client_for("township_officer")
    before = state()
    act = f"/party/organisations/{world['branch'].pk}/act/"
    response = officer.post(act, {"action": "rate", "year": "2024", "stars": "4", "rating_class": "advanced"})
    assert response.status_code == 403 and state() == before
    assert officer.post(act, {"action": "nonsense"}).status_code == 404
    assert state() == before


# --- form errors on the pages ---------------------------------------------------------------


def test_form_errors_are_shown_next_to_the_forms_and_nothing_is_saved(
    world: dict[str, Any], client_for: Any
) -> None:
    dept = client_for("org_dept")
    branch = world["branch"]
    act = f"/party/organisations/{branch.pk}/act/"
    before = state()
    weak = dept.post(
        act, {"action": "rate", "year": "2024", "stars": "1", "rating_class": "lagging", "weak": "on"}
    )
    assert weak.status_code == 400 and message(PartyError.WEAK_NEEDS_RECTIFICATION) in text(weak)
    # the form keeps what was typed
    assert '<option value="lagging" selected>' in text(weak)
    stars = dept.post(act, {"action": "rate", "year": "2024", "stars": "6", "rating_class": "middle"})
    assert stars.status_code == 400 and message(PartyError.STARS_RANGE) in text(stars)
    duplicate = dept.post(
        act, {"action": "link", "other": world["coop"].pk, "kind": "chain", "role": "leads"}
    )
    assert duplicate.status_code == 400 and message(PartyError.LINK_EXISTS) in text(duplicate)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    future = dept.post(act, {"action": "member", "name": "甲", "status": "full", "joined_on": tomorrow})
    assert future.status_code == 400 and message(PartyError.DATE_IN_FUTURE) in text(future)
    joint = dept.post(
        "/party/organisations/new/",
        {"area": TOWNSHIP, "name": "联合党委", "kind": "joint", "setting": "village", "villages": [VILLAGE]},
    )
    assert joint.status_code == 400 and message(PartyError.JOINT_NEEDS_VILLAGES) in text(joint)
    cycle = dept.post(
        f"/party/organisations/{world['township'].pk}/edit/",
        {
            "area": TOWNSHIP,
            "name": "双龙镇党委",
            "kind": "committee",
            "setting": "township",
            "parent": branch.pk,
        },
    )
    assert cycle.status_code == 400 and message(PartyError.PARENT_DESCENDANT) in text(cycle)
    ended = dept.post(
        f"/party/linkages/{world['link'].pk}/end/", {"back": branch.pk, "ended_on": "2020-01-01"}
    )
    assert ended.status_code == 400 and message(PartyError.ENDED_BEFORE_STARTED) in text(ended)
    unit = dept.post("/party/units/", {"area": VILLAGE, "name": world["unit"].name, "kind": "other"})
    assert unit.status_code == 400 and message(PartyError.UNIT_NAME_TAKEN) in text(unit)
    cadre = dept.post(
        "/party/cadres/",
        {"area": VILLAGE, "name": "某", "post": "", "birth_year": "1970", "education": "junior"},
    )
    assert cadre.status_code == 400 and message(PartyError.REQUIRED) in text(cadre)
    assert state() == before


def test_a_member_can_be_linked_to_a_villager_from_the_branch_page(
    world: dict[str, Any], client_for: Any
) -> None:
    from tests.conftest import make_household

    villager = make_household(VILLAGE, head_name="施成富").members.get(relation="head")
    officer = client_for("township_officer")
    page = text(officer.get(f"/party/organisations/{world['branch'].pk}/"))
    assert f'<option value="{villager.pk}"' in page and "施成富" in page
    response = officer.post(
        f"/party/organisations/{world['branch'].pk}/act/",
        {"action": "member", "registry_member": villager.pk, "name": "", "status": "full"},
    )
    assert response.status_code == 302
    member = PartyMember.objects.get(registry_member=villager)
    assert member.name == "施成富" and member.organisation_id == world["branch"].pk
    # linked villagers are not offered again
    assert f'<option value="{villager.pk}"' not in text(
        officer.get(f"/party/organisations/{world['branch'].pk}/")
    )


# --- what the pages show -------------------------------------------------------------------


def test_the_organisation_departments_journey_ratings_and_pairings(
    world: dict[str, Any], client_for: Any
) -> None:
    """Journey 5.3: a unit and its branch, a weak village branch rated with its measures, the
    unit's branch paired with it; the overview shows the classes, the stars and the pairing."""
    dept = client_for("org_dept")
    assert (
        dept.post("/party/units/", {"area": COUNTY, "name": "县人民医院", "kind": "hospital"}).status_code
        == 302
    )
    unit = Unit.objects.get(name="县人民医院")
    made = dept.post(
        "/party/organisations/new/",
        {"area": COUNTY, "name": "县人民医院党总支", "kind": "general", "setting": "unit", "unit": unit.pk},
    )
    hospital = Organisation.objects.get(name="县人民医院党总支")
    assert made.status_code == 302 and made["Location"] == f"/party/organisations/{hospital.pk}/"
    act = f"/party/organisations/{world['branch'].pk}/act/"
    rated = dept.post(
        act,
        {
            "action": "rate",
            "year": "2024",
            "stars": "1",
            "rating_class": "lagging",
            "weak": "on",
            "rectification": "班子调整",
        },
    )
    assert rated.status_code == 302
    dept.post(
        act, {"action": "link", "other": hospital.pk, "kind": "urban_rural", "role": "joins", "note": "1+1"}
    )
    assert Linkage.objects.filter(first=hospital, second=world["branch"], kind="urban_rural").exists()
    dept.post(
        f"/party/organisations/{world['neighbour'].pk}/act/",
        {"action": "rate", "year": "2024", "stars": "5", "rating_class": "advanced"},
    )
    home = text(dept.get("/party/"))  # the last year with ratings is the default
    assert (
        "2024" in home and world["branch"].name in home and "县人民医院党总支" in home and "班子调整" in home
    )
    assert f'href="/party/organisations/{hospital.pk}/"' in home
    assert world["neighbour"].name not in home  # rated, but not weak
    # the village clerk sees the pairing by name; the county hospital's branch is not hers to open
    clerk = text(client_for("village_clerk").get("/party/?year=2024"))
    assert "县人民医院党总支" in clerk and f'href="/party/organisations/{hospital.pk}/"' not in clerk
    # the neighbouring village's clerk sees none of it
    neighbour = text(client_for("neighbour_clerk").get("/party/?year=2024"))
    assert world["branch"].name not in neighbour and "县人民医院党总支" not in neighbour
    # an earlier year has no weak branch
    assert world["branch"].name not in text(dept.get("/party/?year=2023"))
    page = text(dept.get(f"/party/organisations/{world['branch'].pk}/"))
    assert "县人民医院党总支" in page and "班子调整" in page and "★☆☆☆☆" in page


def test_the_weak_list_marks_a_weak_branch_without_a_paired_unit(
    world: dict[str, Any], client_for: Any
) -> None:
    Rating.objects.create(
        organisation=world["branch"],
        area_id=VILLAGE,
        year=2024,
        stars=0,
        rating_class="lagging",
        weak=True,
        rectification="整顿",
    )
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        unpaired = gettext("No urban unit paired")
    assert unpaired in text(client_for("org_dept").get("/party/?year=2024"))


def test_the_organisations_list_filters_by_area_and_kind(world: dict[str, Any], client_for: Any) -> None:
    dept = client_for("org_dept")
    committees = text(dept.get("/party/organisations/?kind=committee"))
    assert world["township"].name in committees and world["branch"].name not in committees
    in_village = text(dept.get(f"/party/organisations/?area={NEIGHBOUR_VILLAGE}"))
    assert world["neighbour"].name in in_village and world["branch"].name not in in_village
    Organisation.objects.filter(pk=world["coop"].pk).update(dissolved_on=dt.date(2024, 1, 1))
    assert world["coop"].name not in text(dept.get("/party/organisations/"))
    assert world["coop"].name in text(dept.get("/party/organisations/?dissolved=1"))


def test_the_cadres_page_flags_who_is_to_be_replaced_or_trained(
    world: dict[str, Any], client_for: Any
) -> None:
    year = timezone.localdate().year
    Cadre.objects.create(
        area_id=VILLAGE, name="老支书", post="secretary", birth_year=year - 63, education="junior"
    )
    Cadre.objects.create(
        area_id=VILLAGE, name="后备小龙", post="reserve", birth_year=1999, education="college", reserve=True
    )
    page = text(client_for("village_clerk").get("/party/cadres/"))
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        over_age = gettext("over age")
    row = page[page.index("老支书") :]
    assert over_age in row[: row.index("</tr>")]
    assert "后备小龙" in page[page.index('id="reserve"') :]
    # the clerk only reads; the county department gets the form to add a cadre
    assert b'method="post"' not in main_part(page.encode())
    assert b'name="birth_year"' in main_part(client_for("org_dept").get("/party/cadres/").content)
