from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.areas.models import Area, full_code
from fupin.core.access import SYSTEM
from fupin.core.jobs import create_job
from fupin.registry import tasks
from fupin.registry.importing import ImportRefused, check_file


class Command(BaseCommand):
    help = "Import households, members and incomes from a spreadsheet: households FILE --area CODE"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["households"])
        parser.add_argument("file", type=Path)
        parser.add_argument("--area", required=True, help="the area the rows must lie in (a code)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        area = Area.objects.filter(code=full_code(opts["area"])).first()
        if area is None:
            raise CommandError(f"unknown area code {opts['area']}")
        try:
            check_file(path)
        except ImportRefused as exc:
            raise CommandError(exc.message) from None
        # The file is imported where it lies; the job row keeps the record and the error sheet.
        job = create_job(
            tasks.IMPORT_KIND,
            actor=SYSTEM,
            area_code=area.code,
            params={"path": str(path.resolve()), "filename": path.name},
            start=False,
        )
        started = time.perf_counter()
        quiet = opts["quiet"]

        def bar(done: int, total: int) -> None:
            if quiet or not total:
                return
            width = 30
            filled = width * done // total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

        job = tasks.run_now(job, tasks.run_import, on_progress=bar)
        if not quiet:
            sys.stderr.write("\n")
        result = job.result
        seconds = time.perf_counter() - started
        self.stdout.write(job.message)
        self.stdout.write(
            f"rows={result['rows']} good={result['good']} bad={result['bad']} "
            f"households_created={result['households_created']} "
            f"households_updated={result['households_updated']} "
            f"members_created={result['members_created']} members_updated={result['members_updated']} "
            f"unchanged={result['unchanged']} households_refused={result.get('households_refused', 0)} "
            f"cells_not_read={result.get('cells_not_read', 0)} seconds={seconds:.1f} job={job.pk}"
        )
        # Each sheet and column the import passed over, so nothing is dropped without a word.
        for item in result.get("not_read", []):
            place = item["sheet"] + (f"!{item['where']}" if item["where"] else "")
            header = f" {item['header']}" if item["header"] else ""
            cells = f" ({item['cells']})" if item["cells"] else ""
            self.stdout.write(f"not read: {place}{header}{cells}: {item['reason']}")
        if result.get("error_file"):
            self.stdout.write(f"errors: {tasks.error_path(job.pk)}")
