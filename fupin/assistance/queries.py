"""Reads of assistance, always scoped to the reader's area.

Assistance is part of the household file, so reading it needs ``registry.view``, the same as
reading the households it is about. Each ``access_*_by_id`` answers NotFound alike for a
missing row and one outside the reader's area.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from fupin.accounts.permissions import VIEW_REGISTRY
from fupin.areas.models import PREFIX_LENGTH, Area, Level
from fupin.areas.queries import within
from fupin.assistance.care import FOLLOW_UP_DAYS
from fupin.assistance.common import household_pairings, may_record, township_code, village_code
from fupin.assistance.models import (
    CareCategory,
    CareFlag,
    Measure,
    MeasureKind,
    Project,
    Training,
    TrainingAttendance,
    TransferJob,
    Visit,
    Workshop,
    WorkshopWorker,
)
from fupin.assistance.visits import KEY, expected_so_far, months_elapsed, visit_minimum
from fupin.cases.area_settings import setting_for
from fupin.core.access import require
from fupin.core.errors import NotFound
from fupin.mutualaid.models import GroupHousehold
from fupin.registry.models import Household, Member

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


def _scoped(user: Any, model: Any, area: Area | None, field: str = "area_id") -> QuerySet[Any]:
    require(user, VIEW_REGISTRY)
    scope = area or user.area
    if not scope.code.startswith(user.area.prefix):
        return model.objects.none()
    return model.objects.filter(within(scope, field))


def measures_within(user: Any, area: Area | None = None) -> QuerySet[Measure]:
    return _scoped(user, Measure, area)


def visits_within(user: Any, area: Area | None = None) -> QuerySet[Visit]:
    return _scoped(user, Visit, area)


def projects_within(user: Any, area: Area | None = None) -> QuerySet[Project]:
    return _scoped(user, Project, area)


def workshops_within(user: Any, area: Area | None = None) -> QuerySet[Workshop]:
    return _scoped(user, Workshop, area)


def transfer_jobs_within(user: Any, area: Area | None = None) -> QuerySet[TransferJob]:
    return _scoped(user, TransferJob, area)


def trainings_within(user: Any, area: Area | None = None) -> QuerySet[Training]:
    return _scoped(user, Training, area)


def care_flags_within(user: Any, area: Area | None = None) -> QuerySet[CareFlag]:
    return _scoped(user, CareFlag, area)


def members_within(user: Any, area: Area, q: str = "", limit: int = 2000) -> list[Member]:
    """Current members of households inside ``area``, for a picker: by name or household
    number when ``q`` is given; a village's people fit in one list, a township's need ``q``."""
    qs = _scoped(user, Member, area, "household__area_id").filter(left_on__isnull=True)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(household__number__startswith=q) | Q(household__head_name=q))
    return list(qs.select_related("household").order_by("household__number", "pk")[:limit])


def _by_id(qs: QuerySet[Any], pk: Any) -> Any:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    found = qs.filter(pk=number).first()
    if found is None:
        raise NotFound()
    return found


def access_project_by_id(user: Any, pk: Any) -> Project:
    return _by_id(projects_within(user).select_related("area"), pk)  # type: ignore[no-any-return]


def access_workshop_by_id(user: Any, pk: Any) -> Workshop:
    return _by_id(workshops_within(user).select_related("area"), pk)  # type: ignore[no-any-return]


def access_worker_by_id(user: Any, pk: Any) -> WorkshopWorker:
    qs = _scoped(user, WorkshopWorker, None, "workshop__area_id").select_related("workshop", "member")
    return _by_id(qs, pk)  # type: ignore[no-any-return]


def access_transfer_job_by_id(user: Any, pk: Any) -> TransferJob:
    return _by_id(transfer_jobs_within(user).select_related("member__household"), pk)  # type: ignore[no-any-return]


def access_training_by_id(user: Any, pk: Any) -> Training:
    return _by_id(trainings_within(user).select_related("area"), pk)  # type: ignore[no-any-return]


def access_care_flag_by_id(user: Any, pk: Any) -> CareFlag:
    return _by_id(care_flags_within(user).select_related("member__household"), pk)  # type: ignore[no-any-return]


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --- lists --------------------------------------------------------------------------------


def project_list(user: Any, area: Area, year: int | None = None) -> list[Project]:
    """Projects inside ``area`` with their beneficiaries: distinct households with a measure
    linked to the project."""
    qs = projects_within(user, area).select_related("area")
    if year:
        qs = qs.filter(year=year)
    return list(qs.annotate(beneficiaries=Count("measures__household", distinct=True)))


def project_totals(projects: list[Project]) -> list[dict[str, Any]]:
    """Budget, allocated, spent and beneficiaries per village (or township) of the list."""
    rows: dict[str, dict[str, Any]] = {}
    for p in projects:
        row = rows.setdefault(
            p.area_id,
            {
                "area": p.area,
                "projects": 0,
                "budget": Decimal("0"),
                "allocated": Decimal("0"),
                "spent": Decimal("0"),
                "beneficiaries": 0,
            },
        )
        row["projects"] += 1
        row["budget"] += p.budget
        row["allocated"] += p.allocated
        row["spent"] += p.spent
        row["beneficiaries"] += p.beneficiaries  # type: ignore[attr-defined]
    return [rows[code] for code in sorted(rows)]


def projects_for_household(household: Household) -> list[Project]:
    """The projects a measure of ``household`` may be linked to: its village's and its
    township's, newest first."""
    places = (village_code(household.area_id), township_code(household.area_id))
    return list(Project.objects.filter(area_id__in=places).order_by("-year", "name"))


