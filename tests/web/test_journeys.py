"""The eight journeys of JOURNEYS.md walked in a real browser, each along its main path, as the
user would: log in with the persona's password, click, type, submit (issue 13, "done when").

Data is set up through the project's actions and test helpers; what the user does is done on the
pages. On every page walked, ``Walk`` requires no answer of 500 or more, no English code in the
visible text and nothing loaded from outside the server; after a refused submission each test
checks that what was typed is still in the form. The village's journeys (1, 2, 7) run on a
390 px phone, the offices' (3, 4, 5, 6, 8) on a 1440 px desktop.

Uses Debian's chromium; skipped, saying why, where it or playwright is absent.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from fupin.alerts.models import Alert
from fupin.core.personas import FULL_NAMES, NEIGHBOUR_VILLAGE, TOWNSHIP, VILLAGE
from fupin.registry.models import IncomeRecord, Member
from tests.browser import needs_chromium
from tests.conftest import make_household, new_id_number, wrong_check_digit
from tests.web.journeys import Walk, cells_of

pytestmark = [*needs_chromium, pytest.mark.restores_seeded_rows]


def number(text: str) -> int:
    return int(text.replace(",", "").strip())


# --- 1. the village clerk, on a phone ------------------------------------------------------


def test_journey_1_village_clerk(transactional_db: Any, personas: dict[str, Any], phone: Any) -> None:
    family = make_household(VILLAGE, members=2, head_name="龙金花")
    old_man = make_household(VILLAGE, members=1, head_name="施老汉")
    make_household(NEIGHBOUR_VILLAGE, members=4, head_name="邻村户")  # not hers: never counted
    walk = Walk(phone)
    page = walk.page

    # 1.1 her village, and only hers
    walk.login("village_clerk")
    cards = walk.text("section.cards")
    assert "十八洞村" in walk.text()
    households = page.locator("section.cards .card", has_text="户").first.locator("strong").inner_text()
    assert number(households) == 2, cards
    people = page.locator("section.cards .card", has_text="人口").first.locator("strong").inner_text()
    assert number(people) == 3, cards

    # 1.2 a son is born: add him; a mistyped ID number is refused as it is typed
    walk.goto(f"/households/{family.pk}/")
    with page.expect_navigation():
        page.click(f"a[href='/households/{family.pk}/members/new/']")
    walk.look()
    born = timezone.localdate() - dt.timedelta(days=20)
    good = new_id_number(born)
    page.fill("input[name=name]", "龙小宝")
    page.select_option("select[name=relation]", "son")
    page.fill("input[name=id_number]", wrong_check_digit(good))
    walk.wait("document.querySelector('[data-id-message]').textContent.length > 0")
    assert "身份证号校验位不正确" in page.text_content("[data-id-message]")
    # submitted anyway: refused, and what she typed is still there
    walk.submit()
    assert "身份证号校验位不正确" in walk.text()
    assert walk.values("form[method=post]", ["name", "id_number"]) == {
        "name": "龙小宝",
        "id_number": wrong_check_digit(good),
    }
    assert page.input_value("select[name=relation]") == "son"
    # corrected; 务工时间 left empty, as for any baby
    page.fill("input[name=id_number]", good)
    walk.wait("document.querySelector('[data-id-message]').textContent === ''")
    assert page.input_value("input[name=work_months]") == ""
    walk.submit()
    assert walk.path == f"/households/{family.pk}/"
    baby = Member.objects.get(household=family, name="龙小宝")
    assert baby.work_months == 0
    assert "龙小宝" in walk.text()

    # 1.3 last year's income from the 收入明白卡: per-capita net income as she types
    year = timezone.localdate().year - 1
    with page.expect_navigation():
        page.click(f"a[href='/households/{family.pk}/income/']")
    walk.look()
    page.fill("input[name=year]", str(year))
    page.fill("input[name=wage]", "9000")
    page.fill("input[name=business]", "1200")
    page.fill("input[name=property]", "300")
    page.fill("input[name=business_costs]", "1500")
    assert page.text_content("[data-net]") == "3000.00"  # (9000 + 1200 + 300 − 1500) ÷ 3
    walk.submit()
    assert walk.path == f"/households/{family.pk}/"
    assert IncomeRecord.objects.get(household=family, year=year).per_capita_net == 3000

    # 1.4 a neighbour says the old man fell ill: a cadre check on his household
    walk.goto(f"/households/{old_man.pk}/")
    with page.expect_navigation():
        page.click(f"a[href='/alerts/new/?household={old_man.pk}']")
    walk.look()
    walk.submit()  # empty: refused, nothing raised
    assert not Alert.objects.filter(household=old_man).exists()
    page.fill("textarea[name=summary]", "老人突发疾病住院")
    walk.submit()
    alert = Alert.objects.get(household=old_man)
    assert alert.area_code.startswith(TOWNSHIP[:9]) and alert.channel == "cadre_check"
    assert "老人突发疾病住院" in walk.text()
    walk.goto("/alerts/")
    assert "施老汉" in walk.text()
    walk.finish()  # the path so far, on its own

    # 1.3 again (last, so that a missing warning does not hide the steps above): 3000 a head is
    # under the year's monitoring threshold (6000 from 2021); the page says so as she types, and
    # no longer once the income is above it.
    walk.goto(f"/households/{family.pk}/income/?year={year}")
    income_form = "document.querySelector('form[data-income]').innerText"
    page.fill("input[name=wage]", "9001")
    page.fill("input[name=wage]", "9000")
    walk.wait(f"{income_form}.includes('低于')")
    page.fill("input[name=wage]", "30000")
    walk.wait(f"!{income_form}.includes('低于')")
    # after saving under the threshold, the household page shows it and offers the cadre check
    page.fill("input[name=wage]", "9000")
    walk.submit()
    assert "低于" in walk.text(), walk.text()
    assert page.locator(f"a[href='/alerts/new/?household={family.pk}']").count() == 1
    walk.finish()


# --- 2. the first secretary, on a phone ----------------------------------------------------


def test_journey_2_first_secretary(transactional_db: Any, personas: dict[str, Any], phone: Any) -> None:
    from fupin.assistance.models import Visit
    from fupin.pairing.actions import Helper, do_pair
    from fupin.party.models import Unit
    from fupin.teams.models import CheckIn, LeaveRequest, WorkReport
    from tests.teams.conftest import build_team, visited

    unit = Unit.objects.create(area_id="433124000000", name="县交通运输局")
    build_team(VILLAGE, unit, secretary_user=personas["first_secretary"])
    secretary = personas["first_secretary"]
    today = timezone.localdate()
    seen = make_household(VILLAGE, head_name="麻老三")
    red = [make_household(VILLAGE, head_name=name) for name in ("石老大", "龙二嫂")]
    for household in (seen, *red):
        helper = Helper(name=FULL_NAMES["first_secretary"], post="第一书记", user=secretary)
        do_pair(
            personas["village_clerk"], "cadre_household", household=household, helper=helper,
            started_on="2024-01-01",
        )
    visited(seen, today)
    for household in red:
        visited(household, today - dt.timedelta(days=200))
    walk = Walk(phone)
    page = walk.page

    walk.login("first_secretary")
    if walk.path != "/my/":
        walk.goto("/my/")

    # 2.1 one tap checks in; a second tap the same day says 今日已签到
    page.click("button.check-in")
    page.wait_for_selector("[data-checked-in]")
    walk.look()
    assert "今日已签到" in page.inner_text("[data-checked-in]")
    page.click("[data-checked-in]")
    page.wait_for_selector("#check-in p.error")
    walk.look()
    assert "今日已签到" in page.inner_text("#check-in p.error")
    assert CheckIn.objects.count() == 1

    # 2.2 my households with their last visits; the two without a visit this quarter are red
    overdue = page.locator("#households li.overdue")
    assert overdue.count() == 2
    assert {overdue.nth(i).locator("a").inner_text() for i in range(2)} == {"石老大", "龙二嫂"}
    assert "麻老三" in walk.text("#households")
    with page.expect_navigation():
        overdue.locator("a", has_text="石老大").click()
    walk.look()
    with page.expect_navigation():
        page.click(f"a[href='/households/{red[0].pk}/visits/new/']")
    walk.look()
    page.fill("textarea[name=done]", "帮助联系县医院复查")
    walk.submit()  # what was discussed is missing: refused, what was done kept
    assert page.locator("small.error, p.error").count() >= 1
    assert page.input_value("textarea[name=done]") == "帮助联系县医院复查"
    page.fill("textarea[name=discussed]", "了解户主病情和今年的产业打算")
    walk.submit()
    visit = Visit.objects.get(household=red[0], day=today)
    assert (visit.discussed, visit.done) == ("了解户主病情和今年的产业打算", "帮助联系县医院复查")
    walk.goto("/my/")
    assert page.locator("#households li.overdue").count() == 1

    # 2.3 the weekly summary; editable until reviewed
    summary = page.locator("#report-week textarea[name=text]")
    summary.fill("本周走访3户，协调产业资金。")
    with page.expect_navigation():
        page.click("#report-week button[type=submit]")
    walk.look()
    assert WorkReport.objects.get().text == "本周走访3户，协调产业资金。"
    page.locator("#report-week textarea[name=text]").fill("本周走访3户，协调产业资金；周五开院坝会。")
    with page.expect_navigation():
        page.click("#report-week button[type=submit]")
    walk.look()
    assert WorkReport.objects.get().text.endswith("周五开院坝会。")

    # 2.4 four days of leave: a wrong date first (refused, kept), then the request, which the
    # county organisation department decides
    first = today + dt.timedelta(days=10)
    last = first + dt.timedelta(days=3)
    page.fill("#leave input[name=first_day]", last.isoformat())
    page.fill("#leave input[name=last_day]", first.isoformat())
    page.fill("#leave input[name=reason]", "回原单位办理事务")
    with page.expect_navigation():
        page.click("#leave button[type=submit]:has-text('请假')")
    walk.look()
    assert not LeaveRequest.objects.exists()
    assert page.locator("#leave p.error").count() >= 1
    assert page.input_value("#leave input[name=reason]") == "回原单位办理事务"
    assert page.input_value("#leave input[name=first_day]") == last.isoformat()
    page.fill("#leave input[name=first_day]", first.isoformat())
    page.fill("#leave input[name=last_day]", last.isoformat())
    with page.expect_navigation():
        page.click("#leave button[type=submit]:has-text('请假')")
    walk.look()
    leave = LeaveRequest.objects.get()
    assert leave.days == 4
    assert "县委组织部" in walk.text("#leave .my-leave")
    walk.finish()


# --- 3. the township office, at a desk -----------------------------------------------------


def hospital_alert(household: Any, period: str, amount: str = "32000.00") -> Alert:
    """A hospital-stay alert as the county's screening run raises it (its own summary line)."""
    from fupin.alerts.raising import Found, record_screening_alerts
    from fupin.core.access import SYSTEM
    from fupin.core.personas import COUNTY
    from fupin.screening.rules import BY_KEY, summary_of

    evidence = {"amount": amount, "stays": 1, "threshold": 6000}
    summary = summary_of(BY_KEY["hospital_stay"], period, evidence)
    found = Found(household.pk, "hospital_stay", period, summary, evidence)
    record_screening_alerts([found], area_code=COUNTY, actor=SYSTEM)
    return Alert.objects.get(household=household, rule="hospital_stay", period=period)


