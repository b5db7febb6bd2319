"""Overdue alerts, counted per village and township as of a fixed day, the inbox order, and
the dashboard's figures — each only inside the reader's area."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.alerts import actions, queries
from fupin.alerts.models import Channel
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.errors import PermissionDenied
from fupin.core.personas import COUNTY, NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry import actions as registry
from tests.alerts.helpers import checked, screened
from tests.conftest import make_household

OTHER_TOWNSHIP = OTHER_TOWNSHIP_VILLAGE[:9] + "000"
TODAY = timezone.localdate()


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def spread(personas: dict[str, User]) -> dict[str, Any]:
    """Five alerts raised today: two in 十八洞村 (one visited), one in its neighbour village,
    two in another township (one dismissed)."""
    a1, a2 = screened(make_household(VILLAGE)), screened(make_household(VILLAGE))
    b1 = screened(make_household(NEIGHBOUR_VILLAGE))
    c1 = screened(make_household(OTHER_TOWNSHIP_VILLAGE))
    c2 = screened(make_household(OTHER_TOWNSHIP_VILLAGE))
    actions.do_record_visit(a2, "已入户", actor=personas["village_clerk"])
    actions.do_dismiss_alert(c2, "数据有误", actor=SYSTEM)
    return {"a1": a1, "a2": a2, "b1": b1, "c1": c1, "c2": c2}


def by_code(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int, int]]:
    return {r["code"]: (r["active"], r["visit_overdue"], r["decision_overdue"]) for r in rows}


def test_nothing_is_overdue_on_the_day_alerts_are_raised(
    spread: dict[str, Any], personas: dict[str, User]
) -> None:
    counts = queries.overdue_counts(personas["county_admin"], today=TODAY)
    assert by_code(counts["townships"]) == {TOWNSHIP: (3, 0, 0), OTHER_TOWNSHIP: (1, 0, 0)}
    assert by_code(counts["villages"]) == {
        VILLAGE: (2, 0, 0),
        NEIGHBOUR_VILLAGE: (1, 0, 0),
        OTHER_TOWNSHIP_VILLAGE: (1, 0, 0),
    }


def test_visits_are_overdue_after_their_limit_and_decisions_after_theirs(
    spread: dict[str, Any], personas: dict[str, User]
) -> None:
    admin = personas["county_admin"]
    # the visit limit (3 days) runs out: every alert still waiting for its visit is overdue
    assert by_code(queries.overdue_counts(admin, today=day(3))["villages"])[VILLAGE] == (2, 0, 0)
    after_visit_limit = queries.overdue_counts(admin, today=day(4))
    assert by_code(after_visit_limit["villages"]) == {
        VILLAGE: (2, 1, 0),
        NEIGHBOUR_VILLAGE: (1, 1, 0),
        OTHER_TOWNSHIP_VILLAGE: (1, 1, 0),
    }
    assert by_code(after_visit_limit["townships"]) == {TOWNSHIP: (3, 2, 0), OTHER_TOWNSHIP: (1, 1, 0)}
    # worst first
    assert [r["code"] for r in after_visit_limit["townships"]] == [TOWNSHIP, OTHER_TOWNSHIP]
    assert after_visit_limit["townships"][0]["name"] == "双龙镇"
    # the identification limit (15 days) runs out: every undecided alert is overdue
    late = queries.overdue_counts(admin, today=day(16))
    assert by_code(late["townships"]) == {TOWNSHIP: (3, 2, 3), OTHER_TOWNSHIP: (1, 1, 1)}
    assert sum(r["overdue"] for r in late["villages"]) == 4


def test_each_reader_counts_only_inside_their_area(spread: dict[str, Any], personas: dict[str, User]) -> None:
    township = queries.overdue_counts(personas["township_officer"], today=day(4))
    assert set(by_code(township["villages"])) == {VILLAGE, NEIGHBOUR_VILLAGE}
    assert by_code(township["townships"]) == {TOWNSHIP: (3, 2, 0)}
    neighbour = queries.overdue_counts(personas["neighbour_clerk"], today=day(4))
    assert by_code(neighbour["villages"]) == {NEIGHBOUR_VILLAGE: (1, 1, 0)}
    assert queries.overdue_counts(personas["outsider"], today=day(4)) == {"villages": [], "townships": []}
    # asking about an area outside one's own gives nothing
    assert queries.overdue_counts(
        personas["neighbour_clerk"], Area.objects.get(code=VILLAGE), today=day(4)
    ) == {"villages": [], "townships": []}
    with pytest.raises(PermissionDenied):
        queries.overdue_counts(personas["dept_provider"])


def test_the_inbox_puts_overdue_alerts_on_top(spread: dict[str, Any], personas: dict[str, User]) -> None:
    clerk = personas["village_clerk"]
    fresh = checked(make_household(VILLAGE), clerk)  # raised today as well, due in 3 days
    rows = list(queries.inbox(clerk, today=day(4)))
    # both waiting for their visit are overdue and on top; the visited one is on time
    assert [a.pk for a in rows] == [spread["a1"].pk, fresh.pk, spread["a2"].pk]
    assert [(a.overdue, a.visit_late) for a in rows] == [(True, True), (True, True), (False, False)]
    # decided alerts are out of the working inbox, and can be asked for
    county = personas["county_admin"]
    assert spread["c2"].pk not in [a.pk for a in queries.inbox(county)]
    assert [a.pk for a in queries.inbox(county, status="dismissed")] == [spread["c2"].pk]
    assert {a.pk for a in queries.inbox(county, overdue_only=True, today=day(4))} == {
        spread["a1"].pk,
        spread["b1"].pk,
        spread["c1"].pk,
        fresh.pk,
    }


def test_the_dashboard_counts_alerts_by_rule_and_place_and_monitored_households_by_category(
    spread: dict[str, Any], personas: dict[str, User]
) -> None:
    checked(make_household(VILLAGE), personas["village_clerk"])
    unstable = make_household(VILLAGE, status="poor")
    unstable = registry.do_change_status(unstable, "exited", year=2019, reason="脱贫", actor=SYSTEM)
    registry.do_change_status(unstable, "monitored", year=2023, reason="纳入监测", actor=SYSTEM)
    make_household(NEIGHBOUR_VILLAGE, status="monitored")
    make_household(OTHER_TOWNSHIP_VILLAGE, status="monitored")
    admin = personas["county_admin"]
    figures = queries.dashboard(admin, Area.objects.get(code=COUNTY), today=day(4))
    assert figures["totals"] == {
        "active": 5,
        "open": 4,
        "visit_overdue": 4,
        "decision_overdue": 0,
        "identification_overdue": 0,  # no monitoring case open yet (the 15-day clock on cases)
        "raised_30": 6,
        "decided_30": 1,
    }
    assert [(r["rule"], r["active"], r["overdue"]) for r in figures["by_rule"]] == [
        ("medical_cost", 4, 3),
        ("cadre_check", 1, 1),
    ]
    assert figures["by_rule"][1]["label"] == str(Channel.CADRE_CHECK.label)
    assert by_code(figures["children"]) == {TOWNSHIP: (4, 3, 0), OTHER_TOWNSHIP: (1, 1, 0)}
    assert {c["key"]: c["count"] for c in figures["categories"]} == {
        "unstable": 1,
        "edge": 2,
        "sudden": 0,
        "eliminated": 0,
    }
    # the township's dashboard splits by village and sees only its own
    township = queries.dashboard(
        personas["township_officer"], personas["township_officer"].area, today=day(4)
    )
    assert by_code(township["children"]) == {VILLAGE: (3, 2, 0), NEIGHBOUR_VILLAGE: (1, 1, 0)}
    assert {c["key"]: c["count"] for c in township["categories"]}["edge"] == 1


def test_the_dashboard_counts_monitored_households_by_the_category_their_case_tagged(
    personas: dict[str, User],
) -> None:
    from fupin.cases import actions as cases
    from fupin.cases.models import Step
    from tests.cases.helpers import advance_to, monitoring_candidate, national_floor, open_monitoring

    national_floor()
    p = personas
    # An ordinary household in sudden hardship, tagged so by its case: not "edge" by its file.
    sudden = advance_to(open_monitoring(p, monitoring_candidate()), Step.TAGGING, p)
    cases.do_tag_monitoring(sudden, category="sudden", risk_types=["accident"], actor=p["village_clerk"])
    edge = advance_to(open_monitoring(p, monitoring_candidate()), Step.TAGGING, p)
    cases.do_tag_monitoring(edge, category="edge", risk_types=["illness"], actor=p["village_clerk"])
    make_household(VILLAGE, status="monitored")  # monitored without a case: counted by its file
    figures = queries.dashboard(p["county_admin"], Area.objects.get(code=COUNTY))
    assert {c["key"]: c["count"] for c in figures["categories"]} == {
        "unstable": 0,
        "edge": 2,
        "sudden": 1,
        "eliminated": 0,
    }
