"""The feed pages for every persona: a department's provider uploads and sees the match reports
of its own batches only; the county bureau and supervisors read every batch of their area;
outsiders get 404 exactly as for a batch that does not exist; other roles 403. No page shows a
person or household."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fupin.accounts.models import User
from fupin.core.jobs import run_job
from fupin.core.models import AuditEntry, Job
from fupin.core.personas import ALL_USERNAMES
from fupin.feeds import tasks
from fupin.feeds.models import FeedBatch, FeedRecord
from fupin.feeds.schemas import SCHEMAS
from fupin.registry.models import Household
from tests.conftest import new_id_number
from tests.feeds.helpers import GOOD, send_file, write_csv

SENDERS = {"dept_provider"}
# Every batch sent for 花垣县: the county bureau and the supervisor bound to it.
COUNTY_READERS = {"county_admin", "supervisor"}
# Roles reading batches somewhere: the outsider is the county bureau of 泸溪县.
READERS = SENDERS | COUNTY_READERS | {"outsider"}


@pytest.fixture
def batch(personas: dict[str, User], home: Household, ids: list[str], tmp_path: Path) -> FeedBatch:
    """A medical batch of 花垣县 sent by the provider: one matched, one unmatched, one invalid row."""
    rows = [
        {"身份证号": ids[0], **GOOD["medical"][0]},
        {"身份证号": new_id_number(), **GOOD["medical"][0]},
        {"身份证号": "123", **GOOD["medical"][0]},
    ]
    return send_file(write_csv(tmp_path / "三月住院.csv", rows), "medical", user=personas["dept_provider"])


def expected(persona: str) -> int:
    if persona not in READERS:
        return 403
    return 404 if persona == "outsider" else 200


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_every_feed_page_answers_as_role_and_area_allow(
    persona: str, batch: FeedBatch, client_for: Any
) -> None:
    client = client_for(persona)
    missing = batch.pk + 1000
    pages = [
        ("/feeds/", 200 if persona in READERS else 403),
        ("/feeds/upload/", 200 if persona in SENDERS else 403),
        ("/feeds/schema/", 200 if persona in READERS else 403),
        ("/feeds/schema/medical.csv", 200 if persona in READERS else 403),
        ("/feeds/schema/nothing.csv", 404 if persona in READERS else 403),
        (f"/feeds/{batch.pk}/", expected(persona)),
        (f"/feeds/{batch.pk}/report.csv", expected(persona)),
        (f"/feeds/{missing}/", 404 if persona in READERS else 403),
        (f"/feeds/{missing}/report.csv", 404 if persona in READERS else 403),
    ]
    for url, status in pages:
        assert client.get(url).status_code == status, (persona, url)
    listing = client.get("/feeds/")
    if listing.status_code == 200:
        shown = f'href="/feeds/{batch.pk}/"'.encode() in listing.content
        assert shown == (persona in SENDERS | COUNTY_READERS), persona


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_an_upload_is_taken_only_from_a_provider_and_a_denied_one_changes_nothing(
    persona: str, personas: dict[str, User], client_for: Any, home: Household, ids: list[str]
) -> None:
    audits = AuditEntry.objects.count()
    body = f"身份证号,死亡日期\n{ids[0]},2024-02-01\n".encode()
    response = client_for(persona).post(
        "/feeds/upload/",
        {"source": "public_security", "period": "2024-02", "file": SimpleUploadedFile("d.csv", body)},
    )
    if persona in SENDERS:
        batch = FeedBatch.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/feeds/{batch.pk}/"
        assert batch.uploaded_by == personas[persona] and batch.status == FeedBatch.Status.RECEIVED
    else:
        assert response.status_code == 403
        assert not FeedBatch.objects.exists() and not Job.objects.exists()
        assert AuditEntry.objects.count() == audits
        assert not list(tasks.upload_dir().iterdir())


def test_a_provider_uploads_follows_the_job_and_reads_only_the_match_report(
    personas: dict[str, User], client_for: Any, home: Household, ids: list[str]
) -> None:
    client = client_for("dept_provider")
    stranger = new_id_number()
    body = f"身份证号,死亡日期\n{ids[0]},2024-02-01\n{stranger},2024-02-03\nbad,2024-02-03\n"
    response = client.post(
        "/feeds/upload/",
        {
            "source": "public_security",
            "period": "2024-02",
            "file": SimpleUploadedFile("deaths.csv", body.encode("gb18030")),
        },
        headers={"Accept-Language": "zh-hans"},
    )
    batch = FeedBatch.objects.get()
    waiting = client.get(f"/feeds/{batch.pk}/", headers={"HX-Request": "true"})
    assert b"<html" not in waiting.content and b'hx-trigger="every 1s"' in waiting.content
    assert batch.job_id is not None
    run_job(batch.job_id)
    page = client.get(response["Location"]).content.decode()
    assert "deaths.csv" in page
    # The report: counts and row numbers, never the people or the households matched.
    for text in (ids[0], stranger, home.head_name, home.number, home.members.first().id_number_masked):
        assert text not in page
    done = client.get(f"/feeds/{batch.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "every 1s" not in done and "身份证号" in done
    report = client.get(f"/feeds/{batch.pk}/report.csv")
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == ["3", "4"]
    assert lines[2][1] == "身份证号"
    assert not any(stranger in cell for line in lines for cell in line)
    # The uploaded file is gone once it was read.
    assert not list(tasks.upload_dir().iterdir())


def test_a_provider_sees_only_its_own_batches(
    personas: dict[str, User], other_provider: User, client_for: Any, batch: FeedBatch, tmp_path: Path
) -> None:
    theirs = send_file(
        write_csv(tmp_path / "c.csv", [{"身份证号": new_id_number(), "救助类别": "低保"}]),
        "civil_affairs",
        user=other_provider,
    )
    mine = client_for("dept_provider")
    assert mine.get(f"/feeds/{theirs.pk}/").status_code == 404
    assert mine.get(f"/feeds/{theirs.pk}/report.csv").status_code == 404
    assert f"/feeds/{theirs.pk}/".encode() not in mine.get("/feeds/").content
    # Nor through the generic job page, where a job of its area would otherwise show.
    assert mine.get(f"/jobs/{theirs.job_id}/").status_code == 404
    county = client_for("county_admin").get("/feeds/").content
    assert f"/feeds/{theirs.pk}/".encode() in county and f"/feeds/{batch.pk}/".encode() in county


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"source": "", "period": "2024-02"}, "source"),
        ({"source": "nothing", "period": "2024-02"}, "source"),
        ({"source": "public_security", "period": "2024-13"}, "period"),
        ({"source": "public_security", "period": "2024-02", "file": "none"}, "file"),
        ({"source": "public_security", "period": "2024-02", "name": "d.txt"}, "file"),
        ({"source": "public_security", "period": "2024-02", "body": "身份证号,姓名\n1,2\n"}, "file"),
        ({"source": "public_security", "period": "2024-02", "body": "身份证号,死亡日期\n"}, "file"),
    ],
)
def test_a_refused_upload_says_why_stores_nothing_and_keeps_no_file(
    data: dict[str, str], field: str, personas: dict[str, User], client_for: Any
) -> None:
    form: dict[str, Any] = {"source": data["source"], "period": data["period"]}
    if data.get("file") != "none":
        body = data.get("body", f"身份证号,死亡日期\n{new_id_number()},2024-02-01\n")
        form["file"] = SimpleUploadedFile(data.get("name", "d.csv"), body.encode())
    response = client_for("dept_provider").post(
        "/feeds/upload/", form, headers={"Accept-Language": "zh-hans"}
    )
    assert response.status_code == 400
    assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', response.content.decode())
    assert not FeedBatch.objects.exists() and not FeedRecord.objects.exists() and not Job.objects.exists()
    assert not list(tasks.upload_dir().iterdir())


def test_an_upload_over_the_size_limit_is_refused(
    personas: dict[str, User], client_for: Any, settings: Any
) -> None:
    settings.FUPIN_IMPORT_MAX_BYTES = 1024
    body = "身份证号,死亡日期\n" + f"{new_id_number()},2024-02-01\n" * 100
    response = client_for("dept_provider").post(
        "/feeds/upload/",
        {"source": "public_security", "period": "2024", "file": SimpleUploadedFile("d.csv", body.encode())},
    )
    assert response.status_code == 400 and not FeedBatch.objects.exists()


def test_a_duplicate_batch_page_says_so(
    personas: dict[str, User], client_for: Any, batch: FeedBatch, ids: list[str], tmp_path: Path
) -> None:
    assert batch.report["unmatched"] == [3]
    rows = [{"身份证号": ids[0], **GOOD["medical"][0]}]
    first = send_file(
        write_csv(tmp_path / "x.csv", rows), "medical", user=personas["dept_provider"], period="2024"
    )
    again = send_file(
        write_csv(tmp_path / "y.csv", rows), "medical", user=personas["dept_provider"], period="2024"
    )
    assert first.status == "done" and again.status == "duplicate"
    page = client_for("dept_provider").get(f"/feeds/{again.pk}/").content.decode()
    assert f'href="/feeds/{first.pk}/"' in page


def test_the_schema_page_documents_every_source_and_column(
    personas: dict[str, User], client_for: Any
) -> None:
    page = client_for("dept_provider").get("/feeds/schema/").content.decode()
    for source, schema in SCHEMAS.items():
        assert f'id="{source}"' in page and f"/feeds/schema/{source}.csv" in page
        for column in schema.columns:
            assert column.label in page and f"<code translate=\"no\">{column.key}</code>" in page
            for choice in column.choices:
                assert choice.label in page


@pytest.mark.parametrize("source", sorted(SCHEMAS))
def test_each_template_is_a_csv_the_upload_accepts(
    source: str, personas: dict[str, User], client_for: Any, home: Household, ids: list[str], tmp_path: Path
) -> None:
    client = client_for("dept_provider")
    template = client.get(f"/feeds/schema/{source}.csv")
    assert template["Content-Type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert header == [
        c.label + ("*" if c.key in SCHEMAS[source].required_keys() else "") for c in SCHEMAS[source].columns
    ]
    # The template filled in with a good row is read as it is, stars and all.
    row = {"身份证号": ids[0], **GOOD[source][0]}
    cells = [str(row.get(h.rstrip("*"), "")) for h in header]
    path = tmp_path / "filled.csv"
    path.write_text(",".join(header) + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    batch = send_file(path, source, user=personas["dept_provider"])
    assert (batch.rows_matched, batch.rows_invalid) == (1, 0), batch.report


def test_the_navigation_links_the_feeds_for_those_who_read_them(
    personas: dict[str, User], client_for: Any
) -> None:
    for persona in ALL_USERNAMES:
        shown = b'href="/feeds/"' in client_for(persona).get("/").content
        assert shown == (persona in READERS), persona
