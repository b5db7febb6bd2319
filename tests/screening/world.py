"""Small worlds, one per rule: households a rule must flag, and near misses it must not.

Each builder returns {household id: period} for the alerts its rule must raise, and nothing
else in the world can trip another rule (feed households have no incomes, income households no
feeds), so a test can also check that every other rule stayed silent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fupin.core.access import SYSTEM
from fupin.core.personas import NEIGHBOUR_VILLAGE
from fupin.registry import actions as registry
from fupin.registry.models import Household, Member
from tests.conftest import make_household, new_id_number
from tests.screening.helpers import YEAR, feed, head, income

Expected = dict[int, str]


def member(household: Household, born: dt.date, *, name: str = "石小", female: bool = False) -> Member:
    relation = "daughter" if female else "son"
    data = {"name": name, "relation": relation, "id_number": new_id_number(born, female=female)}
    return registry.do_add_member(household, data, actor=SYSTEM)


def income_below_line() -> Expected:
    low = make_household(members=1)
    income(low, YEAR, 5000)
    low_exited = make_household(NEIGHBOUR_VILLAGE, members=1, status="exited")
    income(low_exited, YEAR, "5999.99")
    at_line = make_household(members=1)
    income(at_line, YEAR, 6000)
    monitored = make_household(members=1, status="monitored")
    income(monitored, YEAR, 3000)
    poor = make_household(members=1, status="poor")
    income(poor, YEAR, 3000)
    last_year_only = make_household(members=1)
    income(last_year_only, YEAR - 1, 4000)
    make_household(members=1)  # no income on file: nothing to compare
    high = make_household(members=1)
    income(high, YEAR, 9000)
    eliminated = make_household(members=1, status="eliminated")
    income(eliminated, YEAR, 4000)
    period = str(YEAR)
    return {low.pk: period, low_exited.pk: period, last_year_only.pk: period, eliminated.pk: period}


def hospital_stay() -> Expected:
    over_supported = make_household(status="exited")
    feed(over_supported, "hospital_stay", amount="6000.01", event_date=dt.date(YEAR, 3, 5))
    at_supported = make_household(status="exited")
    feed(at_supported, "hospital_stay", amount=6000, event_date=dt.date(YEAR, 3, 5))
    ordinary_below = make_household()
    feed(ordinary_below, "hospital_stay", amount=8000, event_date=dt.date(YEAR, 4, 1))
    ordinary_over = make_household(NEIGHBOUR_VILLAGE)
    feed(ordinary_over, "hospital_stay", amount="10000.50", event_date=dt.date(YEAR, 7, 1))
    twice = make_household(status="monitored")
    feed(twice, "hospital_stay", amount=7000, event_date=dt.date(YEAR, 3, 2))
    feed(twice, "hospital_stay", amount=9000, event_date=dt.date(YEAR, 3, 20), member=twice.members.last())
    undated = make_household(status="poor")
    feed(undated, "hospital_stay", amount=6500)
    last_year = make_household(status="exited")
    feed(last_year, "hospital_stay", amount=9000, event_date=dt.date(YEAR - 1, 6, 1), year=YEAR - 1)
    return {
        over_supported.pk: f"{YEAR}-03",
        ordinary_over.pk: f"{YEAR}-07",
        twice.pk: f"{YEAR}-03",
        undated.pk: str(YEAR),
    }


def yearly_medical() -> Expected:
    # 50% of the default 21,691 yuan is 10,845.50.
    two_people = make_household(members=2)
    feed(two_people, "yearly_oop", amount=6000)
    feed(two_people, "yearly_oop", amount=5000, member=two_people.members.exclude(relation="head").get())
    at_limit = make_household()
    feed(at_limit, "yearly_oop", amount="10845.50")
    just_over = make_household()
    feed(just_over, "yearly_oop", amount="10845.51")
    return {two_people.pk: str(YEAR), just_over.pk: str(YEAR)}


def dropout() -> Expected:
    pupil = make_household(members=2)
    feed(pupil, "dropout", member=pupil.members.exclude(relation="head").get())
    other_news = make_household()
    feed(other_news, "unemployment")
    return {pupil.pk: str(YEAR)}


def house_unsafe() -> Expected:
    c_rated = make_household()
    feed(c_rated, "house_rating", code="C")
    d_lower = make_household()
    feed(d_lower, "house_rating", code=" d")
    b_rated = make_household()
    feed(b_rated, "house_rating", code="B")
    return {c_rated.pk: str(YEAR), d_lower.pk: str(YEAR)}


def new_disability() -> Expected:
    new = make_household()
    feed(new, "disability", code="2")
    known = make_household()
    registry.do_update_member(head(known), {"health": "disabled"}, actor=SYSTEM)
    feed(known, "disability", code="2")
    return {new.pk: str(YEAR)}


def working_age_death() -> Expected:
    forty_three = make_household(members=1)  # the head was born 1980-05-17
    feed(forty_three, "death", event_date=dt.date(YEAR, 3, 1))
    fifty_nine = make_household(members=1)
    feed(fifty_nine, "death", member=member(fifty_nine, dt.date(1964, 6, 1)), event_date=dt.date(YEAR, 5, 31))
    sixty = make_household(members=1)
    feed(sixty, "death", member=member(sixty, dt.date(1964, 5, 31)), event_date=dt.date(YEAR, 5, 31))
    child = make_household(members=1)
    feed(child, "death", member=member(child, dt.date(2010, 1, 1)), event_date=dt.date(YEAR, 2, 1))
    moved_out = make_household(members=1)
    gone = member(moved_out, dt.date(1990, 1, 1))
    registry.do_remove_member(gone, left_on=dt.date(YEAR - 1, 12, 1), reason="婚出", actor=SYSTEM)
    feed(moved_out, "death", member=gone, event_date=dt.date(YEAR, 2, 1))
    undated = make_household(members=1)
    # Without a date the death counts at mid-year: 16 on 1 July.
    feed(undated, "death", member=member(undated, dt.date(YEAR - 16, 1, 1)))
    return {forty_three.pk: str(YEAR), fifty_nine.pk: str(YEAR), undated.pk: str(YEAR)}


def disaster_loss() -> Expected:
    flooded = make_household()
    feed(flooded, "disaster_loss", amount=6000)
    feed(flooded, "disaster_loss", amount=5000)
    at_limit = make_household()
    feed(at_limit, "disaster_loss", amount=10000)
    return {flooded.pk: str(YEAR)}


def income_drop() -> Expected:
    fell = make_household(members=1)
    income(fell, YEAR - 1, 10000)
    income(fell, YEAR, 6900)
    exactly_thirty = make_household(members=1)
    income(exactly_thirty, YEAR - 1, 10000)
    income(exactly_thirty, YEAR, 7000)
    small_fall = make_household(members=1)
    income(small_fall, YEAR - 1, 10000)
    income(small_fall, YEAR, 8000)
    return {fell.pk: str(YEAR)}


BUILDERS: dict[str, Callable[[], Expected]] = {
    "income_below_line": income_below_line,
    "hospital_stay": hospital_stay,
    "yearly_medical": yearly_medical,
    "dropout": dropout,
    "house_unsafe": house_unsafe,
    "new_disability": new_disability,
    "working_age_death": working_age_death,
    "disaster_loss": disaster_loss,
    "income_drop": income_drop,
}
