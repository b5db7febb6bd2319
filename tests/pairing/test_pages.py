"""Pairing pages for every persona: reading by role inside the area, 404 outside like a missing
pairing, the forms only for who may pair, county-only kinds refused below the county, a denied
post changes nothing; the lock and the hand-over through the pages; the helper's phone masked on
every page; the coverage report and its export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.core.personas import (
    ALL_USERNAMES,
    COUNTY,
    NEIGHBOUR_VILLAGE,
    OTHER_TOWNSHIP_VILLAGE,
    TOWNSHIP,
    VILLAGE,
)
from fupin.pairing import actions
from fupin.pairing.actions import Helper
from fupin.pairing.models import Pairing
from fupin.party.models import Unit
from fupin.registry import actions as registry
from tests.conftest import make_household
from tests.pairing.conftest import make_unit, pair_cadre
from tests.web.test_pages import OUTSIDE_URL

PHONE = "13812345678"
READERS = {
    "county_admin",
    "org_dept",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "cadre",
    "supervisor",
}
OUTSIDE = {"outsider", "neighbour_clerk"}
PAIRERS = {"county_admin", "township_officer", "village_clerk"}


def expected(persona: str, allowed: set[str], ok: int = 200) -> int:
    if persona == "dept_provider":
        return 403
    if persona in OUTSIDE:
        return 404
    return ok if persona in allowed else 403


def main_part(html: bytes) -> bytes:
    return html[html.index(b"<main") : html.index(b"</main>")]


def state() -> tuple[Any, ...]:
    return (
        list(Pairing.objects.order_by("pk").values_list("pk", "ended_on", "successor_id")),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def world(personas: dict[str, Any], unit: Unit) -> dict[str, Any]:
    poor = make_household(VILLAGE, status="poor", head_name="施成富")
    exited = make_household(VILLAGE, status="exited", head_name="龙拔二")
    return {
        "poor": poor,
        "exited": exited,
        "cadre": pair_cadre(poor, name="龙干部", post="县农业农村局", phone=PHONE),
        "free": pair_cadre(exited, name="吴干部"),
        "unit_pairing": actions.do_pair(
            SYSTEM,
            "unit_village",
            area=poor.area,
            helper=Helper(unit=unit, name="联络员", phone="13900001111"),
        ),
        "unit": unit,
    }


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_pairing_pages_answer_as_role_and_area_allow(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    cadre = world["cadre"]
    readable = 403 if persona == "dept_provider" else 200
    for url in ("/pairing/", "/pairing/coverage/", "/pairing/coverage/export/"):
        assert client.get(url).status_code == readable, (persona, url)
    listing = client.get("/pairing/")
    if readable == 200:
        text = listing.content.decode()
        assert ("龙干部" in text) == (persona in READERS), persona
        assert PHONE not in text and not OUTSIDE_URL.search(listing.content)
        assert ('name="kind" value="unit_village"' in text) == (persona in {"county_admin", "outsider"}), (
            persona
        )
        assert ('name="number"' in text) == (persona in PAIRERS | {"outsider", "neighbour_clerk"}), persona
    detail = client.get(f"/pairing/{cadre.pk}/")
    assert detail.status_code == expected(persona, READERS), persona
    missing = client.get(f"/pairing/{cadre.pk + 1000}/")
    assert missing.status_code == (403 if persona == "dept_provider" else 404)
    if persona in OUTSIDE:
        assert main_part(detail.content) == main_part(missing.content)
    if detail.status_code == 200:
        text = detail.content.decode()
        assert "138****5678" in text and PHONE not in text and "施成富" in text
        assert ('value="hand_over"' in text) == (persona in PAIRERS), persona
        # the household is poor: the end form is replaced by the lock's explanation
        assert 'value="end"' not in text
    household_page = client.get(f"/pairing/household/{world['poor'].pk}/")
    assert household_page.status_code == expected(persona, READERS), persona
    if household_page.status_code == 200:
        text = household_page.content.decode()
        assert ('name="kind" value="cadre_household"' in text) == (persona in PAIRERS), persona
        assert "138****5678" in text and PHONE not in text
    unit_detail = client.get(f"/pairing/{world['unit_pairing'].pk}/")
    if unit_detail.status_code == 200:
        assert ('value="hand_over"' in unit_detail.content.decode()) == (persona == "county_admin"), persona
    area_elsewhere = client.get(f"/pairing/coverage/?area={VILLAGE}")
    assert area_elsewhere.status_code == expected(persona, READERS), persona


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_only_pairers_may_post_and_a_refusal_changes_nothing(
    persona: str, world: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    poor = world["poor"]
    before = state()
    new_cadre = {"kind": "cadre_household", "helper_name": "麻干部", "helper_phone": "13700002222"}
    end = {"action": "end", "reason": "工作调动"}
    hand = {"action": "hand_over", "helper_name": "彭干部", "reason": "调任"}
    if persona not in PAIRERS:
        assert client.post(f"/pairing/household/{poor.pk}/", new_cadre).status_code == expected(
            persona, PAIRERS
        )
        assert client.post(f"/pairing/{world['free'].pk}/act/", end).status_code == expected(persona, PAIRERS)
        assert client.post(f"/pairing/{world['cadre'].pk}/act/", hand).status_code == expected(
            persona, PAIRERS
        )
        county = client.post("/pairing/", {"kind": "leader_village", "area": VILLAGE, "helper_name": "县长"})
        assert county.status_code == expected(persona, {"county_admin"}), persona
        assert state() == before
        return
    made = client.post(f"/pairing/household/{poor.pk}/", new_cadre)
    assert made.status_code == 302 and Pairing.objects.filter(helper_name="麻干部", household=poor).exists()
    # the lock: the poor household's pairing does not end, through the page either
    entries = AuditEntry.objects.count()
    locked = client.post(f"/pairing/{world['cadre'].pk}/act/", end)
    assert locked.status_code == 400 and "Hand it over" in locked.content.decode()
    assert (
        Pairing.objects.get(pk=world["cadre"].pk).ended_on is None and AuditEntry.objects.count() == entries
    )
    handed = client.post(f"/pairing/{world['cadre'].pk}/act/", hand)
    successor = Pairing.objects.get(helper_name="彭干部")
    assert handed.status_code == 302 and handed["Location"] == f"/pairing/{successor.pk}/"
    assert Pairing.objects.get(pk=world["cadre"].pk).successor == successor
    # the exited household's pairing ends
    ended = client.post(f"/pairing/{world['free'].pk}/act/", end)
    assert ended.status_code == 302 and Pairing.objects.get(pk=world["free"].pk).end_reason == "工作调动"
    county = client.post("/pairing/", {"kind": "leader_village", "area": VILLAGE, "helper_name": "县长"})
    if persona == "county_admin":
        assert county.status_code == 302 and Pairing.objects.filter(kind="leader_village").exists()
    else:
        # a township officer or a village clerk: the county-level kinds are refused, with the reason
        assert county.status_code == 403 and "county-level user" in county.content.decode()
        assert not Pairing.objects.filter(kind="leader_village").exists()


def test_the_county_pairs_a_unit_through_the_page_and_errors_show(
    personas: dict[str, Any], world: dict[str, Any], client_for: Any
) -> None:
    admin = client_for("county_admin")
    other = make_unit("县卫健局")
    missing = admin.post("/pairing/", {"kind": "unit_village", "area": "", "unit": ""})
    assert missing.status_code == 400
    assert "Choose the unit." in missing.content.decode() and "Choose a village." in missing.content.decode()
    made = admin.post("/pairing/", {"kind": "unit_village", "area": NEIGHBOUR_VILLAGE, "unit": other.pk})
    pairing = Pairing.objects.get(unit=other)
    assert made.status_code == 302 and made["Location"] == f"/pairing/{pairing.pk}/"
    theirs = make_unit("泸溪县民政局", area_code="433122000000")
    assert (
        admin.post("/pairing/", {"kind": "unit_village", "area": VILLAGE, "unit": theirs.pk}).status_code
        == 404
    )


def test_a_household_number_opens_its_pairings(world: dict[str, Any], client_for: Any) -> None:
    clerk = client_for("village_clerk")
    found = clerk.get(f"/pairing/?number={world['poor'].number}")
    assert found.status_code == 302 and found["Location"] == f"/pairing/household/{world['poor'].pk}/"
    far = make_household(OTHER_TOWNSHIP_VILLAGE)
    assert clerk.get(f"/pairing/?number={far.number}").status_code == 404


def test_the_household_page_shows_its_helpers_masked_and_the_ended_ones_folded(
    personas: dict[str, Any], world: dict[str, Any], client_for: Any
) -> None:
    registry.do_change_status(world["poor"], "exited", year=2025, reason="脱贫", actor=SYSTEM)
    actions.do_end_pairing(SYSTEM, Pairing.objects.get(pk=world["cadre"].pk), "帮扶期满")
    pair_cadre(world["poor"], name="新干部", post="镇干部", phone="13600003333")
    for persona in ("village_clerk", "cadre", "supervisor"):
        text = client_for(persona).get(f"/households/{world['poor'].pk}/").content.decode()
        assert "新干部" in text and "镇干部" in text and "136****3333" in text and "13600003333" not in text
        ended = text[text.index("Ended pairings") :]
        assert "龙干部" in ended and "帮扶期满" in ended and PHONE not in text
    no_cadre = make_household(VILLAGE, status="monitored")
    text = client_for("cadre").get(f"/households/{no_cadre.pk}/").content.decode()
    assert "No cadre is paired with this household." in text


def test_the_coverage_page_and_export_list_the_gaps(
    personas: dict[str, Any], world: dict[str, Any], client_for: Any
) -> None:
    bare = make_household(NEIGHBOUR_VILLAGE, status="monitored", head_name="丙池监测户")
    client = client_for("org_dept")
    page = client.get("/pairing/coverage/")
    text = page.content.decode()
    assert page.status_code == 200 and "双龙镇" in text and "丙池村" in text and "丙池监测户" in text
    assert "施成富" not in text  # covered by a cadre
    drill = client.get(f"/pairing/coverage/?area={TOWNSHIP}").content.decode()
    assert "丙池村" in drill and "龙潭" not in drill
    export = client.get(f"/pairing/coverage/export/?area={COUNTY}")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(export.content), read_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    households = sheets["Households without cadre"]
    assert households[0] == ["Township", "Village", "Household number", "Head of household"]
    assert [r[2:] for r in households[1:]] == [[bare.number, "丙池监测户"]]
    assert households[1][:2] == ["双龙镇", "丙池村"]
    without_leader = {r[1] for r in sheets["Villages without leader"][1:]}
    assert without_leader == {"十八洞村", "丙池村"}
    assert {r[1] for r in sheets["Villages without unit"][1:]} == {"丙池村"}
    assert sheets["Units without village"][1:] == []
    summary = sheets["Summary"]
    assert summary[1][:2] == ["花垣县", COUNTY] and summary[1][-2:] == [2, 1]
    assert client_for("neighbour_clerk").get(f"/pairing/coverage/export/?area={VILLAGE}").status_code == 404