def test_journey_3_township_office(
    transactional_db: Any, personas: dict[str, Any], desktop: Any, tmp_path: Any
) -> None:
    from fupin.cases import actions as cases
    from fupin.cases.models import Step
    from tests.alerts.helpers import age_alert, checked
    from tests.cases.helpers import advance_to, age_notice, open_identification

    fresh = hospital_alert(make_household(VILLAGE, head_name="田新病"), "2024-11")
    late = age_alert(hospital_alert(make_household(NEIGHBOUR_VILLAGE, head_name="杨久拖"), "2024-10"), 20)
    checked(make_household(VILLAGE, head_name="施老汉"), personas["village_clerk"], "老人突发疾病住院")
    # an identification case whose village notice ended yesterday, with one objection answered
    clerk = personas["village_clerk"]
    case = advance_to(open_identification(personas), Step.FIRST_NOTICE, personas)
    cases.do_post_notice(case, starts_on=timezone.localdate(), actor=clerk)
    objection = cases.do_record_objection(
        case, raised_by="龙大伯", content="他家儿子在外打工，收入不低", actor=clerk
    )
    cases.do_answer_objection(objection, answer="经核实，儿子患病返乡，无务工收入", actor=clerk)
    age_notice(case)
    case = cases.do_close_notice(case, actor=clerk)
    assert case.step == Step.TOWNSHIP_REVIEW
    walk = Walk(desktop)
    page = walk.page

    # 3.1 the inbox: rule, evidence and clocks; the overdue one on top, red
    walk.login("township_officer")
    walk.goto("/alerts/")
    rows = page.locator("table.alerts tbody tr")
    assert rows.count() == 3
    assert "杨久拖" in rows.nth(0).inner_text() and "overdue" in (rows.nth(0).get_attribute("class") or "")
    assert "大额住院自付" in walk.text("table.alerts")
    assert fresh.visit_due.strftime("%Y-%m-%d") in walk.text("table.alerts")
    with page.expect_navigation():
        page.click(f"a[href='/alerts/{late.pk}/']")
    walk.look()
    assert "32,000" in walk.text()  # the evidence, as the rule found it

    # 3.2 the case: notice period, the objection and its answer, the evidence; approve
    walk.goto(f"/cases/{case.pk}/")
    text = walk.text()
    assert "他家儿子在外打工" in text and "儿子患病返乡" in text
    notice = case.notices.get(round=1)
    assert notice.starts_on.strftime("%m-%d") in text
    page.fill("main form:has(input[name=action][value=approve]) textarea[name=remarks]", "材料齐全，同意")
    walk.submit("main form:has(input[name=action][value=approve]) button[type=submit]")
    case.refresh_from_db()
    assert case.step == Step.SECOND_NOTICE  # the next step before the county's approval
    approval = case.steps.get(step=Step.TOWNSHIP_REVIEW, decision="approved")
    assert approval.remarks == "材料齐全，同意" and approval.actor == personas["township_officer"]

    # 3.3 the progress ranking of villages, exported for the meeting
    walk.goto("/")
    walk.follow("/duty/ranking/")
    assert "十八洞村" in walk.text()
    saved = walk.download("a[href^='/duty/ranking/export/']", tmp_path)
    assert "十八洞村" in cells_of(saved)
    walk.finish()


