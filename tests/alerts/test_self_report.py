"""The public self-report page (农户自主申报): no login, CSRF-protected, every field checked
with nothing stored on a mistake, personal numbers stored only encrypted, rate limits per
address and per ID number, and the report turned into an alert for the right household or
village — and the reporter told what happens next."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.utils import timezone, translation

from fupin.accounts.models import User
from fupin.alerts import actions
from fupin.alerts.errors import AlertError, RateLimited
from fupin.alerts.models import Alert, AlertStatus, Channel, SelfReport
from fupin.areas.models import Area
from fupin.cases.area_settings import do_set_area_setting
from fupin.core import crypto
from fupin.core.errors import ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry.models import Household
from tests.conftest import make_household, new_id_number, wrong_check_digit

PHONE = "13912345678"


def report(
    *,
    id_number: str | None = None,
    village: str = VILLAGE,
    address: str = "10.1.2.3",
    name: str = "龙秀英",
    phone: str = PHONE,
    what: str = "丈夫住院，治病花了三万多",
) -> actions.Receipt:
    return actions.do_receive_self_report(
        name=name,
        id_number=id_number or new_id_number(dt.date(1975, 3, 8), female=True),
        phone=phone,
        village_code=village,
        what_happened=what,
        client_address=address,
    )


def solved(client: Client, village: str = VILLAGE, **extra: str) -> dict[str, str]:
    """The challenge of a fresh showing of the form, answered as a person would: by reading
    the sum on the page."""
    page = client.get(f"/report/?village={village}", **extra).content.decode()
    token = re.search(r'name="challenge" value="([^"]+)"', page)
    if token is None:  # no form for a village that does not exist: nothing to answer
        return {}
    a, b = re.search(r"(\d+) \+ (\d+)", page).groups()
    return {"challenge": token.group(1), "answer": str(int(a) + int(b))}


def post(client: Client, village: str = VILLAGE, address: str = "10.9.9.9", **fields: str) -> Any:
    data = {
        "village": village,
        "name": "龙秀英",
        "id_number": new_id_number(dt.date(1975, 3, 8), female=True),
        "phone": PHONE,
        "what_happened": "治病花了三万多",
        **solved(client, village),
        **fields,
    }
    # A report taken redirects to its receipt (post/redirect/get); follow it as a browser does.
    return client.post(f"/report/?village={village}", data, REMOTE_ADDR=address, follow=True)


def stored() -> tuple[int, int, int]:
    """Reports, alerts, and audit entries of this app (the session's area loading left others)."""
    return (
        SelfReport.objects.count(),
        Alert.objects.count(),
        AuditEntry.objects.filter(action__startswith="alerts.").count(),
    )


def test_a_report_by_a_registered_member_raises_an_alert_on_the_household(db: Any) -> None:
    household = make_household(VILLAGE, head_name="施成富")
    member = household.members.exclude(relation="head").first()
    number = next(n for n in _numbers_of(household) if crypto.keyed_hash(n) == member.id_number_hash)
    receipt = report(id_number=number.lower(), name=member.name)
    alert = Alert.objects.get(pk=receipt.alert_id)
    assert alert.household == household and alert.area_code == household.area_id
    assert alert.channel == Channel.SELF_REPORT and alert.rule == "self_report"
    assert alert.period == timezone.localdate().isoformat() and alert.status == AlertStatus.OPEN
    assert (alert.visit_due - timezone.localdate()).days == 3 == receipt.visit_days
    entry = alert.evidence["reports"][0]
    assert (
        entry["name_matches"] is True
        and entry["id_number"].startswith("433124")
        and "*" in entry["id_number"]
    )
    assert re.fullmatch(r"\d{8}-\d{6}", receipt.reference)
    assert SelfReport.objects.get().alert == alert
    audit = AuditEntry.objects.get(action="alerts.receive_self_report")
    assert (
        audit.actor is None
        and audit.actor_name == "public self-report page"
        and audit.area_code == household.area_id
    )
    # another member reporting the same day joins the same alert
    head_number = next(n for n in _numbers_of(household) if n != number)
    again = report(id_number=head_number, name="施成富", address="10.1.2.4")
    assert again.alert_id == alert.pk and Alert.objects.count() == 1
    assert len(Alert.objects.get(pk=alert.pk).evidence["reports"]) == 2


def _numbers_of(household: Household) -> list[str]:
    return [crypto.decrypt(m.id_number_enc) for m in household.members.all()]


def test_a_report_by_someone_not_registered_raises_an_alert_for_the_village(db: Any) -> None:
    number = new_id_number(dt.date(1960, 1, 2))
    receipt = report(id_number=number, village=NEIGHBOUR_VILLAGE)
    alert = Alert.objects.get(pk=receipt.alert_id)
    assert alert.household is None and alert.area_code == NEIGHBOUR_VILLAGE
    assert alert.evidence["registered"] is False and "name_matches" not in alert.evidence["reports"][0]
    assert receipt.village.code == NEIGHBOUR_VILLAGE
    # the same person again the same day: the same alert, not a second one
    assert report(id_number=number, village=NEIGHBOUR_VILLAGE, address="10.7.7.7").alert_id == alert.pk
    # a different person: an alert of their own
    assert report(village=NEIGHBOUR_VILLAGE).alert_id != alert.pk


def test_the_reporter_is_told_the_villages_own_visit_limit(personas: dict[str, User]) -> None:
    do_set_area_setting(
        Area.objects.get(code=TOWNSHIP), "alert_visit_days", 2, actor=personas["county_admin"]
    )
    assert report().visit_days == 2
    page = post(Client())
    assert page.status_code == 200
    text = page.content.decode()
    assert re.search(r"\b2\b", text) and "20" in text  # the limit, and the reference's date
    reference = actions.reference_of(SelfReport.objects.order_by("-id").first())
    assert reference in text


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"id_number": wrong_check_digit(new_id_number())}, {"id_number": "ID_CHECKSUM"}),
        ({"id_number": "12345"}, {"id_number": "ID_FORMAT"}),
        ({"phone": "12345"}, {"phone": "PHONE_FORMAT"}),
        ({"phone": ""}, {"phone": "PHONE_REQUIRED"}),
        ({"village": "433124110000"}, {"village": "VILLAGE_UNKNOWN"}),  # a township, not a village
        ({"village": "999999999999"}, {"village": "VILLAGE_UNKNOWN"}),
        ({"village": ""}, {"village": "VILLAGE_REQUIRED"}),
        ({"name": " ", "what_happened": ""}, {"name": "NAME_REQUIRED", "what_happened": "WHAT_REQUIRED"}),
        (
            {"id_number": "x", "phone": "1", "village": "1"},
            {"id_number": "ID_FORMAT", "phone": "PHONE_FORMAT", "village": "VILLAGE_UNKNOWN"},
        ),
    ],
)
def test_a_bad_report_is_refused_with_its_reasons_and_nothing_is_stored(
    fields: dict[str, str], bad: dict[str, str], db: Any
) -> None:
    data = {
        "name": "龙秀英",
        "id_number": new_id_number(),
        "phone": PHONE,
        "village_code": VILLAGE,
        "what_happened": "治病",
        **{("village_code" if k == "village" else k): v for k, v in fields.items()},
    }
    with pytest.raises(ValidationFailed) as refused:
        actions.do_receive_self_report(client_address="10.0.0.1", **data)
    assert {e.field: e.code.name for e in refused.value.errors} == bad
    assert stored() == (0, 0, 0)
    # the page answers 400 and shows every reason next to its field
    village = fields.get("village", VILLAGE)
    page = post(Client(), village=village, **{k: v for k, v in fields.items() if k != "village"})
    assert page.status_code == 400
    # without a valid village the page asks for the village first (the other fields come with
    # the form, which is only shown for a village)
    shown = [bad["village"]] if "village" in bad else list(bad.values())
    with translation.override("zh-hans"):
        for code in shown:
            message = (getattr(AlertError, code, None) or _registry_error(code)).message()
            assert message in page.content.decode()
    assert stored() == (0, 0, 0)


