"""Local values by area: nearest wins, defaults otherwise, only the county bureau sets them."""

from __future__ import annotations

import pytest

from fupin.accounts.models import User
from fupin.areas.models import Area, AreaSetting
from fupin.cases.area_settings import do_set_area_setting, setting_for
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, COUNTY, NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE


def test_defaults_then_the_nearest_area_wins(personas: dict[str, User]) -> None:
    admin = personas["county_admin"]
    assert setting_for(VILLAGE, "notice_days") == 7 and setting_for(VILLAGE, "quorum") == "2/3"
    assert setting_for(VILLAGE, "exit_requires_county_approval") is True
    do_set_area_setting(Area.objects.get(code=COUNTY), "notice_days", 5, actor=admin)
    do_set_area_setting(Area.objects.get(code=TOWNSHIP), "notice_days", 9, actor=admin)
    assert setting_for(VILLAGE, "notice_days") == 9
    assert setting_for("433124102201", "notice_days") == 5  # another township of the county
    assert setting_for("433122000000", "notice_days") == 7  # another county
    assert setting_for(VILLAGE + "001", "notice_days") == 9  # a village group
    do_set_area_setting(Area.objects.get(code=TOWNSHIP), "notice_days", None, actor=admin)
    assert setting_for(VILLAGE, "notice_days") == 5
    entries = AuditEntry.objects.filter(action="areas.set_setting")
    assert entries.count() == 3 and entries.order_by("id").last().before == {"key": "notice_days", "value": 9}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("notice_days", 3),
        ("notice_days", "seven"),
        ("quorum", "3/2"),
        ("quorum", "x"),
        ("nonsense", 1),
        ("majority", 0),
    ],
)
def test_bad_values_are_refused(personas: dict[str, User], key: str, value: object) -> None:
    with pytest.raises(FupinError):
        do_set_area_setting(Area.objects.get(code=COUNTY), key, value, actor=personas["county_admin"])
    assert not AreaSetting.objects.exists()


@pytest.mark.parametrize("username", ALL_USERNAMES)
def test_only_the_county_bureau_sets_values_inside_its_county(
    personas: dict[str, User], username: str
) -> None:
    area = Area.objects.get(code=NEIGHBOUR_VILLAGE)
    if username == "county_admin":
        do_set_area_setting(area, "quorum", "3/4", actor=personas[username])
        assert setting_for(NEIGHBOUR_VILLAGE, "quorum") == "3/4"
        return
    # 丙池村 lies outside the other county and outside 十八洞村's people's village.
    outside = username in {"outsider", "village_clerk", "first_secretary", "cadre"}
    with pytest.raises(NotFound if outside else PermissionDenied):
        do_set_area_setting(area, "quorum", "3/4", actor=personas[username])
    assert not AreaSetting.objects.exists()
