"""Showing full ID numbers: a daily limit per user over every way of revealing one (household
page, API, a self-report's contact), every reveal listed on the audit page, and the unmasked
downloads kept out of caches."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.actions import REVEAL_ACTIONS, RevealLimitReached, do_issue_token
from fupin.accounts.models import RevealDay, User
from fupin.alerts import actions as alert_actions
from fupin.alerts.models import SelfReport
from fupin.core import crypto
from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.core.personas import VILLAGE
from fupin.registry.actions import do_reveal_id_number
from tests.conftest import make_household, new_id_number


def test_a_user_reveals_at_most_the_daily_limit(personas: dict[str, User], settings: Any) -> None:
    settings.FUPIN_REVEALS_PER_DAY = 3
    clerk = personas["village_clerk"]
    members = list(make_household(VILLAGE, members=4).members.all())
    for member in members[:3]:
        assert do_reveal_id_number(member, actor=clerk) == crypto.decrypt(member.id_number_enc)
    with pytest.raises(RevealLimitReached) as refused:
        do_reveal_id_number(members[3], actor=clerk)
    assert refused.value.status == 429 and "3" in refused.value.message
    assert AuditEntry.objects.filter(action="registry.reveal_id_number").count() == 3
    # another user has a limit of their own; the operator has none
    assert do_reveal_id_number(members[3], actor=personas["township_officer"])
    for _ in range(5):
        do_reveal_id_number(members[0], actor=SYSTEM)
    # the next day the count starts again
    RevealDay.objects.filter(user=clerk).update(day=timezone.localdate() - dt.timedelta(days=1))
    assert do_reveal_id_number(members[3], actor=clerk)


def test_a_self_reports_contact_counts_against_the_same_limit(
    personas: dict[str, User], settings: Any
) -> None:
    settings.FUPIN_REVEALS_PER_DAY = 2
    clerk = personas["village_clerk"]
    member = make_household(VILLAGE).members.first()
    do_reveal_id_number(member, actor=clerk)
    receipt = alert_actions.do_receive_self_report(
        name="龙秀英",
        id_number=new_id_number(dt.date(1975, 3, 8), female=True),
        phone="13912345678",
        village_code=VILLAGE,
        what_happened="治病",
        client_address="10.1.1.1",
    )
    report = SelfReport.objects.get(alert_id=receipt.alert_id)
    alert_actions.do_reveal_report_contact(report, actor=clerk)
    with pytest.raises(RevealLimitReached):
        alert_actions.do_reveal_report_contact(report, actor=clerk)
    with pytest.raises(RevealLimitReached):
        do_reveal_id_number(member, actor=clerk)


def test_pages_and_the_api_answer_429_past_the_limit(
    personas: dict[str, User], client_for: Any, settings: Any
) -> None:
    from django.test import Client

    settings.FUPIN_REVEALS_PER_DAY = 1
    member = make_household(VILLAGE).members.first()
    page = client_for("village_clerk")
    shown = page.post(f"/members/{member.pk}/reveal-id/")
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    refused = page.post(f"/members/{member.pk}/reveal-id/")
    assert refused.status_code == 429
    assert crypto.decrypt(member.id_number_enc) not in refused.content.decode()
    token = do_issue_token(personas["township_officer"], actor=SYSTEM)
    api = Client()
    first = api.post(f"/api/v1/members/{member.pk}/reveal-id", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert first.status_code == 200
    second = api.post(f"/api/v1/members/{member.pk}/reveal-id", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert second.status_code == 429 and second.json()["code"] == "REVEAL_LIMIT"


def test_the_audit_page_lists_the_reveals_by_user_and_day(personas: dict[str, User], client_for: Any) -> None:
    member = make_household(VILLAGE).members.first()
    do_reveal_id_number(member, actor=personas["village_clerk"])
    do_reveal_id_number(member, actor=personas["township_officer"])
    page = client_for("county_admin")
    everything = page.get("/audit/").content.decode()
    assert "registry.create_household" in everything
    reveals = page.get("/audit/?reveals=1").content.decode()
    assert "registry.create_household" not in reveals
    assert reveals.count("registry.reveal_id_number") == 2
    one = page.get("/audit/?reveals=1&who=village_clerk").content.decode()
    assert one.count("registry.reveal_id_number") == 1
    today = timezone.localdate()
    assert page.get(f"/audit/?reveals=1&day={today.isoformat()}").content.decode().count(
        "registry.reveal_id_number"
    ) == 2
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert "registry.reveal_id_number" not in page.get(f"/audit/?reveals=1&day={yesterday}").content.decode()
    assert set(REVEAL_ACTIONS) == {"registry.reveal_id_number", "alerts.reveal_report_contact"}


def test_the_unmasked_roster_is_sent_with_no_store(personas: dict[str, User], client_for: Any) -> None:
    make_household(VILLAGE)
    full = client_for("village_clerk").get(f"/households/export.xlsx?area={VILLAGE}&unmasked=1")
    assert full.status_code == 200
    assert "no-store" in full["Cache-Control"]
    b"".join(full.streaming_content)
