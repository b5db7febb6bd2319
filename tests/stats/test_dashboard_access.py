"""Every statistics page and the map's boundaries, for every persona and both leaders: 200 inside
their area, 403 for roles without statistics, 404 outside — the same page as for a code that
does not exist."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.areas.models import Area
from fupin.core.personas import ALL_USERNAMES, COUNTY, LEADERS, OTHER_COUNTY, PREFECTURE, TOWNSHIP, VILLAGE
from fupin.stats.refresh import store

USERS = [*ALL_USERNAMES, *(p.username for p in LEADERS)]
NO_STATS = {"cadre", "dept_provider"}
# Each user's own area, by code prefix.
PREFIX = {
    "county_admin": "433124",
    "org_dept": "433124",
    "township_officer": "433124110",
    "village_clerk": "433124110226",
    "first_secretary": "433124110226",
    "supervisor": "433124",
    "outsider": "433122",
    "neighbour_clerk": "433124110201",
    "prefecture_supervisor": "4331",
    "province_supervisor": "43",
}
CODES = [VILLAGE, TOWNSHIP, COUNTY, OTHER_COUNTY, PREFECTURE, "430000000000"]
MISSING = "433124110299"  # no such village


def expected(username: str, code: str) -> int:
    if username in NO_STATS:
        return 403
    return 200 if code.startswith(PREFIX[username]) else 404


def main_part(body: bytes) -> bytes:
    return body[body.index(b"<main") : body.index(b"</main>")]


@pytest.fixture
def snapshots(db: Any) -> None:
    for code in CODES:
        store(Area.objects.get(code=code), 2023, {"poor_households": 12, "monitored_per_thousand": 3.5})


@pytest.mark.parametrize("username", USERS)
def test_every_stats_page_answers_as_role_and_area_allow(
    username: str, snapshots: None, client_for: Any
) -> None:
    client = client_for(username)
    own = 403 if username in NO_STATS else 200
    assert client.get("/stats/").status_code == own
    assert client.get("/stats/indicators/").status_code == own
    missing = {"page": client.get(f"/stats/{MISSING}/"), "map": client.get(f"/stats/{MISSING}/map.json")}
    for code in CODES:
        want = expected(username, code)
        for kind, url in (("page", f"/stats/{code}/"), ("map", f"/stats/{code}/map.json")):
            response = client.get(url, {"year": 2023})
            assert response.status_code == want, (username, url)
            if want == 404:
                # Outside is answered exactly like a code that does not exist.
                assert missing[kind].status_code == 404
                assert main_part(response.content) == main_part(missing[kind].content)
            if want == 200 and kind == "map":
                assert response["Content-Type"] == "application/geo+json"


@pytest.mark.parametrize(
    ("username", "code"),
    [
        ("outsider", "433124000000"),
        ("neighbour_clerk", VILLAGE),
        ("county_admin", PREFECTURE),
        ("supervisor", PREFECTURE),
        ("township_officer", COUNTY),
        ("prefecture_supervisor", "430000000000"),
    ],
)
def test_named_cases_outside_answer_404(username: str, code: str, snapshots: None, client_for: Any) -> None:
    client = client_for(username)
    assert client.get(f"/stats/{code}/").status_code == 404
    assert client.get(f"/stats/{code}/map.json").status_code == 404
