"""The monitoring category on the status history, backfilled from the monitoring cases.

Until now the category lived only on the completed monitoring case, and the statistics applied a
household's latest one to every year. Each inclusion row (a change to monitored) gets the
category of the case that made it: the household's completed monitoring case closed last at or
before the row was written (tagging closes the case and writes the row in one transaction);
failing that, its case of the same year; failing that, none (rows the demo wrote without a case).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations, models

BATCH = 2000


def backfill(apps: Any, schema_editor: Any) -> None:
    Case = apps.get_model("cases", "Case")
    StatusChange = apps.get_model("registry", "StatusChange")
    cases: dict[int, list[tuple[Any, int, str]]] = defaultdict(list)
    for household_id, closed_at, year, category in (
        Case.objects.filter(kind="monitoring", status="completed")
        .exclude(category="")
        .order_by("household_id", "closed_at", "id")
        .values_list("household_id", "closed_at", "year", "category")
    ):
        cases[household_id].append((closed_at, year, category))
    if not cases:
        return
    rows = StatusChange.objects.filter(to_status="monitored", category="", household_id__in=list(cases))
    changed = []
    for row in rows.only("id", "household_id", "at", "year").iterator(chunk_size=BATCH):
        own = cases[row.household_id]
        before = [c for c in own if c[0] is not None and row.at is not None and c[0] <= row.at]
        same_year = [c for c in own if c[1] == row.year]
        chosen = before[-1] if before else (same_year[-1] if same_year else None)
        if chosen is not None:
            row.category = chosen[2]
            changed.append(row)
    StatusChange.objects.bulk_update(changed, ["category"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_poverty_line"),
        ("cases", "0002_monitoring"),
    ]

    operations = [
        migrations.AddField(
            model_name="statuschange",
            name="category",
            field=models.CharField(
                blank=True,
                choices=[
                    ("unstable", "unstable exited household"),
                    ("edge", "edge household at risk of poverty"),
                    ("sudden", "household in sudden severe hardship"),
                ],
                max_length=10,
                verbose_name="monitoring category",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
