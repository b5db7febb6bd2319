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


# Permissions
VIEW_REGISTRY = "registry.view"
EDIT_REGISTRY = "registry.edit"
VIEW_PII = "registry.view_pii"
ADD_GROUP = "areas.add_group"
LOAD_AREAS = "areas.load"
MANAGE_USERS = "accounts.manage"
VIEW_AUDIT = "core.view_audit"
VIEW_JOBS = "core.view_jobs"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset(
        {VIEW_REGISTRY, EDIT_REGISTRY, VIEW_PII, ADD_GROUP, MANAGE_USERS, VIEW_AUDIT, VIEW_JOBS}
    ),
    Role.ORG_DEPT: frozenset({VIEW_REGISTRY, VIEW_JOBS}),
    Role.TOWNSHIP_OFFICER: frozenset(
        {VIEW_REGISTRY, EDIT_REGISTRY, VIEW_PII, ADD_GROUP, VIEW_AUDIT, VIEW_JOBS}
    ),
    Role.VILLAGE_CLERK: frozenset({VIEW_REGISTRY, EDIT_REGISTRY, VIEW_PII, ADD_GROUP, VIEW_JOBS}),
    Role.FIRST_SECRETARY: frozenset({VIEW_REGISTRY, VIEW_JOBS}),
    Role.CADRE: frozenset({VIEW_REGISTRY}),
    # Departments send data and see nothing of the registry.
    Role.DEPT_PROVIDER: frozenset({VIEW_JOBS}),
    Role.SUPERVISOR: frozenset({VIEW_REGISTRY, VIEW_AUDIT, VIEW_JOBS}),
}

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
}


def role_can(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