# --- 4. the county bureau, at a desk -------------------------------------------------------


def test_journey_4_county_bureau(
    transactional_db: Any, personas: dict[str, Any], desktop: Any, tmp_path: Any, settings: Any
) -> None:
    from fupin.screening.models import RuleSetting, ScreeningRun
    from tests.cases.helpers import national_floor
    from tests.registry.excel_helpers import member_row, write_rows
    from tests.screening.helpers import feed

    settings.FUPIN_FILES_DIR = tmp_path / "files"
    national_floor()
    today = timezone.localdate()
    ill = make_household(VILLAGE, head_name="田大病")
    # the 医保局 feed that arrived overnight: one stay with 32,000 yuan paid out of pocket
    feed(ill, "hospital_stay", amount="32000", event_date=today.replace(day=1), year=today.year)
    walk = Walk(desktop)
    page = walk.page

    # 4.1 run screening for the county: progress, then alerts per rule, new versus known
    walk.login("county_admin")
    walk.goto("/")
    walk.follow("/screening/")
    walk.submit()
    run = ScreeningRun.objects.get()
    assert walk.path == f"/screening/runs/{run.pk}/"
    walk.wait("!!document.querySelector('#screening-run table')", 60_000)
    walk.look()
    result = walk.text("#screening-run")
    assert "大额住院自付" in result, result
    row = page.locator("#screening-run tr", has_text="大额住院自付")
    assert number(row.locator("td.num").inner_text()) == 1
    assert Alert.objects.filter(household=ill, rule="hospital_stay").count() == 1

    # 4.2 a local medical threshold for the county: a bad value is refused with the field named
    # and every typed value kept; then saved, and the page says from which year it applies
    walk.goto("/screening/rules/")
    form = "#rule-hospital_stay form"
    page.click("#rule-hospital_stay details:has(form) > summary")
    page.fill(f"{form} input[name=year]", str(today.year + 1))
    page.fill(f"{form} input[name=amount_supported]", "5000")
    page.fill(f"{form} input[name=amount_other]", "abc")
    walk.submit(f"{form} button[type=submit]:not([name=remove])")
    assert page.locator(f"{form} small.error").count() >= 1
    assert walk.values(form, ["year", "amount_supported", "amount_other"]) == {
        "year": str(today.year + 1),
        "amount_supported": "5000",
        "amount_other": "abc",
    }
    assert not RuleSetting.objects.exists()
    page.fill(f"{form} input[name=amount_other]", "8000")
    walk.submit(f"{form} button[type=submit]:not([name=remove])")
    setting = RuleSetting.objects.get()
    assert (setting.area_id, setting.year, setting.rule) == ("433124000000", today.year + 1, "hospital_stay")
    walk.goto(f"/screening/rules/?year={today.year + 1}")
    assert f"{today.year + 1}" in walk.text("#rule-hospital_stay header + p + p")
    assert "花垣县" in walk.text("#rule-hospital_stay header + p + p")

    # 4.3 the county exit assessment, exported to Excel and as a PDF
    walk.goto("/")
    walk.follow("/assessment/county/433124000000/")
    saved = walk.download("a[href^='/assessment/county/433124000000/export/']", tmp_path)
    assert any("花垣县" in cell for cell in cells_of(saved))
    kind, body = walk.fetch("a[href^='/assessment/county/433124000000/report.pdf']")
    assert kind.startswith("application/pdf") and body.startswith(b"%PDF")

    # 4.4 a township's household spreadsheet with a bad row: the good ones stored, the bad one
    # listed with its column and reason in the error sheet
    good_head = new_id_number()
    rows = [
        member_row(head_id=good_head, id_number=good_head, name="石新户", relation="户主", area=VILLAGE),
        member_row(
            head_id=good_head, id_number=new_id_number(dt.date(2010, 2, 2)), name="石新女",
            relation="女儿", area=VILLAGE,
        ),
    ]
    bad_head = new_id_number()
    rows.append(
        member_row(head_id=bad_head, id_number=wrong_check_digit(bad_head), name="龙错号", relation="户主",
                   area=VILLAGE)
    )
    upload = write_rows(tmp_path / "双龙镇农户.xlsx", rows)
    walk.goto("/households/import/")
    page.set_input_files("main input[type=file]", str(upload))
    walk.submit()
    walk.wait("!!document.querySelector(\"a[href$='/errors.xlsx']\")", 60_000)
    walk.look()
    assert Member.objects.filter(name__in=["石新户", "石新女"]).count() == 2
    assert not Member.objects.filter(name="龙错号").exists()
    errors = walk.download("a[href$='/errors.xlsx']", tmp_path)
    cells = cells_of(errors)
    assert "龙错号" in cells and any("校验位" in c for c in cells), cells
    walk.finish()


