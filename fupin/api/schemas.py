"""The shapes of the areas and household-file API: what a client sends and what it gets back.

Input schemas check only types; the household file's own rules (ID number checksum, causes,
amounts, years) stay in ``registry.actions``, so the API, the pages and the imports refuse the
same things with the same error codes. Personal data leaves only masked: a member's full ID
number has its own audited endpoint.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from fupin.accounts.models import User
from fupin.accounts.permissions import ROLE_PERMISSIONS, Role
from fupin.areas.models import Level
from fupin.registry import choices as c
from fupin.registry.models import Household, HouseholdCondition, IncomeRecord, Member, StatusChange


def _blank_is_none(value: Any) -> Any:
    # The file stores an unset choice as "", a client may send "" or null: both mean "not set".
    return None if value == "" else value


BLANK = BeforeValidator(_blank_is_none)


def _drop_default(schema: dict[str, Any]) -> None:
    # An omitted input keeps its value (PATCH) or takes the file's default (POST); the None
    # below only marks it omitted and would mislead a reader of the OpenAPI document.
    schema.pop("default", None)


def optional(description: str, **kwargs: Any) -> Any:
    """An input field a client may leave out."""
    return Field(None, description=description, json_schema_extra=_drop_default, **kwargs)


# --- errors --------------------------------------------------------------------------------


class FieldError(Schema):
    code: str = Field(description="Stable error code, e.g. ID_CHECKSUM.")
    message: str = Field(description="Human-readable message in the request's language.")
    field: str | None = Field(description="The input field at fault, if one is.")


class ErrorOut(Schema):
    """Every error of the API: 400 a rule of the household file, 401 no valid token, 403 the
    role may not do this, 404 missing or outside the caller's area (the two look the same),
    409 someone else changed the record first, 422 the request does not fit the schema."""

    code: str = Field(description="Stable error code: NOT_FOUND, PERMISSION_DENIED, ID_CHECKSUM, …")
    message: str = Field(description="Human-readable message in the request's language.")
    field: str | None = Field(description="The input field at fault, if one is.")
    errors: list[FieldError] | None = Field(
        None, description="All problems found at once, when the input had several."
    )


# --- who am I, areas -----------------------------------------------------------------------


class AreaRef(Schema):
    code: str = Field(description="National statistical division code (12 digits; 15 for a village group).")
    name: str = Field(description="Official name, e.g. 十八洞村.")
    level: Level = Field(
        description="1 province, 2 prefecture, 3 county, 4 township, 5 village, 6 village group."
    )


class MeOut(Schema):
    username: str
    role: Role = Field(description="The caller's role; it decides what the caller may do.")
    role_label: str = Field(description="The role's name in the request's language.")
    area: AreaRef = Field(description="The area the caller is bound to; every request is limited to it.")
    permissions: list[str] = Field(description="Permissions the role holds, e.g. registry.view.")

    @staticmethod
    def resolve_role_label(obj: User) -> str:
        return str(Role(obj.role).label)

    @staticmethod
    def resolve_permissions(obj: User) -> list[str]:
        return sorted(p for p in ROLE_PERMISSIONS.get(obj.role, ()) if obj.can(p))


class AreaCounts(Schema):
    """Households of the area by status, and the people currently in them."""

    households: int = Field(description="All households on file in the area.")
    people: int = Field(description="Current members (those who left are not counted).")
    none: int = Field(description="Ordinary households.")
    poor: int = Field(description="Registered poor households (建档立卡贫困户).")
    exited: int = Field(description="Households that exited poverty.")
    monitored: int = Field(description="Households under monitoring (监测户).")
    eliminated: int = Field(description="Monitored households whose risk was eliminated.")


class ChildArea(AreaRef):
    households: int | None = Field(
        None, description="Households on file; null if the role may not read them."
    )
    poor: int | None = Field(None, description="Registered poor households; null as above.")
    exited: int | None = Field(None, description="Exited households; null as above.")
    monitored: int | None = Field(None, description="Monitored households; null as above.")


class AreaOut(AreaRef):
    parent_code: str | None = Field(description="The parent area's code; null for a province.")
    children: list[ChildArea] = Field(description="The areas one level down, by code.")
    counts: AreaCounts | None = Field(
        description="Counts for the area; null if the role may not read the file."
    )


# --- households: output --------------------------------------------------------------------

CauseOut = Annotated[c.Cause | None, BLANK]


class HouseholdListItem(Schema):
    id: int
    number: str = Field(description="Household number: the village code and a 4-digit sequence.")
    area_code: str = Field(description="The village or village group the household belongs to.")
    head_name: str = Field(description="Head of household (户主).")
    status: c.HouseholdStatus = Field(description="Status in the file; changed only by case workflows.")
    main_cause: CauseOut = Field(description="Main cause of poverty (主要致贫原因), if recorded.")
    member_count: int = Field(description="Current members of the household.")

    @staticmethod
    def resolve_area_code(obj: Household) -> str:
        return obj.area_id


class MemberOut(Schema):
    """A household member. The ID number and phone are masked; see POST /members/{id}/reveal-id."""

    id: int
    household_id: int
    name: str
    gender: c.Gender = Field(description="Taken from the ID number.")
    id_number_masked: str = Field(description="ID number with only the first 6 and last 4 characters shown.")
    birth_date: dt.date = Field(description="Taken from the ID number.")
    relation: c.Relation = Field(description="Relation to the head of household.")
    ethnicity: str
    education: Annotated[c.Education | None, BLANK]
    political_status: Annotated[c.PoliticalStatus | None, BLANK]
    school_status: c.SchoolStatus
    health: c.Health
    labour_capacity: c.LabourCapacity
    migrant_work: c.MigrantWork
    work_months: int = Field(description="Months worked away from home in the year (0-12).")
    medical_insurance: bool
    serious_illness_insurance: bool
    pension_insurance: bool
    dibao: bool = Field(description="Receives the minimum living allowance (低保).")
    phone_masked: str = Field(
        description="Phone with only the first 3 and last 4 digits shown; empty if none."
    )
    left_on: dt.date | None = Field(description="When the member left the household; null while a member.")
    left_reason: str


class IncomeOut(Schema):
    """One year's income (年收入). Amounts in yuan; totals are computed, never typed in."""

    year: int
    household_size: int = Field(description="Current members when the income was recorded.")
    wage: Decimal
    business: Decimal
    property: Decimal
    transfer_family_planning: Decimal
    transfer_dibao: Decimal
    transfer_tekun: Decimal
    transfer_pension: Decimal
    transfer_eco: Decimal
    transfer_other: Decimal
    business_costs: Decimal
    transfer: Decimal = Field(description="Sum of the transfer kinds.")
    total: Decimal = Field(description="Wage + business + property + transfer.")
    per_capita_net: Decimal = Field(description="(Total − business costs) / household size, to the fen.")
    recorded_at: dt.datetime


