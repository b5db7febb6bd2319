from django.urls import path

from fupin.web import area_views, auth_views, core_views, household_views

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
    path("members/<int:member_id>/edit/", household_views.member_edit, name="member_edit"),
    path("members/<int:member_id>/leave/", household_views.member_leave, name="member_leave"),
    path("members/<int:member_id>/reveal-id/", household_views.reveal_id, name="reveal_id"),
    path("check/id-number/", household_views.check_id_number, name="check_id_number"),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("jobs/<int:job_id>/", core_views.job_detail, name="job"),
]
