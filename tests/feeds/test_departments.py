"""A provider account sends only its own department's feeds (issue 13 item 3): the 医保局 account
could pick 民政局, 公安局 or 教育局 in the upload form and inject another department's facts (a 公安
death record, a 民政 benefit stop). Every channel refuses another department's feed with a
Chinese message saying whose account it is, stores nothing, and leaves an audit entry."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from fupin.accounts.actions import do_issue_token
from fupin.accounts.models import User
from fupin.core.access import SYSTEM
from fupin.core.errors import ValidationFailed
from fupin.core.models import AuditEntry, Job
from fupin.core.personas import PROVIDER_DEPARTMENTS
from fupin.feeds import tasks
from fupin.feeds.departments import DepartmentRefused, departments_of, do_set_departments
from fupin.feeds.models import FeedBatch, FeedRecord
from fupin.registry.models import Household
from tests.api.helpers import Api
from tests.feeds.helpers import send_file, write_csv

DEATH = "身份证号,死亡日期\n{id},2024-02-01\n"

@pytest.fixture
def yibao(personas: dict[str, User]) -> User:
    """The 医保局 provider as the persona (and the demo) binds it: medical insurance only."""
    user = personas["dept_provider"]
    do_set_departments(user, PROVIDER_DEPARTMENTS["dept_provider"], actor=SYSTEM)
    assert departments_of(user) == ["medical"]
    return user

def _refusals() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="feeds.refuse_department").order_by("pk"))

def test_the_upload_form_offers_only_the_accounts_own_department(yibao: User, client_for: Any) -> None:
    html = client_for("dept_provider").get("/feeds/upload/").content.decode()
    assert 'value="medical"' in html and "医保局" in html
    for other in ("civil_affairs", "public_security", "education"):
        assert f'value="{other}"' not in html

@pytest.mark.parametrize("source", ["public_security", "civil_affairs", "education"])
def test_a_posted_form_for_another_department_is_refused_audited_and_keeps_nothing(
    source: str, yibao: User, client_for: Any, home: Household, ids: list[str]
) -> None:
    response = client_for("dept_provider").post(
        "/feeds/upload/",
        {
            "source": source,
            "period": "2024-02",
            "file": SimpleUploadedFile("d.csv", DEATH.format(id=ids[0]).encode()),
        },
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "本账号只能报送医保局的数据" in body and 'aria-invalid="true"' in body
    assert not FeedBatch.objects.exists() and not Job.objects.exists() and not FeedRecord.objects.exists()
    assert not list(tasks.upload_dir().iterdir())  # the file with raw ID numbers is not kept
    [entry] = _refusals()
    assert entry.actor_id == yibao.pk and entry.after["source"] == source
    assert entry.after["departments"] == ["medical"] and entry.after["channel"] == "file"

def test_its_own_department_is_taken(yibao: User, client_for: Any, home: Household, ids: list[str]) -> None:
    body = f"身份证号,类型,三重保障后自付金额,入院日期\n{ids[0]},住院,8200.5,2024-03-05\n".encode()
    response = client_for("dept_provider").post(
        "/feeds/upload/",
        {"source": "medical", "period": "2024-03", "file": SimpleUploadedFile("m.csv", body)},
    )
    assert response.status_code == 302
    assert FeedBatch.objects.get().source == "medical" and not _refusals()

def test_the_api_refuses_another_departments_rows(yibao: User, ids: list[str], home: Household) -> None:
    api = Api(do_issue_token(yibao, actor=yibao))
    response = api.post(
        "/feeds/public_security",
        {"period": "2024", "rows": [{"id_number": ids[0], "death_date": "2024-02-01"}]},
    )
    assert response.status_code == 403
    answer = response.json()
    assert answer["code"] == "NOT_OWN_DEPARTMENT" and answer["field"] == "source"
    assert "医保局" in answer["message"] and "公安局" in answer["message"]
    assert not FeedBatch.objects.exists() and not FeedRecord.objects.exists()
    assert [e.after["channel"] for e in _refusals()] == ["api"]

def test_the_command_with_a_user_follows_its_binding(yibao: User, ids: list[str], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "death.csv", [{"身份证号": ids[0], "死亡日期": "2024-02-01"}])
    with pytest.raises(CommandError, match="本账号只能报送医保局的数据"):
        call_command(
            "feed",
            "public_security",
            str(path),
            "--period",
            "2024-02",
            "--area",
            "433124",
            "--user",
            "dept_provider",
            "--quiet",
            stdout=io.StringIO(),
        )
    assert not FeedBatch.objects.exists() and len(_refusals()) == 1
    # The operator at the command line speaks for any department.
    out = io.StringIO()
    call_command(
        "feed", "public_security", str(path), "--period", "2024-02", "--area", "433124", "--quiet", stdout=out
    )
    assert FeedBatch.objects.get().source == "public_security"

def test_an_account_bound_to_no_department_sends_nothing(
    personas: dict[str, User], ids: list[str], home: Household, tmp_path: Path
) -> None:
    user = personas["dept_provider"]
    do_set_departments(user, [], actor=SYSTEM)
    path = write_csv(tmp_path / "m.csv", [{"身份证号": ids[0], "类型": "住院"}])
    with pytest.raises(DepartmentRefused) as refused:
        send_file(path, "medical", user=user)
    assert refused.value.code.name == "NO_DEPARTMENT"
    assert not FeedBatch.objects.exists() and len(_refusals()) == 1

def test_an_account_may_send_for_several_departments(
    personas: dict[str, User], ids: list[str], home: Household, tmp_path: Path
) -> None:
    user = personas["dept_provider"]
    assert do_set_departments(user, ["gongan", "医保局", "medical"], actor=SYSTEM) == [
        "medical",
        "public_security",
    ]
    batch = send_file(
        write_csv(tmp_path / "d.csv", [{"身份证号": ids[0], "死亡日期": "2024-02-01"}]),
        "public_security",
        user=user,
    )
    assert batch.status == FeedBatch.Status.DONE
    entry = AuditEntry.objects.filter(action="accounts.set_feed_departments").latest("pk")
    assert entry.after == {"departments": ["medical", "public_security"]}

def test_binding_checks_its_input_and_who_binds(personas: dict[str, User]) -> None:
    with pytest.raises(ValidationFailed) as bad:
        do_set_departments(personas["dept_provider"], ["weijian"], actor=SYSTEM)
    assert bad.value.errors[0].code.name == "UNKNOWN_DEPARTMENT"
    with pytest.raises(ValidationFailed):
        do_set_departments(personas["village_clerk"], ["medical"], actor=SYSTEM)
    # The county administrator manages its county's accounts; the outsider does not reach them.
    assert do_set_departments(personas["dept_provider"], ["minzheng"], actor=personas["county_admin"]) == [
        "civil_affairs"
    ]
    with pytest.raises(Exception) as outside:
        do_set_departments(personas["dept_provider"], ["medical"], actor=personas["outsider"])
    assert getattr(outside.value, "status", None) == 404
    assert departments_of(personas["dept_provider"]) == ["civil_affairs"]

def test_createuser_sets_the_departments(db: Any) -> None:

    out = io.StringIO()
    call_command(
        "createuser",
        "minzheng_1",
        "--role",
        "dept_provider",
        "--area",
        "433124",
        "--department",
        "minzheng",
        "--department",
        "canlian",
        stdout=out,
    )
    user = User.objects.get(username="minzheng_1")
    assert departments_of(user) == ["civil_affairs", "disability"]
    assert "民政局" in out.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "createuser",
            "x_clerk",
            "--role",
            "village_clerk",
            "--area",
            "433124110226",
            "--department",
            "yibao",
        )
    with pytest.raises(CommandError):
        call_command(
            "createuser", "bad_dept", "--role", "dept_provider", "--area", "433124", "--department", "nope"
        )
    assert not User.objects.filter(username__in=["x_clerk", "bad_dept"]).exists()
