from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fupin.registry.exporting import write_template


class Command(BaseCommand):
    help = "Write the blank household import template: households OUT.xlsx"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["households"])
        parser.add_argument("out", type=Path)

    def handle(self, *args: Any, **opts: Any) -> None:
        write_template(opts["out"])
        self.stdout.write(str(opts["out"]))
