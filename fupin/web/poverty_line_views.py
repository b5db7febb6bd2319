"""The poverty line table (扶贫标准): national and own-province lines by income year, and the
province bureau's form for its province's line. Thin: read, call the action, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from fupin.accounts.permissions import EDIT_POVERTY_LINES
from fupin.areas.models import Area
from fupin.core.access import owns_setting, require
from fupin.core.errors import FupinError, ValidationFailed
from fupin.registry.models import PovertyLine
from fupin.registry.poverty_lines import do_set_poverty_line, poverty_lines_for_reader, province_scope
from fupin.web.area_views import breadcrumb
from fupin.web.decorators import page

FIELDS = ("income_year", "nominal_line", "work_year", "source")


def _table(lines: list[PovertyLine], province: str) -> list[dict[str, Any]]:
    """One row per income year, newest first, with the line a rule would apply that year.

    The applied line follows ``poverty_line_for``: the province's own line, else the national
    line of the latest year not after it, so the page shows what the case rules use.
    """
    national = {line.income_year: line for line in lines if line.scope == PovertyLine.NATIONAL}
    own = {line.income_year: line for line in lines if line.scope == province}
    rows = []
    for year in sorted(national.keys() | own.keys(), reverse=True):
        fallback = max((y for y in national if y <= year), default=None)
        rows.append(
            {
                "year": year,
                "national": national.get(year),
                "province": own.get(year),
                "applied": own.get(year) or (national[fallback] if fallback is not None else None),
            }
        )
    return rows


@page
def poverty_lines(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    lines = list(poverty_lines_for_reader(user))
    scope = province_scope(user.area.code)
    # Only the province's own bureau edits its line; a county bureau reads it.
    can_edit = owns_setting(user, EDIT_POVERTY_LINES, scope)
    values: dict[str, str] = {name: "" for name in FIELDS}
    errors: dict[str, str] = {}
    status = 400
    if request.method == "POST":
        # Checked before reading the form, so a role without it learns nothing from the answer.
        require(user, EDIT_POVERTY_LINES)
        values = {name: request.POST.get(name, "").strip() for name in FIELDS}
        try:
            do_set_poverty_line(
                user,
                income_year=values["income_year"],
                nominal_line=values["nominal_line"],
                source=values["source"],
                work_year=values["work_year"] or None,
            )
        except ValidationFailed as exc:
            errors = {e.field or "form": e.message for e in exc.errors}
        except FupinError as exc:
            # Forbidden and not found are answered by ``page``; a conflict is shown on the form.
            if exc.status not in (400, 409):
                raise
            errors, status = {exc.field or "form": exc.message}, exc.status
        else:
            return redirect(request.path)
    elif can_edit and request.GET.get("year", "").isdigit():
        # "Correct" on a row fills the form with that year's provincial line.
        current = next(
            (x for x in lines if x.scope == scope and x.income_year == int(request.GET["year"])), None
        )
        if current is not None:
            values = {
                "income_year": str(current.income_year),
                "nominal_line": str(current.nominal_line),
                "work_year": str(current.work_year or ""),
                "source": current.source,
            }
    province = Area.objects.filter(code=scope).first()
    return render(
        request,
        "web/poverty_lines.html",
        {
            "rows": _table(lines, scope),
            "province": province,
            "province_name": province.name if province else scope,
            "can_edit": can_edit,
            "values": values,
            "errors": errors,
            "breadcrumb": breadcrumb(user, user.area),
        },
        status=status if errors else 200,
    )
