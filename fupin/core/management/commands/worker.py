from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fupin.core.jobs import run_queued


class Command(BaseCommand):
    help = "Run queued background jobs; with --once, run what is queued and stop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args: Any, **opts: Any) -> None:
        while True:
            ran = run_queued()
            if ran:
                self.stdout.write(f"ran {ran} job(s)")
            if opts["once"]:
                return
            time.sleep(opts["interval"])
