"""Monitoring in the demo county: department feeds with their match reports, one screening run
over them, and the alerts it raised in several states, a few of them overdue.

The feeds are sent the way a department's API client sends them (``do_receive_feed``), about
the last year the demo has incomes for, so screening finds them; each batch also holds a few
made-up ID numbers of nobody registered, so its match report shows unmatched rows. Screening
runs as ``fupin screen`` runs it (DuckDB, in this process), and the alerts are visited and
dismissed through the alert actions. The one shortcut is the calendar again (see
``demo.cases``): a few alerts are given the dates of one raised weeks ago, so they are overdue.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from fupin.accounts.models import User
from fupin.alerts import actions as alerts
from fupin.alerts.models import Alert, AlertStatus, Channel
from fupin.alerts.raising import due_dates
from fupin.areas.models import Area, prefix_range
from fupin.core import crypto
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY, VILLAGE
from fupin.demo import economy
from fupin.demo.population import IdAllocator
from fupin.feeds.actions import do_receive_feed
from fupin.feeds.models import FeedBatch
from fupin.feeds.schemas import SCHEMAS
from fupin.registry.models import Household, Member
from fupin.registry.tasks import run_now
from fupin.screening.actions import do_start_screening
from fupin.screening.tasks import run_screening

YEAR = economy.INCOME_YEARS[-1]  # the demo's latest incomes: screening that year sees them
FILENAME = "演示数据"  # marks the demo's batches, so a rebuild replaces them
SAMPLE = 400  # members the departments report on
HOME = 12  # of them, members of 十八洞村, so its clerk has alerts to work on
STRANGERS = 5  # made-up ID numbers per batch, matching nobody


def _day(rng: random.Random) -> str:
    return (dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()


def _people(rng: random.Random) -> list[tuple[str, dt.date]]:
    """(ID number, birth date) of a sample of the county's members, 十八洞村's first."""
    current = Member.objects.filter(prefix_range(COUNTY[:6], "household__area_id"), left_on=None)
    at_home = current.filter(prefix_range(VILLAGE, "household__area_id")).order_by("pk")
    home = list(at_home.values_list("pk", flat=True)[:HOME])
    others = sorted(set(current.values_list("pk", flat=True)) - set(home))
    chosen = home + rng.sample(others, min(SAMPLE - len(home), len(others)))
    rows = Member.objects.filter(pk__in=chosen).values_list("pk", "id_number_enc", "birth_date")
    found = {pk: (enc, born) for pk, enc, born in rows}
    return [(crypto.decrypt(found[pk][0]), found[pk][1]) for pk in chosen]


def _strangers(rng: random.Random, count: int) -> list[str]:
    """Valid ID numbers of the county that nobody in the registry holds."""
    taken = set(Member.objects.values_list("id_number_hash", flat=True))
    ids = IdAllocator(taken=lambda n: crypto.keyed_hash(n) in taken)
    born = [dt.date(rng.randint(1950, 2010), rng.randint(1, 12), rng.randint(1, 28)) for _ in range(count)]
    return [ids.allocate(day, rng.choice("mf")) for day in born]


def _feeds(rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """Rows of four departments about the sampled members, plus a few strangers each."""
    people = _people(rng)
    strangers = iter(_strangers(rng, 4 * STRANGERS))
    ids = [number for number, _ in people]

    def pick(share: float) -> list[str]:
        return [n for n in ids if rng.random() < share]

    medical: list[dict[str, Any]] = []
    for number in pick(0.35):
        # Most stays cost little after the three layers; some cross 6000 or 10000 yuan.
        draw = rng.random()
        low, high = (10500, 30000) if draw < 0.1 else (6000, 9800) if draw < 0.2 else (200, 4000)
        cost = rng.uniform(low, high)
        medical.append(
            {"id_number": number, "kind": "住院", "date": _day(rng), "out_of_pocket": f"{cost:.2f}"}
        )
    medical += [
        {"id_number": n, "kind": "年度自付", "out_of_pocket": f"{rng.uniform(500, 16000):.2f}"}
        for n in pick(0.08)
    ]
    housing = [
        {"id_number": n, "rating": rng.choices("ABCD", weights=(60, 30, 7, 3))[0], "date": _day(rng)}
        for n in pick(0.2)
    ]
    # School-age members: aid for most, and a couple who left school.
    pupils = [n for n, born in people if YEAR - 18 <= born.year <= YEAR - 7]
    education = [
        {"id_number": n, "kind": "资助", "date": _day(rng), "amount": "1000.00", "programme": "国家助学金"}
        for n in pupils[2:]
    ]
    education += [{"id_number": n, "kind": "辍学", "stage": "初中", "date": _day(rng)} for n in pupils[:2]]
    civil = [
        {
            "id_number": n,
            "status": rng.choices(["低保", "特困", "低保边缘"], weights=(70, 10, 20))[0],
            "date": _day(rng),
            "monthly_amount": f"{rng.choice([300, 350, 420, 560])}.00",
        }
        for n in pick(0.15)
    ]
    feeds = {"medical": medical, "housing": housing, "education": education, "civil_affairs": civil}
    for rows in feeds.values():
        # Rows about people the county does not hold, as every real export has a few.
        template = {k: v for k, v in rows[-1].items() if k != "id_number"} if rows else {}
        rows += [{**template, "id_number": next(strangers)} for _ in range(STRANGERS)]
    return feeds


def _actor(users: dict[str, Any], area_code: str) -> Any:
    """十八洞村's clerk in 十八洞村 (if the account exists), the system operator elsewhere."""
    return users.get("village_clerk", SYSTEM) if area_code.startswith(VILLAGE) else SYSTEM


