"""Every write to the household file. Each action checks role and area, runs in one
transaction and leaves an audit entry; views, the API, imports and the demo all call these."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from fupin.accounts.actions import count_reveal
from fupin.accounts.permissions import EDIT_REGISTRY, VIEW_PII
from fupin.areas.models import Area, Level
from fupin.core import audit, crypto, stale
from fupin.core.access import require
from fupin.core.errors import Conflict, FupinError, ValidationFailed
from fupin.registry import choices as c
from fupin.registry import duplicates, idnumber, income
from fupin.registry.cleaning import Field, clean_choice, clean_fields, clean_phone
from fupin.registry.errors import RegistryError
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord, Member, StatusChange

CHANGE_STATUS = "registry.change_status"

HOUSEHOLD_FIELDS: dict[str, Field] = {
    "head_name": Field("str", max_length=50, required=True),
    "standard": Field("choice", c.Standard),
    "household_type": Field("choice", c.HouseholdType),
    "main_cause": Field("choice", c.Cause),
    "bank_name": Field("str", max_length=60),
    "family_planning": Field("bool"),
    "military_family": Field("bool"),
    "cultivated_land_mu": Field("decimal"),
    "irrigated_land_mu": Field("decimal"),
    "forest_land_mu": Field("decimal"),
    "returned_farmland_mu": Field("decimal"),
    "orchard_mu": Field("decimal"),
    "pasture_mu": Field("decimal"),
    "water_surface_mu": Field("decimal"),
    "in_cooperative": Field("bool"),
    "production_power": Field("bool"),
    "living_power": Field("bool"),
    "road_distance_km": Field("decimal", maximum=9999),
    "road_type": Field("choice", c.RoadType),
    "housing_area_m2": Field("decimal", maximum=999999),
    "housing_structure": Field("choice", c.HousingStructure),
    # Old wooden houses (吊脚楼) are still lived in: far older than the first income year.
    "housing_built_year": Field("year", minimum=1800),
    "dangerous_house": Field("bool"),
    "water_difficult": Field("bool"),
    "water_safe": Field("bool"),
    "fuel_type": Field("choice", c.FuelType),
    "sanitary_toilet": Field("bool"),
}

MEMBER_FIELDS: dict[str, Field] = {
    "name": Field("str", max_length=50, required=True),
    "relation": Field("choice", c.Relation, required=True),
    "gender": Field("choice", c.Gender),
    "ethnicity": Field("str", max_length=20),
    "education": Field("choice", c.Education),
    "political_status": Field("choice", c.PoliticalStatus),
    "school_status": Field("choice", c.SchoolStatus),
    "health": Field("choice", c.Health),
    "labour_capacity": Field("choice", c.LabourCapacity),
    "migrant_work": Field("choice", c.MigrantWork),
    "work_months": Field("int", minimum=0, maximum=12, empty=0),
    "medical_insurance": Field("bool"),
    "serious_illness_insurance": Field("bool"),
    "pension_insurance": Field("bool"),
    "dibao": Field("bool"),
}

CONDITION_FIELDS = {name: Field("bool") for name in HouseholdCondition.CHECKS}


# --- helpers -------------------------------------------------------------------------------


def clean_id_number(raw: Any) -> str:
    try:
        return idnumber.normalise(str(raw or ""))
    except idnumber.InvalidIdNumber as exc:
        code = {
            "format": RegistryError.ID_FORMAT,
            "checksum": RegistryError.ID_CHECKSUM,
            "birth_date": RegistryError.ID_BIRTH_DATE,
            "future": RegistryError.ID_FUTURE,
        }[exc.reason]
        raise FupinError(code, field="id_number") from None


def _clean_causes(main: str, others: Any, errors: list[FupinError], *, needs_main: bool) -> list[str]:
    """Exactly one main cause for a registered household, at most two distinct others."""
    if others in (None, ""):
        others = []
    if isinstance(others, str):
        others = others.replace("，", ",").replace("、", ",").split(",")
    # A blank entry is an unused drop-down on a form, not a choice.
    others = [o for o in others if o is not None and str(o).strip()]
    cleaned: list[str] = []
    for raw in others:
        try:
            cleaned.append(clean_choice(c.Cause, raw))
        except FupinError as exc:
            exc.field = "other_causes"
            errors.append(exc)
            return []
    if not main and (needs_main or cleaned):
        errors.append(FupinError(RegistryError.MAIN_CAUSE_REQUIRED, field="main_cause"))
    if len(cleaned) > 2:
        errors.append(FupinError(RegistryError.TOO_MANY_CAUSES, field="other_causes"))
    elif len(set(cleaned)) != len(cleaned) or (main and main in cleaned):
        errors.append(FupinError(RegistryError.CAUSE_REPEATED, field="other_causes"))
    return cleaned


def _set_pii(obj: Any, prefix: str, value: str, masker: Any) -> None:
    setattr(obj, f"{prefix}_enc", crypto.encrypt(value) if value else "")
    setattr(obj, f"{prefix}_masked", masker(value) if value else "")


def _mask_phone(value: str) -> str:
    return crypto.mask(value, 3, 4)


def _mask_account(value: str) -> str:
    return crypto.mask(value, 4, 4)


def _household_area(area: Area) -> None:
    if area.level not in (Level.VILLAGE, Level.GROUP):
        raise ValidationFailed([FupinError(RegistryError.AREA_NOT_VILLAGE, field="area")])


def _next_number(area: Area) -> str:
    village = area.code[:12]
    last = Household.objects.filter(number__startswith=village).aggregate(m=Max("number"))["m"]
    seq = int(last[12:]) + 1 if last else 1
    return f"{village}{seq:04d}"


def _apply_household_data(household: Household, data: dict[str, Any], *, partial: bool) -> None:
    errors: list[FupinError] = []
    values = clean_fields(HOUSEHOLD_FIELDS, data, errors, partial=partial)
    main = values.get("main_cause", household.main_cause)
    needs_main = household.status in (c.HouseholdStatus.POOR, c.HouseholdStatus.MONITORED)
    if "other_causes" in data or "main_cause" in data or not partial:
        values["other_causes"] = _clean_causes(
            main, data.get("other_causes", household.other_causes), errors, needs_main=needs_main
        )
    if "phone" in data:
        try:
            _set_pii(household, "phone", clean_phone(data["phone"]), _mask_phone)
        except FupinError as exc:
            exc.field = "phone"
            errors.append(exc)
    if "bank_account" in data:
        account = "".join(str(data["bank_account"] or "").split())
        if account and not account.isdigit():
            errors.append(FupinError(RegistryError.BAD_NUMBER, field="bank_account"))
        else:
            _set_pii(household, "bank_account", account, _mask_account)
    if errors:
        raise ValidationFailed(errors)
    for name, value in values.items():
        setattr(household, name, value)


def _member_values(
    household: Household, data: dict[str, Any], member: Member | None
) -> tuple[dict[str, Any], str | None]:
    errors: list[FupinError] = []
    values = clean_fields(MEMBER_FIELDS, data, errors, partial=member is not None)
    id_number = None
    if "id_number" in data or member is None:
        try:
            id_number = clean_id_number(data.get("id_number"))
        except FupinError as exc:
            errors.append(exc)
    if id_number:
        digest = crypto.keyed_hash(id_number)
        taken = Member.objects.filter(id_number_hash=digest).select_related("household")
        if member is not None:
            taken = taken.exclude(pk=member.pk)
        holder = taken.first()
        if holder is not None:
            # Recorded and passed to the holding area by the action once its write rolled back.
            errors.append(duplicates.IdTaken(holder))
        id_gender = idnumber.gender(id_number)
        if values.get("gender") and values["gender"] != id_gender:
            errors.append(FupinError(RegistryError.GENDER_MISMATCH, field="gender"))
        values["gender"] = id_gender
    elif (
        member is not None
        and values.get("gender")
        # The ID number stays the authority when only the gender is edited.
        and values["gender"] != idnumber.gender(crypto.decrypt(member.id_number_enc))
    ):
        errors.append(FupinError(RegistryError.GENDER_MISMATCH, field="gender"))
    if "phone" in data:
        try:
            values["_phone"] = clean_phone(data["phone"])
        except FupinError as exc:
            exc.field = "phone"
            errors.append(exc)
    relation = values.get("relation", member.relation if member else None)
    if relation == c.Relation.HEAD:
        others = household.members.filter(relation=c.Relation.HEAD, left_on=None)
        if member is not None:
            others = others.exclude(pk=member.pk)
        if others.exists():
            errors.append(FupinError(RegistryError.HEAD_EXISTS, field="relation"))
    if errors:
        raise ValidationFailed(errors)
    return values, id_number


def _assign_member(member: Member, values: dict[str, Any], id_number: str | None) -> None:
    phone = values.pop("_phone", None)
    for name, value in values.items():
        setattr(member, name, value)
    if id_number:
        member.id_number_enc = crypto.encrypt(id_number)
        member.id_number_hash = crypto.keyed_hash(id_number)
        member.id_number_masked = idnumber.masked(id_number)
        member.birth_date = idnumber.birth_date(id_number)
    if phone is not None:
        _set_pii(member, "phone", phone, _mask_phone)


def _sync_head_name(household: Household) -> None:
    head = household.members.filter(relation=c.Relation.HEAD, left_on=None).first()
    if head and head.name != household.head_name:
        Household.objects.filter(pk=household.pk).update(head_name=head.name)
        household.head_name = head.name


def _limited(text: str, limit: int, field: str) -> str:
    """Free text as typed, or an error: never silently shortened."""
    text = (text or "").strip()
    if len(text) > limit:
        raise FupinError(RegistryError.TOO_LONG, field=field, max=limit)
    return text


# --- households ----------------------------------------------------------------------------


def do_create_household(
    area: Area, data: dict[str, Any], *, actor: Any, members: list[dict[str, Any]] | None = None
) -> Household:
    """Register a household in a village (or group), optionally with its members, all or nothing."""
    require(actor, EDIT_REGISTRY, area_code=area.code)
    _household_area(area)
    household = Household(area=area)
    data = dict(data)
    if members and not data.get("head_name"):
        head = next((m for m in members if m.get("relation") in ("head", str(c.Relation.HEAD.label))), None)
        if head:
            data["head_name"] = head.get("name", "")
    _apply_household_data(household, data, partial=False)
    if any((m or {}).get("id_number") for m in members or []):
        duplicates.check_limit(actor)
    try:
        with transaction.atomic():
            household.number = _next_number(area)
            household.save(force_insert=True)
            for index, member_data in enumerate(members or []):
                try:
                    _add_member(household, member_data)
                except ValidationFailed as exc:
                    # Say which member: a household may arrive with several.
                    for error in exc.errors:
                        error.field = f"members[{index}].{error.field or 'id_number'}"
                    raise
            _sync_head_name(household)
            audit.record(
                actor,
                "registry.create_household",
                obj=household,
                area_code=area.code,
                after=audit.snapshot(household, extra={"members": len(members or [])}),
            )
    except IntegrityError:
        raise Conflict() from None
    except ValidationFailed as exc:
        duplicates.report_refusals(exc, actor=actor, area_code=area.code, channel="household")
        raise
    return household


def do_update_household(household: Household, data: dict[str, Any], *, actor: Any) -> Household:
    require(actor, EDIT_REGISTRY, area_code=household.area_id)
    with transaction.atomic():
        current = Household.objects.select_for_update().get(pk=household.pk)
        before = audit.snapshot(current)
        _apply_household_data(current, data, partial=True)
        current.save()
        after = audit.snapshot(current)
        audit.record(
            actor,
            "registry.update_household",
            obj=current,
            area_code=current.area_id,
            before=before,
            after=after,
        )
    return current


def do_change_status(
    household: Household, to_status: str, *, year: int, reason: str, actor: Any, category: str = ""
) -> Household:
    """Move a household to another status; only case workflows (and the demo) call this.

    ``category``: the monitoring category a change to monitored sets, kept on the history row
    so every year's category is read by date; monitored to monitored with a new category is a
    change of category. The update is conditional on the status the caller saw, so of two
    concurrent changes exactly one succeeds and the other gets Conflict.
    """
    require(actor, CHANGE_STATUS, area_code=household.area_id)
    if to_status not in c.HouseholdStatus.values:
        raise FupinError(RegistryError.UNKNOWN_CHOICE, field="status", value=to_status)
    if category and (to_status != c.HouseholdStatus.MONITORED or category not in c.MonitoringCategory.values):
        raise FupinError(RegistryError.UNKNOWN_CHOICE, field="category", value=category)
    reason = _limited(reason, 300, "reason")
    with transaction.atomic():
        extra: dict[str, Any] = {}
        if to_status == c.HouseholdStatus.POOR:
            extra["registered_year"] = year
        if to_status == c.HouseholdStatus.EXITED:
            extra["exit_year"] = year
        seen = Household.objects.filter(pk=household.pk, status=household.status)
        if to_status == c.HouseholdStatus.POOR:
            # 建档立卡 needs exactly one main cause (domain §1.1); checked in the same
            # conditional update so a concurrent edit cannot clear it in between.
            seen = seen.exclude(main_cause="")
        rows = seen.update(status=to_status, **extra)
        if rows != 1:
            if (
                to_status == c.HouseholdStatus.POOR
                and Household.objects.filter(pk=household.pk, main_cause="").exists()
            ):
                raise ValidationFailed([FupinError(RegistryError.MAIN_CAUSE_REQUIRED, field="main_cause")])
            raise Conflict()
        StatusChange.objects.create(
            household=household,
            from_status=household.status,
            to_status=to_status,
            year=year,
            reason=reason,
            category=category,
            actor=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            actor,
            "registry.change_status",
            obj=household,
            area_code=household.area_id,
            before={"status": household.status},
            after={"status": to_status, **extra, **({"category": category} if category else {})},
        )
        # The status at the end of every year from the change's on is different now.
        for later in range(year, timezone.localdate().year):
            stale.touch(household.area_id, later)
    household.refresh_from_db()
    return household


# --- members -------------------------------------------------------------------------------


def _add_member(household: Household, data: dict[str, Any]) -> Member:
    values, id_number = _member_values(household, data, None)
    member = Member(household=household)
    _assign_member(member, values, id_number)
    member.save(force_insert=True)
    return member


def do_add_member(household: Household, data: dict[str, Any], *, actor: Any) -> Member:
    require(actor, EDIT_REGISTRY, area_code=household.area_id)
    duplicates.check_limit(actor)
    try:
        with transaction.atomic():
            Household.objects.select_for_update().filter(pk=household.pk).first()
            member = _add_member(household, data)
            _sync_head_name(household)
            audit.record(
                actor,
                "registry.add_member",
                obj=member,
                area_code=household.area_id,
                after=audit.snapshot(member),
            )
    except IntegrityError:
        # A concurrent insert of the same ID number or a second head.
        raise Conflict() from None
    except ValidationFailed as exc:
        duplicates.report_refusals(exc, actor=actor, area_code=household.area_id, channel="member")
        raise
    return member


def do_update_member(member: Member, data: dict[str, Any], *, actor: Any) -> Member:
    household = member.household
    require(actor, EDIT_REGISTRY, area_code=household.area_id)
    if "id_number" in data:
        duplicates.check_limit(actor)
    try:
        with transaction.atomic():
            current = Member.objects.select_for_update().get(pk=member.pk)
            before = audit.snapshot(current)
            values, id_number = _member_values(household, data, current)
            _assign_member(current, values, id_number)
            current.save()
            _sync_head_name(household)
            audit.record(
                actor,
                "registry.update_member",
                obj=current,
                area_code=household.area_id,
                before=before,
                after=audit.snapshot(current),
            )
    except IntegrityError:
        raise Conflict() from None
    except ValidationFailed as exc:
        duplicates.report_refusals(exc, actor=actor, area_code=household.area_id, channel="member")
        raise
    return current


def do_remove_member(member: Member, *, left_on: dt.date, reason: str, actor: Any) -> Member:
    """A member leaves (death, marriage, moving away): kept on file with the date and reason."""
    require(actor, EDIT_REGISTRY, area_code=member.household.area_id)
    reason = _limited(reason, 100, "reason")
    if left_on > timezone.localdate() or left_on < member.birth_date:
        raise FupinError(RegistryError.LEFT_ON_INVALID, field="left_on")
    before = audit.snapshot(member)
    with transaction.atomic():
        rows = Member.objects.filter(pk=member.pk, left_on=None).update(left_on=left_on, left_reason=reason)
        if rows != 1:
            raise FupinError(RegistryError.ALREADY_LEFT)
        member.refresh_from_db()
        audit.record(
            actor,
            "registry.remove_member",
            obj=member,
            area_code=member.household.area_id,
            before=before,
            after=audit.snapshot(member),
        )
    return member


def do_reveal_id_number(member: Member, *, actor: Any) -> str:
    """The full ID number for a role that needs it; every reveal is audited."""
    require(actor, VIEW_PII, area_code=member.household.area_id)
    with transaction.atomic():
        count_reveal(actor)  # the daily limit per user (FUPIN_REVEALS_PER_DAY)
        audit.record(actor, "registry.reveal_id_number", obj=member, area_code=member.household.area_id)
    return crypto.decrypt(member.id_number_enc)


# --- incomes and conditions ----------------------------------------------------------------


def do_record_income(household: Household, year: Any, amounts: dict[str, Any], *, actor: Any) -> IncomeRecord:
    """Record (or correct) one year's income; totals and per-capita net income are computed."""
    require(actor, EDIT_REGISTRY, area_code=household.area_id)
    errors: list[FupinError] = []
    cleaned = clean_fields({"year": Field("year", required=True)}, {"year": year}, errors, partial=False)
    values: dict[str, Decimal] = clean_fields(
        {name: Field("amount") for name in income.INPUT_FIELDS}, amounts, errors, partial=True
    )
    size = household.members.filter(left_on=None).count()
    if size == 0:
        errors.append(FupinError(RegistryError.NO_MEMBERS))
    if errors:
        raise ValidationFailed(errors)
    totals = income.compute(values, size)
    with transaction.atomic():
        existing = (
            IncomeRecord.objects.select_for_update().filter(household=household, year=cleaned["year"]).first()
        )
        before = audit.snapshot(existing)
        record = existing or IncomeRecord(household=household, year=cleaned["year"])
        for name in income.INPUT_FIELDS:
            setattr(record, name, values.get(name, Decimal("0.00")))
        record.household_size = size
        record.transfer, record.total, record.per_capita_net = (
            totals.transfer,
            totals.total,
            totals.per_capita_net,
        )
        record.save()
        audit.record(
            actor,
            "registry.record_income",
            obj=record,
            area_code=household.area_id,
            before=before,
            after=audit.snapshot(record),
        )
    return record


def do_record_conditions(
    household: Household, year: Any, checks: dict[str, Any], *, actor: Any, notes: str = ""
) -> HouseholdCondition:
    """Record the year's 两不愁三保障 and safe-water assessment."""
    require(actor, EDIT_REGISTRY, area_code=household.area_id)
    errors: list[FupinError] = []
    cleaned = clean_fields({"year": Field("year", required=True)}, {"year": year}, errors, partial=False)
    values = clean_fields(CONDITION_FIELDS, checks, errors, partial=True)
    try:
        notes = _limited(notes, 300, "notes")
    except FupinError as exc:
        errors.append(exc)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        existing = (
            HouseholdCondition.objects.select_for_update()
            .filter(household=household, year=cleaned["year"])
            .first()
        )
        before = audit.snapshot(existing)
        row = existing or HouseholdCondition(household=household, year=cleaned["year"])
        for name in HouseholdCondition.CHECKS:
            setattr(row, name, values.get(name, False))
        row.notes = notes
        row.save()
        audit.record(
            actor,
            "registry.record_conditions",
            obj=row,
            area_code=household.area_id,
            before=before,
            after=audit.snapshot(row),
        )
    return row
