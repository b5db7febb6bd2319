"""An ID number refused as already registered (issue 13 item 6). Before: any editor anywhere learned
whether a number was registered anywhere from "该身份证号已登记在其他人名下", unaudited and
unthrottled. Now: uniqueness stays, every refusal is audited, a user is held after a daily
number of them, the answer names no place, and the county holding the record gets a task to
resolve, through the member form, the household form, the API and the import alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from fupin.accounts.actions import do_issue_token
from fupin.accounts.models import User
from fupin.areas.models import Area, Level
from fupin.core import crypto
from fupin.core.errors import NotFound, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import NEIGHBOUR_VILLAGE, OTHER_COUNTY, VILLAGE
from fupin.registry import actions, tasks
from fupin.registry.duplicates import REFUSED, IdChecksLimited, access_duplicate_by_id, duplicates_for
from fupin.registry.errors import RegistryError
from fupin.registry.models import DuplicateRegistration, Household, Member
from tests.api.helpers import Api
from tests.conftest import make_household, new_id_number
from tests.registry.excel_helpers import member_row, read_sheet, run_import, write_rows
from tests.registry.helpers import registry_fingerprint

# A village of 泸溪县, where the outsider (泸溪县's county bureau) registers people.
OTHER_VILLAGE_PREFIX = OTHER_COUNTY[:6]


def _held(household: Household) -> tuple[Member, str]:
    head = household.members.get(relation="head")
    return head, crypto.decrypt(head.id_number_enc)


def _other_county_village() -> Any:
    return (
        Area.objects.filter(code__startswith=OTHER_VILLAGE_PREFIX, level=Level.VILLAGE)
        .order_by("code")
        .first()
    )


def _refusals(user: User) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=REFUSED, actor=user).order_by("pk"))


def test_another_countys_editor_is_refused_without_being_told_where_and_the_holder_gets_a_task(
    personas: dict[str, User],
) -> None:
    home = make_household(VILLAGE)
    held, number = _held(home)
    outsider = personas["outsider"]
    theirs = make_household(_other_county_village().code, head_name="向某")
    before = registry_fingerprint()
    with pytest.raises(ValidationFailed) as caught:
        actions.do_add_member(
            theirs, {"name": "冒名", "relation": "son", "id_number": number}, actor=outsider
        )
    error = caught.value.errors[0]
    assert (error.code, error.field) == (RegistryError.ID_TAKEN, "id_number")
    # The answer names no area, county, household or person.
    for leak in ("花垣", "十八洞", home.number, held.name, "433124"):
        assert leak not in error.message
    assert registry_fingerprint() == before  # nothing of the registry changed
    # The refusal is audited, in the sender's own area and with nothing of the holder's.
    [entry] = _refusals(outsider)
    assert entry.area_code == theirs.area_id and entry.after == {"channel": "member"}
    assert "433124" not in str(entry.after) and entry.object_id == ""
    # The county holding the record (and its township) has the task; the sender's side does not.
    [task] = DuplicateRegistration.objects.all()
    assert (task.member_id, task.area_code, task.requested_area_code) == (held.pk, VILLAGE, theirs.area_id)
    assert task.requested_by == outsider and task.status == "open" and task.attempts == 1
    assert list(duplicates_for(personas["county_admin"])) == [task]
    assert list(duplicates_for(personas["township_officer"])) == [task]
    assert list(duplicates_for(outsider)) == []


def test_trying_again_counts_on_the_same_task(personas: dict[str, User]) -> None:
    _held_member, number = _held(make_household(VILLAGE))
    theirs = make_household(NEIGHBOUR_VILLAGE, head_name="吴二")
    for _ in range(3):
        with pytest.raises(ValidationFailed):
            actions.do_add_member(
                theirs,
                {"name": "冒名", "relation": "son", "id_number": number},
                actor=personas["neighbour_clerk"],
            )
    task = DuplicateRegistration.objects.get()
    assert task.attempts == 3 and len(_refusals(personas["neighbour_clerk"])) == 3


def test_the_household_form_and_an_id_change_are_covered_too(personas: dict[str, User]) -> None:
    _held_member, number = _held(make_household(VILLAGE))
    clerk = personas["neighbour_clerk"]
    with pytest.raises(ValidationFailed):
        actions.do_create_household(
            Area.objects.get(code=NEIGHBOUR_VILLAGE),
            {"main_cause": "illness"},
            actor=clerk,
            members=[{"name": "冒名", "relation": "head", "id_number": number}],
        )
    theirs = make_household(NEIGHBOUR_VILLAGE, head_name="吴二")
    own = theirs.members.get(relation="head")
    with pytest.raises(ValidationFailed):
        actions.do_update_member(own, {"id_number": number}, actor=clerk)
    assert [e.after["channel"] for e in _refusals(clerk)] == ["household", "member"]
    assert DuplicateRegistration.objects.get().attempts == 2
    assert not Household.objects.filter(area_id=NEIGHBOUR_VILLAGE, head_name="冒名").exists()


@override_settings(FUPIN_ID_TAKEN_PER_USER_PER_DAY=3)
def test_a_user_is_held_after_the_daily_number_of_refusals(personas: dict[str, User]) -> None:
    clerk = personas["neighbour_clerk"]
    theirs = make_household(NEIGHBOUR_VILLAGE, head_name="吴二")
    taken = [_held(make_household(VILLAGE, head_name=f"石{i}"))[1] for i in range(4)]
    for number in taken[:3]:
        with pytest.raises(ValidationFailed) as caught:
            actions.do_add_member(theirs, {"name": "某", "relation": "son", "id_number": number}, actor=clerk)
        assert caught.value.errors[0].code == RegistryError.ID_TAKEN
    # From now on no ID number is looked up for this user, taken or free: no more answers.
    for number in (taken[3], new_id_number()):
        with pytest.raises(IdChecksLimited) as held:
            actions.do_add_member(theirs, {"name": "某", "relation": "son", "id_number": number}, actor=clerk)
        assert held.value.status == 429 and "24" in held.value.message
    assert len(_refusals(clerk)) == 3 and theirs.members.count() == 3
    # Other users are not held, and the clerk may still edit what carries no ID number.
    actions.do_add_member(
        make_household(VILLAGE),
        {"name": "新生儿", "relation": "son", "id_number": new_id_number()},
        actor=personas["village_clerk"],
    )
    actions.do_update_member(theirs.members.get(relation="head"), {"name": "吴二哥"}, actor=clerk)


def test_the_api_answers_alike_and_is_recorded(personas: dict[str, User]) -> None:
    _held_member, number = _held(make_household(VILLAGE))
    theirs = make_household(NEIGHBOUR_VILLAGE, head_name="吴二")
    clerk = personas["neighbour_clerk"]
    response = Api(do_issue_token(clerk, actor=clerk)).post(
        f"/households/{theirs.pk}/members", {"name": "冒名", "relation": "son", "id_number": number}
    )
    assert response.status_code == 400 and response.json()["code"] == "ID_TAKEN"
    assert "花垣" not in response.json()["message"] and number not in response.content.decode()
    assert len(_refusals(clerk)) == 1 and DuplicateRegistration.objects.count() == 1


def test_the_import_records_each_taken_number(
    personas: dict[str, User], tmp_path: Path, settings: Any
) -> None:
    settings.FUPIN_FILES_DIR = tmp_path / "files"
    _held_member, number = _held(make_household(VILLAGE))
    clerk = personas["neighbour_clerk"]
    new_head = new_id_number()
    rows = [
        member_row(
            head_id=new_head, id_number=new_head, name="吴某", relation="户主", area=NEIGHBOUR_VILLAGE
        ),
        member_row(head_id=new_head, id_number=number, name="冒名", relation="儿子", area=NEIGHBOUR_VILLAGE),
    ]
    job = run_import(write_rows(tmp_path / "t.xlsx", rows), user=clerk, area_code=NEIGHBOUR_VILLAGE)
    errors = read_sheet(tasks.error_path(job.pk), "错误明细")
    assert errors[2][1:3] == ["身份证号", "该身份证号不能重复登记。已通知持有该记录的单位核查，将与您联系。"]
    assert [e.after["channel"] for e in _refusals(clerk)] == ["import"]
    task = DuplicateRegistration.objects.get()
    assert (task.channel, task.area_code, task.requested_area_code) == ("import", VILLAGE, NEIGHBOUR_VILLAGE)


def test_the_holding_county_resolves_with_a_note(personas: dict[str, User], client_for: Any) -> None:
    _held_member, number = _held(make_household(VILLAGE))
    theirs = make_household(NEIGHBOUR_VILLAGE, head_name="吴二")
    with pytest.raises(ValidationFailed):
        actions.do_add_member(
            theirs,
            {"name": "冒名", "relation": "son", "id_number": number},
            actor=personas["neighbour_clerk"],
        )
    task = DuplicateRegistration.objects.get()
    admin = client_for("county_admin")
    page = admin.get("/registry/duplicates/").content.decode()
    assert "重复登记核查" in page and f'action="/registry/duplicates/{task.pk}/resolve/"' in page
    assert 'href="/registry/duplicates/"' in admin.get("/households/").content.decode()
    # A note is required, and what was typed stays with the reason beside it.
    empty = admin.post(f"/registry/duplicates/{task.pk}/resolve/", {"note": "  "})
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.content.decode()
    done = admin.post(f"/registry/duplicates/{task.pk}/resolve/", {"note": "丙池村录入错误，已联系更正"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.status == "resolved" and task.note == "丙池村录入错误，已联系更正"
    assert task.resolved_by == personas["county_admin"]
    assert AuditEntry.objects.filter(action="registry.resolve_duplicate", object_id=str(task.pk)).count() == 1
    # Once only; and it no longer shows among the open checks.
    again = admin.post(f"/registry/duplicates/{task.pk}/resolve/", {"note": "再次"})
    assert again.status_code == 400
    assert f"dup-{task.pk}" not in admin.get("/registry/duplicates/").content.decode()
    assert f"dup-{task.pk}" in admin.get("/registry/duplicates/?all=1").content.decode()


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("county_admin", 200),
        ("township_officer", 200),
        ("village_clerk", 403),
        ("supervisor", 403),
        ("dept_provider", 403),
        ("outsider", 200),  # its own county's list, empty of this county's checks
    ],
)
def test_who_sees_the_checks(username: str, status: int, personas: dict[str, User], client_for: Any) -> None:
    _held_member, number = _held(make_household(VILLAGE))
    theirs = make_household(NEIGHBOUR_VILLAGE, head_name="吴二")
    with pytest.raises(ValidationFailed):
        actions.do_add_member(
            theirs,
            {"name": "冒名", "relation": "son", "id_number": number},
            actor=personas["neighbour_clerk"],
        )
    task = DuplicateRegistration.objects.get()
    client = client_for(username)
    response = client.get("/registry/duplicates/")
    assert response.status_code == status
    resolve = client.post(f"/registry/duplicates/{task.pk}/resolve/", {"note": "x"})
    if username in ("county_admin", "township_officer"):
        assert f"dup-{task.pk}" in response.content.decode() and resolve.status_code == 302
    else:
        assert resolve.status_code in (403, 404)
        if username == "outsider":
            assert f"dup-{task.pk}" not in response.content.decode()
            with pytest.raises(NotFound):
                access_duplicate_by_id(personas["outsider"], task.pk)
        task.refresh_from_db()
        assert task.status == "open"
