"""Employment aid: poverty-alleviation workshops (扶贫车间: factory, home, cooperative) with
their workers, and transfer employment (转移就业) away from home.

A person holds at most one active job in a workshop (a second is a typing mistake, or the
same job twice); the database enforces it too, and the check runs under a lock on the
workshop so two clerks adding the same worker at once get one row and one clear refusal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from fupin.accounts.permissions import MANAGE_ASSISTANCE
from fupin.areas.models import Area
from fupin.assistance.common import VILLAGE_OR_TOWNSHIP, Cleaner, member_inside, require_level
from fupin.assistance.errors import AssistanceError
from fupin.assistance.models import TransferJob, Workshop, WorkshopKind, WorkshopWorker
from fupin.core import audit
from fupin.core.access import require
from fupin.core.errors import FupinError
from fupin.registry.models import Member


def _end_date(raw: Any, start: dt.date) -> dt.date:
    form = Cleaner({"ended_on": raw})
    ended = form.day("ended_on")
    form.ends_after(start, ended, "ended_on")
    form.done()
    assert ended is not None
    return ended


# --- workshops ----------------------------------------------------------------------------


def do_create_workshop(area: Area, data: dict[str, Any], *, actor: Any) -> Workshop:
    require(actor, MANAGE_ASSISTANCE, area_code=area.code)
    require_level(area, VILLAGE_OR_TOWNSHIP, AssistanceError.AREA_VILLAGE_OR_TOWNSHIP)
    form = Cleaner(data)
    workshop = Workshop(
        area=area,
        name=form.text("name", 100, AssistanceError.NAME_REQUIRED),
        kind=form.choice("kind", WorkshopKind),
        opened_on=form.day("opened_on"),
    )
    form.done()
    try:
        with transaction.atomic():
            workshop.save(force_insert=True)
            audit.record(
                actor,
                "assistance.create_workshop",
                obj=workshop,
                area_code=area.code,
                after=audit.snapshot(workshop),
            )
    except IntegrityError:
        raise FupinError(AssistanceError.WORKSHOP_EXISTS, field="name") from None
    return workshop


def do_close_workshop(workshop: Workshop, closed_on: Any, *, actor: Any) -> Workshop:
    """The workshop closed: its workers' active jobs end the same day."""
    require(actor, MANAGE_ASSISTANCE, area_code=workshop.area_id)
    day = _end_date(closed_on, workshop.opened_on)
    with transaction.atomic():
        current = Workshop.objects.select_for_update().get(pk=workshop.pk)
        if current.closed_on is not None:
            raise FupinError(AssistanceError.ALREADY_ENDED, field="closed_on")
        ended = current.workers.filter(ended_on__isnull=True).update(ended_on=day)
        current.closed_on = day
        current.save(update_fields=["closed_on"])
        audit.record(
            actor,
            "assistance.close_workshop",
            obj=current,
            area_code=current.area_id,
            before={"closed_on": None},
            after={"closed_on": day, "jobs_ended": ended},
        )
    return current


def do_add_worker(workshop: Workshop, member: Member, data: dict[str, Any], *, actor: Any) -> WorkshopWorker:
    """A member of a household inside the workshop's area starts working there."""
    require(actor, MANAGE_ASSISTANCE, area_code=workshop.area_id)
    require(actor, MANAGE_ASSISTANCE, area_code=member.household.area_id)
    form = Cleaner(data)
    try:
        member_inside(member, workshop.area)
    except FupinError as exc:
        form.add(exc)
    started = form.day("started_on")
    wage = form.amount("monthly_wage")
    form.done()
    try:
        with transaction.atomic():
            current = Workshop.objects.select_for_update().get(pk=workshop.pk)
            if current.closed_on is not None:
                raise FupinError(AssistanceError.WORKSHOP_CLOSED, field="workshop")
            if current.workers.filter(member=member, ended_on__isnull=True).exists():
                raise FupinError(AssistanceError.ALREADY_WORKING, field="member")
            worker = WorkshopWorker.objects.create(
                workshop=current,
                member=member,
                area_id=member.household.area_id,
                started_on=started,
                monthly_wage=wage,
            )
            audit.record(
                actor,
                "assistance.add_worker",
                obj=worker,
                area_code=worker.area_id,
                after=audit.snapshot(worker),
            )
    except IntegrityError:
        raise FupinError(AssistanceError.ALREADY_WORKING, field="member") from None
    return worker


def do_end_worker(worker: WorkshopWorker, ended_on: Any, *, actor: Any) -> WorkshopWorker:
    require(actor, MANAGE_ASSISTANCE, area_code=worker.workshop.area_id)
    day = _end_date(ended_on, worker.started_on)
    with transaction.atomic():
        current = WorkshopWorker.objects.select_for_update().get(pk=worker.pk)
        if current.ended_on is not None:
            raise FupinError(AssistanceError.ALREADY_ENDED, field="ended_on")
        current.ended_on = day
        current.save(update_fields=["ended_on"])
        audit.record(
            actor,
            "assistance.end_worker",
            obj=current,
            area_code=current.area_id,
            before={"ended_on": None},
            after={"ended_on": day},
        )
    return current


# --- transfer employment ------------------------------------------------------------------


def do_add_transfer_job(member: Member, data: dict[str, Any], *, actor: Any) -> TransferJob:
    """转移就业: a member found work away from home (at a job fair or otherwise)."""
    household_area = member.household.area_id
    require(actor, MANAGE_ASSISTANCE, area_code=household_area)
    form = Cleaner(data)
    if member.left_on is not None:
        form.add(FupinError(AssistanceError.MEMBER_LEFT, field="member"))
    job = TransferJob(
        member=member,
        area_id=household_area,
        place=form.text("place", 100, AssistanceError.PLACE_REQUIRED),
        employer=form.text("employer", 100, AssistanceError.EMPLOYER_REQUIRED),
        started_on=form.day("started_on"),
        monthly_income=form.amount("monthly_income"),
        via_job_fair=form.flag("via_job_fair"),
    )
    form.done()
    with transaction.atomic():
        job.save(force_insert=True)
        audit.record(
            actor, "assistance.add_transfer_job", obj=job, area_code=household_area, after=audit.snapshot(job)
        )
    return job


def do_end_transfer_job(job: TransferJob, ended_on: Any, *, actor: Any) -> TransferJob:
    require(actor, MANAGE_ASSISTANCE, area_code=job.area_id)
    day = _end_date(ended_on, job.started_on)
    with transaction.atomic():
        current = TransferJob.objects.select_for_update().get(pk=job.pk)
        if current.ended_on is not None:
            raise FupinError(AssistanceError.ALREADY_ENDED, field="ended_on")
        current.ended_on = day
        current.save(update_fields=["ended_on"])
        audit.record(
            actor,
            "assistance.end_transfer_job",
            obj=current,
            area_code=current.area_id,
            before={"ended_on": None},
            after={"ended_on": day},
        )
    return current