def _registry_error(code: str) -> Any:
    from fupin.registry.errors import RegistryError

    return getattr(RegistryError, code)


def test_the_id_number_and_phone_are_nowhere_in_plaintext(personas: dict[str, User]) -> None:
    household = make_household(VILLAGE)
    number = _numbers_of(household)[0]
    post(Client(), id_number=number)
    post(Client(), id_number=new_id_number(dt.date(1990, 9, 9)), address="10.2.2.2")
    assert SelfReport.objects.count() == 2
    report_row = SelfReport.objects.order_by("id").first()
    assert (
        crypto.decrypt(report_row.id_number_enc) == number and crypto.decrypt(report_row.phone_enc) == PHONE
    )
    for needle in (number, PHONE, number.lower()):
        assert not _anywhere(needle), needle
    # a village user with PII rights can see them, and that is audited
    shown = actions.do_reveal_report_contact(report_row, actor=personas["village_clerk"])
    assert shown == {"id_number": number, "phone": PHONE}
    assert AuditEntry.objects.filter(action="alerts.reveal_report_contact").count() == 1


def _anywhere(needle: str) -> list[str]:
    """Every text and JSON column of every table holding ``needle``."""
    hits = []
    for model in apps.get_models():
        text_fields = [
            f for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)
        ]
        json_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        hits += [
            f"{model._meta.label}.{f.name}"
            for f in text_fields
            if model.objects.filter(**{f"{f.attname}__contains": needle}).exists()
        ]
        for f in json_fields:
            for value in model.objects.exclude(**{f.attname: None}).values_list(f.attname, flat=True):
                if needle in json.dumps(value, ensure_ascii=False):
                    hits.append(f"{model._meta.label}.{f.name}")
                    break
    return hits


