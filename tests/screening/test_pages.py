"""The screening pages and API for every persona: inside the area as the role allows, outside
it 404 like something that does not exist, 403 for a role without the permission, and a
denied write changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.jobs import run_job
from fupin.core.models import AuditEntry
from fupin.core.personas import ALL_USERNAMES, COUNTY, VILLAGE
from fupin.screening.actions import do_start_screening
from fupin.screening.models import MonitoringLine, RuleSetting, ScreeningRun
from tests.api.helpers import Api
from tests.screening.helpers import YEAR
from tests.screening.world import BUILDERS

# Who holds alerts.view (the outsiders too, for their own areas): the runs and rules pages.
READERS = set(ALL_USERNAMES) - {"dept_provider"}
# Whose area contains the county, and whose contains 十八洞村.
INSIDE_COUNTY = {"county_admin", "org_dept", "dept_provider", "supervisor"}
INSIDE_VILLAGE = INSIDE_COUNTY | {"township_officer", "village_clerk", "first_secretary", "cadre"}
# County administrators: the one of this county, and the outsider of 泸溪县 (its own county).
COUNTY_ADMINS = {"county_admin", "outsider"}


def expected(persona: str, inside: set[str]) -> int:
    if persona not in READERS:
        return 403
    return 200 if persona in inside else 404


def a_run(area: str) -> ScreeningRun:
    return do_start_screening(SYSTEM, area=Area.objects.get(code=area), year=YEAR, start=False)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_every_page_answers_as_the_role_and_area_allow(persona: str, client_for: Any) -> None:
    county_run, village_run = a_run(COUNTY), a_run(VILLAGE)
    client = client_for(persona)
    pages = [
        ("/screening/", 200 if persona in READERS else 403),
        ("/screening/rules/", 200 if persona in READERS else 403),
        (f"/screening/rules/?year={YEAR}", 200 if persona in READERS else 403),
        (f"/screening/runs/{county_run.pk}/", expected(persona, INSIDE_COUNTY)),
        (f"/screening/runs/{village_run.pk}/", expected(persona, INSIDE_VILLAGE)),
        ("/screening/runs/999999/", 404 if persona in READERS else 403),
    ]
    for url, status in pages:
        assert client.get(url).status_code == status, (persona, url)


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_only_the_county_admin_starts_a_run_of_its_county(persona: str, client_for: Any) -> None:
    audit_before = AuditEntry.objects.count()
    response = client_for(persona).post("/screening/", {"area": COUNTY, "year": YEAR, "engine": "duckdb"})
    if persona == "county_admin":
        run = ScreeningRun.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/screening/runs/{run.pk}/"
        assert (run.area_code, run.year, run.engine) == (COUNTY, YEAR, "duckdb")
        return
    assert response.status_code == (404 if persona == "outsider" else 403)
    assert not ScreeningRun.objects.exists()
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize("persona", [*ALL_USERNAMES, "prefecture_admin", "regional_admin"])
def test_each_bureau_edits_its_own_levels_parameters_and_only_the_province_its_threshold(
    persona: str, personas: dict[str, Any], client_for: Any
) -> None:
    client = client_for(persona)
    rule = client.post(
        "/screening/rules/hospital_stay/",
        {"year": YEAR, "enabled": "on", "amount_supported": "5000", "amount_other": "9000"},
    )
    line = client.post("/screening/rules/lines/", {"year": YEAR, "amount": "7100", "source": "湘"})
    bureaus = COUNTY_ADMINS | {"prefecture_admin", "regional_admin"}
    if persona in bureaus:
        assert rule.status_code == 302
        setting = RuleSetting.objects.get()
        # Always the bureau's own area: the form cannot name another.
        assert setting.area_id == personas[persona].area_id
        assert setting.params == {"amount_supported": "5000", "amount_other": "9000"}
    else:
        assert rule.status_code == 403
        assert not RuleSetting.objects.exists()
    if persona == "regional_admin":
        assert line.status_code == 302
        assert MonitoringLine.objects.get(year=YEAR).scope == "430000000000"
    else:
        # Issue 13 item 2: a county's bureau used to change the whole province's threshold.
        assert line.status_code == 403
        assert not MonitoringLine.objects.exclude(scope="national").exists()


def test_the_threshold_form_is_offered_only_to_the_province_bureau(client_for: Any) -> None:
    county_html = client_for("county_admin").get(f"/screening/rules/?year={YEAR}").content.decode()
    assert 'action="/screening/rules/lines/"' not in county_html
    assert "省级乡村振兴部门" in county_html or "省乡村振兴局" in county_html
    province = client_for("regional_admin").get(f"/screening/rules/?year={YEAR}")
    assert province.status_code == 200
    html = province.content.decode()
    assert 'action="/screening/rules/lines/"' in html and "湖南省" in html
    # Its own parameters too, which every county of Hunan inherits.
    assert 'name="share_pct"' in html


def test_the_rules_page_shows_what_applies_and_where_it_came_from(
    client_for: Any, personas: dict[str, Any]
) -> None:
    admin = client_for("county_admin")
    admin.post("/screening/rules/income_drop/", {"year": YEAR - 1, "enabled": "on", "share_pct": "25"})
    html = client_for("village_clerk").get(f"/screening/rules/?year={YEAR}").content.decode()
    for label in ("收入低于监测范围", "大额住院自付", "劳动年龄成员死亡", "收入大幅下降"):
        assert label in html
    assert "6000.00" in html  # the national floor
    assert "花垣县" in html and str(YEAR - 1) in html  # the income-drop setting's origin
    assert 'name="share_pct"' not in html  # a clerk reads; only the county edits
    admin_html = admin.get(f"/screening/rules/?year={YEAR}").content.decode()
    assert 'name="share_pct" value="25"' in admin_html
    earlier = client_for("village_clerk").get(f"/screening/rules/?year={YEAR - 2}").content.decode()
    assert "25" not in earlier.split("收入大幅下降", 1)[1].split("</article>", 1)[0]


def test_a_bad_parameter_is_shown_on_the_form_and_nothing_is_stored(client_for: Any) -> None:
    response = client_for("county_admin").post(
        "/screening/rules/hospital_stay/",
        {"year": YEAR, "enabled": "on", "amount_supported": "1", "amount_other": ""},
    )
    assert response.status_code == 400
    assert "500" in response.content.decode() and 'aria-invalid="true"' in response.content.decode()
    assert not RuleSetting.objects.exists()
    line = client_for("regional_admin").post(
        "/screening/rules/lines/", {"year": YEAR, "amount": "5000", "source": "x"}
    )
    assert line.status_code == 400 and not MonitoringLine.objects.exclude(scope="national").exists()


def test_removing_the_countys_setting_from_the_page(client_for: Any) -> None:
    admin = client_for("county_admin")
    admin.post("/screening/rules/dropout/", {"year": YEAR - 1})  # unchecked: switched off
    assert RuleSetting.objects.get().enabled is False
    html = admin.get(f"/screening/rules/?year={YEAR}").content.decode()
    assert f'name="remove" value="{YEAR - 1}"' in html
    assert admin.post("/screening/rules/dropout/", {"year": YEAR, "remove": str(YEAR - 1)}).status_code == 302
    assert not RuleSetting.objects.exists()


def test_the_run_page_polls_while_running_and_shows_counts_when_done(client_for: Any) -> None:
    expected_counts = {rule: len(build()) for rule, build in BUILDERS.items()}
    run = a_run(COUNTY)
    client = client_for("county_admin")
    fragment = client.get(f"/screening/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" in fragment and "<html" not in fragment
    run_job(run.job_id)
    done = client.get(f"/screening/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in done
    assert f">{sum(expected_counts.values())}<" in done
    listing = client.get("/screening/").content.decode()
    assert "大额住院自付" in listing and f"/screening/runs/{run.pk}/" in listing


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def api(personas: dict[str, Any]) -> Any:
    from fupin.accounts.actions import do_issue_token

    def make(persona: str) -> Api:
        user = personas[persona]
        return Api(do_issue_token(user, actor=user))

    return make


@pytest.mark.parametrize("persona", ALL_USERNAMES)
def test_the_api_answers_as_the_pages_do(persona: str, api: Any) -> None:
    county_run = a_run(COUNTY)
    client = api(persona)
    assert client.get("/screening/rules").status_code == (200 if persona in READERS else 403)
    assert client.get("/screening/runs").status_code == (200 if persona in READERS else 403)
    assert client.get(f"/screening/runs/{county_run.pk}").status_code == expected(persona, INSIDE_COUNTY)
    started = client.post("/screening/runs", {"area_code": VILLAGE, "year": YEAR})
    if persona == "county_admin":
        assert started.status_code == 202
        assert started.json()["area_code"] == VILLAGE and started.json()["status"] == "queued"
        busy = client.post("/screening/runs", {"area_code": VILLAGE, "year": YEAR})
        assert busy.status_code == 409 and busy.json()["code"] == "RUN_RUNNING"
    else:
        assert started.status_code == (404 if persona in {"outsider", "neighbour_clerk"} else 403)
        assert ScreeningRun.objects.count() == 1


def test_the_api_lists_the_rules_with_their_parameters_and_the_threshold(api: Any) -> None:
    body = api("township_officer").get(f"/screening/rules?year={YEAR}").json()
    assert body["threshold"] == {
        "year": YEAR,
        "province": "430000000000",
        "amount": "6000.00",
        "national_floor": "6000.00",
        "province_line": None,
    }
    hospital = next(r for r in body["rules"] if r["key"] == "hospital_stay")
    assert [(p["name"], p["value"]) for p in hospital["params"]] == [
        ("amount_supported", "6000"),
        ("amount_other", "10000"),
    ]
    assert hospital["set_in"] is None and "FROM feeds f" in hospital["sql"]


def test_a_refused_rule_form_keeps_every_typed_value_and_names_the_bad_field(client_for: Any) -> None:
    # Issue 13 item 18: one bad value reset every typed value, and the message named no field.
    response = client_for("county_admin").post(
        "/screening/rules/hospital_stay/",
        {"year": str(YEAR - 1), "amount_supported": "1", "amount_other": "9876"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    form = html.split('id="rule-hospital_stay"', 1)[1].split("</article>", 1)[0]
    assert 'name="amount_other" value="9876"' in form  # the good value as typed, not 10000
    assert 'name="amount_supported" value="1"' in form  # the bad one too, to correct it
    assert f'name="year" value="{YEAR - 1}"' in form
    assert 'name="enabled" checked' not in form  # unchecked as submitted, not the rule's "on"
    # The message sits under its own field and the summary names that field, in Chinese.
    field = form.split('name="amount_supported"', 1)[1].split("</label>", 1)[0]
    assert 'aria-invalid="true"' in field and "请输入500至200000之间的数。" in field
    assert "脱贫户和监测户限额：" in form or "脱贫户和监测户限额:" in form
    other = form.split('name="amount_other"', 1)[1].split("</label>", 1)[0]
    assert "aria-invalid" not in other
    assert not RuleSetting.objects.exists()


def test_a_bad_year_on_the_rule_form_is_marked_on_the_year(client_for: Any) -> None:
    response = client_for("county_admin").post(
        "/screening/rules/income_drop/", {"year": "20x4", "enabled": "on", "share_pct": "33"}
    )
    assert response.status_code == 400
    form = response.content.decode().split('id="rule-income_drop"', 1)[1].split("</article>", 1)[0]
    year_field = form.split('name="year"', 1)[1].split("</label>", 1)[0]
    assert 'name="year" value="20x4"' in form
    assert 'aria-invalid="true"' in year_field and "年份" in year_field
    assert 'name="share_pct" value="33"' in form
    assert not RuleSetting.objects.exists()
