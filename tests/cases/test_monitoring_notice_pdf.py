"""The village notice of a monitoring inclusion or a risk elimination, through the case's notice
route: its own title, its period (five days where the area asks for five), readable by whoever
reads the case, and never the ID numbers, phone, bank or health details the registry holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.cases import actions
from fupin.cases.area_settings import do_set_area_setting
from fupin.cases.models import Step
from fupin.core.crypto import decrypt
from fupin.core.personas import ALL_USERNAMES, COUNTY
from fupin.registry.models import Household, Member
from tests.cases.helpers import (
    advance_to,
    elimination_candidate,
    monitoring_candidate,
    open_elimination,
    open_monitoring,
)
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


def _secrets(household: Household, phone: str) -> list[str]:
    return [decrypt(m.id_number_enc) for m in Member.objects.filter(household=household)] + [phone]


@pytest.fixture
def posted(personas: dict[str, User]) -> dict[str, Any]:
    household = monitoring_candidate(
        head_name="龙老实", phone="13907432222", bank_account="6228480012345678901"
    )
    Member.objects.filter(household=household).exclude(relation="head").update(health="serious")
    case = actions.do_open_monitoring(
        household,
        origin="application",
        reason="妻子患尿毒症透析，因病返贫风险",
        actor=personas["village_clerk"],
    )
    case = advance_to(case, Step.FIRST_NOTICE, personas)
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=personas["village_clerk"])
    return {"case": case, "notice": notice, "household": household}


def test_the_monitoring_notice_shows_its_title_and_dates_and_nothing_personal(
    posted: dict[str, Any], client_for: Any
) -> None:
    case, notice, household = posted["case"], posted["notice"], posted["household"]
    response = client_for("village_clerk").get(f"/cases/{case.pk}/notices/1.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "龙老实" in text and "防止返贫监测对象纳入公示" in text
    last_day = notice.ends_on - dt.timedelta(days=1)
    assert f"{last_day.year}年{last_day.month}月{last_day.day}日" in text.replace(" ", "")
    flat = digits_only(text)
    secrets = [*_secrets(household, "13907432222"), "6228480012345678901"]
    assert len(secrets) >= 4 and not any(secret[:-1] in flat for secret in secrets)
    assert not any(word in text for word in ("尿毒症", "透析", "因病", "重病", "大病", "患"))


def test_a_five_day_monitoring_notice_prints_five_days(personas: dict[str, User], client_for: Any) -> None:
    do_set_area_setting(Area.objects.get(code=COUNTY), "notice_days", 5, actor=personas["county_admin"])
    case = advance_to(open_monitoring(personas), Step.FIRST_NOTICE, personas)
    notice = actions.do_post_notice(case, starts_on=timezone.localdate(), actor=personas["village_clerk"])
    text = pdf_text(client_for("village_clerk").get(f"/cases/{case.pk}/notices/1.pdf").content).replace(
        " ", ""
    )
    first, last = notice.starts_on, notice.starts_on + dt.timedelta(days=4)
    assert (
        f"{first.year}年{first.month}月{first.day}日" in text
        and f"{last.year}年{last.month}月{last.day}日" in text
    )


def test_the_elimination_notice_has_its_own_title_and_nothing_personal(
    personas: dict[str, User], client_for: Any
) -> None:
    household = elimination_candidate(head_name="施大姐", phone="13807431234")
    Member.objects.filter(household=household).update(health="disabled")
    case = advance_to(open_elimination(personas, household), Step.FIRST_NOTICE, personas)
    actions.do_post_notice(case, starts_on=timezone.localdate(), actor=personas["first_secretary"])
    text = pdf_text(client_for("first_secretary").get(f"/cases/{case.pk}/notices/1.pdf").content)
    assert "施大姐" in text and "防止返贫监测对象风险消除公示" in text
    flat = digits_only(text)
    assert not any(secret[:-1] in flat for secret in _secrets(household, "13807431234"))
    assert "残疾" not in text


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_the_monitoring_notice_pdf_answers_as_role_and_area_allow(
    persona: str, posted: dict[str, Any], client_for: Any
) -> None:
    client: Client = client_for(persona)
    mine = client.get(f"/cases/{posted['case'].pk}/notices/1.pdf").status_code
    if persona in OUTSIDE:
        assert mine == 404
    elif persona in READERS:
        assert mine == 200
        # A monitoring case holds its notice once: there is no second round.
        assert client.get(f"/cases/{posted['case'].pk}/notices/2.pdf").status_code == 404
    else:
        assert mine == 403
