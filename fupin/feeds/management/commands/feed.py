from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from fupin.accounts.models import User
from fupin.areas.models import Area, full_code
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError
from fupin.feeds import tasks
from fupin.feeds.actions import do_upload_feed
from fupin.feeds.models import FeedBatch, Source
from fupin.feeds.queries import invalid_rows, refusal
from fupin.registry.tasks import run_now


class Command(BaseCommand):
    help = "Receive a department feed from a file: SOURCE FILE --period P --area CODE"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=Source.values, help="the sending department")
        parser.add_argument("file", type=Path, help="a .csv (UTF-8 or GB18030), .xlsx or .xls file")
        parser.add_argument("--period", required=True, help="the year (2024) or month (2024-03) it is about")
        parser.add_argument(
            "--area", required=True, help="the area it is sent for; rows are matched inside it"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument(
            "--user",
            help="send as this provider account (bound to its departments and area), not as the operator",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        area = Area.objects.filter(code=full_code(opts["area"])).first()
        if area is None:
            raise CommandError(f"unknown area code {opts['area']}")
        actor: Any = SYSTEM
        if opts["user"]:
            actor = User.objects.filter(username=opts["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {opts['user']}")
        # Reasons are written in Chinese, as on the pages the departments read.
        with translation.override("zh-hans"):
            try:
                # The operator's own file is read where it lies and left there.
                batch = do_upload_feed(
                    opts["source"],
                    path.resolve(),
                    period=opts["period"],
                    actor=actor,
                    area=area,
                    filename=path.name,
                    delete_file=False,
                    start=False,
                )
            except FupinError as exc:
                raise CommandError(exc.message) from None
            assert batch.job is not None
            started = time.perf_counter()
            quiet = opts["quiet"]

            def bar(done: int, total: int) -> None:
                if quiet or not total:
                    return
                width = 30
                filled = width * min(done, total) // total
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
                sys.stderr.flush()

            run_now(batch.job, tasks.run_feed, on_progress=bar)
            if not quiet:
                sys.stderr.write("\n")
            batch.refresh_from_db()
            self._report(batch, time.perf_counter() - started)

    def _report(self, batch: FeedBatch, seconds: float) -> None:
        self.stdout.write(
            f"batch={batch.pk} status={batch.status} rows={batch.rows_total} matched={batch.rows_matched} "
            f"unmatched={batch.rows_unmatched} invalid={batch.rows_invalid} repeated={batch.rows_repeated} "
            f"seconds={seconds:.1f}"
        )
        if batch.status == FeedBatch.Status.REFUSED:
            raise CommandError(refusal(batch))
        if batch.status == FeedBatch.Status.DUPLICATE:
            self.stdout.write(f"already received as batch {batch.duplicate_of_id}: nothing counted again")
            return
        for entry in invalid_rows(batch):
            for problem in entry["problems"]:
                self.stdout.write(f"row {entry['row']} {problem['label']}: {problem['message']}")
        for key, label in (("unmatched", "unmatched rows"), ("repeated", "already received rows")):
            numbers = batch.report.get(key, [])
            if numbers:
                self.stdout.write(f"{label}: {', '.join(map(str, numbers))}")
