"""Every settings write by level (issue 13 item 2): a value belongs to the area it is set for, and
only that area's own office sets it. A county bureau sets its county's values (and those of the
townships and villages it runs), not its province's nor another county's; a province or
prefecture bureau sets its own, not one of its counties'. A refused write changes nothing and
leaves no audit entry.

The matrix is every settings write × every persona × every target level, with the expected
answer written out by hand rather than derived from the rule under test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fupin.areas.models import Area, AreaSetting
from fupin.assessment.actions import do_set_assessment_setting, do_set_western_standard
from fupin.assessment.models import AssessmentSetting
from fupin.cases.area_settings import do_set_area_setting
from fupin.core.access import setting_owner
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.core.personas import LEADERS, OUTSIDERS, PERSONAS, REGIONAL_ADMINS
from fupin.registry.models import PovertyLine
from fupin.registry.poverty_lines import do_set_poverty_line
from fupin.screening.actions import do_remove_rule_setting, do_set_monitoring_line, do_set_rule_setting
from fupin.screening.models import MonitoringLine, RuleSetting
from tests.screening.helpers import YEAR

TARGETS = {
    "province": "430000000000",  # 湖南省
    "prefecture": "433100000000",  # 湘西州
    "county": "433124000000",  # 花垣县
    "township": "433124110000",  # 双龙镇
    "village": "433124110226",  # 十八洞村
}
USERNAMES = [p.username for p in [*PERSONAS, *OUTSIDERS, *LEADERS, *REGIONAL_ADMINS]]

# Who may write at which level, by hand: the county bureau of 花垣县 for its county and what it
# runs, the province's and the prefecture's bureaus each for their own area, nobody else (the
# outsider is 泸溪县's county bureau: none of these areas is its own).
OWNERS = {
    "county_admin": {"county", "township", "village"},
    "regional_admin": {"province"},
    "prefecture_admin": {"prefecture"},
}


def _rule(actor: Any, area: Area) -> None:
    do_set_rule_setting(actor, rule="dropout", area=area, year=YEAR, enabled=False)


def _area_setting(actor: Any, area: Area) -> None:
    do_set_area_setting(area, "notice_days", 9, actor=actor)


def _assessment(actor: Any, area: Area) -> None:
    do_set_assessment_setting(area, {"incidence_max": "3"}, actor=actor)


def _western(actor: Any, area: Area) -> None:
    do_set_western_standard(area, True, actor=actor)


WRITES: dict[str, tuple[Callable[[Any, Area], None], Callable[[], list[Any]], set[str]]] = {
    # name: (the write, the state it changes, the levels it can be set at at all)
    "rule_setting": (
        _rule,
        lambda: list(RuleSetting.objects.values_list("rule", "area_id", "year", "enabled")),
        # Parameters resolve per county: a township's own value would never be read.
        {"province", "prefecture", "county"},
    ),
    "area_setting": (
        _area_setting,
        lambda: list(AreaSetting.objects.values_list("area_id", "key", "value")),
        set(TARGETS),
    ),
    "assessment_setting": (
        _assessment,
        lambda: list(AssessmentSetting.objects.values_list("area_id", "incidence_max")),
        set(TARGETS),
    ),
    "western_standard": (
        _western,
        lambda: list(AssessmentSetting.objects.values_list("area_id", "western_standard")),
        # Whether the western-region standard applies is a province's fact only.
        {"province"},
    ),
}


def _audit_count() -> int:
    return AuditEntry.objects.count()


@pytest.mark.parametrize("level", list(TARGETS))
@pytest.mark.parametrize("username", USERNAMES)
@pytest.mark.parametrize("write", list(WRITES))
def test_a_settings_write_is_allowed_only_to_the_office_that_owns_the_level(
    write: str, username: str, level: str, personas: dict[str, Any]
) -> None:
    action, state, levels = WRITES[write]
    user = personas[username]
    area = Area.objects.get(code=TARGETS[level])
    allowed = level in OWNERS.get(username, set()) and level in levels
    before, audits = state(), _audit_count()
    if allowed:
        action(user, area)
        assert state() != before
        assert _audit_count() == audits + 1
        return
    with pytest.raises(FupinError) as refused:
        action(user, area)
    # Refused for a reason a user is told: not theirs, not found, or not a level it is set at.
    assert refused.value.status in (400, 403, 404)
    if level in OWNERS.get(username, set()):
        assert refused.value.status == 400  # its own level, but the value is not kept there
    assert state() == before
    assert _audit_count() == audits


LINES: dict[str, tuple[Callable[[Any], Any], Callable[[], list[Any]]]] = {
    "monitoring_line": (
        lambda actor: do_set_monitoring_line(actor, year=YEAR, amount="7200", source="湘乡振"),
        lambda: list(MonitoringLine.objects.values_list("scope", "year", "amount")),
    ),
    "poverty_line": (
        lambda actor: do_set_poverty_line(actor, income_year=2018, nominal_line="3535", source="湘扶发"),
        lambda: list(PovertyLine.objects.values_list("scope", "income_year", "nominal_line")),
    ),
}


@pytest.mark.parametrize("username", USERNAMES)
@pytest.mark.parametrize("write", list(LINES))
def test_a_provinces_line_is_set_only_by_the_province_bureau(
    write: str, username: str, personas: dict[str, Any]
) -> None:
    # A line's scope is always the writer's province (never read from a request), so the
    # province is the only target level there is.
    action, state = LINES[write]
    before, audits = state(), _audit_count()
    if username == "regional_admin":
        row = action(personas[username])
        assert row.scope == TARGETS["province"]
        assert _audit_count() == audits + 1
        return
    with pytest.raises(PermissionDenied):
        action(personas[username])
    assert state() == before
    assert _audit_count() == audits


def test_a_county_bureau_is_told_the_provinces_value_is_not_its_own(personas: dict[str, Any]) -> None:
    # Inside its own area the county sees the province's value, so the refusal says why
    # rather than pretending the province does not exist; another county is simply not found.
    admin = personas["county_admin"]
    province = Area.objects.get(code=TARGETS["province"])
    with pytest.raises(PermissionDenied) as above:
        _area_setting(admin, province)
    assert above.value.code.name == "NOT_SETTING_OWNER"
    with pytest.raises(NotFound):
        _area_setting(admin, Area.objects.get(code="433122000000"))  # 泸溪县


def test_removing_a_setting_follows_the_same_rule(personas: dict[str, Any]) -> None:
    province = Area.objects.get(code=TARGETS["province"])
    do_set_rule_setting(personas["regional_admin"], rule="dropout", area=province, year=YEAR, enabled=False)
    with pytest.raises(PermissionDenied):
        do_remove_rule_setting(personas["county_admin"], rule="dropout", area=province, year=YEAR)
    assert RuleSetting.objects.filter(area=province).count() == 1
    do_remove_rule_setting(personas["regional_admin"], rule="dropout", area=province, year=YEAR)
    assert not RuleSetting.objects.exists()


@pytest.mark.parametrize(
    ("code", "owner"),
    [
        ("430000000000", "430000000000"),
        ("433100000000", "433100000000"),
        ("433124000000", "433124000000"),
        ("433124110000", "433124000000"),
        ("433124110226", "433124000000"),
        ("433124110226001", "433124000000"),  # a village group
    ],
)
def test_the_owner_of_each_level(code: str, owner: str) -> None:
    assert setting_owner(code) == owner


# --- the pages ------------------------------------------------------------------------------


def test_the_local_settings_page_refuses_a_value_of_another_level(client_for: Any) -> None:
    province = client_for("regional_admin")
    county = TARGETS["county"]
    page = province.get(f"/settings/cases/?area={county}")
    assert page.status_code == 200 and "您只能查看，不能修改" in page.content.decode()
    assert province.post(f"/settings/cases/?area={county}", {"notice_days": "9"}).status_code == 403
    assert not AreaSetting.objects.exists()
    assert province.post("/settings/cases/", {"notice_days": "9"}).status_code == 302
    assert AreaSetting.objects.get(key="notice_days").area_id == TARGETS["province"]
    # And the county bureau cannot reach its province's values through the page at all.
    admin = client_for("county_admin")
    assert admin.post(f"/settings/cases/?area={TARGETS['province']}", {"notice_days": "5"}).status_code == 404
    assert set(AreaSetting.objects.values_list("area_id", flat=True)) == {TARGETS["province"]}


def test_the_assessment_thresholds_page_of_a_province(client_for: Any) -> None:
    url = f"/assessment/{TARGETS['province']}/thresholds/"
    assert client_for("regional_admin").post(url, {"incidence_max": "3"}).status_code == 302
    assert AssessmentSetting.objects.get().area_id == TARGETS["province"]
    assert client_for("county_admin").post(url, {"incidence_max": "2"}).status_code == 404
    county_url = f"/assessment/{TARGETS['county']}/thresholds/"
    assert client_for("regional_admin").post(county_url, {"incidence_max": "2"}).status_code == 403
    assert AssessmentSetting.objects.count() == 1


@pytest.mark.parametrize("username", ["regional_admin", "prefecture_admin"])
def test_a_regional_bureau_reaches_its_settings_and_nothing_of_the_registry(
    client_for: Any, username: str
) -> None:
    client = client_for(username)
    home = client.get("/")
    assert home.status_code == 200 and 'href="/settings/cases/"' in home.content.decode()
    settings_page = client.get("/settings/cases/").content.decode()
    assert 'href="/screening/rules/"' in settings_page and 'href="/settings/poverty-lines/"' in settings_page
    assert client.get("/screening/rules/").status_code == 200
    assert client.get("/settings/poverty-lines/").status_code == 200
    for url in ("/households/", "/alerts/", "/screening/"):
        assert client.get(url).status_code == 403, url
