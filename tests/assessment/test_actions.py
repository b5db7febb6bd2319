"""Recording populations, sampling results and settings: validated, scoped, audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fupin.areas.models import Area
from fupin.assessment import actions
from fupin.assessment.models import AreaPopulation, AssessmentSetting, CountySampling
from fupin.core.errors import FupinError, NotFound, PermissionDenied, ValidationFailed
from fupin.core.models import AuditEntry
from fupin.core.personas import COUNTY, OTHER_COUNTY, TOWNSHIP, VILLAGE
from tests.assessment.helpers import GOOD_SAMPLE, YEAR


def county() -> Area:
    return Area.objects.get(code=COUNTY)


def fields_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field or "": e.code.name for e in exc.value.errors}


def test_the_county_admin_records_a_sample_and_it_is_audited(personas: dict[str, Any]) -> None:
    admin = personas["county_admin"]
    row = actions.do_record_sampling(county(), GOOD_SAMPLE, actor=admin)
    assert (row.sampled_exited, row.wrongly_exited, row.approving_households) == (1000, 5, 480)
    assert row.recorded_by == admin
    entry = AuditEntry.objects.get(action="assessment.record_sampling")
    assert entry.actor == admin and entry.area_code == COUNTY
    assert entry.before is None and entry.after["wrongly_exited"] == 5


def test_recording_the_same_year_again_replaces_it_and_keeps_the_old_values_in_the_log(
    personas: dict[str, Any],
) -> None:
    admin = personas["county_admin"]
    actions.do_record_sampling(county(), GOOD_SAMPLE, actor=admin)
    actions.do_record_sampling(county(), {**GOOD_SAMPLE, "wrongly_exited": "7"}, actor=admin)
    assert CountySampling.objects.get().wrongly_exited == 7
    last = AuditEntry.objects.filter(action="assessment.record_sampling").first()
    assert last.before["wrongly_exited"] == 5 and last.after["wrongly_exited"] == 7


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"wrongly_exited": "-1"}, {"wrongly_exited": "BAD_COUNT"}),
        ({"sampled_exited": "abc"}, {"sampled_exited": "BAD_COUNT"}),
        ({"missed_poor": "2.5"}, {"missed_poor": "BAD_COUNT"}),
        ({"surveyed_households": ""}, {"surveyed_households": "BAD_COUNT"}),
        ({"wrongly_exited": "1001"}, {"wrongly_exited": "PART_EXCEEDS_WHOLE"}),
        ({"missed_poor": "2001"}, {"missed_poor": "PART_EXCEEDS_WHOLE"}),
        ({"approving_households": "501"}, {"approving_households": "PART_EXCEEDS_WHOLE"}),
        ({"year": "1999"}, {"year": "BAD_YEAR"}),
        ({"notes": "长" * 301}, {"notes": "TOO_LONG"}),
        (
            {"wrongly_exited": "-3", "approving_households": "600", "year": "x"},
            {"wrongly_exited": "BAD_COUNT", "approving_households": "PART_EXCEEDS_WHOLE", "year": "BAD_YEAR"},
        ),
    ],
)
def test_bad_sampling_input_is_refused_field_by_field_and_nothing_is_stored(
    personas: dict[str, Any], changes: dict[str, str], expected: dict[str, str]
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        actions.do_record_sampling(county(), {**GOOD_SAMPLE, **changes}, actor=personas["county_admin"])
    assert fields_of(exc) == expected
    assert not CountySampling.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="assessment.").exists()


def test_parts_equal_to_wholes_and_zeros_are_accepted(personas: dict[str, Any]) -> None:
    data = {**GOOD_SAMPLE, "wrongly_exited": 1000, "missed_poor": 0, "approving_households": 500}
    assert actions.do_record_sampling(county(), data, actor=personas["county_admin"]).pk


def test_sampling_belongs_to_a_county(personas: dict[str, Any]) -> None:
    with pytest.raises(FupinError) as exc:
        actions.do_record_sampling(
            Area.objects.get(code=VILLAGE), GOOD_SAMPLE, actor=personas["county_admin"]
        )
    assert exc.value.code.name == "NOT_COUNTY"


@pytest.mark.parametrize("persona", ["township_officer", "org_dept", "supervisor", "village_clerk"])
def test_other_roles_may_not_record(persona: str, personas: dict[str, Any]) -> None:
    area = Area.objects.get(code=personas[persona].area_id)
    with pytest.raises((PermissionDenied, NotFound)):
        actions.do_record_sampling(county(), GOOD_SAMPLE, actor=personas[persona])
    with pytest.raises(PermissionDenied):
        actions.do_record_population(
            area, {"year": YEAR, "agricultural_registered": 5, "source": "x"}, actor=personas[persona]
        )
    assert not AreaPopulation.objects.exists() and not CountySampling.objects.exists()


def test_another_county_is_not_found(personas: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        actions.do_record_sampling(
            Area.objects.get(code=OTHER_COUNTY), GOOD_SAMPLE, actor=personas["county_admin"]
        )


def test_a_population_needs_a_positive_figure_and_a_source(personas: dict[str, Any]) -> None:
    admin = personas["county_admin"]
    village = Area.objects.get(code=VILLAGE)
    with pytest.raises(ValidationFailed) as exc:
        actions.do_record_population(village, {"year": YEAR, "source": ""}, actor=admin)
    assert fields_of(exc) == {"agricultural_registered": "NO_FIGURE", "source": "SOURCE_REQUIRED"}
    with pytest.raises(ValidationFailed) as exc:
        actions.do_record_population(
            village,
            {"year": YEAR, "agricultural_registered": "0", "rural_resident": "-5", "source": "x"},
            actor=admin,
        )
    assert fields_of(exc) == {"agricultural_registered": "BAD_POPULATION", "rural_resident": "BAD_POPULATION"}
    assert not AreaPopulation.objects.exists()
    row = actions.do_record_population(
        village, {"year": YEAR, "agricultural_registered": "1,234", "source": "户籍统计"}, actor=admin
    )
    assert (row.agricultural_registered, row.rural_resident, row.recorded_by) == (1234, None, admin)
    assert AuditEntry.objects.filter(action="assessment.record_population", area_code=VILLAGE).count() == 1


def test_a_population_is_kept_for_a_village_township_or_county(personas: dict[str, Any]) -> None:
    admin = personas["county_admin"]
    data = {"year": YEAR, "agricultural_registered": 900, "source": "x"}
    for code in (VILLAGE, TOWNSHIP, COUNTY):
        actions.do_record_population(Area.objects.get(code=code), data, actor=admin)
    with pytest.raises(NotFound):  # the prefecture lies above the county admin's area
        actions.do_record_population(Area.objects.get(code="433100000000"), data, actor=admin)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"incidence_max": "101"}, {"incidence_max": "BAD_PERCENT"}),
        ({"wrong_exit_max": "-1"}, {"wrong_exit_max": "BAD_PERCENT"}),
        ({"approval_min": "abc"}, {"approval_min": "BAD_PERCENT"}),
        ({"missed_poor_max": "1.234"}, {"missed_poor_max": "BAD_PERCENT"}),
        ({"denominator_kind": "everyone"}, {"denominator_kind": "UNKNOWN_KIND"}),
    ],
)
def test_bad_settings_are_refused(
    personas: dict[str, Any], data: dict[str, str], expected: dict[str, str]
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        actions.do_set_assessment_setting(county(), data, actor=personas["county_admin"])
    assert fields_of(exc) == expected
    assert not AssessmentSetting.objects.exists()


def test_a_setting_is_stored_and_blank_means_inherit(personas: dict[str, Any]) -> None:
    admin = personas["county_admin"]
    row = actions.do_set_assessment_setting(
        county(), {"incidence_max": "3%", "approval_min": ""}, actor=admin
    )
    assert row.incidence_max == Decimal("3")
    assert row.approval_min is None and row.denominator_kind == ""
    assert AuditEntry.objects.filter(action="assessment.set_setting").count() == 1
