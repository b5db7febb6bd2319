from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.areas.models import Area, full_code
from fupin.core.access import SYSTEM
from fupin.registry.choices import Cause, HouseholdStatus
from fupin.registry.exporting import export_households


class Command(BaseCommand):
    help = "Export the household roster (花名册): households OUT.xlsx --area CODE [--unmasked] [filters]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["households"])
        parser.add_argument("out", type=Path)
        parser.add_argument("--area", required=True)
        parser.add_argument("--unmasked", action="store_true", help="full ID numbers and phones (audited)")
        parser.add_argument("--status", choices=HouseholdStatus.values, default="")
        parser.add_argument("--cause", choices=Cause.values, default="")
        parser.add_argument("--q", default="", help="head's name or household number prefix")

    def handle(self, *args: Any, **opts: Any) -> None:
        area = Area.objects.filter(code=full_code(opts["area"])).first()
        if area is None:
            raise CommandError(f"unknown area code {opts['area']}")
        started = time.perf_counter()
        rows = export_households(
            opts["out"],
            user=SYSTEM,
            area=area,
            q=opts["q"],
            status=opts["status"],
            cause=opts["cause"],
            unmasked=opts["unmasked"],
        )
        seconds = time.perf_counter() - started
        self.stdout.write(f"rows={rows} seconds={seconds:.1f} file={opts['out']}")
