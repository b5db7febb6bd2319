"""The spreadsheet pages for every persona: template, upload, import progress and error sheet,
roster export. Outside the user's area is 404 exactly like a missing job; a denied upload
creates nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.core.jobs import run_job
from fupin.core.models import AuditEntry, Job
from fupin.core.personas import ALL_USERNAMES, VILLAGE
from fupin.registry import tasks
from fupin.registry.models import Member
from tests.conftest import make_household, new_id_number, wrong_check_digit
from tests.registry.excel_helpers import all_cells, member_row, read_sheet, write_rows

VIEWERS = {
    "county_admin",
    "org_dept",
    "township_officer",
    "village_clerk",
    "first_secretary",
    "cadre",
    "supervisor",
}
IMPORTERS = {"county_admin", "township_officer", "village_clerk"}
ROLE_OF = {"outsider": "county_admin", "neighbour_clerk": "village_clerk"}
# Whose area contains 十八洞村.
INSIDE = {*VIEWERS, "dept_provider"}


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    settings.FUPIN_FILES_DIR = tmp_path / "files"


def role(persona: str) -> str:
    return ROLE_OF.get(persona, persona)


@pytest.fixture
def import_job(personas: dict[str, Any], tmp_path: Path) -> Job:
    """A finished import by the village clerk, with one rejected row."""
    head = new_id_number()
    rows = [
        member_row(head_id=head, id_number=head, name="好人", relation="户主", area=VILLAGE),
        # In a household of its own: a bad row refuses its whole household (all or nothing).
        member_row(
            head_id=new_id_number(),
            id_number=wrong_check_digit(new_id_number()),
            name="坏号",
            relation="儿子",
            area=VILLAGE,
        ),
    ]
    path = write_rows(tmp_path / "u.xlsx", rows)
    job = Job.objects.create(
        kind=tasks.IMPORT_KIND,
        area_code=VILLAGE,
        created_by=personas["village_clerk"],
        params={"path": str(path)},
    )
    return run_job(job.pk)


def upload(client: Any, tmp_path: Path, name: str = "h.xlsx", area: str = VILLAGE) -> Any:
    head = new_id_number()
    path = write_rows(
        tmp_path / name,
        [member_row(head_id=head, id_number=head, name="上传", relation="户主", area=VILLAGE)],
    )
    return client.post(
        "/households/import/",
        {"area": area, "file": SimpleUploadedFile(name, path.read_bytes())},
    )


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_the_spreadsheet_pages_answer_as_role_and_area_allow(
    persona: str, personas: dict[str, Any], import_job: Job, client_for: Any
) -> None:
    make_household(VILLAGE)
    client = client_for(persona)
    missing = import_job.pk + 1000
    inside = persona in INSIDE
    may_import = role(persona) in IMPORTERS
    pages = [
        ("/households/template.xlsx", 200 if role(persona) in VIEWERS else 403),
        ("/households/import/", 200 if may_import else 403),
        (
            f"/households/import/{import_job.pk}/",
            200 if may_import and inside else (403 if not may_import else 404),
        ),
        (
            f"/households/import/{import_job.pk}/errors.xlsx",
            200 if may_import and inside else (403 if not may_import else 404),
        ),
        (
            f"/households/export.xlsx?area={VILLAGE}",
            200 if role(persona) in VIEWERS and inside else (403 if role(persona) not in VIEWERS else 404),
        ),
        (
            f"/households/export.xlsx?area={VILLAGE}&unmasked=1",
            200 if may_import and inside else (404 if not inside else 403),
        ),
    ]
    for url, status in pages:
        assert client.get(url).status_code == status, (persona, url)
    if may_import:
        # A job outside the user's area answers exactly like one that does not exist.
        for suffix in ("", "errors.xlsx"):
            seen = client.get(f"/households/import/{import_job.pk}/{suffix}")
            absent = client.get(f"/households/import/{missing}/{suffix}")
            if seen.status_code == 404:
                assert absent.status_code == 404


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_an_upload_creates_a_job_only_for_importers(
    persona: str, personas: dict[str, Any], client_for: Any, tmp_path: Path
) -> None:
    jobs, audits = Job.objects.count(), AuditEntry.objects.count()
    response = upload(client_for(persona), tmp_path)
    if role(persona) in IMPORTERS and persona in INSIDE:
        assert response.status_code == 302
        job = Job.objects.get(kind=tasks.IMPORT_KIND)
        assert response["Location"] == f"/households/import/{job.pk}/"
        assert job.created_by == personas[persona] and job.area_code == VILLAGE
    else:
        assert response.status_code == (403 if role(persona) not in IMPORTERS else 404)
        assert Job.objects.count() == jobs and AuditEntry.objects.count() == audits


def test_the_upload_runs_and_the_job_page_links_the_error_sheet(
    personas: dict[str, Any], client_for: Any, import_job: Job
) -> None:
    client = client_for("village_clerk")
    page = client.get(f"/households/import/{import_job.pk}/")
    assert page.status_code == 200
    assert f"/households/import/{import_job.pk}/errors.xlsx".encode() in page.content
    fragment = client.get(f"/households/import/{import_job.pk}/", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and b"excel-job" in fragment.content
    download = client.get(f"/households/import/{import_job.pk}/errors.xlsx")
    body = b"".join(download.streaming_content)
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    path = Path(tasks.error_path(import_job.pk))
    assert path.read_bytes() == body
    assert [r[1] for r in read_sheet(path, "错误明细")[1:]] == ["身份证号"]
    assert Member.objects.filter(name="好人").exists() and not Member.objects.filter(name="坏号").exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_upload_page(
    personas: dict[str, Any], client_for: Any
) -> None:
    client = client_for("village_clerk")
    bad = client.post(
        "/households/import/",
        {"area": VILLAGE, "file": SimpleUploadedFile("h.xlsx", "姓名,身份证号\n".encode())},
        headers={"Accept-Language": "zh-hans"},
    )
    assert bad.status_code == 400 and not Job.objects.exists()
    wrong = client.post(
        "/households/import/",
        {"area": VILLAGE, "file": SimpleUploadedFile("h.txt", b"hello")},
    )
    assert wrong.status_code == 400 and not Job.objects.exists()


def test_an_upload_over_the_size_limit_is_refused_and_not_kept(
    personas: dict[str, Any], client_for: Any, settings: Any, tmp_path: Path
) -> None:
    settings.FUPIN_IMPORT_MAX_BYTES = 1024 * 1024
    settings.FUPIN_FILES_DIR = tmp_path
    big = SimpleUploadedFile("h.xlsx", b"PK" + b"0" * (1024 * 1024))
    response = client_for("village_clerk").post(
        "/households/import/", {"area": VILLAGE, "file": big}, headers={"Accept-Language": "zh-hans"}
    )
    assert response.status_code == 400 and not Job.objects.exists()
    assert "1 MB" in response.content.decode() and not any(tmp_path.rglob("upload-*"))


def test_the_export_page_masks_unless_asked_and_allowed(
    personas: dict[str, Any], client_for: Any, tmp_path: Path
) -> None:
    from fupin.core import crypto

    household = make_household(VILLAGE)
    plain = crypto.decrypt(household.members.first().id_number_enc)
    masked = client_for("village_clerk").get(f"/households/export.xlsx?area={VILLAGE}")
    out = tmp_path / "m.xlsx"
    out.write_bytes(b"".join(masked.streaming_content))
    assert not any(plain in cell for cell in all_cells(out))
    full = client_for("village_clerk").get(f"/households/export.xlsx?area={VILLAGE}&unmasked=1&status=none")
    out.write_bytes(b"".join(full.streaming_content))
    assert plain in all_cells(out)
    entry = AuditEntry.objects.get(action="registry.export_unmasked")
    assert entry.after["filter"]["status"] == "none" and entry.after["rows"] == 3


def test_a_large_export_runs_as_a_job_only_its_owner_downloads(
    personas: dict[str, Any], client_for: Any, settings: Any, monkeypatch: Any
) -> None:
    from fupin.web import excel_views

    make_household(VILLAGE)
    monkeypatch.setattr(excel_views, "EXPORT_SYNC_HOUSEHOLDS", 0)
    monkeypatch.setattr("fupin.core.jobs.start_in_thread", lambda job_id: None)
    client = client_for("township_officer")
    response = client.get(f"/households/export.xlsx?area={VILLAGE}")
    assert response.status_code == 302
    job = Job.objects.get(kind=tasks.EXPORT_KIND)
    run_job(job.pk)
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"/households/export/{job.pk}/roster.xlsx").status_code == 200
    # Not even the county admin above may fetch another user's export file.
    assert client_for("county_admin").get(f"/households/export/{job.pk}/roster.xlsx").status_code == 404
