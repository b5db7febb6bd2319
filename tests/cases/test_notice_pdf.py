"""A case's notice as the village posts it: the PDF for each round, readable by whoever reads
the case, 404 outside the area, and never showing the ID numbers, phone or health details the
household has in the registry, nor the clerk's own wording of the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fupin.accounts.models import User
from fupin.cases import actions
from fupin.cases.models import Notice, Step
from fupin.core.access import SYSTEM
from fupin.core.crypto import decrypt
from fupin.core.personas import ALL_USERNAMES, OTHER_TOWNSHIP_VILLAGE
from fupin.registry.models import Household, Member
from tests.cases.helpers import advance_to, candidate
from tests.reports.conftest import digits_only, pdf_text

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


@pytest.fixture
def posted(personas: dict[str, User]) -> dict[str, Any]:
    household = candidate(head_name="龙老实", phone="13907431111")
    Member.objects.filter(household=household).update(health="serious")
    case = actions.do_open_identification(
        household, origin="application", reason="因病致贫，妻子患尿毒症", actor=personas["village_clerk"]
    )
    case = advance_to(case, Step.FIRST_NOTICE, personas)
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=personas["village_clerk"])
    elsewhere = actions.do_open_identification(
        candidate(OTHER_TOWNSHIP_VILLAGE), origin="nomination", reason="龙潭镇", actor=SYSTEM
    )
    elsewhere = advance_to(
        elsewhere, Step.FIRST_NOTICE, personas | {"village_clerk": SYSTEM, "first_secretary": SYSTEM}
    )
    actions.do_post_notice(elsewhere, starts_on=timezone.localdate(), actor=SYSTEM)
    return {"case": case, "notice": notice, "household": household, "elsewhere": elsewhere}


def test_the_notice_shows_the_household_and_its_dates_and_nothing_personal(
    posted: dict[str, Any], client_for: Any
) -> None:
    case, notice, household = posted["case"], posted["notice"], posted["household"]
    response = client_for("village_clerk").get(f"/cases/{case.pk}/notices/1.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "龙老实" in text and "贫困户识别纳入公示" in text and "样稿" not in text
    last_day = notice.ends_on - dt.timedelta(days=1)
    assert f"{last_day.year}年{last_day.month}月{last_day.day}日" in text.replace(" ", "")
    secrets = [decrypt(m.id_number_enc) for m in Member.objects.filter(household=household)] + ["13907431111"]
    flat = digits_only(text)
    assert len(secrets) >= 2 and not any(secret[:-1] in flat for secret in secrets)
    assert "尿毒症" not in text and "因病" not in text and "重病" not in text


def test_the_case_page_links_each_notice_to_its_pdf(posted: dict[str, Any], client_for: Any) -> None:
    case = posted["case"]
    page = client_for("township_officer").get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/cases/{case.pk}/notices/1.pdf"' in page


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_the_notice_pdf_answers_as_role_and_area_allow(
    persona: str, posted: dict[str, Any], client_for: Any
) -> None:
    client: Client = client_for(persona)
    mine = client.get(f"/cases/{posted['case'].pk}/notices/1.pdf").status_code
    other_round = client.get(f"/cases/{posted['case'].pk}/notices/2.pdf").status_code
    elsewhere = client.get(f"/cases/{posted['elsewhere'].pk}/notices/1.pdf").status_code
    if persona in OUTSIDE:
        assert mine == 404
    elif persona in READERS:
        assert mine == 200
        assert other_round == 404  # the second notice has not been posted
    else:
        assert mine == 403
    county_wide = persona in {"county_admin", "org_dept", "supervisor"}
    assert elsewhere == (200 if county_wide else 403 if persona == "dept_provider" else 404)


def test_a_notice_of_a_household_in_a_village_group_names_its_village(
    personas: dict[str, User], client_for: Any
) -> None:
    from fupin.areas.actions import do_add_village_group
    from fupin.areas.models import Area
    from fupin.core.personas import VILLAGE

    group = do_add_village_group(Area.objects.get(code=VILLAGE), "002", "梨子寨组", actor=SYSTEM)
    household = candidate(group.code, head_name="施大姐")
    case = actions.do_open_identification(household, origin="nomination", reason="村推荐", actor=SYSTEM)
    case = advance_to(case, Step.FIRST_NOTICE, personas)
    actions.do_post_notice(case, starts_on=timezone.localdate(), actor=personas["village_clerk"])
    assert Notice.objects.filter(case=case).count() == 1
    text = pdf_text(client_for("village_clerk").get(f"/cases/{case.pk}/notices/1.pdf").content)
    assert "施大姐" in text and "梨子寨组" in text and Area.objects.get(code=VILLAGE).name in text
    assert Household.objects.get(pk=household.pk).status == "none"