# --- 5. the county organisation department, at a desk --------------------------------------


def test_journey_5_organisation_department(
    transactional_db: Any, personas: dict[str, Any], desktop: Any
) -> None:
    from fupin.party.models import Rating, Unit
    from fupin.teams.grading import check_recall_triggers
    from fupin.teams.models import CheckIn, RecallProposal, TeamRole, YearlyAssessment
    from tests.party.conftest import build_world
    from tests.teams.conftest import approved_leave, build_team

    today = timezone.localdate()
    unit = Unit.objects.create(area_id="433124000000", name="县交通运输局")
    team = build_team(VILLAGE, unit, secretary_user=personas["first_secretary"])
    secretary = team.members.get(role=TeamRole.FIRST_SECRETARY)
    steady, away = team.members.exclude(pk=secretary.pk).order_by("pk")
    # last month: the secretary in the village 22 days, the others 5 and none
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    for member, days in ((secretary, 22), (steady, 5)):
        for d in range(1, days + 1):
            day = last_month_end.replace(day=d)
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 10)))
            CheckIn.objects.create(member=member, area_id=member.area_id, day=day, at=at)
    # 36 days of leave this year: the system proposes recall
    approved_leave(away, dt.date(today.year, 3, 1), dt.date(today.year, 4, 5))
    proposal = check_recall_triggers(away, today.year)[0]
    branch = build_world(VILLAGE)["branch"]
    walk = Walk(desktop)
    page = walk.page

    # 5.1 attendance per member for last month, against the 20-day rule
    walk.login("org_dept")
    walk.goto("/")
    walk.follow("/teams/")
    walk.goto(f"/teams/attendance/?year={last_month_end.year}&month={last_month_end.month}")
    table = walk.text("main table")
    assert secretary.name in table and steady.name in table and away.name in table
    short = page.locator("main table tbody tr.ta-short")
    assert short.count() == 2  # 5 days and none, against 20
    page.check("input[name=short]")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    walk.look()
    assert secretary.name not in walk.text("main table") and steady.name in walk.text("main table")

    # 5.2 the year's grades: 优秀 is over the 10% cap with three members (refused, scores kept),
    # 称职 is saved in place
    walk.goto(f"/teams/assessments/?year={today.year}")
    row = f"#m{steady.pk}"
    page.click(f"{row} details.ta-form > summary")
    page.fill(f"{row} input[name=half_year_score]", "86")
    page.fill(f"{row} input[name=year_end_score]", "91.5")
    page.select_option(f"{row} select[name=grade]", "excellent")
    page.click(f"{row} button[type=submit]")
    page.wait_for_selector(f"{row} p.error")
    walk.look()
    assert not YearlyAssessment.objects.exists()
    assert page.input_value(f"{row} input[name=half_year_score]") == "86"
    assert page.input_value(f"{row} input[name=year_end_score]") == "91.5"
    page.select_option(f"{row} select[name=grade]", "competent")
    page.click(f"{row} button[type=submit]")
    page.wait_for_selector(f"{row} .ta-ok")
    walk.look()
    graded = YearlyAssessment.objects.get(member=steady)
    assert (graded.grade, str(graded.half_year_score)) == ("competent", "86.00")

    # 5.3 the recall proposal, decided with the reason written down
    walk.goto("/teams/recalls/")
    assert away.name in walk.text()
    reason = "请假36天，经组织部研究召回，由派出单位另行选派"
    page.fill(f"main form:has(input[name=proposal][value='{proposal.pk}']) textarea[name=reason]", reason)
    walk.submit(f"main form:has(input[name=proposal][value='{proposal.pk}']) button[value=recall]")
    proposal = RecallProposal.objects.get(pk=proposal.pk)
    assert (proposal.status, proposal.reason) == ("recalled", reason)
    assert proposal.decided_by == personas["org_dept"]
    assert reason in walk.text()

    # 5.4 party organisations: the branch rated weak and lax, then on the weak-branch list
    walk.goto(f"/party/organisations/{branch.pk}/")
    rate = "main form:has(input[name=action][value=rate])"
    page.click("main details:has(input[name=action][value=rate]) > summary")
    page.fill(f"{rate} input[name=year]", str(today.year - 1))
    page.select_option(f"{rate} select[name=stars]", "1")
    page.select_option(f"{rate} select[name=rating_class]", index=3)
    page.check(f"{rate} input[name=weak]")
    page.fill(f"{rate} textarea[name=rectification]", "选优配强支部书记，县直单位结对整顿")
    walk.submit(f"{rate} button[type=submit]")
    rating = Rating.objects.get(organisation=branch)
    assert rating.weak and rating.stars == 1
    walk.goto(f"/party/?year={today.year - 1}")
    assert branch.name in walk.text() and "选优配强支部书记" in walk.text()
    walk.finish()


