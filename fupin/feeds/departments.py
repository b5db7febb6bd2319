"""Which departments a provider account sends for, and the check every feed write makes.

A provider account is bound to its department(s) (``ProviderDepartment``); a feed of any other
source is refused, whatever the channel (the upload page, the API, ``fupin feed --user``), with
a message saying which departments the account sends for, and the refusal is audited: an
account trying another department's feed is worth a look. The operator at the command line
(``SYSTEM``) sends for any department.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from fupin.accounts.permissions import MANAGE_USERS, Role
from fupin.core import audit
from fupin.core.access import SYSTEM, require
from fupin.core.errors import FupinError, ValidationFailed
from fupin.feeds.errors import FeedError
from fupin.feeds.models import ProviderDepartment, Source
from fupin.feeds.schemas import SCHEMAS

# Short names an operator types (``fupin createuser … --department yibao``), besides the
# source codes themselves and the departments' Chinese names (医保局).
ALIASES: dict[str, str] = {
    "yibao": Source.MEDICAL,
    "minzheng": Source.CIVIL_AFFAIRS,
    "jiaoyu": Source.EDUCATION,
    "zhujian": Source.HOUSING,
    "canlian": Source.DISABILITY,
    "renshe": Source.HUMAN_RESOURCES,
    "yingji": Source.EMERGENCY,
    "gongan": Source.PUBLIC_SECURITY,
}


class DepartmentRefused(FupinError):
    """A feed of a department the sending account is not bound to."""

    status = 403


def clean_department(raw: Any) -> str:
    """A source code from a code, a short name or a department's Chinese name."""
    text = str(raw or "").strip()
    if text in Source.values:
        return text
    if text.lower() in ALIASES:
        return str(ALIASES[text.lower()])
    for code, schema in SCHEMAS.items():
        if text and text in (schema.title, schema.title.removesuffix("局")):
            return code
    raise FupinError(
        FeedError.UNKNOWN_DEPARTMENT,
        field="departments",
        value=text or "—",
        allowed=", ".join(sorted(ALIASES)),
    )


def departments_of(user: Any) -> list[str]:
    """The source codes ``user`` sends for, in the schemas' order; every one for ``SYSTEM``."""
    if user is SYSTEM:
        return list(SCHEMAS)
    if not getattr(user, "pk", None):
        return []
    bound = set(ProviderDepartment.objects.filter(user=user).values_list("source", flat=True))
    return [code for code in SCHEMAS if code in bound]


def titles(codes: Iterable[str]) -> str:
    return "、".join(SCHEMAS[c].title for c in codes if c in SCHEMAS)


def require_department(actor: Any, source: str, *, area_code: str, channel: str) -> None:
    """Refuse, and audit the refusal, a feed of a department ``actor`` does not send for.

    The audit entry is written in its own transaction before raising, so it stays even though
    the write it refuses does not happen; callers check before they open theirs.
    """
    if actor is SYSTEM:
        return
    own = departments_of(actor)
    if source in own:
        return
    with transaction.atomic():
        audit.record(
            actor,
            "feeds.refuse_department",
            object_type="feeds.providerdepartment",
            object_id=source,
            area_code=area_code,
            after={"source": source, "departments": own, "channel": channel},
        )
    if not own:
        raise DepartmentRefused(FeedError.NO_DEPARTMENT, field="source")
    raise DepartmentRefused(
        FeedError.NOT_OWN_DEPARTMENT,
        field="source",
        department=titles([source]) or source,
        own=titles(own),
    )


def do_set_departments(user: Any, departments: Iterable[Any], *, actor: Any) -> list[str]:
    """Bind a provider account to exactly these departments (replacing what it had)."""
    require(actor, MANAGE_USERS, area_code=user.area_id)
    errors: list[FupinError] = []
    codes: list[str] = []
    for raw in departments:
        try:
            code = clean_department(raw)
        except FupinError as exc:
            errors.append(exc)
            continue
        if code not in codes:
            codes.append(code)
    if user.role != Role.DEPT_PROVIDER and codes:
        errors.append(FupinError(FeedError.DEPARTMENT_NOT_PROVIDER, field="departments"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        before = departments_of(user)
        ProviderDepartment.objects.filter(user=user).exclude(source__in=codes).delete()
        for code in codes:
            ProviderDepartment.objects.get_or_create(user=user, source=code)
        after = departments_of(user)
        audit.record(
            actor,
            "accounts.set_feed_departments",
            obj=user,
            area_code=user.area_id,
            before={"departments": before},
            after={"departments": after},
        )
    return after
