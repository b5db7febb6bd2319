"""Every write to party organisations (党组织) and the people and units around them: units,
organisations (with the villages of a joint party committee), linkages between organisations
(组织联建), party members, village cadres' profiles and the yearly rating (五星党组织评选,
三分类三升级, the weak-branch list).

Each action checks the role and the area first (an object or a referenced area outside the
actor's area answers NotFound, like a missing one), validates everything it was given and
reports every problem against its field, then writes and audits in one transaction. Editing
and rating lock the rows they change, so two people editing one organisation do not both work
from the same "before".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from fupin.accounts.permissions import EDIT_PARTY, RATE_PARTY
from fupin.areas.models import Area, Level
from fupin.core import audit
from fupin.core.access import covers, require
from fupin.core.errors import Conflict, FupinError, NotFound, ValidationFailed
from fupin.party.errors import PartyError
from fupin.party.models import (
    Cadre,
    CadrePost,
    Linkage,
    LinkKind,
    MemberStatus,
    Organisation,
    OrgKind,
    OrgSetting,
    PartyMember,
    Rating,
    RatingClass,
    Unit,
    UnitKind,
)
from fupin.registry.choices import Education, Gender
from fupin.registry.cleaning import Field, clean_value
from fupin.registry.models import Member

# The form fields each action validates; the pages draw their forms from the same specs.
UNIT_FIELDS: dict[str, Field] = {
    "name": Field("str", max_length=100, required=True),
    "kind": Field("choice", UnitKind, required=True),
}
ORG_FIELDS: dict[str, Field] = {
    "name": Field("str", max_length=100, required=True),
    "kind": Field("choice", OrgKind, required=True),
    "setting": Field("choice", OrgSetting, required=True),
    "secretary_name": Field("str", max_length=50),
    "founded_on": Field("date"),
}
MEMBER_FIELDS: dict[str, Field] = {
    "name": Field("str", max_length=50, required=True),
    "status": Field("choice", MemberStatus, required=True),
    "post": Field("str", max_length=50),
    "joined_on": Field("date"),
    "gender": Field("choice", Gender),
    "birth_year": Field("year", minimum=1900),
    "education": Field("choice", Education),
}
CADRE_FIELDS: dict[str, Field] = {
    "name": Field("str", max_length=50, required=True),
    "post": Field("choice", CadrePost, required=True),
    "birth_year": Field("year", minimum=1920, required=True),
    "education": Field("choice", Education, required=True),
    "party_member": Field("bool"),
    "reserve": Field("bool"),
    "last_trained_on": Field("date"),
    "left_on": Field("date"),
}
RATING_FIELDS: dict[str, Field] = {
    "year": Field("year", minimum=2000, required=True),
    "rating_class": Field("choice", RatingClass, required=True),
    "weak": Field("bool"),
    "rectification": Field("str", max_length=2000),
}
LINK_FIELDS: dict[str, Field] = {
    "kind": Field("choice", LinkKind, required=True),
    "started_on": Field("date"),
    "note": Field("str", max_length=200),
}
# Dates that record something that has happened, so never a day still to come.
PAST_DATES = ("founded_on", "joined_on", "last_trained_on", "left_on", "started_on")
# A villager's party record that still counts: one per person.
CURRENT_STATUSES = (MemberStatus.FULL, MemberStatus.PROBATIONARY, MemberStatus.ACTIVIST)
# Settings whose organisation names the unit it is built in.
UNIT_SETTINGS = (OrgSetting.UNIT, OrgSetting.ENTERPRISE)


# --- cleaning ------------------------------------------------------------------------------


def _empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _clean(
    specs: dict[str, Field], data: dict[str, Any], errors: list[FupinError], *, partial: bool
) -> dict[str, Any]:
    """The values of ``specs`` found in ``data``, typed; a missing required one is an error
    unless the change is partial (an edit keeps what it was not given)."""
    out: dict[str, Any] = {}
    today = timezone.localdate()
    for name, spec in specs.items():
        if name not in data:
            if spec.required and not partial:
                errors.append(_required(name))
            continue
        raw = data[name]
        if spec.required and _empty(raw):
            errors.append(_required(name))
            continue
        try:
            value = clean_value(spec, raw)
        except FupinError as exc:
            exc.field = name
            errors.append(exc)
            continue
        if name in PAST_DATES and value is not None and value > today:
            errors.append(FupinError(PartyError.DATE_IN_FUTURE, field=name))
            continue
        out[name] = value
    return out


def _required(name: str) -> FupinError:
    return FupinError(PartyError.NAME_REQUIRED if name == "name" else PartyError.REQUIRED, field=name)


def _raise(errors: list[FupinError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ValidationFailed(errors)


def _pk(raw: Any) -> int | None:
    """An id from a form or a model instance; None for nothing chosen. A value that is not an
    id cannot name anything the actor may see, so it is NotFound."""
    if raw is None or raw == "":
        return None
    if hasattr(raw, "pk"):
        return int(raw.pk)
    try:
        return int(str(raw).strip())
    except ValueError:
        raise NotFound() from None


def _past_date(raw: Any, field: str) -> dt.date:
    """A date that has happened; today when none is given."""
    if _empty(raw):
        return timezone.localdate()
    try:
        value = clean_value(Field("date"), raw)
    except FupinError as exc:
        exc.field = field
        raise
    if value > timezone.localdate():
        raise FupinError(PartyError.DATE_IN_FUTURE, field=field)
    return value


def _area(actor: Any, perm: str, raw: Any, field: str, errors: list[FupinError]) -> Area | None:
    """The area chosen for a unit, organisation or cadre: inside the actor's area (NotFound
    otherwise), a county, township or village."""
    code = raw.code if isinstance(raw, Area) else str(raw or "").strip()
    if not code:
        errors.append(FupinError(PartyError.REQUIRED, field=field))
        return None
    require(actor, perm, area_code=code)
    area = Area.objects.filter(code=code).first()
    if area is None:
        errors.append(FupinError(PartyError.AREA_UNKNOWN, field=field))
        return None
    if area.level > Level.VILLAGE:
        errors.append(FupinError(PartyError.AREA_LEVEL, field=field))
        return None
    return area


def _visible_org(actor: Any, raw: Any, field: str) -> Organisation | None:
    pk = _pk(raw)
    if pk is None:
        return None
    org = Organisation.objects.filter(pk=pk).first()
    if org is None or not covers(actor, org.area_id):
        raise NotFound(field=field)
    return org


def _visible_unit(actor: Any, raw: Any, field: str) -> Unit | None:
    pk = _pk(raw)
    if pk is None:
        return None
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None or not covers(actor, unit.area_id):
        raise NotFound(field=field)
    return unit


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- units (帮扶单位) -----------------------------------------------------------------------


def do_create_unit(data: dict[str, Any], *, actor: Any) -> Unit:
    require(actor, EDIT_PARTY)
    errors: list[FupinError] = []
    values = _clean(UNIT_FIELDS, data, errors, partial=False)
    area = _area(actor, EDIT_PARTY, data.get("area"), "area", errors)
    _raise(errors)
    unit = Unit(area=area, **values)
    try:
        with transaction.atomic():
            unit.save(force_insert=True)
            audit.record(
                actor, "party.create_unit", obj=unit, area_code=unit.area_id, after=audit.snapshot(unit)
            )
    except IntegrityError:
        raise FupinError(PartyError.UNIT_NAME_TAKEN, field="name") from None
    return unit


def _update_locked(obj: Any, values: dict[str, Any], actor: Any, action: str) -> Any:
    """Set ``values`` on the locked row of ``obj`` and audit before and after; inside the
    caller's transaction."""
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    before = audit.snapshot(locked)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save()
    audit.record(
        actor, action, obj=locked, area_code=locked.area_id, before=before, after=audit.snapshot(locked)
    )
    return locked


