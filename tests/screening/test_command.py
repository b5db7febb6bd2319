"""`fupin screen`: runs a job with progress and ends by printing alerts per rule and in total;
its sub-commands print and set thresholds and parameters as the operator."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from fupin.alerts.models import Alert
from fupin.core.models import Job
from fupin.screening.models import MonitoringLine, RuleSetting, ScreeningRun
from fupin.screening.rules import RULES
from tests.screening.helpers import YEAR
from tests.screening.world import BUILDERS


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("screen", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_alerts_per_rule_and_in_total(db: Any) -> None:
    expected = {rule: len(build()) for rule, build in BUILDERS.items()}
    out, err = run("--area", "433124", "--year", str(YEAR))
    for rule in RULES:
        assert re.search(
            rf"^  {rule.key} +found={expected[rule.key]} +new={expected[rule.key]} ", out, re.M
        ), out
    total = sum(expected.values())
    assert re.search(rf"^total found={total} new={total} seconds=[\d.]+ run=\d+ job=\d+$", out, re.M)
    # The progress bar went to stderr, and ended at the last step.
    assert "筛查 花垣县" in err and "100%" in err
    job = Job.objects.get(kind="screening.run")
    assert job.status == "done" and job.done == job.total
    assert Alert.objects.count() == total
    again, _ = run("--area", "433124", "--year", str(YEAR), "--quiet")
    assert f"total found={total} new=0 " in again


def test_without_an_area_every_province_with_households_is_screened(db: Any) -> None:
    BUILDERS["dropout"]()
    out, _ = run("--year", str(YEAR), "--quiet")
    assert out.startswith("430000000000 湖南省")
    assert ScreeningRun.objects.get().area_code == "430000000000"


def test_an_unknown_area_is_an_error(db: Any) -> None:
    with pytest.raises(CommandError, match="unknown area code 999999"):
        run("--area", "999999")


def test_the_operator_sets_and_prints_thresholds_and_parameters(db: Any) -> None:
    out, _ = run("set-line", "2025", "6500", "--national", "--source", "test")
    assert out.strip() == "set national 2025: 6500.00"
    run("set-line", str(YEAR), "7000", "--province", "43", "--source", "湘")
    out, _ = run("lines")
    assert out.splitlines()[0].startswith("national      2020    6000.00  CONFIRMED rule, amount derived")
    assert out.splitlines()[1].startswith("national      2021    6000.00  CONFIRMED")
    assert "430000000000  2024    7000.00  湘" in out
    with pytest.raises(CommandError, match="amount"):
        run("set-line", str(YEAR), "5000", "--province", "43", "--source", "湘")

    out, _ = run("set-rule", "income_drop", "--area", "43", "--year", "2022", "--param", "share_pct=25")
    assert "set income_drop 430000000000 from 2022: on" in out
    run("set-rule", "dropout", "--area", "433124", "--year", "2023", "--disable")
    assert RuleSetting.objects.count() == 2
    out, _ = run("--year", str(YEAR), "rules", "--area", "433124")
    assert re.search(r"^income_drop +on +share_pct=25 +\(430000000000 from 2022\)$", out, re.M)
    assert re.search(r"^dropout +off +\(433124000000 from 2023\)$", out, re.M)
    with pytest.raises(CommandError, match="share_pct"):
        run("set-rule", "income_drop", "--area", "43", "--year", "2022", "--param", "share_pct=120")
    assert MonitoringLine.objects.count() == 4  # the two seeded national rows and the two set here