class ConditionsOut(Schema):
    """One year's check of 两不愁三保障 and safe drinking water."""

    year: int
    food_secure: bool
    clothing_secure: bool
    education_secured: bool
    medical_secured: bool
    housing_secured: bool
    water_secured: bool
    notes: str
    all_met: bool = Field(description="True when every check is met.")
    shortfalls: list[str] = Field(description="The checks not met.")

    @staticmethod
    def resolve_all_met(obj: HouseholdCondition) -> bool:
        return obj.all_met

    @staticmethod
    def resolve_shortfalls(obj: HouseholdCondition) -> list[str]:
        return obj.shortfalls


class StatusChangeOut(Schema):
    from_status: c.HouseholdStatus
    to_status: c.HouseholdStatus
    year: int = Field(description="The year the change counts for.")
    at: dt.datetime = Field(description="When it was recorded.")
    actor: str | None = Field(description="User name of whoever made the change; null for the system.")
    reason: str

    @staticmethod
    def resolve_actor(obj: StatusChange) -> str | None:
        return obj.actor.username if obj.actor else None


class HouseholdOut(Schema):
    """A household with its members, incomes, living-condition checks and status history.
    Phone and bank account are masked."""

    id: int
    number: str = Field(description="Household number: the village code and a 4-digit sequence.")
    area_code: str
    area_name: str
    head_name: str
    status: c.HouseholdStatus
    standard: Annotated[c.Standard | None, BLANK]
    household_type: Annotated[c.HouseholdType | None, BLANK]
    main_cause: CauseOut
    other_causes: list[c.Cause] = Field(description="Up to two other causes of poverty.")
    registered_year: int | None
    exit_year: int | None
    phone_masked: str
    bank_name: str
    bank_account_masked: str
    family_planning: bool
    military_family: bool
    cultivated_land_mu: Decimal | None
    irrigated_land_mu: Decimal | None
    forest_land_mu: Decimal | None
    returned_farmland_mu: Decimal | None
    orchard_mu: Decimal | None
    pasture_mu: Decimal | None
    water_surface_mu: Decimal | None
    in_cooperative: bool
    production_power: bool
    living_power: bool
    road_distance_km: Decimal | None
    road_type: Annotated[c.RoadType | None, BLANK]
    housing_area_m2: Decimal | None
    housing_structure: Annotated[c.HousingStructure | None, BLANK]
    housing_built_year: int | None
    dangerous_house: bool
    water_difficult: bool
    water_safe: bool
    fuel_type: Annotated[c.FuelType | None, BLANK]
    sanitary_toilet: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    members: list[MemberOut] = Field(description="Current and former members, in the order they were added.")
    incomes: list[IncomeOut] = Field(description="Income by year, newest first.")
    conditions: list[ConditionsOut] = Field(description="Living-condition checks by year, newest first.")
    status_history: list[StatusChangeOut] = Field(description="Status changes, oldest first.")

    @staticmethod
    def resolve_area_code(obj: Household) -> str:
        return obj.area_id

    @staticmethod
    def resolve_area_name(obj: Household) -> str:
        return obj.area.name

    @staticmethod
    def resolve_members(obj: Household) -> list[Member]:
        return list(obj.members.all())

    @staticmethod
    def resolve_incomes(obj: Household) -> list[IncomeRecord]:
        return list(obj.incomes.all())

    @staticmethod
    def resolve_conditions(obj: Household) -> list[HouseholdCondition]:
        return list(obj.conditions.all())

    @staticmethod
    def resolve_status_history(obj: Household) -> list[StatusChange]:
        return list(obj.status_history.select_related("actor"))


