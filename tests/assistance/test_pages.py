"""Assistance pages for every persona: reading by role inside the area, 404 outside like a
missing row, the forms only for who may use them; every write for every persona, a refused
one changing nothing; form errors shown next to the form; the visit list's export."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from fupin.assistance.models import (
    CareFlag,
    CareFollowUp,
    Measure,
    Project,
    Training,
    TrainingAttendance,
    TransferJob,
    Visit,
    Workshop,
    WorkshopWorker,
)
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, FULL_NAMES, VILLAGE
from tests.assistance.conftest import MANAGERS, OUTSIDE, READERS, RECORDERS, Stuff, World
from tests.web.test_pages import OUTSIDE_URL

TODAY = timezone.localdate().isoformat()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTS = [
    "/assistance/",
    "/assistance/visits/",
    "/assistance/visits/export/",
    "/assistance/projects/",
    "/assistance/workshops/",
    "/assistance/jobs/",
    "/assistance/trainings/",
    "/assistance/care/",
]


def expected(persona: str, allowed: set[str], ok: int = 200) -> int:
    """Inside 十八洞村 the role decides; outside it, 404 like something that does not exist."""
    if persona in OUTSIDE:
        return 404
    return ok if persona in allowed else 403


def state() -> tuple[Any, ...]:
    models = (Measure, Visit, Project, Workshop, WorkshopWorker, TransferJob, Training, TrainingAttendance)
    return (
        *(m.objects.count() for m in models),
        CareFlag.objects.count(),
        CareFollowUp.objects.count(),
        AuditEntry.objects.count(),
        tuple(Project.objects.order_by("pk").values_list("spent", flat=True)),
        tuple(WorkshopWorker.objects.order_by("pk").values_list("ended_on", flat=True)),
        tuple(TransferJob.objects.order_by("pk").values_list("ended_on", flat=True)),
        tuple(CareFlag.objects.order_by("pk").values_list("ended_on", flat=True)),
        tuple(Workshop.objects.order_by("pk").values_list("closed_on", flat=True)),
    )


def main_part(html: bytes) -> bytes:
    return html[html.index(b"<main") : html.index(b"</main>")]


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_list_pages_answer_as_role_and_area_allow(persona: str, stuff: Stuff, client_for: Any) -> None:
    client = client_for(persona)
    for url in LISTS:
        own = client.get(url)
        assert own.status_code == (403 if persona == "dept_provider" else 200), (url, persona)
        here = client.get(url, {"area": VILLAGE})
        assert here.status_code == expected(persona, READERS), (url, persona)
        if own.status_code == 200 and url.endswith("/export/"):
            assert own["Content-Type"] == XLSX
        elif own.status_code == 200:
            assert not OUTSIDE_URL.search(own.content), url
    projects = client.get("/assistance/projects/", {"area": VILLAGE})
    if projects.status_code == 200:
        text = projects.content.decode()
        assert "猕猴桃基地" in text and "300,000.00" in text
        assert ('name="budget"' in text) == (persona in MANAGERS), persona
    if persona in OUTSIDE:  # their own areas: nothing of 十八洞村
        for url in (
            "/assistance/projects/",
            "/assistance/workshops/",
            "/assistance/care/",
            "/assistance/jobs/",
        ):
            text = client.get(url).content.decode()
            assert "猕猴桃基地" not in text and "苗绣车间" not in text and "儿童督导员龙妹" not in text
            assert "浙江宁波" not in text


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_detail_pages_answer_as_role_and_area_allow(persona: str, stuff: Stuff, client_for: Any) -> None:
    client = client_for(persona)
    for url, shown in (
        (f"/assistance/projects/{stuff.project.pk}/", "猕猴桃苗补助"),
        (f"/assistance/workshops/{stuff.workshop.pk}/", "苗绣车间"),
        (f"/assistance/trainings/{stuff.training.pk}/", "猕猴桃修剪培训"),
        (f"/assistance/care/{stuff.flag.pk}/", "儿童督导员龙妹"),
    ):
        response = client.get(url)
        assert response.status_code == expected(persona, READERS), (url, persona)
        missing = client.get(url.replace(f"/{url.split('/')[-2]}/", "/987654321/"))
        assert missing.status_code == (403 if persona == "dept_provider" else 404), url
        if persona in OUTSIDE:
            assert main_part(response.content) == main_part(missing.content)
        if response.status_code == 200:
            text = response.content.decode()
            assert shown in text
            forms = b'method="post"' in main_part(response.content)
            assert forms == (persona in MANAGERS), (url, persona)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_the_household_forms_answer_as_role_area_and_pairing_allow(
    persona: str, world: World, client_for: Any
) -> None:
    client = client_for(persona)
    for form in ("measures", "visits"):
        paired = client.get(f"/households/{world.home.pk}/{form}/new/")
        assert paired.status_code == expected(persona, RECORDERS), (form, persona)
        unpaired = client.get(f"/households/{world.unpaired.pk}/{form}/new/")
        assert unpaired.status_code == expected(persona, RECORDERS - {"cadre"}), (form, persona)
    if persona == "cadre":
        refused = client.get(f"/households/{world.unpaired.pk}/visits/new/").content.decode()
        assert "paired to you" in refused or "结对" in refused


# --- writes -------------------------------------------------------------------------------


def writes(stuff: Stuff, world: World) -> list[tuple[str, str, dict[str, Any], set[str]]]:
    member = world.unpaired.members.exclude(relation="head").first()
    assert member is not None
    return [
        (
            "measure",
            f"/households/{world.home.pk}/measures/new/",
            {"kind": "education", "day": TODAY, "amount": "500", "description": "雨露计划"},
            RECORDERS,
        ),
        ("visit", f"/households/{world.home.pk}/visits/new/", {"day": TODAY, "discussed": "春耕"}, RECORDERS),
        (
            "project",
            f"/assistance/projects/?area={VILLAGE}",
            {"area": VILLAGE, "name": "光伏电站", "kind": "industry", "year": "2024", "budget": "10"},
            MANAGERS,
        ),
        (
            "project funds",
            f"/assistance/projects/{stuff.project.pk}/",
            {
                "name": "猕猴桃基地",
                "kind": "industry",
                "year": "2024",
                "budget": "300000",
                "allocated": "200000",
                "spent": "1",
            },
            MANAGERS,
        ),
        (
            "workshop",
            f"/assistance/workshops/?area={VILLAGE}",
            {"area": VILLAGE, "name": "竹编车间", "kind": "cooperative", "opened_on": "2024-01-02"},
            MANAGERS,
        ),
        (
            "worker",
            f"/assistance/workshops/{stuff.workshop.pk}/",
            {"action": "add_worker", "member": member.pk, "started_on": "2024-07-01"},
            MANAGERS,
        ),
        (
            "end worker",
            f"/assistance/workshops/{stuff.workshop.pk}/",
            {"action": "end_worker", "worker": stuff.worker.pk, "ended_on": "2024-12-01"},
            MANAGERS,
        ),
        (
            "transfer job",
            f"/assistance/jobs/?area={VILLAGE}",
            {
                "action": "add",
                "member": member.pk,
                "place": "广东东莞",
                "employer": "鞋厂",
                "started_on": "2024-03-01",
            },
            MANAGERS,
        ),
        (
            "end transfer job",
            f"/assistance/jobs/?area={VILLAGE}",
            {"action": "end", "job": stuff.job.pk, "ended_on": "2024-12-01"},
            MANAGERS,
        ),
        (
            "training",
            f"/assistance/trainings/?area={VILLAGE}",
            {"area": VILLAGE, "title": "电商培训", "day": "2024-08-08", "hours": "3"},
            MANAGERS,
        ),
        ("attendance", f"/assistance/trainings/{stuff.training.pk}/", {"member": member.pk}, MANAGERS),
        (
            "care flag",
            f"/assistance/care/?area={VILLAGE}",
            {"member": member.pk, "category": "elderly", "since": "2024-02-02", "followed_by": "村医"},
            MANAGERS,
        ),
        (
            "follow-up",
            f"/assistance/care/{stuff.flag.pk}/",
            {"action": "follow_up", "day": TODAY, "note": "上门看望"},
            MANAGERS,
        ),
        ("end flag", f"/assistance/care/{stuff.flag.pk}/", {"action": "end", "ended_on": TODAY}, MANAGERS),
        (
            "close workshop",
            f"/assistance/workshops/{stuff.workshop.pk}/",
            {"action": "close", "closed_on": TODAY},
            MANAGERS,
        ),
    ]


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_every_write_for_every_persona(persona: str, stuff: Stuff, world: World, client_for: Any) -> None:
    client = client_for(persona)
    for name, url, data, allowed in writes(stuff, world):
        before = state()
        response = client.post(url, data)
        assert response.status_code == expected(persona, allowed, 302), (
            name,
            persona,
            response.content[:400],
        )
        if response.status_code == 302:
            assert state() != before, name
        else:
            assert state() == before, (name, persona)


def test_a_cadre_writes_only_for_the_paired_household(world: World, client_for: Any) -> None:
    client = client_for("cadre")
    for form, data in (
        ("measures", {"kind": "health", "day": TODAY, "description": "家庭医生签约"}),
        ("visits", {"day": TODAY, "discussed": "看病报销"}),
    ):
        before = state()
        assert client.post(f"/households/{world.unpaired.pk}/{form}/new/", data).status_code == 403
        assert state() == before
        assert client.post(f"/households/{world.home.pk}/{form}/new/", data).status_code == 302
    measure = Measure.objects.get()
    assert measure.responsible == world.pairing and measure.recorded_by == world.personas["cadre"]
    assert Visit.objects.get().visitor_name == FULL_NAMES["cadre"]


def test_a_refused_form_comes_back_with_its_messages(stuff: Stuff, world: World, client_for: Any) -> None:
    client = client_for("village_clerk")
    client.cookies["django_language"] = "en"
    before = state()
    cases = [
        (
            f"/households/{world.home.pk}/measures/new/",
            {"kind": "industry", "day": "2999-01-01", "amount": "-1", "description": ""},
            ["The date cannot be in the future.", "An amount cannot be negative.", "Describe the measure."],
        ),
        (
            f"/assistance/projects/{stuff.project.pk}/",
            {"name": "猕猴桃基地", "kind": "industry", "year": "2024", "budget": "10", "allocated": "20"},
            ["The amount allocated cannot exceed the budget."],
        ),
        (
            f"/assistance/projects/?area={VILLAGE}",
            {"area": "", "name": "x", "kind": "industry", "year": "2024"},
            ["Choose a village or a township."],
        ),
        (
            f"/assistance/workshops/{stuff.workshop.pk}/",
            {"action": "add_worker", "member": stuff.worker.member_id, "started_on": "2024-07-01"},
            ["This person already has an active job in this workshop."],
        ),
        (
            f"/assistance/trainings/{stuff.training.pk}/",
            {"member": world.neighbour.members.first().pk},  # type: ignore[union-attr]
            None,  # the neighbouring village's person is outside the clerk's area: 404
        ),
        (
            f"/assistance/care/?area={VILLAGE}",
            {"member": stuff.flag.member_id, "category": "child", "since": "2024-02-02", "followed_by": "x"},
            ["This person already has an open flag of this category."],
        ),
        (
            f"/assistance/jobs/?area={VILLAGE}",
            {"action": "add", "member": "", "place": "x", "employer": "y", "started_on": "2024-01-01"},
            ["Choose a person."],
        ),
    ]
    for url, data, messages in cases:
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
        if messages is None:
            assert response.status_code == 404
            continue
        assert response.status_code == 400, (url, response.status_code)
        text = response.content.decode()
        for message in messages:
            assert message in text, (url, message)
    assert state() == before


def test_the_visit_list_and_its_export(world: World, client_for: Any) -> None:
    client = client_for("village_clerk")
    page = client.get("/assistance/visits/").content.decode()
    for name in ("龙先发", "施成富"):
        assert name in page  # poor, not visited this year
    assert "杨秀清" not in page  # the neighbouring village's
    assert f'href="/households/{world.home.pk}/visits/new/"' in page
    mine = client_for("cadre").get("/assistance/visits/", {"mine": "1"}).content.decode()
    assert "龙先发" in mine and "施成富" not in mine
    everyone = client_for("cadre").get("/assistance/visits/").content.decode()
    assert "施成富" in everyone  # the cadre reads the village's list, and may record only for his own
    assert f'href="/households/{world.home.pk}/visits/new/"' in everyone
    assert f'href="/households/{world.unpaired.pk}/visits/new/"' not in everyone
    response = client.get("/assistance/visits/export/")
    assert response["Content-Type"] == XLSX and "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:3] == ("户编号", "户主姓名", "所在村(组)")
    found = {row[1]: row for row in rows[3:]}
    assert set(found) == {"龙先发", "施成富"}
    assert found["龙先发"][5] == "彭学明" and found["龙先发"][7] == 4
    assert (
        found["龙先发"][4] == "贫困户" or found["龙先发"][4]
    )  # the status label, in Chinese when translated
    county = client_for("county_admin").get("/assistance/visits/export/", {"area": VILLAGE})
    assert len(list(openpyxl.load_workbook(io.BytesIO(county.content)).active.iter_rows())) == 5


def test_the_household_page_shows_the_section_and_the_buttons_for_who_may_record(
    stuff: Stuff, world: World, client_for: Any
) -> None:
    for persona in ("county_admin", "village_clerk", "first_secretary", "cadre", "org_dept", "supervisor"):
        client = client_for(persona)
        text = client.get(f"/households/{world.home.pk}/").content.decode()
        assert 'id="assistance"' in text
        for shown in (
            "猕猴桃苗补助",
            "3,000.00",
            "猕猴桃基地",
            "苗绣车间",
            "浙江宁波",
            "猕猴桃修剪培训",
            "儿童督导员龙妹",
            "猕猴桃长势",
        ):
            assert shown in text, (persona, shown)
        button = f'href="/households/{world.home.pk}/visits/new/"' in text
        assert button == (persona in RECORDERS), persona
        other = client.get(f"/households/{world.unpaired.pk}/").content.decode()
        assert (f'href="/households/{world.unpaired.pk}/measures/new/"' in other) == (
            persona in RECORDERS - {"cadre"}
        ), persona
