"""API for screening (部门筛查预警): the rules as they apply to the caller, the runs, and
starting one.

Thin like the rest: reads go through ``screening.queries`` (runs outside the caller's area
answer 404 like missing ones), writes through ``screening.actions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from fupin.accounts.models import User
from fupin.accounts.permissions import VIEW_ALERTS
from fupin.api.schemas import ErrorOut
from fupin.areas.queries import access_area_by_code
from fupin.core.access import require
from fupin.core.errors import NotFound
from fupin.screening import actions
from fupin.screening.models import ScreeningRun
from fupin.screening.queries import access_run_by_id, effective_settings, runs_for, threshold_for
from fupin.screening.rules import RULES

router = Router(tags=["screening"])

RunId = Annotated[int, Path(description="The run's id.")]
READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 409: ErrorOut, **READ_ERRORS}
RUNS_LISTED = 100


def _caller(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


class ParamOut(Schema):
    name: str
    label: str = Field(description="The parameter's name in Chinese.")
    unit: str
    value: str = Field(description="The value that applies (decimal as text).")
    default: str
    minimum: str
    maximum: str


class ScreeningRuleOut(Schema):
    key: str = Field(description="The rule's key, as alerts carry it in `rule`.")
    label: str
    description: str
    enabled: bool
    params: list[ParamOut]
    set_in: str | None = Field(description="The area whose setting applies; null for the defaults.")
    effective_from: int | None = Field(description="The year that setting applies from.")
    sql: str = Field(description="The rule's text, run unchanged by DuckDB and Spark.")


class ThresholdOut(Schema):
    year: int
    province: str
    amount: str | None = Field(description="The monitoring threshold applied (yuan per person per year).")
    national_floor: str | None
    province_line: str | None


class RulesOut(Schema):
    year: int
    area_code: str
    threshold: ThresholdOut
    rules: list[ScreeningRuleOut]


class RunOut(Schema):
    id: int
    area_code: str
    year: int
    engine: str
    status: str = Field(description="queued, running, done or failed (the run's job).")
    job_id: int | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    found: dict[str, int] = Field(description="Alerts found per rule.")
    total_found: int
    new_alerts: int
    seconds: float | None


class RunIn(Schema):
    area_code: str | None = Field(None, description="The area to screen; the caller's own if left out.")
    year: int | None = Field(None, description="The screening year; this year if left out.")
    engine: str = Field("duckdb", description="duckdb (default) or spark.")


class RulesQuery(Schema):
    year: int | None = Field(None, description="The year; this year if left out.")
    area: str | None = Field(
        None,
        description="The area whose rules to show, inside the caller's; the caller's own if left out.",
    )


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:f}"


def _run(run: ScreeningRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "area_code": run.area_code,
        "year": run.year,
        "engine": run.engine,
        "status": run.job.status if run.job else "done",
        "job_id": run.job_id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "found": run.found or {},
        "total_found": run.total_found,
        "new_alerts": run.new_alerts,
        "seconds": run.seconds,
    }


@router.get("/screening/rules", response={200: RulesOut, **READ_ERRORS}, summary="Rules and threshold")
def list_rules(request: HttpRequest, query: Query[RulesQuery]) -> dict[str, Any]:
    """Every rule with the parameters that apply in the area (the caller's own unless `area`
    names one inside it) in the year, and the monitoring threshold of its province."""
    user = _caller(request)
    require(user, VIEW_ALERTS)
    year = query.year or timezone.localdate().year
    code = user.area.code
    if query.area:
        try:
            code = access_area_by_code(user, query.area).code
        except NotFound as exc:
            exc.field = "area"
            raise
    settings = effective_settings([code], year)
    threshold = threshold_for(code, year)
    rules = []
    for rule in RULES:
        effective = settings[(code, rule.key)]
        rules.append(
            {
                "key": rule.key,
                "label": rule.label,
                "description": rule.description,
                "enabled": effective.enabled,
                "params": [
                    {
                        "name": p.name,
                        "label": p.label,
                        "unit": p.unit,
                        "value": f"{effective.params[p.name]:f}",
                        "default": f"{p.default:f}",
                        "minimum": f"{p.minimum:f}",
                        "maximum": f"{p.maximum:f}",
                    }
                    for p in rule.params
                ],
                "set_in": effective.source_area,
                "effective_from": effective.setting.year if effective.setting else None,
                "sql": rule.sql.strip(),
            }
        )
    return {
        "year": year,
        "area_code": code,
        "threshold": {
            "year": year,
            "province": threshold.province,
            "amount": _money(threshold.amount),
            "national_floor": _money(threshold.floor.amount if threshold.floor else None),
            "province_line": _money(threshold.own.amount if threshold.own else None),
        },
        "rules": rules,
    }


@router.get("/screening/runs", response={200: list[RunOut], **READ_ERRORS}, summary="List runs")
def list_runs(request: HttpRequest) -> list[dict[str, Any]]:
    """The latest runs of areas inside the caller's, newest first."""
    return [_run(r) for r in runs_for(_caller(request))[:RUNS_LISTED]]


@router.get("/screening/runs/{run_id}", response={200: RunOut, **READ_ERRORS}, summary="One run")
def get_run(request: HttpRequest, run_id: RunId) -> dict[str, Any]:
    """The run with its alerts per rule once it is done; 404 alike for a run that does not
    exist and one of an area outside the caller's."""
    return _run(access_run_by_id(_caller(request), run_id))


@router.post("/screening/runs", response={202: RunOut, **WRITE_ERRORS}, summary="Start a run")
def start_run(request: HttpRequest, payload: RunIn) -> Status[dict[str, Any]]:
    """Queue a screening of the area; poll the run (or its job) until its status is done."""
    user = _caller(request)
    try:
        area = access_area_by_code(user, payload.area_code or user.area.code)
    except NotFound as exc:
        exc.field = "area_code"
        raise
    run = actions.do_start_screening(user, area=area, year=payload.year, engine=payload.engine)
    return Status(202, _run(run))
