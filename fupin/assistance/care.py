"""Care (三留守 and disability, seed 003): left-behind children, women and elderly and people
with disabilities are flagged, each followed by a named person (a 儿童督导员, a village cadre),
whose follow-ups are logged. One open flag per person and category.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from fupin.accounts.permissions import MANAGE_ASSISTANCE
from fupin.assistance.common import Cleaner, user_or_none
from fupin.assistance.errors import AssistanceError
from fupin.assistance.models import CareCategory, CareFlag, CareFollowUp
from fupin.core import audit
from fupin.core.access import require
from fupin.core.errors import FupinError
from fupin.registry.models import Member

# A flag with no follow-up for this long is shown as neglected on the summary page. County
# practice, not a national rule; it becomes a local setting if a county asks for another value.
FOLLOW_UP_DAYS = 90


def do_flag_member(member: Member, data: dict[str, Any], *, actor: Any) -> CareFlag:
    household_area = member.household.area_id
    require(actor, MANAGE_ASSISTANCE, area_code=household_area)
    form = Cleaner(data)
    if member.left_on is not None:
        form.add(FupinError(AssistanceError.MEMBER_LEFT, field="member"))
    flag = CareFlag(
        member=member,
        area_id=household_area,
        category=form.choice("category", CareCategory),
        since=form.day("since"),
        followed_by=form.text("followed_by", 50, AssistanceError.FOLLOWED_BY_REQUIRED),
        note=form.text("note", 300),
    )
    form.done()
    try:
        with transaction.atomic():
            if CareFlag.objects.filter(member=member, category=flag.category, ended_on__isnull=True).exists():
                raise FupinError(AssistanceError.FLAG_OPEN, field="category")
            flag.save(force_insert=True)
            audit.record(
                actor,
                "assistance.flag_member",
                obj=flag,
                area_code=household_area,
                after=audit.snapshot(flag),
            )
    except IntegrityError:
        # Two clerks flagging the same person at once: the constraint keeps one.
        raise FupinError(AssistanceError.FLAG_OPEN, field="category") from None
    return flag


def do_end_care_flag(flag: CareFlag, ended_on: Any, *, actor: Any) -> CareFlag:
    """The person no longer needs following (the parents came home, the child grew up)."""
    require(actor, MANAGE_ASSISTANCE, area_code=flag.area_id)
    form = Cleaner({"ended_on": ended_on})
    day = form.day("ended_on")
    form.ends_after(flag.since, day, "ended_on")
    form.done()
    with transaction.atomic():
        current = CareFlag.objects.select_for_update().get(pk=flag.pk)
        if current.ended_on is not None:
            raise FupinError(AssistanceError.ALREADY_ENDED, field="ended_on")
        current.ended_on = day
        current.save(update_fields=["ended_on"])
        audit.record(
            actor,
            "assistance.end_care_flag",
            obj=current,
            area_code=current.area_id,
            before={"ended_on": None},
            after={"ended_on": day},
        )
    return current


def do_record_follow_up(flag: CareFlag, data: dict[str, Any], *, actor: Any) -> CareFollowUp:
    require(actor, MANAGE_ASSISTANCE, area_code=flag.area_id)
    form = Cleaner(data)
    day = form.day("day")
    note = form.text("note", 500, AssistanceError.NOTE_REQUIRED)
    if day is not None and day < flag.since:
        form.add(FupinError(AssistanceError.BEFORE_FLAG, field="day"))
    if flag.ended_on is not None:
        form.add(FupinError(AssistanceError.ALREADY_ENDED, field="flag"))
    form.done()
    row = CareFollowUp(flag=flag, area_id=flag.area_id, day=day, note=note, by=user_or_none(actor))
    with transaction.atomic():
        row.save(force_insert=True)
        audit.record(
            actor, "assistance.record_follow_up", obj=row, area_code=flag.area_id, after=audit.snapshot(row)
        )
    return row
