"""Party building, work teams, pairing and assistance in the demo county (issue 5), built after
the population, its cases and its monitoring:

- ``fupin.demo.party_orgs``: units, organisations, linkages, members, cadres, ratings;
- ``fupin.demo.pairings``: the three full coverages, with gaps planted on purpose;
- ``fupin.demo.work_teams``: teams, a year of check-ins, reports, leave, spot checks,
  assessments and a recall proposal;
- ``fupin.demo.aid_groups``: mutual-aid groups, their activities, evaluations and star ratings;
- ``fupin.demo.assistance``: measures, visits, projects, workshops, jobs, trainings, care;
- ``fupin.demo.duty``: the county's responsibility list and its progress.

Rows are written in bulk (a year of check-ins is a quarter of a million rows) in one
transaction, deterministic for a seed and a build date ("this year" and "yesterday" are the
day it is built). Like the population, the keys written are kept in an audit entry, so a
rebuild removes the demo's rows and nothing users added; the gaps planted are kept there too
(``planted_gaps``) for the tests and for whoever demonstrates the coverage report.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import models, transaction
from django.db.models import ProtectedError, Q

from fupin.areas.models import prefix_range
from fupin.assistance.models import (
    CareFlag,
    CareFollowUp,
    Measure,
    Project,
    Training,
    TrainingAttendance,
    TransferJob,
    Visit,
    Workshop,
    WorkshopWorker,
)
from fupin.core import audit
from fupin.core.access import SYSTEM
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY
from fupin.demo import aid_groups, assistance, duty, pairings, party_orgs, work_teams
from fupin.demo.actions import DemoError
from fupin.demo.county import load
from fupin.duty.models import ProgressReport, Task
from fupin.mutualaid.models import Activity, AidGroup, Evaluation, GroupHousehold, HouseholdStar
from fupin.pairing.models import Pairing
from fupin.party.models import Cadre, Linkage, Organisation, PartyMember, Rating
from fupin.registry.models import Household
from fupin.teams.models import (
    CheckIn,
    LeaveRequest,
    RecallProposal,
    SpotCheck,
    TeamMember,
    WorkReport,
    WorkTeam,
    YearlyAssessment,
)

ACTION = "demo.party"
# Children before parents: the order a rebuild deletes in. Units are kept (see ``_delete``).
MODELS: list[type[models.Model]] = [
    ProgressReport,
    Task,
    CareFollowUp,
    CareFlag,
    TrainingAttendance,
    Training,
    TransferJob,
    WorkshopWorker,
    Workshop,
    Measure,
    Visit,
    Project,
    HouseholdStar,
    Evaluation,
    Activity,
    GroupHousehold,
    AidGroup,
    Pairing,
    RecallProposal,
    YearlyAssessment,
    SpotCheck,
    LeaveRequest,
    WorkReport,
    CheckIn,
    TeamMember,
    WorkTeam,
    Rating,
    Cadre,
    Linkage,
    PartyMember,
    Organisation,
]


def _ranges_q(runs: list[list[int]]) -> Q:
    q = Q(pk__in=[])
    for first, last in runs:
        q |= Q(pk__gte=first, pk__lte=last)
    return q


def _runs(pks: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for pk in sorted(pks):
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def _latest() -> AuditEntry | None:
    return AuditEntry.objects.filter(action=ACTION).order_by("-at", "-id").first()


def _intact(entry: AuditEntry) -> bool:
    """The recorded pairings are all still there: they go with the households, so a rebuilt
    population (or a deleted household) means the party demo is rebuilt too."""
    after = entry.after or {}
    runs = after.get("rows", {}).get(Pairing._meta.label_lower, [])
    wanted = after.get("counts", {}).get(Pairing._meta.label_lower, 0)
    return bool(wanted) and Pairing.objects.filter(_ranges_q(runs)).count() == wanted


def _delete() -> None:
    """Remove every row an earlier party build wrote. Units stay: users' own teams and tasks
    may name them, and the next build takes them up again by name."""
    recorded: dict[str, list[list[int]]] = {}
    for after in AuditEntry.objects.filter(action=ACTION).values_list("after", flat=True):
        for label, runs in (after or {}).get("rows", {}).items():
            recorded.setdefault(label, []).extend(runs)
    if not recorded:
        return
    orgs = Organisation.objects.filter(_ranges_q(recorded.get(Organisation._meta.label_lower, [])))
    orgs.update(parent=None)  # the hierarchy points inside the set; PROTECT would refuse it
    try:
        for model in MODELS:
            runs = recorded.get(model._meta.label_lower, [])
            if runs:
                model.objects.filter(_ranges_q(runs)).delete()
    except ProtectedError as exc:
        raise DemoError(
            "the party demo cannot be rebuilt: rows added since point at its organisations or "
            f"members ({exc.protected_objects and next(iter(exc.protected_objects))._meta.label})"
        ) from None


def build_demo_party(
    seed: int = 2014, *, today: dt.date | None = None, rebuild: bool = False
) -> dict[str, Any]:
    """Build the party demo of 花垣县 over its households; does nothing if the county has no
    households or the last build is still whole (the command runs again on every start),
    unless ``rebuild``.

    Returns the counts per model (by label), the gaps planted and the seconds it took."""
    if not Household.objects.filter(prefix_range(COUNTY[:6], "area_id")).exists():
        return {}
    entry = _latest()
    if entry is not None and _intact(entry) and not rebuild:
        return {}
    started = time.perf_counter()
    with transaction.atomic():
        _delete()
        county = load(seed, today)
        county.shared["planted"] = {}
        party_orgs.build(county)
        pairings.build(county)
        work_teams.build(county)
        aid_groups.build(county)
        assistance.build(county)
        duty.build(county)
        counts = dict(sorted(county.counts.items()))
        result = {
            "seed": seed,
            "built_on": county.today.isoformat(),
            "counts": counts,
            "planted": county.shared["planted"],
            "seconds": round(time.perf_counter() - started, 1),
        }
        audit.record(
            SYSTEM,
            ACTION,
            object_type="party.organisation",
            object_id=f"seed-{seed}",
            area_code=COUNTY,
            after={**result, "rows": {label: _runs(pks) for label, pks in county.made.items()}},
        )
    return result


def planted_gaps() -> dict[str, list[str]]:
    """The gaps and warnings the last build planted, by kind: area codes, household numbers,
    unit or member names. Empty if there is no party demo."""
    entry = _latest()
    return dict((entry.after or {}).get("planted", {})) if entry is not None else {}
