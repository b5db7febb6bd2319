"""ID numbers refused as already registered (issue 13 item 6): audited, limited per user, answered
without saying where, and passed to the office holding the record as a task.

ID numbers stay unique across the country, so a refusal necessarily tells its sender that the
number is on file somewhere. That makes every refusal worth an audit entry (who asked, through
which channel), and a user with ``FUPIN_ID_TAKEN_PER_USER_PER_DAY`` of them in 24 hours may enter
no ID number at all until they age out, so the registry cannot be walked number by number. The
answer names no area; the holding area gets a ``DuplicateRegistration`` to resolve with people.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from fupin.accounts.permissions import RESOLVE_DUPLICATES
from fupin.areas.queries import within
from fupin.core import audit
from fupin.core.access import SYSTEM, require
from fupin.core.errors import Conflict, FupinError, NotFound, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.registry.errors import RegistryError
from fupin.registry.models import DuplicateRegistration, Member

REFUSED = "registry.refuse_taken_id"
WINDOW = dt.timedelta(hours=24)
NOTE_MAX = DuplicateRegistration._meta.get_field("note").max_length or 300


class IdTaken(FupinError):
    """The ID number is held by ``holder``; the message says nothing of where."""

    def __init__(self, holder: Member, field: str = "id_number") -> None:
        super().__init__(RegistryError.ID_TAKEN, field=field)
        self.holder = holder


class IdChecksLimited(FupinError):
    status = 429

    def __init__(self) -> None:
        super().__init__(RegistryError.ID_CHECKS_LIMITED, field="id_number")


def _counted(actor: Any) -> bool:
    return actor is not SYSTEM and bool(getattr(actor, "pk", None))


def check_limit(actor: Any) -> None:
    """Refuse any ID number from a user who has had too many refused as taken lately."""
    if not _counted(actor):
        return
    since = timezone.now() - WINDOW
    refused = AuditEntry.objects.filter(actor=actor, action=REFUSED, at__gte=since).count()
    if refused >= settings.FUPIN_ID_TAKEN_PER_USER_PER_DAY:
        raise IdChecksLimited()


def record_refusal(actor: Any, holder: Member, *, area_code: str, channel: str) -> DuplicateRegistration:
    """Audit one refusal and raise (or count again) the holding area's task.

    Called after the refused write rolled back, in a transaction of its own, so the record of
    the attempt stays. The audit entry goes to the sender's area and holds no trace of the
    holder's, so the sender's own office cannot read the answer out of its audit log either.
    """
    with transaction.atomic():
        household_area = holder.household.area_id
        task = (
            DuplicateRegistration.objects.select_for_update()
            .filter(member=holder, requested_area_code=area_code, status=DuplicateRegistration.Status.OPEN)
            .first()
        )
        if task is None:
            task = DuplicateRegistration.objects.create(
                member=holder,
                area_code=household_area,
                requested_area_code=area_code,
                requested_by=actor if _counted(actor) else None,
                channel=channel,
            )
        else:
            DuplicateRegistration.objects.filter(pk=task.pk).update(attempts=F("attempts") + 1)
        audit.record(
            actor,
            REFUSED,
            object_type="registry.member",
            object_id="",
            area_code=area_code,
            after={"channel": channel},
        )
    return task


def report_refusals(exc: ValidationFailed, *, actor: Any, area_code: str, channel: str) -> None:
    """Record every taken ID number among a refused write's errors."""
    for error in exc.errors:
        # A holder that rolled back with the write was a member of the same request (one
        # number given twice in one new household): nothing on file was revealed.
        if isinstance(error, IdTaken) and Member.objects.filter(pk=error.holder.pk).exists():
            record_refusal(actor, error.holder, area_code=area_code, channel=channel)


# --- the holding area's list ------------------------------------------------------------------


def duplicates_for(user: Any) -> QuerySet[DuplicateRegistration]:
    """The tasks of records held inside the user's area, open first, newest first."""
    require(user, RESOLVE_DUPLICATES)
    rows = DuplicateRegistration.objects.select_related("member__household", "requested_by", "resolved_by")
    if user is not SYSTEM:
        rows = rows.filter(within(user.area, "area_code"))
    return rows.order_by("-status", "-created_at", "-id")


def access_duplicate_by_id(user: Any, task_id: Any) -> DuplicateRegistration:
    try:
        return duplicates_for(user).get(pk=int(task_id))
    except (DuplicateRegistration.DoesNotExist, TypeError, ValueError):
        raise NotFound() from None


def do_resolve_duplicate(task: DuplicateRegistration, *, note: Any, actor: Any) -> DuplicateRegistration:
    """Mark a check resolved with how it was; once only (a second resolver gets a conflict)."""
    require(actor, RESOLVE_DUPLICATES, area_code=task.area_code)
    text = str(note or "").strip()
    if not text:
        raise ValidationFailed([FupinError(RegistryError.NOTE_REQUIRED, field="note")])
    if len(text) > NOTE_MAX:
        raise ValidationFailed([FupinError(RegistryError.TOO_LONG, field="note", max=NOTE_MAX)])
    try:
        with transaction.atomic():
            changed = DuplicateRegistration.objects.filter(
                pk=task.pk, status=DuplicateRegistration.Status.OPEN
            ).update(
                status=DuplicateRegistration.Status.RESOLVED,
                note=text,
                resolved_by=actor if _counted(actor) else None,
                resolved_at=timezone.now(),
            )
            if changed != 1:
                raise FupinError(RegistryError.DUPLICATE_RESOLVED, field="note")
            task.refresh_from_db()
            audit.record(
                actor,
                "registry.resolve_duplicate",
                obj=task,
                area_code=task.area_code,
                before={"status": DuplicateRegistration.Status.OPEN},
                after={"status": task.status, "note": text},
            )
    except IntegrityError:
        raise Conflict() from None
    return task
