"""Households of the demo county: who lives together, their ages, and what follows from age.

Ages are taken at the demo's reference date (the end of its last income year), so a child at
school, a migrant worker and a pensioner are each the age their status needs, and nobody is born
after the date the ID numbers are checked against.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from fupin.demo import names
from fupin.registry import choices as c

REFERENCE = dt.date(2024, 12, 31)

# Household sizes 1-8: the county's mean is about 3.6 people, 十八洞村's about 4.2 (939 / 225).
SIZES = (1, 2, 3, 4, 5, 6, 7, 8)
SIZE_WEIGHTS = (10, 17, 20, 23, 16, 9, 4, 1)
LARGE_SIZE_WEIGHTS = (5, 12, 17, 25, 21, 12, 6, 2)


@dataclass(slots=True)
class PersonPlan:
    name: str
    gender: str
    born: dt.date
    relation: str
    ethnicity: str
    education: str = ""
    political_status: str = ""
    school_status: str = c.SchoolStatus.NOT_IN_SCHOOL
    health: str = c.Health.HEALTHY
    labour_capacity: str = c.LabourCapacity.NONE
    migrant_work: str = c.MigrantWork.NONE
    work_months: int = 0
    medical_insurance: bool = True
    serious_illness_insurance: bool = True
    pension_insurance: bool = False
    dibao: bool = False
    phone: str = ""
    id_number: str = ""

    @property
    def age(self) -> int:
        return REFERENCE.year - self.born.year

    def age_in(self, year: int) -> int:
        return year - self.born.year

    @property
    def works(self) -> bool:
        return self.labour_capacity in (c.LabourCapacity.ORDINARY, c.LabourCapacity.SKILLED)


@dataclass(slots=True)
class VillageProfile:
    """What makes one village's households alike: its clans, ethnic mix and remoteness."""

    code: str
    clans: list[str]
    ethnic_weights: tuple[float, float, float]  # Miao, Tujia, Han
    remoteness: float  # 0 (by the road) .. 1 (far up the mountain)
    urban: bool


ETHNICITIES = (names.MIAO, names.TUJIA, names.HAN)


def birth_date(rng: random.Random, age: int) -> dt.date:
    year = REFERENCE.year - age
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def phone_number(rng: random.Random) -> str:
    return rng.choice(("139", "138", "137", "150", "151", "152", "158", "187", "188", "199")) + "".join(
        rng.choices("0123456789", k=8)
    )


class _Household:
    """Builds one household's members slot by slot, keeping ages and relations consistent."""

    def __init__(self, rng: random.Random, village: VillageProfile) -> None:
        self.rng = rng
        self.village = village
        self.people: list[PersonPlan] = []

    def ethnicity(self) -> str:
        return self.rng.choices(ETHNICITIES, weights=self.village.ethnic_weights)[0]

    def surname(self, ethnicity: str, avoid: str = "") -> str:
        for _ in range(5):
            if self.rng.random() < 0.6:
                name = self.rng.choice(self.village.clans)
            else:
                name = names.pick_surname(self.rng, ethnicity)
            if name != avoid:
                return name
        return name

    def add(
        self, relation: str, gender: str, age: int, surname: str, ethnicity: str, generation: str = ""
    ) -> PersonPlan:
        born = birth_date(self.rng, max(0, age))
        person = PersonPlan(
            name=surname + names.given_name(self.rng, gender, born.year, generation),
            gender=gender,
            born=born,
            relation=relation,
            ethnicity=ethnicity,
        )
        self.people.append(person)
        return person

    def gender(self) -> str:
        return "m" if self.rng.random() < 0.52 else "f"

    def children(
        self, count: int, parent_age: int, surname: str, ethnicity: str, *, grandchildren: bool = False
    ) -> None:
        """``count`` children of a mother aged ``parent_age``: born when she was 19 to 42."""
        youngest = max(0, parent_age - 42)
        # A grandchild old enough to marry would head a household of its own.
        oldest = min(25 if grandchildren else 60, parent_age - 19)
        if oldest < youngest:
            return
        shared = names.generation_char(self.rng, REFERENCE.year - oldest) if self.rng.random() < 0.5 else ""
        for _ in range(count):
            gender = self.gender()
            relation = c.Relation.GRANDCHILD if grandchildren else _child_relation(gender)
            self.add(
                relation,
                gender,
                self.rng.randint(youngest, oldest),
                surname,
                ethnicity,
                shared if gender == "m" else "",
            )


def _child_relation(gender: str) -> str:
    return c.Relation.SON if gender == "m" else c.Relation.DAUGHTER


