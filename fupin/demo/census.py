"""The demo county's populations (农业户籍人口), the denominator of the poverty incidence.

The demo's household file holds every rural household of the county, so each village's figure
is the number of its people on file, the same for every year since 2014; townships and the
county are the sums. Real counties type their own figures in on the assessment page. Written
in one batch with one audit entry, like the rest of the demo's population.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fupin.areas.models import Area, prefix_range
from fupin.assessment.models import AreaPopulation
from fupin.core import audit
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY
from fupin.registry.models import Member

FIRST_YEAR = 2014
SOURCE = "演示数据：按户籍人口估算"


def build_demo_populations() -> int:
    """Rows written; nothing if the county has figures already (the command runs on every start)."""
    if AreaPopulation.objects.filter(area_id=COUNTY).exists():
        return 0
    by_village = dict(
        Member.objects.filter(prefix_range(COUNTY[:6], "household__area_id"), left_on__isnull=True)
        .values("household__area_id")
        .annotate(n=Count("id"))
        .values_list("household__area_id", "n")
    )
    if not by_village:
        return 0
    people: Counter[str] = Counter()
    for code, n in by_village.items():
        village = code[:12]
        for area in (village, village[:9].ljust(12, "0"), COUNTY):
            people[area] += n
    known = set(Area.objects.filter(code__in=list(people)).values_list("code", flat=True))
    rows = [
        AreaPopulation(area_id=code, year=year, agricultural_registered=n, source=SOURCE)
        for year in range(FIRST_YEAR, timezone.localdate().year + 1)
        for code, n in people.items()
        if code in known
    ]
    with transaction.atomic():
        AreaPopulation.objects.bulk_create(rows, batch_size=2000)
        audit.record(
            SYSTEM, "demo.build_populations", area_code=COUNTY, after={"rows": len(rows), "source": SOURCE}
        )
    return len(rows)
