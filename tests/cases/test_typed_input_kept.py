"""A refused act keeps what was typed (issue 13, item 17): the township's 备注 survives a 通过
that a failing rule refuses, and so does the input of every other step form of the case page."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.models import User
from fupin.cases import actions
from fupin.cases.models import Step
from tests.cases.helpers import (
    advance_to,
    monitoring_candidate,
    open_identification,
    open_monitoring,
)

REMARK = "经乡镇复核，材料基本齐全，待补充说明"


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_the_township_remark_survives_a_refused_approval(personas: dict[str, User], client_for: Any) -> None:
    case = advance_to(open_identification(personas), Step.VERIFICATION, personas)
    # The visit found a vehicle: the township's 通过 is refused until someone overrides the rule.
    case = actions.do_record_verification(
        case, actor=personas["first_secretary"], non_productive_vehicle=True
    )
    case = advance_to(case, Step.TOWNSHIP_REVIEW, personas)
    response = client_for("township_officer").post(
        f"/cases/{case.pk}/act/", {"action": "approve", "step": case.step, "remarks": REMARK}
    )
    assert response.status_code == 400
    page = _text(response)
    assert "未满足" in page or "不满足" in page or 'role="alert"' in page
    assert f">{REMARK}</textarea>" in page


# Each step form, a value that the action refuses, and the typed values that must come back.
REFUSED: list[tuple[str, str, dict[str, str], list[str]]] = [
    (
        "identification",
        Step.REVIEW,
        # Too few present for a quorum.
        {"action": "meeting", "held_on": "2024-03-01", "representatives_total": "30",
         "representatives_present": "5", "votes_for": "5", "votes_against": "0", "votes_abstain": "0",
         "remarks": "村民代表会议记录"},
        ['value="30"', 'value="5"', ">村民代表会议记录</textarea>", 'value="2024-03-01"'],
    ),
    (
        "identification",
        Step.VERIFICATION,
        {"action": "verify", "non_productive_vehicle": "on", "remarks": "x" * 501},
        ['name="non_productive_vehicle" checked', ">" + "x" * 501 + "</textarea>"],
    ),
    (
        "identification",
        Step.FIRST_NOTICE,
        {"action": "post_notice", "starts_on": "2001-01-01"},
        ['value="2001-01-01"'],
    ),
    (
        "monitoring",
        Step.AUTHORISATION,
        {"action": "authorise", "signed_by": "龙二妹", "signed_on": "2999-01-01", "remarks": "本人签字"},
        ['value="龙二妹"', 'value="2999-01-01"', ">本人签字</textarea>"],
    ),
    (
        "monitoring",
        Step.COMPARISON,
        # An exited household cannot be an edge household.
        {"action": "compare", "findings": "无车辆、无商品房", "category": "edge"},
        [">无车辆、无商品房</textarea>", 'value="edge" selected'],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "step", "form", "kept"), REFUSED)
def test_every_step_form_keeps_its_input_when_refused(
    kind: str,
    step: str,
    form: dict[str, str],
    kept: list[str],
    personas: dict[str, User],
    client_for: Any,
) -> None:
    opened = (
        open_identification(personas)
        if kind == "identification"
        else open_monitoring(personas, monitoring_candidate(status="exited"))
    )
    case = advance_to(opened, step, personas)
    persona = "township_officer" if step == Step.COMPARISON else "village_clerk"
    response = client_for(persona).post(f"/cases/{case.pk}/act/", {**form, "step": step})
    assert response.status_code == 400
    page = _text(response)
    for fragment in kept:
        assert fragment in page, fragment


def test_a_refused_rejection_reopens_its_form_and_an_objection_keeps_its_text(
    personas: dict[str, User], client_for: Any
) -> None:
    case = advance_to(open_identification(personas), Step.FIRST_NOTICE, personas)
    actions.do_post_notice(case, starts_on=timezone.localdate(), actor=personas["village_clerk"])
    client = client_for("village_clerk")
    refused = client.post(
        f"/cases/{case.pk}/act/",
        {"action": "objection", "step": case.step, "raised_by": "龙三", "content": ""},
    )
    assert refused.status_code == 400 and 'value="龙三"' in _text(refused)
    too_long = "理" * 301
    rejected = client.post(
        f"/cases/{case.pk}/act/", {"action": "reject", "step": case.step, "reason": too_long}
    )
    assert rejected.status_code == 400
    page = _text(rejected)
    assert "<details open>" in page and f">{too_long}</textarea>" in page