def _head_age(rng: random.Random, size: int) -> int:
    if size == 1:
        return int(rng.triangular(25, 86, 72))
    if size == 2:
        return int(rng.triangular(25, 86, 63))
    if size <= 4:
        return int(rng.triangular(26, 80, 44))
    return int(rng.triangular(30, 82, 56))


def compose(rng: random.Random, village: VillageProfile, size: int) -> list[PersonPlan]:
    """The members of one household of ``size`` people, head first."""
    h = _Household(rng, village)
    head_age = _head_age(rng, size)
    head_male = rng.random() < (0.88 if size > 1 else 0.7)
    ethnicity = h.ethnicity()
    surname = h.surname(ethnicity)
    head = h.add(c.Relation.HEAD, "m" if head_male else "f", head_age, surname, ethnicity)
    remaining = size - 1
    spouse_chance = 0.93 if head_age < 65 else 0.72 if head_age < 78 else 0.45
    mother_age = head_age if not head_male else head_age - 2
    family_surname, family_ethnicity = surname, ethnicity
    if remaining and rng.random() < spouse_chance:
        spouse_ethnicity = ethnicity if rng.random() < 0.8 else h.ethnicity()
        gap = rng.randint(0, 5)
        spouse_age = max(20, min(95, head_age - gap if head_male else head_age + gap))
        h.add(
            c.Relation.SPOUSE,
            "f" if head_male else "m",
            spouse_age,
            h.surname(spouse_ethnicity, avoid=surname),
            spouse_ethnicity,
        )
        remaining -= 1
        if head_male:
            mother_age = spouse_age
        else:
            family_surname = h.people[-1].name[0]
            family_ethnicity = ethnicity if spouse_ethnicity == names.HAN else spouse_ethnicity
    if not remaining:
        return h.people
    if head_age >= 50 and remaining >= 2 and mother_age >= 42 and rng.random() < 0.75:
        # Three generations: a married child lives with the head and brings up the grandchildren.
        child_age = rng.randint(20, min(mother_age - 20, 50))
        if rng.random() < 0.12:  # 上门女婿: a daughter stays and her husband moves in
            h.add(c.Relation.DAUGHTER, "f", child_age, family_surname, family_ethnicity)
            in_law = h.ethnicity()
            h.add(
                c.Relation.SON_IN_LAW,
                "m",
                max(20, child_age + rng.randint(0, 4)),
                h.surname(in_law, avoid=family_surname),
                in_law,
            )
            young_mother = child_age
        else:
            h.add(c.Relation.SON, "m", child_age, family_surname, family_ethnicity)
            in_law = family_ethnicity if rng.random() < 0.75 else h.ethnicity()
            young_mother = max(20, child_age - rng.randint(-2, 4))
            h.add(
                c.Relation.DAUGHTER_IN_LAW,
                "f",
                young_mother,
                h.surname(in_law, avoid=family_surname),
                in_law,
            )
        remaining -= 2
        if young_mother >= 19:
            h.children(remaining, young_mother, family_surname, family_ethnicity, grandchildren=True)
        else:
            h.children(remaining, mother_age, family_surname, family_ethnicity)
    else:
        if head_age < 50 and remaining >= 2 and rng.random() < 0.3:
            parent_gender = "f" if rng.random() < 0.6 else "m"
            h.add(
                c.Relation.PARENT,
                parent_gender,
                min(95, head_age + rng.randint(22, 34)),
                head.name[0] if parent_gender == "m" else h.surname(ethnicity, avoid=head.name[0]),
                ethnicity,
            )
            remaining -= 1
        h.children(remaining, mother_age, family_surname, family_ethnicity)
    # Whoever could not be placed as a child (a mother too young or too old) is a sibling.
    while len(h.people) < size:
        h.add(
            c.Relation.SIBLING,
            h.gender(),
            max(16, head_age + rng.randint(-8, 8)),
            head.name[0],
            ethnicity,
        )
    return h.people


# --- attributes that follow from age --------------------------------------------------------


def _adult_education(rng: random.Random, birth_year: int, gender: str) -> str:
    E = c.Education
    if birth_year < 1950:
        table = ((E.NONE, 45), (E.PRIMARY, 45), (E.JUNIOR, 10))
    elif birth_year < 1966:
        table = ((E.NONE, 20), (E.PRIMARY, 50), (E.JUNIOR, 25), (E.SENIOR, 5))
    elif birth_year < 1981:
        table = ((E.NONE, 5), (E.PRIMARY, 35), (E.JUNIOR, 45), (E.SENIOR, 10), (E.VOCATIONAL, 5))
    elif birth_year < 1996:
        table = ((E.PRIMARY, 15), (E.JUNIOR, 55), (E.SENIOR, 15), (E.VOCATIONAL, 10), (E.COLLEGE, 5))
    else:
        table = ((E.JUNIOR, 40), (E.SENIOR, 25), (E.VOCATIONAL, 20), (E.COLLEGE, 15))
    values, weights = zip(*table, strict=True)
    level = rng.choices(values, weights=weights)[0]
    # Older women had less schooling than men of their age.
    if gender == "f" and birth_year < 1975 and level != E.NONE and rng.random() < 0.25:
        level = E.NONE if level == E.PRIMARY else E.PRIMARY
    return str(level)


