"""Coded values of the household file (domain.md §1). Enums stay open to new values:
provinces add options (因婚), so codes are stored as short strings, never as integers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdStatus(models.TextChoices):
    NONE = "none", _("ordinary household")
    POOR = "poor", _("registered poor")
    EXITED = "exited", _("exited poverty")
    MONITORED = "monitored", _("monitored")
    RISK_ELIMINATED = "eliminated", _("risk eliminated")


class Standard(models.TextChoices):
    NATIONAL = "national", _("national standard")
    PROVINCIAL = "provincial", _("provincial standard")
    MUNICIPAL = "municipal", _("municipal standard")


class HouseholdType(models.TextChoices):
    GENERAL = "general", _("general poor household")
    DIBAO = "dibao", _("minimum-allowance household")
    WUBAO = "wubao", _("five-guarantee household")
    DIBAO_POOR = "dibao_poor", _("minimum-allowance poor household")
    TEKUN = "tekun", _("destitute-support poor household")


class Cause(models.TextChoices):
    ILLNESS = "illness", _("illness")
    DISABILITY = "disability", _("disability")
    SCHOOLING = "schooling", _("schooling costs")
    DISASTER = "disaster", _("disaster")
    LAND = "land", _("lack of land")
    WATER = "water", _("lack of water")
    SKILLS = "skills", _("lack of skills")
    LABOUR = "labour", _("lack of labour")
    FUNDS = "funds", _("lack of funds")
    TRANSPORT = "transport", _("poor transport")
    MOTIVATION = "motivation", _("lack of motivation")
    MARRIAGE = "marriage", _("marriage")
    OTHER = "other", _("other")


class Gender(models.TextChoices):
    MALE = "m", _("male")
    FEMALE = "f", _("female")


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    SON = "son", _("son")
    DAUGHTER = "daughter", _("daughter")
    DAUGHTER_IN_LAW = "daughter_in_law", _("daughter-in-law")
    SON_IN_LAW = "son_in_law", _("son-in-law")
    GRANDCHILD = "grandchild", _("grandchild")
    PARENT = "parent", _("parent")
    PARENT_IN_LAW = "parent_in_law", _("parent-in-law")
    SIBLING = "sibling", _("sibling")
    OTHER = "other", _("other relation")


class Education(models.TextChoices):
    NONE = "none", _("illiterate or semi-literate")
    PRIMARY = "primary", _("primary school")
    JUNIOR = "junior", _("junior secondary")
    SENIOR = "senior", _("senior secondary")
    VOCATIONAL = "vocational", _("vocational")
    COLLEGE = "college", _("college or above")
    PRESCHOOL = "preschool", _("pre-school")


class PoliticalStatus(models.TextChoices):
    MASSES = "masses", _("ordinary citizen")
    PARTY = "party", _("party member")
    PROBATIONARY = "probationary", _("probationary party member")
    LEAGUE = "league", _("youth league member")


class SchoolStatus(models.TextChoices):
    NOT_IN_SCHOOL = "none", _("not in school")
    PRESCHOOL = "preschool", _("pre-school education")
    PRIMARY = "primary", _("primary school")
    JUNIOR = "junior", _("junior secondary")
    SENIOR = "senior", _("senior secondary")
    VOCATIONAL = "vocational", _("secondary vocational")
    HIGHER_VOCATIONAL = "higher_vocational", _("higher vocational")
    UNIVERSITY = "university", _("university")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("healthy")
    CHRONIC = "chronic", _("long-term chronic illness")
    SERIOUS = "serious", _("serious illness")
    DISABLED = "disabled", _("disabled")


class LabourCapacity(models.TextChoices):
    ORDINARY = "ordinary", _("ordinary labour")
    SKILLED = "skilled", _("skilled labour")
    LOST = "lost", _("lost labour capacity")
    NONE = "none", _("no labour capacity")


class MigrantWork(models.TextChoices):
    NONE = "none", _("not working away")
    IN_TOWNSHIP = "township", _("within the township")
    IN_COUNTY = "county", _("outside the township, within the county")
    IN_PROVINCE = "province", _("outside the county, within the province")
    OUT_OF_PROVINCE = "out", _("outside the province")


class HousingStructure(models.TextChoices):
    CONCRETE = "concrete", _("reinforced concrete")
    BRICK = "brick", _("brick and concrete")
    BRICK_WOOD = "brick_wood", _("brick and wood")
    WOOD = "wood", _("wood")
    EARTH = "earth", _("earth and wood")
    OTHER = "other", _("other structure")


class RoadType(models.TextChoices):
    CEMENT = "cement", _("cement")
    ASPHALT = "asphalt", _("asphalt")
    GRAVEL = "gravel", _("gravel")
    DIRT = "dirt", _("dirt")
    NONE = "none", _("no road")


class FuelType(models.TextChoices):
    FIREWOOD = "firewood", _("firewood")
    COAL = "coal", _("coal")
    GAS = "gas", _("gas")
    ELECTRICITY = "electricity", _("electricity")
    BIOGAS = "biogas", _("biogas")
    OTHER = "other", _("other fuel")


# 防止返贫监测 (domain.md §5): the values a monitoring case records for its household. Kept here,
# beside the household file's other coded values, because they describe the household (the
# national system tags the household with them) and apps above the registry count by them.
class MonitoringCategory(models.TextChoices):
    UNSTABLE = "unstable", _("unstable exited household")  # 脱贫不稳定户: needs a 脱贫户
    EDGE = "edge", _("edge household at risk of poverty")  # 边缘易致贫户: needs a 一般农户
    SUDDEN = "sudden", _("household in sudden severe hardship")  # 突发严重困难户: either


class RiskType(models.TextChoices):
    """致贫/返贫风险 1..5 (partly UNCONFIRMED in domain.md §5, so open to new values like Cause)."""

    ILLNESS = "illness", _("illness")
    SCHOOLING = "schooling", _("schooling costs")
    DISABILITY = "disability", _("disability")
    DISASTER = "disaster", _("disaster")
    ACCIDENT = "accident", _("accident")
    WATER = "water", _("unsafe drinking water")
    HOUSING = "housing", _("unsafe housing")
    EMPLOYMENT = "employment", _("unstable employment")
    INDUSTRY = "industry", _("failed industry project")
    LABOUR = "labour", _("lack of labour")
    OTHER = "other", _("other")


class EliminationWay(models.TextChoices):
    ASSISTED = "assisted", _("eliminated through assistance")  # 帮扶消除
    NATURAL = "natural", _("eliminated naturally")  # 自然消除