def project_measures(project: Project) -> QuerySet[Measure]:
    return project.measures.select_related("household", "household__area").order_by("-day", "-pk")


def workshop_list(user: Any, area: Area) -> QuerySet[Workshop]:
    return (
        workshops_within(user, area)
        .select_related("area")
        .annotate(active_workers=Count("workers", filter=Q(workers__ended_on__isnull=True)))
        .order_by("closed_on", "area_id", "name")
    )


def workshop_workers(workshop: Workshop) -> QuerySet[WorkshopWorker]:
    return workshop.workers.select_related("member", "member__household").order_by("ended_on", "started_on")


def transfer_job_list(user: Any, area: Area, *, active_only: bool = False) -> QuerySet[TransferJob]:
    qs = transfer_jobs_within(user, area).select_related("member", "member__household")
    if active_only:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("ended_on", "-started_on", "-pk")


def training_list(user: Any, area: Area, year: int | None = None) -> QuerySet[Training]:
    qs = trainings_within(user, area).select_related("area")
    if year:
        qs = qs.filter(day__year=year)
    return qs.annotate(attendees=Count("attendance")).order_by("-day", "-pk")


def training_attendance(training: Training) -> QuerySet[TrainingAttendance]:
    return training.attendance.select_related("member", "member__household").order_by(
        "member__household__number", "member__pk"
    )


def care_flag_list(
    user: Any, area: Area, *, open_only: bool = True, today: dt.date | None = None
) -> QuerySet[CareFlag]:
    """Flags inside ``area`` with their last follow-up and whether they wait too long for one
    (no follow-up, or none since the flag, for ``FOLLOW_UP_DAYS``)."""
    today = today or timezone.localdate()
    qs = care_flags_within(user, area).select_related("member", "member__household")
    if open_only:
        qs = qs.filter(ended_on__isnull=True)
    return qs.annotate(last_follow_up=Max("follow_ups__day")).order_by("ended_on", "category", "since")


def neglected(flag: CareFlag, today: dt.date) -> bool:
    last = getattr(flag, "last_follow_up", None) or flag.since
    return flag.ended_on is None and (today - last).days > FOLLOW_UP_DAYS


# --- the summary page ---------------------------------------------------------------------


def _money(qs: QuerySet[Any], *fields: str) -> dict[str, Decimal]:
    sums = qs.aggregate(**{f: Coalesce(Sum(f), ZERO) for f in fields})
    return {f: sums[f] for f in fields}


