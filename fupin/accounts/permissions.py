"""Roles and what each may do, declared once. Scope (which area) is separate: see areas.queries.

Permission names are ``app.verb``; a role either holds one or not. Later issues add their
permissions here, next to the roles that get them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("county administrator")
    ORG_DEPT = "org_dept", _("county organisation department")
    TOWNSHIP_OFFICER = "township_officer", _("township officer")
    VILLAGE_CLERK = "village_clerk", _("village clerk")
    FIRST_SECRETARY = "first_secretary", _("first secretary / work-team member")
    CADRE = "cadre", _("assigned cadre")
    DEPT_PROVIDER = "dept_provider", _("department data provider")
    SUPERVISOR = "supervisor", _("supervisor (read-only)")
    # 省/州乡村振兴局: sets the values that belong to a province or prefecture (its monitoring
    # threshold and poverty line, rule parameters and local values its counties inherit).
    REGIONAL_ADMIN = "regional_admin", _("province or prefecture bureau administrator")


# Permissions
VIEW_REGISTRY = "registry.view"
EDIT_REGISTRY = "registry.edit"
VIEW_PII = "registry.view_pii"
ADD_GROUP = "areas.add_group"
LOAD_AREAS = "areas.load"
MANAGE_USERS = "accounts.manage"
VIEW_AUDIT = "core.view_audit"
VIEW_JOBS = "core.view_jobs"
# Cases (识别纳入, 退出): each step needs its permission AND an area of the step's level.
VIEW_CASES = "cases.view"
ACT_VILLAGE_STEP = "cases.village_step"  # start, verify, review meeting, notices, consent, announce
REVIEW_TOWNSHIP = "cases.township_review"  # 乡镇审核
APPROVE_COUNTY = "cases.county_approve"  # 县级审定
EDIT_AREA_SETTINGS = "areas.edit_settings"  # local values: notice days, quorum, exit steps
# Exit assessment (贫困村退出 / 贫困县摘帽): reading the figures, and recording populations,
# sampling results and threshold settings (the county bureau's job).
VIEW_ASSESSMENT = "assessment.view"
EDIT_ASSESSMENT = "assessment.edit"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset(
        {
            VIEW_REGISTRY,
            EDIT_REGISTRY,
            VIEW_PII,
            ADD_GROUP,
            MANAGE_USERS,
            VIEW_AUDIT,
            VIEW_JOBS,
            VIEW_ASSESSMENT,
            EDIT_ASSESSMENT,
        }
    ),
    Role.ORG_DEPT: frozenset({VIEW_REGISTRY, VIEW_JOBS, VIEW_ASSESSMENT}),
    Role.TOWNSHIP_OFFICER: frozenset(
        {VIEW_REGISTRY, EDIT_REGISTRY, VIEW_PII, ADD_GROUP, VIEW_AUDIT, VIEW_JOBS, VIEW_ASSESSMENT}
    ),
    Role.VILLAGE_CLERK: frozenset(
        {VIEW_REGISTRY, EDIT_REGISTRY, VIEW_PII, ADD_GROUP, VIEW_JOBS, VIEW_ASSESSMENT}
    ),
    Role.FIRST_SECRETARY: frozenset({VIEW_REGISTRY, VIEW_JOBS, VIEW_ASSESSMENT}),
    Role.CADRE: frozenset({VIEW_REGISTRY}),
    # Departments send data and see nothing of the registry.
    Role.DEPT_PROVIDER: frozenset({VIEW_JOBS}),
    Role.SUPERVISOR: frozenset({VIEW_REGISTRY, VIEW_AUDIT, VIEW_JOBS, VIEW_ASSESSMENT}),
}

# Excel (花名册): importing writes the registry in bulk; an unmasked export carries full ID
# numbers, so both go only to the editors, who already see personal data (VIEW_PII).
IMPORT_REGISTRY = "registry.import"
EXPORT_UNMASKED = "registry.export_unmasked"
for _role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICER, Role.VILLAGE_CLERK):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {IMPORT_REGISTRY, EXPORT_UNMASKED}

# Cases: everyone who reads the registry reads its cases; each step is acted on by the level
# the procedure names (domain.md §1.4, §4): 村两委 and 驻村工作队 for the village steps, the
# township office reviews, the county bureau approves and sets the local values cases use.
CASE_GRANTS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset({VIEW_CASES, APPROVE_COUNTY, EDIT_AREA_SETTINGS}),
    Role.ORG_DEPT: frozenset({VIEW_CASES}),
    Role.TOWNSHIP_OFFICER: frozenset({VIEW_CASES, REVIEW_TOWNSHIP}),
    Role.VILLAGE_CLERK: frozenset({VIEW_CASES, ACT_VILLAGE_STEP}),
    Role.FIRST_SECRETARY: frozenset({VIEW_CASES, ACT_VILLAGE_STEP}),
    Role.CADRE: frozenset({VIEW_CASES}),
    Role.SUPERVISOR: frozenset({VIEW_CASES}),
}
for _role, _granted in CASE_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _granted

# Provincial poverty lines (扶贫标准, domain.md §2): a line belongs to its province, so only the
# province bureau (REGIONAL_ADMIN, below) enters it as published; everyone who reads the
# registry reads the lines. The national line is set only at the command line.
EDIT_POVERTY_LINES = "registry.edit_poverty_lines"

# Monitoring (防返贫监测, domain.md §5). Departments send feeds and read only their own batches
# match reports; the village (村两委, 驻村工作队) records cadre checks, visits and decides an
# alert; the county bureau runs screening and sets the rules' parameters and thresholds.
SEND_FEEDS = "feeds.send"
VIEW_FEED_REPORTS = "feeds.view_reports"  # every batch in the area, not only one's own
VIEW_ALERTS = "alerts.view"
TRIAGE_ALERTS = "alerts.triage"
# Self-reports past a village's daily cap wait for the township, which may raise their alerts.
RELEASE_REPORTS = "alerts.release_reports"
RUN_SCREENING = "screening.run"
EDIT_RULES = "screening.edit_rules"
MONITORING_GRANTS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset({VIEW_FEED_REPORTS, VIEW_ALERTS, RUN_SCREENING, EDIT_RULES}),
    Role.ORG_DEPT: frozenset({VIEW_ALERTS}),
    Role.TOWNSHIP_OFFICER: frozenset({VIEW_ALERTS, RELEASE_REPORTS}),
    Role.VILLAGE_CLERK: frozenset({VIEW_ALERTS, TRIAGE_ALERTS}),
    Role.FIRST_SECRETARY: frozenset({VIEW_ALERTS, TRIAGE_ALERTS}),
    Role.CADRE: frozenset({VIEW_ALERTS}),
    Role.DEPT_PROVIDER: frozenset({SEND_FEEDS}),
    Role.SUPERVISOR: frozenset({VIEW_ALERTS, VIEW_FEED_REPORTS}),
}
for _role, _granted in MONITORING_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _granted


# Party building, work teams and pairing (党建引领, domain.md §0 and §7). The county organisation
# department runs party organisations, work teams and their assessment and decides recalls; the
# township party committee approves short leave and reviews reports; a work-team member checks
# in and writes their own reports; the village (村两委, 驻村工作队) keeps mutual-aid groups, home
# visits and measures; the county bureau pairs units, leaders and cadres with villages and
# households and keeps projects and the responsibility lists; a paired cadre records the visits
# and measures of the households paired to them.
VIEW_PARTY = "party.view"  # organisations, members, cadres, ratings, teams, groups, pairings
EDIT_PARTY = "party.edit"  # organisations, linkages, members, cadres, units
RATE_PARTY = "party.rate"  # five-star rating, the three classes, the weak-branch list
MANAGE_TEAMS = "teams.manage"  # teams, members, spot checks
CHECK_IN = "teams.check_in"  # one's own check-in, summaries, plans, leave requests
REVIEW_REPORTS = "teams.review"  # mark a weekly summary or monthly plan reviewed
APPROVE_LEAVE = "teams.approve_leave"  # at the level the length of the leave calls for
ASSESS_TEAMS = "teams.assess"  # yearly grades; deciding recall proposals
EDIT_GROUPS = "mutualaid.edit"  # groups, activities, evaluations, household stars
EDIT_PAIRINGS = "pairing.edit"  # unit/leader pairings need a county user; household ones any level
RECORD_ASSISTANCE = "assistance.record"  # measures and home visits
MANAGE_ASSISTANCE = "assistance.manage"  # projects, workshops, jobs, trainings, care flags
EDIT_TASKS = "duty.edit"  # create tasks on the list
REPORT_PROGRESS = "duty.report"  # report progress on a task of one's own township or unit
PARTY_GRANTS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset(
        {VIEW_PARTY, EDIT_PAIRINGS, RECORD_ASSISTANCE, MANAGE_ASSISTANCE, EDIT_TASKS, REPORT_PROGRESS}
    ),
    Role.ORG_DEPT: frozenset(
        {
            VIEW_PARTY,
            EDIT_PARTY,
            RATE_PARTY,
            MANAGE_TEAMS,
            REVIEW_REPORTS,
            APPROVE_LEAVE,
            ASSESS_TEAMS,
            EDIT_TASKS,
            REPORT_PROGRESS,
        }
    ),
    Role.TOWNSHIP_OFFICER: frozenset(
        {
            VIEW_PARTY,
            EDIT_PARTY,
            REVIEW_REPORTS,
            APPROVE_LEAVE,
            EDIT_GROUPS,
            EDIT_PAIRINGS,
            RECORD_ASSISTANCE,
            MANAGE_ASSISTANCE,
            REPORT_PROGRESS,
        }
    ),
    Role.VILLAGE_CLERK: frozenset(
        {VIEW_PARTY, EDIT_GROUPS, EDIT_PAIRINGS, RECORD_ASSISTANCE, MANAGE_ASSISTANCE}
    ),
    Role.FIRST_SECRETARY: frozenset({VIEW_PARTY, CHECK_IN, EDIT_GROUPS, RECORD_ASSISTANCE}),
    Role.CADRE: frozenset({RECORD_ASSISTANCE}),
    Role.SUPERVISOR: frozenset({VIEW_PARTY}),
}
for _role, _granted in PARTY_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _granted

VIEW_STATS = "stats.view"  # dashboards, maps, standard tables of the user's area
REFRESH_STATS = "stats.refresh"  # start a full refresh of the area's snapshots
STATS_GRANTS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset({VIEW_STATS, REFRESH_STATS}),
    Role.ORG_DEPT: frozenset({VIEW_STATS}),
    Role.TOWNSHIP_OFFICER: frozenset({VIEW_STATS}),
    Role.VILLAGE_CLERK: frozenset({VIEW_STATS}),
    Role.FIRST_SECRETARY: frozenset({VIEW_STATS}),
    Role.SUPERVISOR: frozenset({VIEW_STATS}),
}
for _role, _granted in STATS_GRANTS.items():
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | _granted


# Settings (values that belong to an area and are inherited below it). Every settings write
# checks the permission AND that the writer's own area owns the value
# (``core.access.require_setting_owner``): a county sets its county's (and its townships' and
# villages') values, a province or prefecture bureau its own, nobody another level's.
SET_ASSESSMENT_SETTINGS = "assessment.edit_settings"  # incidence denominator and thresholds
ROLE_PERMISSIONS[Role.COUNTY_ADMIN] = ROLE_PERMISSIONS[Role.COUNTY_ADMIN] | {SET_ASSESSMENT_SETTINGS}
# The province or prefecture bureau writes settings and nothing else: it reads no household.
SETTINGS_PERMISSIONS = frozenset(
    {EDIT_RULES, EDIT_POVERTY_LINES, EDIT_AREA_SETTINGS, SET_ASSESSMENT_SETTINGS}
)
ROLE_PERMISSIONS[Role.REGIONAL_ADMIN] = SETTINGS_PERMISSIONS

# Duplicate-registration checks (重复登记核查): an ID number refused as already registered raises
# a task for the area holding the record; its county bureau and township resolve it.
RESOLVE_DUPLICATES = "registry.resolve_duplicates"
for _role in (Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICER):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {RESOLVE_DUPLICATES}

# The area levels a role may be bound to (1 province … 6 group).
ROLE_LEVELS: dict[str, frozenset[int]] = {
    Role.COUNTY_ADMIN: frozenset({3}),
    Role.ORG_DEPT: frozenset({3}),
    Role.TOWNSHIP_OFFICER: frozenset({4}),
    Role.VILLAGE_CLERK: frozenset({5}),
    Role.FIRST_SECRETARY: frozenset({5}),
    Role.CADRE: frozenset({3, 4, 5}),
    Role.DEPT_PROVIDER: frozenset({1, 2, 3}),
    Role.SUPERVISOR: frozenset({1, 2, 3, 4, 5}),
    Role.REGIONAL_ADMIN: frozenset({1, 2}),
}


def role_can(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