# --- 6. the 医保局 data provider, at a desk -------------------------------------------------


def test_journey_6_department_provider(
    transactional_db: Any, personas: dict[str, Any], desktop: Any, tmp_path: Any, settings: Any
) -> None:
    from fupin.core import crypto
    from fupin.core.access import SYSTEM
    from fupin.feeds.departments import do_set_departments
    from fupin.feeds.models import FeedBatch
    from tests.feeds.helpers import send_file, write_csv

    settings.FUPIN_FILES_DIR = tmp_path / "files"
    provider = personas["dept_provider"]
    do_set_departments(provider, ["medical"], actor=SYSTEM)
    household = make_household(VILLAGE, members=3, head_name="田医保")
    ids = [crypto.decrypt(m.id_number_enc) for m in household.members.order_by("pk")]
    stranger = new_id_number(dt.date(1966, 6, 6))  # valid, registered nowhere

    def stay(id_number: str, day: str, amount: str) -> dict[str, str]:
        return {"身份证号": id_number, "类型": "住院", "结算日期": day, "三重保障后自付金额": amount}

    # last month's batch, already received
    earlier = [stay(ids[0], "2026-10-03", "8200.50")]
    send_file(write_csv(tmp_path / "10月住院.csv", earlier), "medical", user=provider, period="2026-10")
    walk = Walk(desktop)
    page = walk.page

    # 6.1 a provider sees no household
    walk.login("dept_provider")
    assert page.locator("a[href='/households/']").count() == 0
    response = page.goto(f"{walk.base}/households/")
    assert response is not None and response.status in (403, 404)
    walk.look()
    assert "田医保" not in page.content()
    response = page.goto(f"{walk.base}/households/{household.pk}/")
    assert response is not None and response.status in (403, 404)
    walk.look()

    # 6.2 the month's hospital-stay file: a wrong period first (refused, choices kept)
    rows = [
        *earlier,  # sent again with this month's
        stay(ids[1], "2026-11-12", "31250.00"),
        stay(ids[2], "2026-11-20", "4600"),
        stay(stranger, "2026-11-21", "9100"),
    ]
    upload = write_csv(tmp_path / "11月住院.csv", rows, encoding="gb18030")
    walk.goto("/feeds/upload/")
    page.select_option("select[name=source]", "medical")
    page.fill("input[name=period]", "2026-13")
    page.set_input_files("main input[type=file]", str(upload))
    walk.submit()
    assert page.locator("main small.error").count() >= 1
    assert page.input_value("select[name=source]") == "medical"
    assert page.input_value("input[name=period]") == "2026-13"
    assert FeedBatch.objects.count() == 1
    page.fill("input[name=period]", "2026-11")
    page.set_input_files("main input[type=file]", str(upload))
    walk.submit()
    batch = FeedBatch.objects.order_by("-pk").first()
    assert batch is not None and walk.path == f"/feeds/{batch.pk}/"

    # 6.3 the match report: matched, not found, already received; the not-found rows listed by
    # row number, with no name or ID number
    walk.wait("!!document.querySelector('#feed-report .cards')", 60_000)
    walk.look()
    cards = {
        page.locator("#feed-report .card span").nth(i).inner_text(): number(
            page.locator("#feed-report .card strong").nth(i).inner_text()
        )
        for i in range(page.locator("#feed-report .card").count())
    }
    # rows, matched, not matched, invalid, already received (a repeated row is not matched again)
    assert list(cards.values()) == [4, 2, 1, 0, 1], cards
    saved = walk.download("a[href$='/report.csv']", tmp_path)
    report = saved.read_bytes().decode("utf-8-sig")
    assert "5" in report and stranger not in report and "田医保" not in report
    lines = [line for line in report.splitlines()[1:] if line]
    assert len(lines) == 2 and lines[-1].startswith("5,"), report  # header row + the 4th data row
    walk.finish()