def do_edit_unit(unit: Unit, data: dict[str, Any], *, actor: Any) -> Unit:
    require(actor, EDIT_PARTY, area_code=unit.area_id)
    errors: list[FupinError] = []
    values = _clean(UNIT_FIELDS, data, errors, partial=True)
    if "area" in data:
        values["area"] = _area(actor, EDIT_PARTY, data["area"], "area", errors)
    _raise(errors)
    try:
        with transaction.atomic():
            locked = _update_locked(unit, values, actor, "party.edit_unit")
    except IntegrityError:
        raise FupinError(PartyError.UNIT_NAME_TAKEN, field="name") from None
    return locked


# --- organisations -------------------------------------------------------------------------


def _villages(actor: Any, raw: Any, errors: list[FupinError]) -> list[Area]:
    """The villages a joint party committee covers: each inside the actor's area, a village."""
    codes = [raw] if isinstance(raw, str) else list(raw or [])
    found: dict[str, Area] = {}
    for item in codes:
        code = item.code if isinstance(item, Area) else str(item or "").strip()
        if not code or code in found:
            continue
        require(actor, EDIT_PARTY, area_code=code)
        area = Area.objects.filter(code=code).first()
        if area is None or area.level != Level.VILLAGE:
            errors.append(FupinError(PartyError.NOT_A_VILLAGE, field="villages", name=area or code))
            continue
        found[code] = area
    return [found[c] for c in sorted(found)]