def test_reports_from_one_address_are_limited_per_hour(settings: Any, db: Any) -> None:
    settings.FUPIN_SELF_REPORT_PER_ADDRESS_PER_HOUR = 3
    for _ in range(3):
        report(address="10.5.5.5")
    with pytest.raises(RateLimited) as limited:
        report(address="10.5.5.5")
    assert limited.value.status == 429 and limited.value.code == AlertError.TOO_MANY_FROM_ADDRESS
    # the page says so, in a sentence, with 429
    page = post(Client(), address="10.5.5.5")
    assert page.status_code == 429
    with translation.override("zh-hans"):
        assert AlertError.TOO_MANY_FROM_ADDRESS.message() in page.content.decode()
    # an IPv6 sender's whole /64 is one address; another address is not limited
    for i in range(3):
        report(address=f"2001:db8:1:2::{i + 1}")
    with pytest.raises(RateLimited):
        report(address="2001:db8:1:2:ffff::9")
    report(address="2001:db8:1:3::1")
    assert SelfReport.objects.count() == 7


def test_reports_for_one_id_number_past_the_daily_limit_are_taken_and_marked(
    settings: Any, personas: dict[str, User], client_for: Any
) -> None:
    """Anyone may type another person's number: a limit that refused would let a stranger
    silence that person's own report. Past the limit reports still go through, marked."""
    household = make_household(VILLAGE)
    number = _numbers_of(household)[0]
    for i in range(3):  # the default limit
        report(id_number=number, address=f"10.6.0.{i + 1}")
    late = report(id_number=number, address="10.6.0.99")
    page = post(Client(), id_number=number, address="10.6.0.100")
    assert page.status_code == 200
    assert SelfReport.objects.count() == 5
    marked = list(SelfReport.objects.order_by("id").values_list("needs_review", flat=True))
    assert marked == [False, False, False, True, True]
    alert = Alert.objects.get(pk=late.alert_id)
    assert [e.get("needs_review", False) for e in alert.evidence["reports"]] == marked
    # the village sees which ones to check
    detail = client_for("village_clerk").get(f"/alerts/{alert.pk}/").content.decode()
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        warning = gettext(
            "More reports came for this ID number today than a person usually sends: "
            "check with the person that they sent it."
        )
    assert detail.count(warning) == 2


def test_the_page_needs_no_login_but_a_csrf_token(db: Any) -> None:
    anonymous = Client()
    page = anonymous.get(f"/report/?village={VILLAGE}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "十八洞村" in text and "csrfmiddlewaretoken" in text and 'name="id_number"' in text
    assert 'name="viewport"' in text  # laid out for a phone
    strict = Client(enforce_csrf_checks=True)
    forged = strict.post(
        "/report/",
        {"village": VILLAGE, "name": "x", "id_number": new_id_number(), "phone": PHONE, "what_happened": "x"},
    )
    assert forged.status_code == 403 and stored() == (0, 0, 0)
    # with the token from the page it goes through
    answer = solved(strict)
    token = strict.cookies["csrftoken"].value
    sent = strict.post(
        f"/report/?village={VILLAGE}",
        {
            **answer,
            "csrfmiddlewaretoken": token,
            "village": VILLAGE,
            "name": "龙秀英",
            "id_number": new_id_number(),
            "phone": PHONE,
            "what_happened": "治病",
        },
        follow=True,
    )
    assert sent.redirect_chain and sent.status_code == 200 and SelfReport.objects.count() == 1


def test_a_reporter_finds_the_village_by_name(db: Any) -> None:
    page = Client().get("/report/?q=十八洞").content.decode()
    assert f"/report/?village={VILLAGE}" in page and "花垣县" in page
    assert 'name="id_number"' not in page  # the form comes once the village is chosen
    assert "/report/?village=" not in Client().get("/report/?q=洞").content.decode()  # too short
    # other pages still need a login
    assert Client().get("/alerts/").status_code == 302
    assert Client().get("/monitoring/").status_code == 302


def test_the_village_sees_the_report_in_its_inbox(personas: dict[str, User], client_for: Any) -> None:
    post(Client(), name="龙秀英", what_happened="房屋被洪水冲毁")
    inbox = client_for("village_clerk").get("/alerts/").content.decode()
    assert "房屋被洪水冲毁" in inbox
    township = client_for("township_officer").get("/alerts/").content.decode()
    assert "房屋被洪水冲毁" in township
    assert "房屋被洪水冲毁" not in client_for("neighbour_clerk").get("/alerts/").content.decode()
