"""The slower of two people taking the same step (issue 13, item 8): at every step of every kind
of case, the second one gets 409 "已由 … 于 … 决定", in the page and in the API, never the 403
"no permission" the case's new step used to answer. Sequential here, so it runs on SQLite and
PostgreSQL alike; test_threads races two threads on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from fupin.accounts.display import display_name
from fupin.accounts.models import User
from fupin.areas.models import Level
from fupin.cases import actions
from fupin.cases.models import Case, CaseStep, Step
from fupin.cases.workflow import STEP_ACTORS, next_step, path_of
from fupin.core.access import SYSTEM
from fupin.core.errors import Conflict
from tests.api.helpers import Api
from tests.cases.helpers import (
    MEETING,
    advance_to,
    fitting_category,
    monitoring_candidate,
    open_elimination,
    open_exit,
    open_identification,
    open_monitoring,
)

PERSONA_AT_LEVEL = {
    Level.VILLAGE: "village_clerk",
    Level.TOWNSHIP: "township_officer",
    Level.COUNTY: "county_admin",
}
TODAY = timezone.localdate().isoformat()


def _open(kind: str, p: dict[str, User]) -> Case:
    if kind == "identification":
        return open_identification(p)
    if kind == "exit":
        return open_exit(p)
    if kind == "monitoring":
        return open_monitoring(p, monitoring_candidate(status="exited"))
    return open_elimination(p)


def _every_step() -> list[tuple[str, str]]:
    probes = {
        "identification": Case(kind="identification"),
        "exit": Case(kind="exit", needs_township_review=True, needs_county_approval=True),
        "monitoring": Case(kind="monitoring"),
        "elimination": Case(kind="elimination"),
    }
    return [(kind, step) for kind, case in probes.items() for step in path_of(case) if step != Step.DONE]


def _page_form(case: Case, step: str) -> dict[str, Any]:
    """What the step's form on the case page posts (the hidden ``step`` is the one it was shown at)."""
    forms: dict[str, dict[str, Any]] = {
        Step.VERIFICATION: {"action": "verify", "policies_effective": "on", "spending_resolved": "on"},
        Step.REVIEW: {"action": "meeting", **MEETING},
        Step.CONSENT: {"action": "consent", "consent_name": "石大哥", "consent_on": TODAY},
        Step.AUTHORISATION: {"action": "authorise", "signed_by": "石大哥", "signed_on": TODAY},
        Step.COMPARISON: {"action": "compare", "findings": "无车辆"},
        Step.FIRST_NOTICE: {"action": "close_notice"},
        Step.SECOND_NOTICE: {"action": "close_notice"},
        Step.TOWNSHIP_REVIEW: {"action": "approve", "remarks": "同意"},
        Step.COUNTY_APPROVAL: {"action": "approve", "remarks": "同意"},
        Step.ANNOUNCEMENT: {"action": "announce", "announced_on": TODAY},
        Step.TAGGING: {"action": "tag", "way": "assisted", "category": fitting_category(case.household),
                       "risk_types": ["illness"]},
    }  # fmt: skip
    return {**forms[step], "step": step}


def _api_call(case: Case, step: str) -> tuple[str, dict[str, Any]]:
    calls: dict[str, tuple[str, dict[str, Any]]] = {
        Step.VERIFICATION: ("verification", {}),
        Step.REVIEW: ("review-meeting", MEETING),
        Step.CONSENT: ("consent", {"consent_name": "石大哥", "consent_on": TODAY}),
        Step.AUTHORISATION: ("authorisation", {"signed_by": "石大哥", "signed_on": TODAY}),
        Step.COMPARISON: ("comparison", {"findings": "无车辆"}),
        Step.FIRST_NOTICE: ("notice/close", {}),
        Step.SECOND_NOTICE: ("notice/close", {}),
        Step.TOWNSHIP_REVIEW: ("approve", {}),
        Step.COUNTY_APPROVAL: ("approve", {}),
        Step.ANNOUNCEMENT: ("announce", {"announced_on": TODAY}),
        Step.TAGGING: ("tagging", {"way": "assisted"} if case.kind == "elimination"
                       else {"category": fitting_category(case.household), "risk_types": ["illness"]}),
    }  # fmt: skip
    path, body = calls[step]
    return f"/cases/{case.pk}/{path}", body


@pytest.mark.parametrize(("kind", "step"), _every_step())
def test_the_second_decider_of_a_step_hears_who_decided_it_and_when(
    kind: str,
    step: str,
    personas: dict[str, User],
    client_for: Any,
    api_as: Callable[[str], Api],
) -> None:
    case = advance_to(_open(kind, personas), step, personas)
    persona = PERSONA_AT_LEVEL[STEP_ACTORS[step][1]]
    stale = Case.objects.get(pk=case.pk)
    # The first decider takes the step (through the same actions the page and API call).
    after = advance_to(case, next_step(case, step), personas)
    decided = CaseStep.objects.filter(case=case, step=step).order_by("-at", "-id").first()
    assert decided is not None
    when = timezone.localtime(decided.at).strftime("%Y-%m-%d %H:%M")
    # The person's name where one is on file, never only a login when a name exists.
    name = display_name(decided.actor)

    page = client_for(persona).post(f"/cases/{case.pk}/act/", _page_form(stale, step))
    assert page.status_code == 409, page.content.decode()[:400]
    text = page.content.decode()
    assert f"已由 {name} 于 {when} 决定" in text, [ln for ln in text.splitlines() if "error" in ln]
    assert "无权" not in text and "Your role" not in text

    path, body = _api_call(stale, step)
    api = api_as(persona).post(path, body)
    assert api.status_code == 409, api.json()
    assert api.json()["code"] == "ALREADY_DECIDED" and when in api.json()["message"]

    # A stale copy through the action itself: the conditional update names the winner too.
    with pytest.raises(Conflict) as late:
        if step in (Step.TOWNSHIP_REVIEW, Step.COUNTY_APPROVAL):
            actions.do_approve_case(stale, actor=personas[persona])
        else:
            actions.do_reject_case(stale, reason="重复提交", actor=personas[persona])
    assert late.value.code.name == "ALREADY_DECIDED"
    assert Case.objects.get(pk=case.pk).step == after.step  # nothing moved twice


def test_someone_who_never_could_act_there_still_gets_no_permission(
    personas: dict[str, User], client_for: Any
) -> None:
    case = advance_to(open_identification(personas), Step.TOWNSHIP_REVIEW, personas)
    actions.do_approve_case(case, actor=personas["township_officer"])
    # The supervisor reads cases but decides nothing: not a lost race.
    page = client_for("supervisor").post(
        f"/cases/{case.pk}/act/", {"action": "approve", "step": Step.TOWNSHIP_REVIEW}
    )
    assert page.status_code == 403


def test_the_system_operator_is_named_too(personas: dict[str, User]) -> None:
    case = advance_to(open_identification(personas), Step.VERIFICATION, personas)
    stale = Case.objects.get(pk=case.pk)
    actions.do_record_verification(case, actor=SYSTEM)
    with pytest.raises(Conflict) as late:
        actions.do_record_verification(stale, actor=personas["village_clerk"])
    assert late.value.code.name == "ALREADY_DECIDED"
