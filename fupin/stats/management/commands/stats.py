from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fupin.areas.models import Area, full_code
from fupin.core.errors import FupinError
from fupin.stats.refresh import refresh_area, refresh_marked


class Command(BaseCommand):
    help = "Refresh the indicator snapshots: refresh [--area CODE] [--marked]"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["refresh"])
        parser.add_argument("--area", default="", help="only this area and below (default: every area)")
        parser.add_argument(
            "--marked", action="store_true", help="only the areas changed since the last refresh"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["marked"]:
                result = refresh_marked()
                self.stdout.write(f"refreshed {len(result['areas'])} area(s) for {result['marks']} change(s)")
                return
            area = None
            if opts["area"]:
                area = Area.objects.filter(code=full_code(opts["area"])).first()
                if area is None:
                    raise CommandError(f"no area with code {opts['area']}")
            quiet = opts["verbosity"] < 1
            with tqdm(unit="年", desc="刷新统计", disable=quiet, file=sys.stderr) as bar:

                def step(done: int, total: int, year: str) -> None:
                    bar.total = total
                    bar.set_postfix_str(year)
                    bar.update(done - bar.n)

                result = refresh_area(area, on_progress=step)
        except FupinError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"refreshed {result['rows']} snapshot rows for {result['households']} households, "
            f"years {result['years'][0]}–{result['years'][-1]}, in {result['seconds']} s"
        )
