from django.urls import include, path

from fupin.web import (
    area_views,
    assessment_views,
    auth_views,
    core_views,
    household_views,
    report_views,
    stats_refresh_views,
    stats_views,
)
from fupin.web.poverty_line_views import poverty_lines

urlpatterns = [
    path("", area_views.home, name="home"),
    path("login/", auth_views.login_view, name="login"),
    path("logout/", auth_views.logout_view, name="logout"),
    path("password/", auth_views.password_change, name="password_change"),
    path("areas/<str:code>/", area_views.area_page, name="area"),
    path("areas/<str:code>/groups/", area_views.add_group, name="add_group"),
    path("households/", household_views.household_list, name="households"),
    path("households/new/", household_views.household_create, name="household_create"),
    path("households/<int:household_id>/", household_views.household_detail, name="household"),
    path("households/<int:household_id>/edit/", household_views.household_edit, name="household_edit"),
    path("households/<int:household_id>/members/new/", household_views.member_add, name="member_add"),
    path("households/<int:household_id>/income/", household_views.income_edit, name="income_edit"),
    path(
        "households/<int:household_id>/conditions/", household_views.conditions_edit, name="conditions_edit"
    ),
    # Excel template, import and roster export (花名册).
    path("households/", include("fupin.web.excel_views")),
    path("members/<int:member_id>/edit/", household_views.member_edit, name="member_edit"),
    path("members/<int:member_id>/leave/", household_views.member_leave, name="member_leave"),
    path("members/<int:member_id>/reveal-id/", household_views.reveal_id, name="reveal_id"),
    path("check/id-number/", household_views.check_id_number, name="check_id_number"),
    # Exit assessment (贫困村退出 / 贫困县摘帽)
    path("assessment/village/<str:code>/", assessment_views.village_assessment, name="assessment_village"),
    path(
        "assessment/village/<str:code>/export/",
        assessment_views.village_export,
        name="assessment_village_export",
    ),
    path(
        "assessment/village/<str:code>/report.pdf",
        assessment_views.village_pdf,
        name="assessment_village_pdf",
    ),
    path("assessment/county/<str:code>/", assessment_views.county_assessment, name="assessment_county"),
    path(
        "assessment/county/<str:code>/report.pdf", assessment_views.county_pdf, name="assessment_county_pdf"
    ),
    path(
        "assessment/county/<str:code>/export/",
        assessment_views.county_export,
        name="assessment_county_export",
    ),
    path(
        "assessment/county/<str:code>/sampling/", assessment_views.sampling_form, name="assessment_sampling"
    ),
    path("assessment/<str:code>/population/", assessment_views.population_form, name="assessment_population"),
    path("assessment/<str:code>/thresholds/", assessment_views.setting_form, name="assessment_setting"),
    # PDFs (reports): the household assistance card and a preview of a village notice
    path("households/<int:household_id>/card.pdf", report_views.household_card, name="household_card_pdf"),
    path("reports/notice-preview/", report_views.notice_preview, name="notice_preview"),
    path("cases/<int:case_id>/notices/<int:round_no>.pdf", report_views.case_notice, name="case_notice_pdf"),
    path("settings/poverty-lines/", poverty_lines, name="poverty_lines"),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("jobs/<int:job_id>/", core_views.job_detail, name="job"),
    path("", include("fupin.web.case_views")),
    # Monitoring against return to poverty: department feeds, alerts and triage, screening.
    path("", include("fupin.web.feeds_views")),
    path("", include("fupin.web.duplicate_views")),
    path("", include("fupin.web.alerts_views")),
    path("", include("fupin.web.screening_views")),
    # Party building, work teams, mutual-aid groups, pairing, assistance and responsibility lists.
    path("", include("fupin.web.party_views")),
    path("", include("fupin.web.teams_views")),
    path("", include("fupin.web.team_admin_views")),
    path("", include("fupin.web.mutualaid_views")),
    path("", include("fupin.web.pairing_views")),
    path("", include("fupin.web.assistance_views")),
    path("", include("fupin.web.duty_views")),
    path("", include("fupin.web.token_views")),
    path("stats/", include("fupin.web.stats_report_views")),
    path("stats/<str:code>/refresh/", stats_refresh_views.start_refresh, name="stats_refresh"),
    path("stats/", include("fupin.web.stats_views")),
    path("open/", include(stats_views.public_urlpatterns)),
]