# --- 7. a household reporting hardship, on a phone, without an account --------------------


def answer_the_sum(page: Any) -> None:
    """The offline challenge, answered as a person would: read the sum and add it up."""
    a, b = re.search(r"(\d+)\s*\+\s*(\d+)", page.inner_text("main form[method=post]")).groups()
    page.fill("input[name=answer]", str(int(a) + int(b)))


def test_journey_7_household_self_report(transactional_db: Any, personas: dict[str, Any], phone: Any) -> None:
    from fupin.alerts.actions import reference_of
    from fupin.alerts.models import SelfReport
    from fupin.core import crypto

    household = make_household(VILLAGE, head_name="龙秀英")
    own_id = crypto.decrypt(household.members.get(relation="head").id_number_enc)
    walk = Walk(phone)
    page = walk.page

    # 7.1 the QR code on the notice board leads to the village's own form
    walk.goto(f"/report/?village={VILLAGE}")
    assert "十八洞村" in walk.text()
    page.fill("input[name=name]", "龙秀英")
    page.fill("input[name=id_number]", wrong_check_digit(own_id))
    page.fill("input[name=phone]", "139 1234 5678")
    page.fill("textarea[name=what_happened]", "丈夫住院，治病花了三万多")
    answer_the_sum(page)
    walk.submit()
    assert "身份证号校验位不正确" in walk.text()
    assert walk.values("main form[method=post]", ["name", "id_number", "phone", "what_happened"]) == {
        "name": "龙秀英",
        "id_number": wrong_check_digit(own_id),
        "phone": "139 1234 5678",
        "what_happened": "丈夫住院，治病花了三万多",
    }
    assert not SelfReport.objects.exists()
    page.fill("input[name=id_number]", own_id)
    answer_the_sum(page)  # each showing of the form asks a new one
    walk.submit()

    # 7.2 已受理, a visit within 3 days, and a reference number
    assert "已受理" in walk.text() and "村干部将在 3 天内上门核实" in walk.text()
    reference = page.inner_text(".reference").strip()
    report = SelfReport.objects.get()
    assert reference and reference == reference_of(report)
    # a reload does not send it again
    page.reload()
    walk.look()
    assert SelfReport.objects.count() == 1

    # ... and the village clerk sees a new alert
    page.context.clear_cookies()
    walk.login("village_clerk")
    walk.follow("/alerts/")
    alert = Alert.objects.get(household=household)
    assert alert.channel == "self_report"
    row = page.locator("table.alerts tbody tr", has_text="龙秀英")
    assert row.count() == 1 and "三万多" in row.inner_text()
    walk.finish()