def _is_descendant(candidate: Organisation, org: Organisation) -> bool:
    """Whether ``candidate`` lies below ``org`` (or is it): walking up from ``candidate``."""
    seen: set[int] = set()
    pk: int | None = candidate.pk
    while pk is not None and pk not in seen:
        if pk == org.pk:
            return True
        seen.add(pk)
        pk = Organisation.objects.filter(pk=pk).values_list("parent_id", flat=True).first()
    return False


def _org_values(
    actor: Any, data: dict[str, Any], org: Organisation | None
) -> tuple[dict[str, Any], list[Area] | None]:
    """The organisation's new field values and villages (None: villages unchanged), checked
    together: the kind, setting, unit and villages must fit one another."""
    partial = org is not None
    errors: list[FupinError] = []
    values = _clean(ORG_FIELDS, data, errors, partial=partial)
    if "area" in data or not partial:
        values["area"] = _area(actor, EDIT_PARTY, data.get("area"), "area", errors)
    if "parent" in data:
        parent = _visible_org(actor, data["parent"], "parent")
        if parent is not None and org is not None and parent.pk == org.pk:
            errors.append(FupinError(PartyError.PARENT_SELF, field="parent"))
        elif parent is not None and org is not None and _is_descendant(parent, org):
            errors.append(FupinError(PartyError.PARENT_DESCENDANT, field="parent"))
        elif parent is not None and parent.dissolved_on and (org is None or parent.pk != org.parent_id):
            errors.append(FupinError(PartyError.PARENT_DISSOLVED, field="parent"))
        values["parent"] = parent
    if "unit" in data:
        values["unit"] = _visible_unit(actor, data["unit"], "unit")
    villages = _villages(actor, data["villages"], errors) if "villages" in data else None

    def final(name: str, default: Any = None) -> Any:
        if name in values:
            return values[name]
        return getattr(org, name) if org is not None else default

    setting = final("setting")
    unit = final("unit")
    if setting == OrgSetting.UNIT and unit is None:
        errors.append(FupinError(PartyError.UNIT_REQUIRED, field="unit"))
    elif unit is not None and setting and setting not in UNIT_SETTINGS:
        errors.append(FupinError(PartyError.UNIT_NOT_ALLOWED, field="unit"))
    kind = final("kind")
    covered = len(villages) if villages is not None else (org.villages.count() if org is not None else 0)
    if kind == OrgKind.JOINT_COMMITTEE and covered < 2:
        errors.append(FupinError(PartyError.JOINT_NEEDS_VILLAGES, field="villages"))
    elif kind and kind != OrgKind.JOINT_COMMITTEE and covered:
        errors.append(FupinError(PartyError.VILLAGES_ONLY_JOINT, field="villages"))
    _raise(errors)
    return values, villages


def _org_snapshot(org: Organisation) -> dict[str, Any] | None:
    return audit.snapshot(org, extra={"villages": sorted(org.villages.values_list("code", flat=True))})


def do_create_organisation(data: dict[str, Any], *, actor: Any) -> Organisation:
    """A committee, joint committee, general branch or branch, in a village, township,
    relocation community, cooperative, enterprise, along an industry chain or in a unit."""
    require(actor, EDIT_PARTY)
    values, villages = _org_values(actor, data, None)
    org = Organisation(**values)
    try:
        with transaction.atomic():
            org.save(force_insert=True)
            if villages:
                org.villages.set(villages)
            audit.record(
                actor,
                "party.create_organisation",
                obj=org,
                area_code=org.area_id,
                after=_org_snapshot(org),
            )
    except IntegrityError:
        raise FupinError(PartyError.ORG_NAME_TAKEN, field="name") from None
    return org


