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
from fupin.assessment.actions import do_set_western_standard
from fupin.assessment.models import AreaPopulation, AssessmentSetting
from fupin.core import audit
from fupin.core.access import SYSTEM
from fupin.core.personas import COUNTY
from fupin.registry.models import Member

FIRST_YEAR = 2014
SOURCE = "演示数据：按户籍人口估算"


def set_demo_western_standard() -> bool:
    """Record on 湖南省 that the western-region standard does not apply, so the assessment
    page says whose setting its 2% comes from. Why not 3%: domain.md gives "below 2% (western
    region below 3%)" and names no province; the seeds never treat Hunan as western for this
    rule (seed 003 reports 湘西's incidence, not its standard), and Hunan is a central
    province. 湘西州 enjoyed western development policies in general, but the standard is the
    province's to set, not a prefecture's. True if the row was written now."""
    province = Area.objects.filter(code=COUNTY[:2].ljust(12, "0")).first()
    if province is None or AssessmentSetting.objects.filter(area=province).exists():
        return False
    do_set_western_standard(province, False, actor=SYSTEM)
    return True


def build_demo_populations() -> int:
    """Rows written; nothing if the county has figures already (the command runs on every start).
    The province's western-standard setting goes with them: both are what the assessment reads."""
    set_demo_western_standard()
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
