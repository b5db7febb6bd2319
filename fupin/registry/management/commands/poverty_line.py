from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.areas.models import Area
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, ValidationFailed
from fupin.registry.models import PovertyLine
from fupin.registry.poverty_lines import do_set_poverty_line, poverty_lines_for_reader


class Command(BaseCommand):
    help = (
        "Print the poverty lines (扶贫标准), or set one: "
        "set YEAR AMOUNT --source TEXT (--national | --province CODE) [--work-year YEAR]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action")
        setter = sub.add_parser("set", help="create or correct the line of one income year")
        setter.add_argument("year", help="the income year the line is for")
        setter.add_argument("amount", help="yuan per person per year, such as 3535 or 2855.50")
        setter.add_argument("--source", required=True, help="the document the line comes from")
        setter.add_argument("--work-year", help="the year of identification or exit, if a document says")
        scope = setter.add_mutually_exclusive_group(required=True)
        scope.add_argument("--national", action="store_true", help="the national line")
        scope.add_argument("--province", help="a province's code, such as 43 or 430000000000")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts.get("action") == "set":
            try:
                row = do_set_poverty_line(
                    SYSTEM,
                    income_year=opts["year"],
                    nominal_line=opts["amount"],
                    source=opts["source"],
                    work_year=opts["work_year"],
                    national=opts["national"],
                    province=opts["province"],
                )
            except ValidationFailed as exc:
                raise CommandError("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from None
            except FupinError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"set {self._scope_name(row.scope)} {row.income_year}: {row.nominal_line}")
            return
        self._print_table()

    def _scope_name(self, scope: str) -> str:
        if scope == PovertyLine.NATIONAL:
            return "national"
        name = Area.objects.filter(code=scope).values_list("name", flat=True).first()
        return f"{scope} {name}" if name else scope

    def _print_table(self) -> None:
        rows = list(poverty_lines_for_reader(SYSTEM))
        if not rows:
            self.stdout.write("no poverty lines on file")
            return
        # National first, then each province, each by income year: the order a reader compares in.
        rows.sort(key=lambda r: (not r.is_national, r.scope, r.income_year))
        names = {scope: self._scope_name(scope) for scope in {r.scope for r in rows}}
        width = max(len(n) for n in names.values())
        self.stdout.write(f"{'scope'.ljust(width)}  year  {'line':>9}  work  source")
        for r in rows:
            work = str(r.work_year) if r.work_year else "-"
            self.stdout.write(
                f"{names[r.scope].ljust(width)}  {r.income_year}  {r.nominal_line:>9}  {work:>4}  {r.source}"
            )
