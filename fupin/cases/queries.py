"""Reads of cases, always scoped to the reader's area."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case as When_
from django.db.models import IntegerField, Q, QuerySet, Value, When

from fupin.accounts.permissions import VIEW_CASES
from fupin.areas.models import Level
from fupin.areas.queries import within
from fupin.cases.models import Case, CaseStep, Decision, Kind, Status, Step
from fupin.cases.workflow import NOTICE_ROUND
from fupin.core.access import require
from fupin.core.errors import NotFound

# The steps each level acts on: a user's inbox shows these first.
LEVEL_STEPS: dict[int, tuple[str, ...]] = {
    Level.VILLAGE: (
        Step.VERIFICATION,
        Step.AUTHORISATION,
        Step.REVIEW,
        Step.CONSENT,
        Step.FIRST_NOTICE,
        Step.SECOND_NOTICE,
        Step.ANNOUNCEMENT,
        Step.TAGGING,
    ),
    Level.TOWNSHIP: (Step.COMPARISON, Step.TOWNSHIP_REVIEW),
    Level.COUNTY: (Step.COUNTY_APPROVAL,),
}


def identification_late(today: dt.date) -> Q:
    """Monitoring cases past the 15-day limit (domain.md §5) as of ``today``: still open after
    the due day. The same rule as ``Case.identification_late_on`` for an open case; a case
    tagged late is no longer waiting, so it is shown late on its page but not counted here."""
    return Q(kind=Kind.MONITORING, status=Status.OPEN, identification_due__lt=today)


def cases_within(user: Any) -> QuerySet[Case]:
    require(user, VIEW_CASES)
    return Case.objects.filter(within(user.area, "area_code")).select_related("household", "household__area")


def inbox(user: Any, *, status: str = "", kind: str = "") -> QuerySet[Case]:
    """The user's cases: open ones waiting for the user's level first, oldest waiting on top."""
    qs = cases_within(user)
    if status in Status.values:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    mine = LEVEL_STEPS.get(user.area.level, ())
    return qs.annotate(
        waiting=When_(
            When(status=Status.OPEN, step__in=mine, then=Value(0)),
            When(status=Status.OPEN, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("waiting", "step_since", "id")


def access_case_by_id(user: Any, case_id: Any) -> Case:
    """The case, or NotFound alike for a missing one and one outside the user's area."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    case = cases_within(user).filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def timeline(case: Case) -> list[CaseStep]:
    """The case's steps in order, each posting showing its notice's period as the notice row
    holds it now (``Notice.period``): the text written at posting is kept in the database, but
    the row is what the page and the printed notice read, so all three say the same days."""
    notices = {n.round: n for n in case.notices.all()}
    steps = list(case.steps.all())
    for entry in steps:
        notice = notices.get(NOTICE_ROUND.get(entry.step, 0))
        if entry.decision == Decision.POSTED and notice is not None:
            entry.remarks = notice.period
    return steps