def summary(user: Any, area: Area, year: int, *, today: dt.date | None = None) -> dict[str, Any]:
    """The area's assistance in ``year``: measures by kind with amounts, visits and the
    households below the visit minimum, projects' money, workshops and workers, transfer jobs,
    trainings and attendance, care flags open and waiting for a follow-up."""
    today = today or timezone.localdate()
    first, last = year_range(year)
    measures = measures_within(user, area).filter(day__range=(first, last))
    by_kind = {
        r["kind"]: r
        for r in measures.values("kind")
        .annotate(n=Count("id"), amount=Coalesce(Sum("amount"), ZERO))
        .order_by()
    }
    kinds = [
        {"kind": k, "label": label, "n": by_kind[k]["n"], "amount": by_kind[k]["amount"]}
        for k, label in MeasureKind.choices
        if k in by_kind
    ]
    visits = visits_within(user, area).filter(day__range=(first, last))
    below = visit_minimum(user, area, year, today=today)
    projects = projects_within(user, area).filter(year=year)
    workshops = workshops_within(user, area)
    open_workshops = workshops.filter(closed_on__isnull=True)
    workers = WorkshopWorker.objects.filter(workshop__in=workshops.values("pk"), ended_on__isnull=True)
    jobs = transfer_jobs_within(user, area).filter(ended_on__isnull=True)
    trainings = trainings_within(user, area).filter(day__range=(first, last))
    flags = care_flag_list(user, area, today=today)
    cutoff = today - dt.timedelta(days=FOLLOW_UP_DAYS)
    open_by_category = dict(
        care_flags_within(user, area)
        .filter(ended_on__isnull=True)
        .values_list("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    care_rows = [
        {"category": c, "label": label, "open": open_by_category.get(c, 0)}
        for c, label in CareCategory.choices
    ]
    return {
        "kinds": kinds,
        "measures": {
            "n": sum(k["n"] for k in kinds),
            "amount": sum((k["amount"] for k in kinds), Decimal("0")),
        },
        "households_helped": measures.values("household").distinct().count(),
        "visits": visits.count(),
        "households_visited": visits.values("household").distinct().count(),
        "below_minimum": len(below),
        "behind": sum(1 for r in below if r.behind),
        "projects": {"n": projects.count(), **_money(projects, "budget", "allocated", "spent")},
        "workshops": open_workshops.count(),
        "workers": workers.count(),
        "transfer_jobs": jobs.count(),
        "via_job_fair": jobs.filter(via_job_fair=True).count(),
        "trainings": trainings.count(),
        "training_hours": trainings.aggregate(h=Sum("hours"))["h"] or Decimal("0"),
        "attendance": TrainingAttendance.objects.filter(training__in=trainings.values("pk")).count(),
        "care": care_rows,
        "care_open": sum(r["open"] for r in care_rows),
        "care_neglected": flags.filter(
            Q(last_follow_up__lt=cutoff) | Q(last_follow_up__isnull=True, since__lt=cutoff)
        ).count(),
        "children": _children(user, area, first, last, below),
    }


def _children(user: Any, area: Area, first: dt.date, last: dt.date, below: list[Any]) -> list[dict[str, Any]]:
    """The same figures per township or village below ``area``."""
    if area.level >= Level.VILLAGE:
        return []
    n = PREFIX_LENGTH[area.level + 1]
    group = Substr("area_id", 1, n)

    def grouped(qs: QuerySet[Any], **aggregates: Any) -> dict[str, dict[str, Any]]:
        return {
            r["child"]: r for r in qs.annotate(child=group).values("child").annotate(**aggregates).order_by()
        }

    measures = grouped(
        measures_within(user, area).filter(day__range=(first, last)),
        n=Count("id"),
        amount=Coalesce(Sum("amount"), ZERO),
    )
    visits = grouped(visits_within(user, area).filter(day__range=(first, last)), n=Count("id"))
    flags = grouped(care_flags_within(user, area).filter(ended_on__isnull=True), n=Count("id"))
    short: dict[str, int] = defaultdict(int)
    late: dict[str, int] = defaultdict(int)
    for row in below:
        key = row.household.area_id[:n]
        short[key] += 1
        late[key] += row.behind
    out = []
    for child in Area.objects.filter(parent=area).order_by("code"):
        key = child.prefix
        out.append(
            {
                "area": child,
                "measures": measures.get(key, {}).get("n", 0),
                "amount": measures.get(key, {}).get("amount", Decimal("0")),
                "visits": visits.get(key, {}).get("n", 0),
                "below_minimum": short[key],
                "behind": late[key],
                "care_open": flags.get(key, {}).get("n", 0),
            }
        )
    return out


# --- one household ------------------------------------------------------------------------


def household_assistance(user: Any, household: Household, *, today: dt.date | None = None) -> dict[str, Any]:
    """What the household page shows of assistance (the caller may read the household)."""
    today = today or timezone.localdate()
    year = today.year
    first, last = year_range(year)
    measures = list(household.measures.select_related("responsible", "project").order_by("-day", "-pk")[:100])
    this_year = [m for m in measures if first <= m.day <= last]
    totals: dict[str, dict[str, Any]] = {}
    for m in this_year:
        row = totals.setdefault(m.kind, {"label": m.get_kind_display(), "n": 0, "amount": Decimal("0")})
        row["n"] += 1
        row["amount"] += m.amount
    visits = household.visits.order_by("-day", "-pk")
    count = visits.filter(day__range=(first, last)).count()
    minimum = int(setting_for(village_code(household.area_id), KEY))
    expected = expected_so_far(minimum, months_elapsed(year, today))
    members = household.members.all()
    return {
        "year": year,
        "measures": measures,
        "totals": list(totals.values()),
        "total_amount": sum((m.amount for m in this_year), Decimal("0")),
        "visits": list(visits[:10]),
        "last_visit": visits.values_list("day", flat=True).first(),
        "visit_count": count,
        "minimum": minimum,
        "expected": expected,
        "behind": count < expected,
        "workshop_jobs": list(
            WorkshopWorker.objects.filter(member__in=members)
            .select_related("workshop", "member")
            .order_by("ended_on", "-started_on")
        ),
        "transfer_jobs": list(
            TransferJob.objects.filter(member__in=members)
            .select_related("member")
            .order_by("ended_on", "-started_on")
        ),
        "trainings": list(
            TrainingAttendance.objects.filter(member__in=members)
            .select_related("training", "member")
            .order_by("-training__day")
        ),
        "care_flags": list(
            CareFlag.objects.filter(member__in=members)
            .select_related("member")
            .annotate(last_follow_up=Max("follow_ups__day"))
            .order_by("ended_on", "category")
        ),
        "pairings": list(household_pairings(household, today)),
        "group": current_group(household),
        "can_record": may_record(user, household),
    }


def current_group(household: Household) -> GroupHousehold | None:
    """The mutual-aid group (互助五兴) the household belongs to now, if any."""
    return (
        GroupHousehold.objects.filter(household=household, left_on__isnull=True)
        .select_related("group")
        .first()
    )
