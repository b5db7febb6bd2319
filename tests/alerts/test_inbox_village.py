"""The alert inbox names each alert's village in a column of its own (issue 13, item 29): a
township or county officer sorting many villages' alerts sees where to go without opening one.
A village group's household is under its village; a county reader also sees the township."""

from __future__ import annotations

import re
from typing import Any

from django.utils import translation
from django.utils.translation import pgettext

from fupin.accounts.models import User
from fupin.areas.actions import do_add_village_group
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.personas import NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE, VILLAGE
from tests.alerts.helpers import screened
from tests.conftest import make_household


def village_cells(page: str) -> dict[int, str]:
    """{alert id: the text of its village cell}, tags stripped."""
    rows = re.findall(r'<td><a href="/alerts/(\d+)/">.*?<td class="village">(.*?)</td>', page, re.S)
    return {int(pk): " ".join(re.sub(r"<[^>]+>", " ", cell).split()) for pk, cell in rows}


def test_each_alert_row_names_its_village(personas: dict[str, User], client_for: Any) -> None:
    group = do_add_village_group(Area.objects.get(code=VILLAGE), "003", "竹子寨组", actor=SYSTEM)
    in_village = screened(make_household(VILLAGE, head_name="村中户"))
    in_group = screened(make_household(group.code, head_name="组里户"))
    neighbour = screened(make_household(NEIGHBOUR_VILLAGE, head_name="邻村户"))
    elsewhere = screened(make_household(OTHER_TOWNSHIP_VILLAGE, head_name="外镇户"))
    names = dict(
        Area.objects.filter(code__in=[NEIGHBOUR_VILLAGE, OTHER_TOWNSHIP_VILLAGE]).values_list("code", "name")
    )
    other_township = Area.objects.get(code=OTHER_TOWNSHIP_VILLAGE).parent.name

    page = client_for("township_officer").get("/alerts/").content.decode()
    with translation.override("zh-hans"):
        assert f"<th>{pgettext('the village an alert is in', 'Village')}</th>" in page
    cells = village_cells(page)
    assert cells == {
        in_village.pk: "十八洞村",
        in_group.pk: "十八洞村",
        neighbour.pk: names[NEIGHBOUR_VILLAGE],
    }
    assert "竹子寨组" in page  # the group stays beside its household's name

    county = village_cells(client_for("county_admin").get("/alerts/").content.decode())
    assert county[elsewhere.pk] == f"{names[OTHER_TOWNSHIP_VILLAGE]} {other_township}"
    assert county[in_village.pk] == "十八洞村 双龙镇"