def do_edit_organisation(org: Organisation, data: dict[str, Any], *, actor: Any) -> Organisation:
    """Change what ``data`` names; fields it leaves out are kept."""
    require(actor, EDIT_PARTY, area_code=org.area_id)
    if org.dissolved_on:
        raise FupinError(PartyError.ORG_DISSOLVED)
    values, villages = _org_values(actor, data, org)
    try:
        with transaction.atomic():
            locked = Organisation.objects.select_for_update().get(pk=org.pk)
            if locked.dissolved_on:
                raise FupinError(PartyError.ORG_DISSOLVED)
            before = _org_snapshot(locked)
            old_area = locked.area_id
            for name, value in values.items():
                setattr(locked, name, value)
            locked.save()
            if villages is not None:
                locked.villages.set(villages)
            if locked.area_id != old_area:
                # Members and ratings carry the organisation's area for scoping; they move with it.
                PartyMember.objects.filter(organisation=locked).update(area_id=locked.area_id)
                Rating.objects.filter(organisation=locked).update(area_id=locked.area_id)
            audit.record(
                actor,
                "party.edit_organisation",
                obj=locked,
                area_code=locked.area_id,
                before=before,
                after=_org_snapshot(locked),
            )
    except IntegrityError:
        raise FupinError(PartyError.ORG_NAME_TAKEN, field="name") from None
    return locked


def do_dissolve_organisation(org: Organisation, dissolved_on: Any = None, *, actor: Any) -> Organisation:
    """The organisation is dissolved (撤销); its active linkages end the same day. One that still
    has lower organisations is refused: they would be left without a higher one."""
    require(actor, EDIT_PARTY, area_code=org.area_id)
    on = _past_date(dissolved_on, "dissolved_on")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=org.pk)
        if locked.dissolved_on:
            raise FupinError(PartyError.ORG_DISSOLVED)
        if locked.founded_on and on < locked.founded_on:
            raise FupinError(PartyError.DISSOLVED_BEFORE_FOUNDED, field="dissolved_on")
        if locked.children.filter(dissolved_on__isnull=True).exists():
            raise FupinError(PartyError.HAS_ACTIVE_CHILDREN)
        before = audit.snapshot(locked)
        ended = []
        for link in Linkage.objects.select_for_update().filter(
            Q(first=locked) | Q(second=locked), ended_on__isnull=True
        ):
            link.ended_on = max(on, link.started_on)
            link.save(update_fields=["ended_on"])
            ended.append(link.pk)
        locked.dissolved_on = on
        locked.save(update_fields=["dissolved_on"])
        audit.record(
            actor,
            "party.dissolve_organisation",
            obj=locked,
            area_code=locked.area_id,
            before=before,
            after=audit.snapshot(locked, extra={"linkages_ended": ended}),
        )
    return locked


# --- linkages (组织联建) --------------------------------------------------------------------