class RevealedIdOut(Schema):
    member_id: int
    id_number: str = Field(description="The full ID number. The reveal is recorded in the audit log.")


# --- households: input ---------------------------------------------------------------------


class HouseholdFieldsIn(Schema):
    """The household's own fields. Every one may be left out: on create it takes the usual
    default, on update it stays as it is. Null or "" clears a value."""

    head_name: str | None = optional(
        "Head of household (户主). Required on create unless a member with relation head is given."
    )
    standard: Annotated[c.Standard | None, BLANK] = optional("Identification standard.")
    household_type: Annotated[c.HouseholdType | None, BLANK] = optional("Household type.")
    main_cause: Annotated[c.Cause | None, BLANK] = optional(
        "Main cause of poverty; a registered or monitored household needs one."
    )
    other_causes: list[c.Cause] | None = optional(
        "At most two other causes, different from each other and from the main cause."
    )
    phone: str | None = optional("Phone: 11 digits starting with 1, or a landline with area code.")
    bank_name: str | None = optional("Bank of the account that receives payments.")
    bank_account: str | None = optional("Account number, digits only; stored encrypted, shown masked.")
    family_planning: bool = optional("Family-planning household (计生户).")
    military_family: bool = optional("Military or martyr family (军烈属).")
    cultivated_land_mu: Decimal | None = optional("Cultivated land in mu.")
    irrigated_land_mu: Decimal | None = optional("Irrigated land in mu.")
    forest_land_mu: Decimal | None = optional("Forest land in mu.")
    returned_farmland_mu: Decimal | None = optional("Farmland returned to forest in mu.")
    orchard_mu: Decimal | None = optional("Orchard in mu.")
    pasture_mu: Decimal | None = optional("Pasture in mu.")
    water_surface_mu: Decimal | None = optional("Water surface in mu.")
    in_cooperative: bool = optional("Member of a farmers' cooperative.")
    production_power: bool = optional("Has power for production.")
    living_power: bool = optional("Has power for living.")
    road_distance_km: Decimal | None = optional("Distance to the main village road in km (at most 9999).")
    road_type: Annotated[c.RoadType | None, BLANK] = optional("Road to the house.")
    housing_area_m2: Decimal | None = optional("Housing area in m².")
    housing_structure: Annotated[c.HousingStructure | None, BLANK] = optional("Housing structure.")
    housing_built_year: int | None = optional("Year the house was built (1800 to this year).")
    dangerous_house: bool = optional("Lives in a dangerous house (危房).")
    water_difficult: bool = optional("Has difficulty getting drinking water.")
    water_safe: bool = optional("Drinking water is safe.")
    fuel_type: Annotated[c.FuelType | None, BLANK] = optional("Main fuel.")
    sanitary_toilet: bool = optional("Has a sanitary toilet.")


