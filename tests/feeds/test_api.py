"""The feeds API for every persona: a provider sends rows and reads its own batches' match
reports; the county bureau and supervisors read every batch of their area; outsiders get 404
as for a batch that does not exist; other roles 403, and a denied call changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.accounts.actions import do_issue_token
from fupin.accounts.models import User
from fupin.api.feeds_api import API_MAX_ROWS
from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, COUNTY
from fupin.feeds.departments import do_set_departments
from fupin.feeds.models import FeedBatch, FeedRecord
from fupin.registry.models import Household
from tests.api.helpers import FORBIDDEN_BODY, NOT_FOUND_BODY, Api
from tests.conftest import new_id_number
from tests.feeds.helpers import stored_text

SENDERS = {"dept_provider"}
COUNTY_READERS = {"county_admin", "supervisor"}
READERS = SENDERS | COUNTY_READERS | {"outsider"}


@pytest.fixture
def api_as(personas: dict[str, User]) -> Any:
    tokens: dict[str, str] = {}

    def make(persona: str) -> Api:
        if persona not in tokens:
            user = User.objects.get(username=persona)
            tokens[persona] = do_issue_token(user, actor=user)
        return Api(tokens[persona])

    return make


@pytest.fixture
def stays(ids: list[str]) -> list[dict[str, Any]]:
    """Five rows of medical data: three matched, one unmatched, one without its date."""
    return [
        {"id_number": ids[0], "kind": "hospital_stay", "date": "2024-03-05", "out_of_pocket": 8200.5},
        {"id_number": ids[1].lower(), "kind": "yearly_oop", "out_of_pocket": "15000", "year": 2023},
        {"id_number": new_id_number(), "kind": "hospital_stay", "date": "2024-03-09", "out_of_pocket": 300},
        {"id_number": ids[2], "kind": "住院", "out_of_pocket": 1},
        {"身份证号": ids[2], "类型": "年度自付", "三重保障后自付金额": "99.5", "name": "张三"},
    ]


@pytest.fixture
def sent(api_as: Any, home: Household, stays: list[dict[str, Any]]) -> dict[str, Any]:
    response = api_as("dept_provider").post(
        "/feeds/medical", {"period": "2024-03", "name": "HIS 导出", "rows": stays}
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_rows_sent_through_the_api_are_answered_with_their_match_report(
    api_as: Any, sent: dict[str, Any], ids: list[str]
) -> None:
    assert sent["status"] == "done" and sent["source"] == "medical" and sent["area_code"] == COUNTY
    assert (sent["rows_total"], sent["rows_matched"], sent["rows_unmatched"], sent["rows_invalid"]) == (
        5,
        3,
        1,
        1,
    )
    assert sent["unmatched"] == [3] and sent["repeated"] == [] and sent["sent_by"] == "dept_provider"
    assert sent["invalid"] == [
        {
            "row": 4,
            "problems": [
                {
                    "column": "date",
                    "label": "结算日期",
                    "code": "REQUIRED",
                    "message": sent["invalid"][0]["problems"][0]["message"],
                }
            ],
        }
    ]
    batch = FeedBatch.objects.get(pk=sent["id"])
    assert batch.filename == "HIS 导出" and batch.records.count() == 4
    # Chinese headers work as keys too; keys the schema does not know are not read.
    assert "张三" not in stored_text()
    for raw in ids:
        assert raw not in stored_text() and raw.lower() not in stored_text()
    provider = api_as("dept_provider")
    assert provider.get(f"/feeds/batches/{sent['id']}").json() == sent
    listing = provider.get("/feeds").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == sent["id"]
    assert "invalid" not in listing["items"][0]
    assert provider.get("/feeds?source=education").json()["count"] == 0
    assert provider.get("/feeds?period=2024-03").json()["count"] == 1
    for body in provider.bodies:
        assert not any(raw in body for raw in ids)


def test_the_same_rows_sent_again_are_a_duplicate_and_count_nothing_twice(
    api_as: Any, sent: dict[str, Any], stays: list[dict[str, Any]]
) -> None:
    records = FeedRecord.objects.count()
    again = api_as("dept_provider").post(
        "/feeds/medical", {"period": "2024-03", "rows": list(reversed(stays))}
    )
    assert again.status_code == 201
    body = again.json()
    assert body["status"] == "duplicate" and body["duplicate_of"] == sent["id"]
    assert (body["rows_matched"], body["rows_unmatched"], body["rows_invalid"]) == (0, 0, 0)
    assert FeedRecord.objects.count() == records


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"period": "2024-13", "rows": [{"id_number": "1"}]}, 400, "BAD_PERIOD"),
        ({"period": "2024", "rows": []}, 400, "NO_ROWS"),
        ({"period": "2024", "rows": [{"id_number": "1"}] * (API_MAX_ROWS + 1)}, 400, "TOO_MANY_ROWS"),
        ({"period": "2024"}, 422, "INVALID"),
        ({"period": "2024", "rows": "a,b"}, 422, "INVALID"),
    ],
)
def test_a_request_refused_whole_says_why_and_stores_nothing(
    payload: dict[str, Any], status: int, code: str, api_as: Any
) -> None:
    response = api_as("dept_provider").post("/feeds/public_security", payload)
    assert response.status_code == status and response.json()["code"] == code
    assert not FeedBatch.objects.exists()


def test_an_unknown_source_is_refused(api_as: Any) -> None:
    response = api_as("dept_provider").post("/feeds/tax", {"period": "2024", "rows": [{"id_number": "1"}]})
    assert response.status_code == 400 and response.json()["code"] == "UNKNOWN_SOURCE"
    assert response.json()["field"] == "source" and not FeedBatch.objects.exists()


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_every_feed_endpoint_answers_as_role_and_area_allow(
    persona: str, api_as: Any, sent: dict[str, Any], home: Household, ids: list[str]
) -> None:
    api = api_as(persona)
    batches, records, audits = (
        FeedBatch.objects.count(),
        FeedRecord.objects.count(),
        AuditEntry.objects.count(),
    )
    rows = [{"id_number": ids[0], "date": "2024-01-02"}]
    posted = api.post("/feeds/public_security", {"period": "2024-01", "rows": rows})
    if persona in SENDERS:
        assert posted.status_code == 201 and posted.json()["rows_matched"] == 1
    else:
        assert posted.status_code == 403 and posted.json() == FORBIDDEN_BODY
        assert (FeedBatch.objects.count(), FeedRecord.objects.count(), AuditEntry.objects.count()) == (
            batches,
            records,
            audits,
        )
    listing = api.get("/feeds")
    assert listing.status_code == (200 if persona in READERS else 403)
    if persona in READERS:
        listed = {item["id"] for item in listing.json()["items"]}
        assert (sent["id"] in listed) == (persona != "outsider")
    one = api.get(f"/feeds/batches/{sent['id']}")
    missing = api.get(f"/feeds/batches/{sent['id'] + 1000}")
    if persona not in READERS:
        assert one.status_code == missing.status_code == 403
    elif persona == "outsider":
        # Outside the area: exactly like a batch that does not exist.
        assert (
            one.status_code == missing.status_code == 404 and one.json() == missing.json() == NOT_FOUND_BODY
        )
    else:
        assert one.status_code == 200 and one.json()["rows_matched"] == 3
        assert missing.status_code == 404


def test_a_provider_reads_only_its_own_batches(
    api_as: Any, other_provider: User, sent: dict[str, Any], ids: list[str], stays: list[dict[str, Any]]
) -> None:
    token = do_issue_token(other_provider, actor=other_provider)
    theirs = Api(token)
    posted = theirs.post(
        "/feeds/civil_affairs", {"period": "2024", "rows": [{"id_number": ids[0], "status": "低保"}]}
    )
    assert posted.status_code == 201
    mine = api_as("dept_provider")
    assert mine.get(f"/feeds/batches/{posted.json()['id']}").json() == NOT_FOUND_BODY
    assert {i["id"] for i in mine.get("/feeds").json()["items"]} == {sent["id"]}
    assert theirs.get(f"/feeds/batches/{sent['id']}").status_code == 404
    county = {i["id"] for i in api_as("county_admin").get("/feeds").json()["items"]}
    assert county == {sent["id"], posted.json()["id"]}
    # A duplicate of someone else's batch does not point at it (sent by an account that sends
    # for both departments: a provider bound to civil affairs only may not send medical feeds).
    do_set_departments(other_provider, ["civil_affairs", "medical"], actor=SYSTEM)
    again = theirs.post("/feeds/medical", {"period": "2024-03", "rows": stays})
    assert again.json()["status"] == "duplicate" and again.json()["duplicate_of"] is None


def test_the_openapi_document_describes_the_feed_endpoints(api_as: Any) -> None:
    document = Api(None).get("/openapi.json").json()
    paths = {p.removeprefix("/api/v1"): m for p, m in document["paths"].items()}
    assert set(paths["/feeds"]) >= {"get"}
    assert set(paths["/feeds/batches/{batch_id}"]) == {"get"}
    assert set(paths["/feeds/{source}"]) == {"post"}
    for path in ("/feeds", "/feeds/batches/{batch_id}", "/feeds/{source}"):
        for operation in paths[path].values():
            assert operation["summary"] and operation["description"]
            assert {"401", "403"} <= set(operation["responses"])
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (path, parameter["name"])


def test_a_batch_id_that_is_not_a_number_is_a_validation_error_not_405(api_as: Any) -> None:
    # One path pattern for reading a batch and sending one routed "null,null" to the upload
    # route, which has no GET: 405 instead of saying what was wrong.
    county = api_as("county_admin")
    assert county.get("/feeds/batches/null,null").status_code == 422
    assert county.get("/feeds/batches/0").status_code == 404