def do_create_linkage(
    first: Organisation, second: Organisation, data: dict[str, Any], *, actor: Any
) -> Linkage:
    """``first`` leads (the strong, or the urban unit's organisation), ``second`` joins. Both
    must lie in the actor's area; one active linkage of a kind between two organisations,
    whichever of them leads."""
    require(actor, EDIT_PARTY, area_code=first.area_id)
    require(actor, EDIT_PARTY, area_code=second.area_id)
    errors: list[FupinError] = []
    values = _clean(LINK_FIELDS, data, errors, partial=False)
    if first.pk == second.pk:
        errors.append(FupinError(PartyError.LINK_SELF, field="second"))
    for org, field in ((first, "first"), (second, "second")):
        if org.dissolved_on:
            errors.append(FupinError(PartyError.ORG_DISSOLVED, field=field))
    if values.get("kind") == LinkKind.URBAN_RURAL and first.unit_id is None:
        errors.append(FupinError(PartyError.URBAN_NEEDS_UNIT, field="first"))
    _raise(errors)
    kind = values["kind"]
    link = Linkage(
        first=first,
        second=second,
        kind=kind,
        started_on=values.get("started_on") or timezone.localdate(),
        note=values.get("note", ""),
    )
    with transaction.atomic():
        # Both rows locked, lower id first, so two people linking the same pair queue up.
        list(Organisation.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk"))
        pair = Q(first=first, second=second) | Q(first=second, second=first)
        if Linkage.objects.filter(pair, kind=kind, ended_on__isnull=True).exists():
            raise FupinError(PartyError.LINK_EXISTS, field="second")
        try:
            with transaction.atomic():
                link.save(force_insert=True)
        except IntegrityError:
            # The database's own guard (one active linkage per pair and kind), for a race the
            # locks above do not cover (SQLite has no row locks).
            raise FupinError(PartyError.LINK_EXISTS, field="second") from None
        audit.record(
            actor,
            "party.create_linkage",
            obj=link,
            area_code=second.area_id,
            after=audit.snapshot(link),
        )
    return link


def do_end_linkage(linkage: Linkage, ended_on: Any = None, *, actor: Any) -> Linkage:
    require(actor, EDIT_PARTY, area_code=linkage.first.area_id)
    require(actor, EDIT_PARTY, area_code=linkage.second.area_id)
    on = _past_date(ended_on, "ended_on")
    with transaction.atomic():
        locked = Linkage.objects.select_for_update().get(pk=linkage.pk)
        if locked.ended_on:
            raise FupinError(PartyError.LINK_ENDED)
        if on < locked.started_on:
            raise FupinError(PartyError.ENDED_BEFORE_STARTED, field="ended_on")
        before = audit.snapshot(locked)
        locked.ended_on = on
        locked.save(update_fields=["ended_on"])
        audit.record(
            actor,
            "party.end_linkage",
            obj=locked,
            area_code=linkage.second.area_id,
            before=before,
            after=audit.snapshot(locked),
        )
    return locked


# --- party members -------------------------------------------------------------------------


def _villager(actor: Any, org: Organisation, raw: Any, exclude: int | None) -> Member | None:
    """The registry member a party record points at: a current member of a household inside
    the organisation's area (or a village a joint committee covers), not already holding a
    current party record."""
    pk = _pk(raw)
    if pk is None:
        return None
    member = Member.objects.select_related("household").filter(pk=pk).first()
    if member is None or not covers(actor, member.household.area_id):
        raise NotFound(field="registry_member")
    places = [org.area, *org.villages.all()]
    if member.left_on or not any(p.contains_code(member.household.area_id) for p in places):
        raise FupinError(PartyError.VILLAGER_OUTSIDE, field="registry_member")
    taken = PartyMember.objects.filter(registry_member=member, status__in=CURRENT_STATUSES)
    if taken.exclude(pk=exclude).exists():
        raise FupinError(PartyError.VILLAGER_TAKEN, field="registry_member")
    return member


def _member_values(
    actor: Any, org: Organisation, data: dict[str, Any], member: PartyMember | None
) -> dict[str, Any]:
    errors: list[FupinError] = []
    given = dict(data)
    villager = None
    if "registry_member" in given:
        try:
            villager = _villager(actor, org, given["registry_member"], member.pk if member else None)
        except NotFound:
            raise  # outside the actor's area: answered like a missing villager, not as a form error
        except FupinError as exc:
            errors.append(exc)
        # The household file already knows the villager's name, gender and year of birth.
        if villager is not None:
            for name, value in (
                ("name", villager.name),
                ("gender", villager.gender),
                ("birth_year", villager.birth_date.year),
            ):
                if _empty(given.get(name)):
                    given[name] = value
    values = _clean(MEMBER_FIELDS, given, errors, partial=member is not None)
    if any(e.field == "registry_member" for e in errors):
        # The name would have come from the villager the form chose; the villager's error says it all.
        errors = [e for e in errors if e.field != "name" or e.code != PartyError.NAME_REQUIRED]
    if "registry_member" in given and not any(e.field == "registry_member" for e in errors):
        values["registry_member"] = villager
    birth_year = values.get("birth_year", member.birth_year if member else None)
    joined_on = values.get("joined_on", member.joined_on if member else None)
    if birth_year and joined_on and joined_on.year < birth_year:
        errors.append(FupinError(PartyError.JOINED_BEFORE_BORN, field="joined_on"))
    _raise(errors)
    return values


def do_add_party_member(org: Organisation, data: dict[str, Any], *, actor: Any) -> PartyMember:
    require(actor, EDIT_PARTY, area_code=org.area_id)
    if org.dissolved_on:
        raise FupinError(PartyError.ORG_DISSOLVED)
    values = _member_values(actor, org, data, None)
    with transaction.atomic():
        member = PartyMember.objects.create(organisation=org, area_id=org.area_id, **values)
        audit.record(
            actor,
            "party.add_member",
            obj=member,
            area_code=member.area_id,
            after=audit.snapshot(member),
        )
    return member


def do_edit_party_member(member: PartyMember, data: dict[str, Any], *, actor: Any) -> PartyMember:
    """Change a member's record: status (transferred out, deceased …), post, joining date."""
    require(actor, EDIT_PARTY, area_code=member.area_id)
    values = _member_values(actor, member.organisation, data, member)
    with transaction.atomic():
        locked = _update_locked(member, values, actor, "party.edit_member")
    return locked


# --- cadres (村干部) ------------------------------------------------------------------------


def _cadre_values(actor: Any, data: dict[str, Any], cadre: Cadre | None) -> dict[str, Any]:
    errors: list[FupinError] = []
    values = _clean(CADRE_FIELDS, data, errors, partial=cadre is not None)
    if "area" in data or cadre is None:
        values["area"] = _area(actor, EDIT_PARTY, data.get("area"), "area", errors)
    if "unit" in data:
        values["unit"] = _visible_unit(actor, data["unit"], "unit")
    # A reserve cadre's post (后备干部) is the reserve flag, whatever the form said.
    if values.get("post") == CadrePost.RESERVE:
        values["reserve"] = True
    _raise(errors)
    return values


def do_add_cadre(data: dict[str, Any], *, actor: Any) -> Cadre:
    require(actor, EDIT_PARTY)
    values = _cadre_values(actor, data, None)
    with transaction.atomic():
        cadre = Cadre.objects.create(**values)
        audit.record(
            actor, "party.add_cadre", obj=cadre, area_code=cadre.area_id, after=audit.snapshot(cadre)
        )
    return cadre


def do_edit_cadre(cadre: Cadre, data: dict[str, Any], *, actor: Any) -> Cadre:
    """Change a cadre's profile; ``left_on`` records that the cadre left the post."""
    require(actor, EDIT_PARTY, area_code=cadre.area_id)
    values = _cadre_values(actor, data, cadre)
    with transaction.atomic():
        locked = _update_locked(cadre, values, actor, "party.edit_cadre")
    return locked


# --- ratings (五星党组织, 三分类) -------------------------------------------------------------


def _stars(raw: Any) -> int:
    try:
        stars = int(str(raw).strip())
    except ValueError:
        raise FupinError(PartyError.STARS_RANGE, field="stars") from None
    if not 0 <= stars <= 5:
        raise FupinError(PartyError.STARS_RANGE, field="stars")
    return stars


def do_rate_organisation(org: Organisation, data: dict[str, Any], *, actor: Any) -> Rating:
    """The organisation's rating for a year: stars, class, and whether it is weak and lax
    (软弱涣散, which needs its rectification measures). Rating a year again replaces that
    year's rating; the audit entry keeps what it was."""
    require(actor, RATE_PARTY, area_code=org.area_id)
    errors: list[FupinError] = []
    values = _clean(RATING_FIELDS, data, errors, partial=False)
    if _empty(data.get("stars")):
        errors.append(FupinError(PartyError.STARS_RANGE, field="stars"))
    else:
        try:
            values["stars"] = _stars(data["stars"])
        except FupinError as exc:
            errors.append(exc)
    values.setdefault("weak", False)
    values.setdefault("rectification", "")
    if values["weak"] and not values["rectification"]:
        errors.append(FupinError(PartyError.WEAK_NEEDS_RECTIFICATION, field="rectification"))
    year = values.get("year")
    if year and (
        (org.founded_on and org.founded_on.year > year) or (org.dissolved_on and org.dissolved_on.year < year)
    ):
        errors.append(FupinError(PartyError.NOT_IN_YEAR, field="year", year=year))
    _raise(errors)
    fields = {k: values[k] for k in ("stars", "rating_class", "weak", "rectification")}
    try:
        with transaction.atomic():
            # The organisation's row is the lock two raters of it queue on.
            Organisation.objects.select_for_update().get(pk=org.pk)
            rating = Rating.objects.select_for_update().filter(organisation=org, year=year).first()
            before = audit.snapshot(rating)
            if rating is None:
                rating = Rating(organisation=org, area_id=org.area_id, year=year)
            for name, value in fields.items():
                setattr(rating, name, value)
            rating.rated_by = _user(actor)
            with transaction.atomic():
                rating.save()
            audit.record(
                actor,
                "party.rate",
                obj=rating,
                area_code=org.area_id,
                before=before,
                after=audit.snapshot(rating),
            )
    except IntegrityError:
        # Another rater created this year's rating between our read and our insert.
        raise Conflict() from None
    return rating