def _schooling(rng: random.Random, age: int) -> tuple[str, str]:
    """(school status, education) for someone of school age; ("", "") when past it."""
    S, E = c.SchoolStatus, c.Education
    if age < 3:
        return S.NOT_IN_SCHOOL, ""
    if age < 6:
        return (S.PRESCHOOL, E.PRESCHOOL) if rng.random() < 0.85 else (S.NOT_IN_SCHOOL, "")
    if age < 12:
        return S.PRIMARY, E.PRIMARY
    if age < 15:
        return S.JUNIOR, E.JUNIOR
    if age < 18:
        r = rng.random()
        if r < 0.55:
            return S.SENIOR, E.JUNIOR
        if r < 0.85:
            return S.VOCATIONAL, E.JUNIOR
        return S.NOT_IN_SCHOOL, E.JUNIOR
    if age < 23:
        r = rng.random()
        if r < 0.15:
            return S.UNIVERSITY, E.SENIOR
        if r < 0.35:
            return S.HIGHER_VOCATIONAL, E.VOCATIONAL
    return "", ""


def _health(rng: random.Random, age: int) -> str:
    over40 = max(0, age - 40)
    disabled = 0.02 + 0.0012 * over40
    serious = 0.004 + 0.0003 * over40
    chronic = 0.03 + 0.006 * over40
    r = rng.random()
    if r < disabled:
        return c.Health.DISABLED
    if r < disabled + serious:
        return c.Health.SERIOUS
    if r < disabled + serious + chronic:
        return c.Health.CHRONIC
    return c.Health.HEALTHY


def _labour(rng: random.Random, age: int, health: str, in_school: bool) -> str:
    L = c.LabourCapacity
    if age < 16 or in_school or age > 70:
        return L.NONE
    if health == c.Health.SERIOUS or (health == c.Health.DISABLED and rng.random() < 0.75):
        return L.LOST
    if age >= 60:
        return L.NONE if health == c.Health.CHRONIC or rng.random() < 0.4 else L.ORDINARY
    if health == c.Health.CHRONIC and rng.random() < 0.3:
        return L.LOST
    return L.SKILLED if rng.random() < 0.18 else L.ORDINARY


def _migrant(rng: random.Random, age: int) -> tuple[str, int]:
    M = c.MigrantWork
    if age > 55 or rng.random() >= (0.6 if age < 40 else 0.35):
        return M.NONE, 0
    place = rng.choices((M.OUT_OF_PROVINCE, M.IN_PROVINCE, M.IN_COUNTY, M.IN_TOWNSHIP), (55, 20, 15, 10))[0]
    low = 6 if place in (M.OUT_OF_PROVINCE, M.IN_PROVINCE) else 3
    return place, min(12, rng.randint(low, 12) + (1 if rng.random() < 0.3 else 0))


def _political(rng: random.Random, age: int, gender: str) -> str:
    P = c.PoliticalStatus
    if age < 14:
        return ""
    r = rng.random()
    party = (0.09 if gender == "m" else 0.025) if age >= 35 else 0.02
    if age >= 18 and r < party:
        return P.PARTY
    if age >= 18 and r < party + 0.003:
        return P.PROBATIONARY
    if age <= 28 and r < 0.3:
        return P.LEAGUE
    return P.MASSES


def describe(rng: random.Random, person: PersonPlan) -> None:
    """Fill in schooling, health, labour, work away and insurance from age and gender."""
    age = person.age
    school, education = _schooling(rng, age)
    person.school_status = school or c.SchoolStatus.NOT_IN_SCHOOL
    person.education = education or _adult_education(rng, person.born.year, person.gender)
    person.health = _health(rng, age)
    in_school = school not in ("", c.SchoolStatus.NOT_IN_SCHOOL)
    person.labour_capacity = _labour(rng, age, person.health, in_school)
    if person.works:
        person.migrant_work, person.work_months = _migrant(rng, age)
    person.political_status = _political(rng, age, person.gender)
    person.medical_insurance = rng.random() < 0.97
    person.serious_illness_insurance = person.medical_insurance
    person.pension_insurance = age >= 16 and not in_school and rng.random() < 0.88
    if 18 <= age <= 70 and person.relation != c.Relation.HEAD and rng.random() < 0.5:
        person.phone = phone_number(rng)
