"""Case tests reuse the API's token fixtures, and put back what a committing test lost."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.apps import apps
from pytest_django.plugin import blocking_manager_key

from fupin.areas.actions import do_load_areas
from tests.api.conftest import api_as, tokens  # noqa: F401  fixtures, found by name


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "restores_seeded_rows: reload areas and poverty lines after the test")


SKIPPED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    report = yield
    if report.skipped:
        item.stash[SKIPPED] = True
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A committing test's teardown empties every table; only after it (fixtures cannot run
    that late) reload the session's areas and the migration-seeded poverty lines."""
    result = yield
    # A skipped test emptied nothing; and if it was the first database test of the session the
    # connection would still point at the real database, which must never be written here.
    if item.get_closest_marker("restores_seeded_rows") and not item.stash.get(SKIPPED, False):
        with item.config.stash[blocking_manager_key].unblock():
            do_load_areas("433124")
            do_load_areas("433122")
            importlib.import_module("fupin.registry.migrations.0002_poverty_line").seed_national_lines(
                apps, None
            )
    return result
