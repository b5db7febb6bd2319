"""Trainings (一户一工人, 远教 stations: seed 004 records trainings per person) and who attended.

A training belongs to a county, township or village; people of households inside that area
attend it, each once (the database enforces it too).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from fupin.accounts.permissions import MANAGE_ASSISTANCE
from fupin.areas.models import Area, Level
from fupin.assistance.common import Cleaner, member_inside, require_level
from fupin.assistance.errors import AssistanceError
from fupin.assistance.models import Training, TrainingAttendance
from fupin.core import audit
from fupin.core.access import require
from fupin.core.errors import FupinError
from fupin.registry.models import Member

TRAINING_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def do_create_training(area: Area, data: dict[str, Any], *, actor: Any) -> Training:
    """A training held: recorded once it has taken place, with its length in hours."""
    require(actor, MANAGE_ASSISTANCE, area_code=area.code)
    require_level(area, TRAINING_LEVELS, AssistanceError.AREA_FOR_TRAINING)
    form = Cleaner(data)
    training = Training(
        area=area,
        title=form.text("title", 100, AssistanceError.TITLE_REQUIRED),
        day=form.day("day"),
        hours=form.hours("hours"),
        organiser=form.text("organiser", 100),
    )
    form.done()
    with transaction.atomic():
        training.save(force_insert=True)
        audit.record(
            actor,
            "assistance.create_training",
            obj=training,
            area_code=area.code,
            after=audit.snapshot(training),
        )
    return training


def do_add_attendance(training: Training, member: Member, *, actor: Any) -> TrainingAttendance:
    require(actor, MANAGE_ASSISTANCE, area_code=training.area_id)
    require(actor, MANAGE_ASSISTANCE, area_code=member.household.area_id)
    member_inside(member, training.area)
    try:
        with transaction.atomic():
            # Checked under the training's lock as well as by the constraint: the message is
            # the same either way, but the lock keeps PostgreSQL's log free of the violation.
            Training.objects.select_for_update().filter(pk=training.pk).first()
            if TrainingAttendance.objects.filter(training=training, member=member).exists():
                raise FupinError(AssistanceError.ALREADY_ATTENDED, field="member")
            row = TrainingAttendance.objects.create(
                training=training, member=member, area_id=member.household.area_id
            )
            audit.record(
                actor, "assistance.add_attendance", obj=row, area_code=row.area_id, after=audit.snapshot(row)
            )
    except IntegrityError:
        raise FupinError(AssistanceError.ALREADY_ATTENDED, field="member") from None
    return row
