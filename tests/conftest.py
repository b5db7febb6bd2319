"""Shared fixtures: real division data for two counties, and the fixed personas.

The database is whatever FUPIN_DATABASE_URL names (SQLite or PostgreSQL): nothing is mocked.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.test.utils import override_settings
from pytest_django.plugin import blocking_manager_key

from fupin.accounts.actions import do_create_user
from fupin.accounts.models import User
from fupin.areas.actions import do_load_areas
from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.personas import (
    FULL_NAMES,
    LEADERS,
    OUTSIDERS,
    PERSONAS,
    PROVIDER_DEPARTMENTS,
    REGIONAL_ADMINS,
    VILLAGE,
)
from fupin.feeds.departments import do_set_departments
from fupin.registry import actions as registry
from fupin.registry import idnumber
from fupin.registry.models import Household

# The browser tests' ``phone`` fixture.
pytest_plugins = ["tests.browser"]

PASSWORD = "Test-pass-2024"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    # Hashing cost is irrelevant to what the tests check; the real hasher stays in production.
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        FUPIN_STATS_REFRESH_IN_BACKGROUND=False,
    ):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        do_load_areas("433124")  # 花垣县, the demo county
        do_load_areas("433122")  # 泸溪县, where the outsider works
    yield
    # The live server used by the browser test answers each request in a thread of its own; a
    # connection such a thread left open would stop PostgreSQL from dropping the test database.
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def personas(db: Any) -> dict[str, User]:
    users = {}
    for p in [*PERSONAS, *OUTSIDERS, *LEADERS, *REGIONAL_ADMINS]:
        users[p.username] = do_create_user(
            p.username,
            role=p.role,
            area=Area.objects.get(code=p.area_code),
            password=PASSWORD,
            full_name=FULL_NAMES.get(p.username, ""),
        )
        if p.username in PROVIDER_DEPARTMENTS:
            do_set_departments(users[p.username], PROVIDER_DEPARTMENTS[p.username], actor=SYSTEM)
    return users


@pytest.fixture
def client_for(personas: dict[str, User]) -> Any:
    def make(username: str) -> Client:
        client = Client()
        client.force_login(personas[username])
        return client

    return make


_sequence = itertools.count(1)


def new_id_number(born: dt.date = dt.date(1980, 5, 17), *, female: bool = False) -> str:
    """A valid, unique ID number for the demo county (never a real person's)."""
    while True:
        seq = next(_sequence) % 1000
        if seq % 2 == (0 if female else 1):
            return idnumber.make("433124", born, seq)


def wrong_check_digit(number: str) -> str:
    """The same ID number with a check digit that does not fit: an invalid number for tests."""
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def make_household(
    area_code: str = VILLAGE,
    *,
    members: int = 3,
    status: str = "none",
    head_name: str = "石大哥",
    **fields: Any,
) -> Household:
    area = Area.objects.get(code=area_code)
    people = [{"name": head_name, "relation": "head", "id_number": new_id_number()}]
    people += [
        {
            "name": f"成员{i + 1}",
            "relation": "son" if i % 2 else "daughter",
            "id_number": new_id_number(dt.date(2005, 1, 1 + i), female=not i % 2),
        }
        for i in range(members - 1)
    ]
    data = {"head_name": head_name, "main_cause": "illness", **fields}
    household = registry.do_create_household(area, data, actor=SYSTEM, members=people)
    if status != "none":
        household = registry.do_change_status(household, status, year=2014, reason="test", actor=SYSTEM)
    return household


@pytest.fixture
def household(db: Any) -> Household:
    return make_household()


# --- committing tests ---------------------------------------------------------------------

SKIPPED = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "restores_seeded_rows: reload areas, poverty lines and the monitoring floor after the test"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    if report.skipped:
        item.stash[SKIPPED] = True
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A committing (threaded or browser) test's teardown empties every table; only after it
    (fixtures cannot run that late) reload what the session and the migrations put there."""
    result = yield
    # Not after a skipped test (it emptied nothing, and if it came first the connection would
    # still name the real database), nor after the session's last test (the test database is
    # gone and the connection names the real one again): the real database is never written.
    if (
        item.get_closest_marker("restores_seeded_rows")
        and not item.stash.get(SKIPPED, False)
        and nextitem is not None
    ):
        with item.config.stash[blocking_manager_key].unblock():
            do_load_areas("433124")
            do_load_areas("433122")
            importlib.import_module("fupin.registry.migrations.0002_poverty_line").seed_national_lines(
                apps, None
            )
            importlib.import_module("fupin.screening.migrations.0003_national_floor_2021").seed_floor(
                apps, None
            )
    return result
