"""Members through the API: adding, changing, leaving, and revealing a full ID number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from fupin.core.models import AuditEntry
from fupin.registry import idnumber
from fupin.registry.models import Household, Member
from tests.api.helpers import Api
from tests.conftest import new_id_number
from tests.registry.helpers import registry_fingerprint


def test_a_member_is_added_with_gender_and_birth_date_from_the_id_number(
    home: Household, api_as: Callable[[str], Api], personas: dict[str, Any]
) -> None:
    # given a newborn's ID number
    number = new_id_number(dt.date(2023, 9, 1), female=True)

    # when the clerk adds her
    response = api_as("village_clerk").post(
        f"/households/{home.pk}/members", {"name": "龙妹", "relation": "grandchild", "id_number": number}
    )

    # then she is on file, masked, a girl born on the day the number says
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["household_id"], body["name"], body["gender"], body["birth_date"]) == (
        home.pk,
        "龙妹",
        "f",
        "2023-09-01",
    )
    assert body["id_number_masked"] == idnumber.masked(number)
    assert (body["left_on"], body["school_status"], body["medical_insurance"]) == (None, "none", True)
    entry = AuditEntry.objects.get(action="registry.add_member")
    assert (entry.actor, entry.object_id) == (personas["village_clerk"], str(body["id"]))


def test_an_id_number_already_on_file_is_refused_without_echoing_it(
    home: Household, member: Member, api_as: Callable[[str], Api]
) -> None:
    # given the full number of a member already on file
    clerk = api_as("village_clerk")
    number = clerk.post(f"/members/{member.pk}/reveal-id").json()["id_number"]
    before = registry_fingerprint()

    # when someone tries to add it again
    response = clerk.post(
        f"/households/{home.pk}/members", {"name": "重号", "relation": "son", "id_number": number}
    )

    # then it is refused, the number is not repeated back, and nothing changed
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("ID_TAKEN", "id_number")
    assert number not in response.content.decode()
    assert registry_fingerprint() == before


def test_a_second_head_and_a_wrong_gender_are_refused(home: Household, api_as: Callable[[str], Api]) -> None:
    # given a household that has a head
    before = registry_fingerprint()

    # when a second head is added, said to be a woman while her ID number says a man
    response = api_as("village_clerk").post(
        f"/households/{home.pk}/members",
        {
            "name": "二当家",
            "relation": "head",
            "gender": "f",
            "id_number": new_id_number(dt.date(1960, 1, 1)),
        },
    )

    # then both problems are reported, and nothing changed
    assert response.status_code == 400
    assert {(e["code"], e["field"]) for e in response.json()["errors"]} == {
        ("HEAD_EXISTS", "relation"),
        ("GENDER_MISMATCH", "gender"),
    }
    assert registry_fingerprint() == before


def test_an_update_changes_only_the_fields_sent(member: Member, api_as: Callable[[str], Api]) -> None:
    # given a member with no education recorded
    # when the clerk records her schooling and a phone
    response = api_as("village_clerk").patch(
        f"/members/{member.pk}", {"education": "junior", "school_status": "junior", "phone": "13900001234"}
    )

    # then those change, the name and ID number stay
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["education"], body["school_status"], body["phone_masked"]) == (
        "junior",
        "junior",
        "139****1234",
    )
    assert (body["name"], body["id_number_masked"]) == (member.name, member.id_number_masked)
    entry = AuditEntry.objects.get(action="registry.update_member")
    assert (entry.before["education"], entry.after["education"]) == ("", "junior")


def test_work_months_are_checked_by_the_household_file_rules(
    member: Member, api_as: Callable[[str], Api]
) -> None:
    before = registry_fingerprint()

    # when a member is said to have worked away thirteen months in a year
    response = api_as("village_clerk").patch(f"/members/{member.pk}", {"work_months": 13})

    # then the household file's rule refuses it, not the schema, and nothing changed
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("WORK_MONTHS", "work_months")
    assert registry_fingerprint() == before


def test_a_member_who_leaves_stays_on_file_and_cannot_leave_twice(
    home: Household, member: Member, api_as: Callable[[str], Api]
) -> None:
    api = api_as("village_clerk")

    # when the member leaves without a date, and then again
    first = api.post(f"/members/{member.pk}/leave", {"reason": "出嫁"})
    again = api.post(f"/members/{member.pk}/leave", {"left_on": "2024-05-01", "reason": "出嫁"})

    # then the first counts from today, the second is refused, and the member is still on file
    assert first.status_code == 200, first.content
    assert (first.json()["left_on"], first.json()["left_reason"]) == (
        timezone.localdate().isoformat(),
        "出嫁",
    )
    assert again.status_code == 400 and again.json()["code"] == "ALREADY_LEFT"
    detail = api.get(f"/households/{home.pk}").json()
    assert [m["id"] for m in detail["members"] if m["left_on"]] == [member.pk]
    assert api.get("/households").json()["items"][0]["member_count"] == 2


def test_a_leaving_date_must_be_a_date(member: Member, api_as: Callable[[str], Api]) -> None:
    # when a leaving date is given in words
    response = api_as("village_clerk").post(f"/members/{member.pk}/leave", {"left_on": "last spring"})

    # then it is refused, naming the field, and the member has not left
    assert response.status_code == 422
    assert response.json()["field"] == "left_on"
    member.refresh_from_db()
    assert member.left_on is None


def test_a_reveal_gives_the_full_number_once_audited_and_not_cached(
    member: Member, api_as: Callable[[str], Api], personas: dict[str, Any]
) -> None:
    # when the township officer reveals a member's number
    response = api_as("township_officer").post(f"/members/{member.pk}/reveal-id")

    # then the full number comes back, marked not to be cached, and the reveal is on record
    assert response.status_code == 200
    number = response.json()["id_number"]
    assert response.json()["member_id"] == member.pk
    assert idnumber.normalise(number) == number and idnumber.masked(number) == member.id_number_masked
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="registry.reveal_id_number")
    assert (entry.actor, entry.object_id) == (personas["township_officer"], str(member.pk))
    assert number not in str(entry.before) + str(entry.after)


def test_a_reveal_cannot_be_read_with_get(member: Member, api_as: Callable[[str], Api]) -> None:
    # when a link or a prefetch GETs the reveal address
    response = api_as("village_clerk").get(f"/members/{member.pk}/reveal-id")

    # then nothing is revealed and nothing is on record: only POST reveals
    assert response.status_code == 405
    assert not AuditEntry.objects.filter(action="registry.reveal_id_number").exists()
