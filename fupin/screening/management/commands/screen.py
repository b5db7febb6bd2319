from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from fupin.areas.models import Area, Level, full_code
from fupin.areas.queries import within
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, ValidationFailed
from fupin.registry.models import Household
from fupin.registry.tasks import run_now
from fupin.screening import actions
from fupin.screening.engines import ENGINES
from fupin.screening.models import MonitoringLine, ScreeningRun
from fupin.screening.queries import effective_settings
from fupin.screening.rules import RULES
from fupin.screening.tasks import STEPS, notice_text, run_screening


def _failed(exc: FupinError) -> CommandError:
    if isinstance(exc, ValidationFailed):
        return CommandError("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    return CommandError(exc.message)


class Command(BaseCommand):
    help = (
        "Screen the registry against the department feeds and raise alerts: "
        "[--area CODE] [--engine duckdb|spark] [--year Y]; or print or set thresholds and rule "
        "parameters: lines | set-line YEAR AMOUNT --source TEXT (--national | --province CODE) | "
        "rules [--area CODE] | set-rule RULE --area CODE --year Y [--param NAME=VALUE ...] [--disable]"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--area", help="the area to screen (a code); every province with households if left out"
        )
        parser.add_argument("--engine", choices=ENGINES, default="duckdb")
        parser.add_argument("--year", help="the screening year (default: this year)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        sub = parser.add_subparsers(dest="action")
        sub.add_parser("lines", help="print the monitoring thresholds on file")
        line = sub.add_parser("set-line", help="create or correct one year's monitoring threshold")
        line.add_argument("line_year", metavar="YEAR")
        line.add_argument("amount", help="yuan per person per year, such as 6000")
        line.add_argument("--source", required=True, help="the document the threshold comes from")
        scope = line.add_mutually_exclusive_group(required=True)
        scope.add_argument("--national", action="store_true", help="the national floor")
        scope.add_argument("--province", help="a province's code, such as 43 or 430000000000")
        rules = sub.add_parser("rules", help="print each rule's parameters as they apply in an area and year")
        rules.add_argument("--area", dest="rules_area", default="", help="a county or larger area")
        setter = sub.add_parser("set-rule", help="set a rule's parameters for an area from a year on")
        setter.add_argument("rule", choices=[r.key for r in RULES])
        setter.add_argument(
            "--area", dest="rule_area", required=True, help="a county, prefecture or province"
        )
        setter.add_argument("--year", dest="rule_year", required=True, help="effective from this year")
        setter.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
        setter.add_argument("--disable", action="store_true", help="switch the rule off there")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts.get("action")
        try:
            if action == "lines":
                self._print_lines()
            elif action == "set-line":
                self._set_line(opts)
            elif action == "rules":
                self._print_rules(opts["rules_area"], opts["year"])
            elif action == "set-rule":
                self._set_rule(opts)
            else:
                self._screen(opts)
        except FupinError as exc:
            raise _failed(exc) from None

    # --- screening -----------------------------------------------------------------------

    def _area(self, code: str) -> Area:
        area = Area.objects.filter(code=full_code(code)).first()
        if area is None:
            raise CommandError(f"unknown area code {code}")
        return area

    def _screen(self, opts: dict[str, Any]) -> None:
        if opts["area"]:
            areas = [self._area(opts["area"])]
        else:
            # One run per province: a run is the unit a province screens (on its own Spark).
            areas = [
                p
                for p in Area.objects.filter(level=Level.PROVINCE).order_by("code")
                if Household.objects.filter(within(p)).exists()
            ]
            if not areas:
                raise CommandError("no households to screen")
        totals = {"found": 0, "new": 0}
        for area in areas:
            found, new = self._screen_one(area, opts)
            totals["found"] += found
            totals["new"] += new
        if len(areas) > 1:
            self.stdout.write(f"all provinces: found={totals['found']} new={totals['new']}")

    def _screen_one(self, area: Area, opts: dict[str, Any]) -> tuple[int, int]:
        run = actions.do_start_screening(
            SYSTEM, area=area, year=opts["year"], engine=opts["engine"], start=False
        )
        assert run.job is not None
        with tqdm(total=STEPS, disable=opts["quiet"], desc=f"筛查 {area.name}", file=self.stderr) as bar:

            def show(done: int, total: int, message: str) -> None:
                bar.set_postfix_str(message, refresh=False)
                bar.update(done - bar.n)

            job = run_now(run.job, run_screening, on_progress=show)
        run = ScreeningRun.objects.get(pk=run.pk)
        new = job.result.get("new", {})
        width = max(len(rule.key) for rule in RULES)
        self.stdout.write(f"{area.code} {area.name} {run.year} {run.engine}")
        for rule in RULES:
            self.stdout.write(
                f"  {rule.key.ljust(width)}  found={run.found.get(rule.key, 0):<7} "
                f"new={new.get(rule.key, 0):<7} {rule.label}"
            )
        for warning in run.warnings:
            self.stderr.write(notice_text(warning))
        self.stdout.write(
            f"total found={run.total_found} new={run.new_alerts} "
            f"seconds={run.seconds} run={run.pk} job={job.pk}"
        )
        return run.total_found, run.new_alerts

    # --- thresholds and parameters -------------------------------------------------------

    def _print_lines(self) -> None:
        rows = list(MonitoringLine.objects.order_by("scope", "year"))
        if not rows:
            self.stdout.write("no monitoring thresholds on file")
            return
        rows.sort(key=lambda r: (r.scope != MonitoringLine.NATIONAL, r.scope, r.year))
        for r in rows:
            self.stdout.write(f"{r.scope:<12}  {r.year}  {r.amount:>9}  {r.source}")

    def _set_line(self, opts: dict[str, Any]) -> None:
        row = actions.do_set_monitoring_line(
            SYSTEM,
            year=opts["line_year"],
            amount=opts["amount"],
            source=opts["source"],
            national=opts["national"],
            province=opts["province"],
        )
        self.stdout.write(f"set {row.scope} {row.year}: {row.amount}")

    def _print_rules(self, code: str, year: Any) -> None:
        area = self._area(code) if code else None
        when = actions.clean_year(year) if year else timezone.localdate().year
        # Without an area, no setting reaches the (non-existent) code: the defaults show.
        key = area.code if area else "000000000000"
        settings = effective_settings([key], when)
        for rule in RULES:
            effective = settings[(key, rule.key)]
            origin = (
                f"{effective.setting.area_id} from {effective.setting.year}"
                if effective.setting
                else "default"
            )
            params = " ".join(f"{k}={v:f}" for k, v in effective.params.items())
            state = "on" if effective.enabled else "off"
            self.stdout.write(f"{rule.key:<18} {state:<3} {params}  ({origin})")

    def _set_rule(self, opts: dict[str, Any]) -> None:
        params: dict[str, str] = {}
        for item in opts["param"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--param takes NAME=VALUE, not {item!r}")
            params[name.strip()] = value.strip()
        row = actions.do_set_rule_setting(
            SYSTEM,
            rule=opts["rule"],
            area=self._area(opts["rule_area"]),
            year=opts["rule_year"],
            enabled=not opts["disable"],
            params=params,
        )
        state = "on" if row.enabled else "off"
        self.stdout.write(f"set {row.rule} {row.area_id} from {row.year}: {state} {row.params}")