# --- 8. the province leader, at a desk -----------------------------------------------------


def test_journey_8_province_leader(
    transactional_db: Any, personas: dict[str, Any], desktop: Any, tmp_path: Any
) -> None:
    from fupin.areas.models import Area
    from fupin.core.personas import COUNTY, OTHER_COUNTY, PREFECTURE, PROVINCE
    from fupin.stats.refresh import store
    from tests.stats.test_drilldown_browser import inside_point

    values = {
        "poor_households": 12,
        "monitored_households": 20,
        "monitored_per_thousand": 8.5,
        "alerts_overdue": 2,
    }
    year = timezone.localdate().year
    for code in (PROVINCE, PREFECTURE, COUNTY, TOWNSHIP, VILLAGE):
        store(Area.objects.get(code=code), year, values)
    store(Area.objects.get(code=OTHER_COUNTY), year, {**values, "monitored_per_thousand": 20.0})
    lng, lat = inside_point(COUNTY, Area.objects.get(code=PROVINCE))
    walk = Walk(desktop)
    page = walk.page

    # 8.1 the dashboard: the county map coloured by monitored households per thousand
    walk.login("province_supervisor")
    walk.follow("/stats/")
    page.wait_for_selector("#chart-map[data-ready='1']", timeout=15000)
    walk.look()
    assert page.locator("#chart-map canvas").count() >= 1

    # 8.2 click 花垣县 on the map, then a township, then a village
    chart = page.locator("#chart-map")
    chart.scroll_into_view_if_needed()
    x, y = page.evaluate(
        "([lng, lat]) => echarts.getInstanceByDom(document.getElementById('chart-map'))"
        ".convertToPixel({seriesIndex: 0}, [lng, lat])",
        [lng, lat],
    )
    box = chart.bounding_box()
    assert box and 0 < x < box["width"] and 0 < y < box["height"]
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # where chromium is, playwright is

    # The map takes clicks once its entry animation settles; on a loaded machine the first
    # click can land before that, so the leader clicks again, as a person would.
    for attempt in range(4):
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            page.wait_for_url(f"{walk.base}/stats/{COUNTY}/**", timeout=8000)
            break
        except PlaywrightTimeout:
            if attempt == 3:
                raise
    walk.look()
    with page.expect_navigation():
        page.click(f"#stats-ranking-table tr[data-code='{TOWNSHIP}'] a")
    walk.look()
    assert walk.path.startswith(f"/stats/{TOWNSHIP}/")
    with page.expect_navigation():
        page.click(f"#stats-ranking-table tr[data-code='{VILLAGE}'] a")
    walk.look()
    assert walk.path.startswith(f"/stats/{VILLAGE}/") and "十八洞村" in walk.text()

    # 8.3 export the table being looked at
    saved = walk.download("#stats-export", tmp_path)
    assert "十八洞村" in " ".join(cells_of(saved))
    # nothing above the leader's own area is reachable
    response = page.goto(f"{walk.base}/stats/110000000000/")
    assert response is not None and response.status == 404
    walk.look()
    walk.finish()