def _make_overdue(found: list[Alert], days_ago: int) -> None:
    """Give alerts the dates of one raised ``days_ago`` days ago. A direct update, as the case
    notices in ``demo.cases``: the demo is built in one go and nobody waits for a deadline."""
    raised = timezone.localdate() - dt.timedelta(days=days_ago)
    for alert in found:
        visit_due, decision_due = due_dates(alert.area_code, raised)
        Alert.objects.filter(pk=alert.pk).update(
            raised_at=timezone.now() - dt.timedelta(days=days_ago),
            visit_due=visit_due,
            decision_due=decision_due,
        )


def build_demo_monitoring(seed: int = 2014) -> dict[str, int]:
    """Feeds, a screening run and alerts in several states; does nothing if the demo county
    has screening alerts already (the command runs again on every start)."""
    if Alert.objects.filter(prefix_range(COUNTY[:6], "area_code"), channel=Channel.SCREENING).exists():
        return {}
    if not Household.objects.filter(prefix_range(COUNTY[:6], "area_id")).exists():
        return {}
    rng = random.Random(seed)
    county = Area.objects.get(code=COUNTY)
    # An earlier build's batches are about members deleted since; the same rows again would
    # only count as repeated.
    FeedBatch.objects.filter(area_code=COUNTY, filename__startswith=FILENAME).delete()
    batches = [
        do_receive_feed(
            source,
            rows,
            period=str(YEAR),
            actor=SYSTEM,
            area=county,
            # Named as a department would name its file: the page shows the name.
            filename=f"{FILENAME}-{SCHEMAS[source].title}.csv",
        )
        for source, rows in _feeds(rng).items()
        if rows
    ]

    run = do_start_screening(SYSTEM, area=county, year=YEAR, start=False)
    assert run.job is not None
    run_now(run.job, run_screening)

    users = {u.username: u for u in User.objects.filter(username="village_clerk")}
    found = list(
        Alert.objects.filter(
            prefix_range(COUNTY[:6], "area_code"), channel=Channel.SCREENING, status=AlertStatus.OPEN
        ).select_related("household")
    )
    # 十八洞村's alerts first, so its clerk sees each state at home; then in a stable order
    # (not the order DuckDB's threads returned the rows in).
    found.sort(key=lambda a: (not a.area_code.startswith(VILLAGE), a.household.number, a.rule, a.period))
    visited, dismissed, late = found[:2], found[2:3], found[3:6]
    with transaction.atomic():
        for alert in visited:
            alerts.do_record_visit(
                alert,
                "入户核查：情况属实，家庭收入受影响，建议纳入监测（演示）",
                actor=_actor(users, alert.area_code),
            )
        for alert in dismissed:
            alerts.do_dismiss_alert(
                alert,
                "入户核实：费用已由商业保险报销，家庭收入稳定，无返贫致贫风险（演示）",
                actor=_actor(users, alert.area_code),
            )
        _make_overdue(late, days_ago=20)
        checks = list(
            Household.objects.filter(prefix_range(VILLAGE, "area_id"))
            .exclude(alerts__channel=Channel.CADRE_CHECK)
            .order_by("number")[:2]
        )
        for household in checks:
            alerts.do_record_cadre_check(
                household,
                "干部走访发现家中主要劳动力务工受伤，收入骤减（演示）",
                actor=_actor(users, household.area_id),
            )
    return {
        "batches": len(batches),
        "rows": sum(b.rows_total for b in batches),
        "unmatched": sum(b.rows_unmatched for b in batches),
        "alerts": len(found),
        "overdue": len(late),
        "cadre_checks": len(checks),
    }