class MemberFieldsIn(Schema):
    """A member's fields; on update every one may be left out and stays as it is."""

    name: str | None = optional("Name.")
    relation: c.Relation | None = optional("Relation to the head; a household has one current head.")
    id_number: str | None = optional(
        "Resident ID number (18 characters; a lowercase x is accepted). Checked for its check "
        "digit and a real, past date of birth; gender and birth date are taken from it."
    )
    gender: c.Gender | None = optional("Must match the ID number if given.")
    ethnicity: str | None = optional("Ethnicity, e.g. 苗族.")
    education: Annotated[c.Education | None, BLANK] = optional("Education.")
    political_status: Annotated[c.PoliticalStatus | None, BLANK] = optional("Political status.")
    school_status: c.SchoolStatus | None = optional("School status.")
    health: c.Health | None = optional("Health.")
    labour_capacity: c.LabourCapacity | None = optional("Labour capacity.")
    migrant_work: c.MigrantWork | None = optional("Where the member works away from home.")
    work_months: int | None = optional("Months worked away from home in the year (0-12).")
    medical_insurance: bool = optional("Has basic medical insurance.")
    serious_illness_insurance: bool = optional("Has serious-illness insurance.")
    pension_insurance: bool = optional("Has residents' pension insurance.")
    dibao: bool = optional("Receives the minimum living allowance (低保).")
    phone: str | None = optional("Phone: 11 digits starting with 1, or a landline with area code.")


class MemberIn(MemberFieldsIn):
    """A new member: name, relation and ID number are required."""

    name: str = Field(description="Name.")
    relation: c.Relation = Field(description="Relation to the head; a household has one current head.")
    id_number: str = Field(
        description="Resident ID number (18 characters; a lowercase x is accepted). Checked for its "
        "check digit and a real, past date of birth; gender and birth date are taken from it."
    )


class HouseholdCreateIn(HouseholdFieldsIn):
    """A new household in a village or village group inside the caller's area, optionally with
    its members. All or nothing: if any member is refused, nothing is stored."""

    area_code: str = Field(description="Code of the village or village group.")
    members: list[MemberIn] | None = optional("Members to register with the household.")


class MemberLeaveIn(Schema):
    left_on: dt.date | None = Field(None, description="When the member left; today if left out.")
    reason: str = Field("", description="Why: death, marriage, moving away… (at most 100 characters).")


class IncomeIn(Schema):
    """The whole year's income in yuan (two decimals at most). A kind left out counts as 0;
    the PUT replaces what was recorded for the year."""

    wage: Decimal = Field(Decimal("0"), description="Wage income (工资性收入).")
    business: Decimal = Field(Decimal("0"), description="Business income (生产经营性收入).")
    property: Decimal = Field(Decimal("0"), description="Property income (财产性收入).")
    transfer_family_planning: Decimal = Field(Decimal("0"), description="Family-planning payments.")
    transfer_dibao: Decimal = Field(Decimal("0"), description="Minimum living allowance (低保金).")
    transfer_tekun: Decimal = Field(Decimal("0"), description="Five-guarantee / destitute support.")
    transfer_pension: Decimal = Field(Decimal("0"), description="Pension.")
    transfer_eco: Decimal = Field(Decimal("0"), description="Ecological compensation.")
    transfer_other: Decimal = Field(Decimal("0"), description="Other transfers.")
    business_costs: Decimal = Field(Decimal("0"), description="Business costs (生产经营性支出).")


class ConditionsIn(Schema):
    """The year's whole check of 两不愁三保障 and safe drinking water; the PUT replaces it."""

    food_secure: bool = Field(description="Enough food (不愁吃).")
    clothing_secure: bool = Field(description="Enough clothing (不愁穿).")
    education_secured: bool = Field(description="Compulsory education secured (义务教育有保障).")
    medical_secured: bool = Field(description="Basic medical care secured (基本医疗有保障).")
    housing_secured: bool = Field(description="Safe housing secured (住房安全有保障).")
    water_secured: bool = Field(description="Safe drinking water secured (饮水安全有保障).")
    notes: str = Field("", description="Notes (at most 300 characters).")


# --- list filters --------------------------------------------------------------------------


class HouseholdFilters(Schema):
    area: str | None = Field(
        None, description="Only households in this area (a code inside the caller's area; 404 otherwise)."
    )
    status: c.HouseholdStatus | None = Field(None, description="Only households with this status.")
    q: str | None = Field(None, description="Part of the head's name, or the start of the household number.")
    main_cause: c.Cause | None = Field(None, description="Only households with this main cause.")
