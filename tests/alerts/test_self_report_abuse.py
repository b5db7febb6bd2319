"""The self-report page cannot be turned against its users: a one-time challenge against
replayed floods, the sender's address found behind the county's trusted proxy only, and a
village's daily cap after which reports wait for the township instead of raising visits."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import translation

from fupin.accounts.models import User
from fupin.alerts import actions, challenge
from fupin.alerts.errors import AlertError, AlreadyHandled, RateLimited
from fupin.alerts.models import Alert, SelfReport
from fupin.core.errors import NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, VILLAGE
from tests.alerts.test_self_report import PHONE, post, report, solved
from tests.conftest import new_id_number


def _fields(**extra: str) -> dict[str, str]:
    return {
        "village": VILLAGE,
        "name": "龙秀英",
        "id_number": new_id_number(dt.date(1975, 3, 8), female=True),
        "phone": PHONE,
        "what_happened": "治病",
        **extra,
    }


# --- the challenge -------------------------------------------------------------------------


def test_a_report_needs_the_answer_to_the_pages_sum(db: Any) -> None:
    client = Client()
    answer = solved(client)
    wrong = str(int(answer["answer"]) + 1)
    refused = client.post(f"/report/?village={VILLAGE}", _fields(challenge=answer["challenge"], answer=wrong))
    assert refused.status_code == 400 and SelfReport.objects.count() == 0
    with translation.override("zh-hans"):
        assert AlertError.CHALLENGE_WRONG.message() in refused.content.decode()
    # what was typed comes back, and a new question with it
    assert "龙秀英" in refused.content.decode()
    asked = re.search(r'name="challenge" value="([^"]+)"', refused.content.decode())
    assert asked is not None and asked.group(1) != answer["challenge"]
    missing = client.post(f"/report/?village={VILLAGE}", _fields())
    assert missing.status_code == 400 and SelfReport.objects.count() == 0
    assert client.post(f"/report/?village={VILLAGE}", _fields(**solved(client))).status_code == 302
    assert SelfReport.objects.count() == 1


def test_one_question_is_answered_once_so_a_request_cannot_be_replayed(db: Any) -> None:
    client = Client()
    answer = solved(client)
    fields = _fields(**answer)
    assert client.post(f"/report/?village={VILLAGE}", fields).status_code == 302
    again = client.post(f"/report/?village={VILLAGE}", {**fields, "id_number": new_id_number()})
    assert again.status_code == 400 and SelfReport.objects.count() == 1
    with translation.override("zh-hans"):
        assert AlertError.CHALLENGE_EXPIRED.message() in again.content.decode()
    # a wrong answer uses the question up too: no trying every sum on one question
    other = solved(client)
    client.post(f"/report/?village={VILLAGE}", _fields(challenge=other["challenge"], answer="99"))
    assert client.post(f"/report/?village={VILLAGE}", _fields(**other)).status_code == 400
    assert SelfReport.objects.count() == 1


def test_a_forged_or_stale_question_is_refused(db: Any, settings: Any) -> None:
    question = challenge.new_challenge()
    answer = str(question.a + question.b)
    forged = signing.dumps({"n": "0" * 24, "d": "x"}, salt="not-the-salt")
    with pytest.raises(Exception) as bad:
        challenge.redeem(forged, answer)
    assert bad.value.code == AlertError.CHALLENGE_EXPIRED  # type: ignore[attr-defined]
    # signed with another key: not ours
    settings.SECRET_KEY = "another-secret-key-of-at-least-fifty-characters-for-the-test"
    with pytest.raises(Exception) as other_key:
        challenge.redeem(question.token, answer)
    assert other_key.value.code == AlertError.CHALLENGE_EXPIRED  # type: ignore[attr-defined]


def test_the_form_data_does_not_hold_the_answer(db: Any) -> None:
    # The signed value is readable by anyone: the numbers must not be in it.
    question = challenge.new_challenge()
    data = signing.loads(question.token, salt=challenge.SALT)
    assert set(data) == {"n", "d"}
    assert str(question.a + question.b) not in {str(v) for v in data.values()}


# --- the sender's address ------------------------------------------------------------------


def test_behind_a_trusted_proxy_each_sender_has_its_own_limit(db: Any, settings: Any) -> None:
    settings.FUPIN_SELF_REPORT_PER_ADDRESS_PER_HOUR = 2
    settings.FUPIN_TRUSTED_PROXIES = ["192.0.2.10"]

    def send(sender: str, peer: str = "192.0.2.10") -> int:
        client = Client()
        fields = _fields(**solved(client))
        return client.post(
            f"/report/?village={VILLAGE}", fields, REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=sender
        ).status_code

    assert [send("203.0.113.1") for _ in range(3)] == [302, 302, 429]
    assert send("203.0.113.2") == 302  # another sender behind the same proxy is not limited
    # A peer that is not a trusted proxy cannot pick its address by writing the header.
    assert [send(f"203.0.113.{50 + i}", peer="198.51.100.7") for i in range(3)] == [302, 302, 429]


# --- the village's daily cap ---------------------------------------------------------------


def test_past_the_village_cap_reports_wait_for_the_township(
    settings: Any, personas: dict[str, User], client_for: Any
) -> None:
    settings.FUPIN_SELF_REPORT_PER_VILLAGE_PER_DAY = 2
    first = report(address="10.3.0.1")
    second = report(address="10.3.0.2")
    assert first.alert_id and second.alert_id and not first.queued
    alerts = Alert.objects.count()
    waiting = report(address="10.3.0.3", what="房屋漏雨需要修缮")
    assert waiting.queued and waiting.alert_id is None
    assert Alert.objects.count() == alerts  # no visit raised
    queued = SelfReport.objects.get(queued=True)
    assert queued.alert is None
    audit = AuditEntry.objects.filter(action="alerts.receive_self_report").order_by("-id").first()
    assert audit.area_code == VILLAGE and audit.after["alert_id"] is None
    # the reporter is told, and given a reference
    page = post(Client(), address="10.3.0.4")
    assert page.status_code == 200 and actions.reference_of(SelfReport.objects.order_by("-id")[0]) in (
        page.content.decode()
    )
    # another village is not affected
    assert not report(village=OTHER_TOWNSHIP_VILLAGE, address="10.3.0.5").queued

    # the township reads the queue and raises the alert
    officer = client_for("township_officer")
    listing = officer.get("/alerts/queue/")
    assert listing.status_code == 200 and "房屋漏雨需要修缮" in listing.content.decode()
    assert "房屋漏雨需要修缮" not in client_for("neighbour_clerk").get("/alerts/").content.decode()
    assert client_for("village_clerk").get("/alerts/queue/").status_code == 403
    raised = officer.post(f"/alerts/queue/{queued.pk}/raise/")
    assert raised.status_code == 302
    queued.refresh_from_db()
    assert not queued.queued and queued.alert is not None
    assert raised["Location"] == f"/alerts/{queued.alert.pk}/"
    assert "房屋漏雨需要修缮" in client_for("village_clerk").get("/alerts/").content.decode()
    entry = AuditEntry.objects.get(action="alerts.release_queued_report")
    assert entry.actor == personas["township_officer"] and entry.after == {"alert_id": queued.alert.pk}
    # once only
    with pytest.raises((AlreadyHandled, NotFound)):
        actions.do_release_queued_report(queued, actor=personas["township_officer"])
    assert officer.post(f"/alerts/queue/{queued.pk}/raise/").status_code == 404


def test_only_the_township_over_the_village_releases_its_queue(
    settings: Any, personas: dict[str, User]
) -> None:
    settings.FUPIN_SELF_REPORT_PER_VILLAGE_PER_DAY = 1
    report(village=NEIGHBOUR_VILLAGE, address="10.4.0.1")
    report(village=NEIGHBOUR_VILLAGE, address="10.4.0.2")
    queued = SelfReport.objects.get(queued=True)
    with pytest.raises(PermissionDenied):
        actions.do_release_queued_report(queued, actor=personas["neighbour_clerk"])  # its own village
    with pytest.raises(NotFound):
        actions.do_release_queued_report(queued, actor=personas["outsider"])
    assert actions.do_release_queued_report(queued, actor=personas["township_officer"]).area_code.startswith(
        NEIGHBOUR_VILLAGE
    )


def test_the_per_address_limit_still_refuses(settings: Any, db: Any) -> None:
    settings.FUPIN_SELF_REPORT_PER_ADDRESS_PER_HOUR = 1
    report(address="10.5.0.1")
    with pytest.raises(RateLimited):
        report(address="10.5.0.1")
