"""``fupin demo``: the demo county 花垣县, its logins, and (unless --no-serve) the server."""

from __future__ import annotations

import sys
import time
import unicodedata
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from tqdm import tqdm

from fupin.accounts.actions import do_create_user
from fupin.accounts.models import User
from fupin.areas.actions import do_load_areas
from fupin.areas.loading import read_divisions
from fupin.areas.models import Area, Level
from fupin.core.access import SYSTEM
from fupin.core.models import StaleMark
from fupin.core.personas import (
    FULL_NAMES,
    LEADERS,
    OUTSIDERS,
    PERSONAS,
    PROVIDER_DEPARTMENTS,
    REGIONAL_ADMINS,
    Persona,
)
from fupin.demo.actions import MAX_HOUSEHOLDS, DemoError, current_demo, do_build_demo
from fupin.demo.cases import build_demo_cases
from fupin.demo.census import build_demo_populations
from fupin.demo.monitoring import build_demo_monitoring
from fupin.demo.party import build_demo_party
from fupin.demo.population import DEFAULT_HOUSEHOLDS
from fupin.feeds.departments import do_set_departments
from fupin.stats.models import Snapshot
from fupin.stats.refresh import refresh_area

# One documented password for every demo login: the demo holds no real person's data.
DEMO_PASSWORD = "Fupin-demo-2024"  # noqa: S105 (published on purpose)
DEFAULT_SEED = 2014
COUNTIES = ("433124", "433122")  # 花垣县, the demo; 泸溪县, where an outsider persona works


def _width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "Build the demo county 花垣县 (433124) with its logins, then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--households", type=int, default=DEFAULT_HOUSEHOLDS, help="how many households (default 80000)"
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 2014)")
        parser.add_argument(
            "--no-serve", action="store_true", help="build and print the logins, do not serve"
        )
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--rebuild", action="store_true", help="build anew even if the same demo exists")
        # The fupin command takes --db off the line before settings are read (fupin/cli.py), so
        # by the time this parser runs it is gone; it is declared so --help lists it.
        parser.add_argument(
            "--db",
            metavar="URL",
            help="the database to build into, e.g. sqlite:////tmp/demo.sqlite3 or "
            "postgres://user@host:5432/fupin (default: FUPIN_DATABASE_URL, else var/fupin.sqlite3)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        # The build's own actions would each start a background statistics refresh; one full
        # refresh at the end does the same work once, and SQLite takes one writer at a time.
        with override_settings(FUPIN_STATS_REFRESH_IN_BACKGROUND=False):
            if opts.get("db"):
                # Reached only without the fupin wrapper (django-admin demo --db …): settings are
                # read already, so building into another database than the one named would lie.
                raise CommandError("--db is read by the fupin command; here set FUPIN_DATABASE_URL instead")
            self._build(opts)
        serving = not opts["no_serve"]
        self._print_logins(self._created, opts["port"] if serving else None)
        if serving:
            call_command("serve", port=opts["port"])

    def _build(self, opts: dict[str, Any]) -> None:
        households: int = opts["households"]
        seed: int = opts["seed"]
        quiet = opts["verbosity"] < 1
        if not 1 <= households <= MAX_HOUSEHOLDS:
            raise CommandError(f"--households takes 1 to {MAX_HOUSEHOLDS:,}, not {households:,}")
        call_command("migrate", verbosity=0)
        for county in COUNTIES:
            try:
                do_load_areas(county)
            except FileNotFoundError as exc:
                raise CommandError(str(exc)) from None
        # The province's other prefectures and counties, for the leaders' map (no villages).
        do_load_areas(rows=[r for r in read_divisions(COUNTIES[0][:2]) if r.level <= Level.COUNTY])
        created = self._create_logins()
        demo = current_demo()
        if (
            demo
            and demo.intact
            and demo.seed == seed
            and demo.households == households
            and not opts["rebuild"]
        ):
            self.stdout.write(
                f"沿用已有的演示数据: {households} 户, 种子 {seed} (--rebuild 重新生成)"
                f" / reusing the demo already built ({households} households, seed {seed})"
            )
        else:
            started = time.perf_counter()
            try:
                with tqdm(
                    total=households, unit="户", desc="生成演示县", disable=quiet, file=sys.stderr
                ) as bar:
                    counts = do_build_demo(households, seed, on_progress=bar.update)
            except DemoError as exc:
                raise CommandError(str(exc)) from None
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"built {counts['households']} households, {counts['members']} members, "
                f"{counts['incomes']} income records, {counts['conditions']} condition checks, "
                f"{counts['status_changes']} status changes in {seconds:.1f} s"
            )
        # After the population: cases in every state (skipped when the county has some already).
        if made := build_demo_cases():
            self.stdout.write(f"built {made} demo cases")
        if monitoring := build_demo_monitoring(seed):
            self.stdout.write(
                f"sent {monitoring['batches']} department feeds, "
                f"raised {monitoring['alerts']} screening alerts"
            )
        try:
            party = build_demo_party(seed)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        if party:
            rows = party["counts"]
            self.stdout.write(
                f"built {rows.get('party.organisation', 0)} party organisations, "
                f"{rows.get('teams.workteam', 0)} work teams, {rows.get('teams.checkin', 0)} check-ins, "
                f"{rows.get('pairing.pairing', 0)} pairings, "
                f"{rows.get('mutualaid.aidgroup', 0)} mutual-aid groups in {party['seconds']:.1f} s"
            )
        if populations := build_demo_populations():
            self.stdout.write(f"recorded {populations} village, township and county populations")
        if not Snapshot.objects.exists() or StaleMark.objects.exists():
            with tqdm(unit="年", desc="统计指标", disable=quiet, file=sys.stderr) as bar:

                def step(done: int, total: int, year: str) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                stats = refresh_area(None, on_progress=step)
            self.stdout.write(
                f"refreshed {stats['rows']} statistics snapshot rows in {stats['seconds']:.1f} s"
            )
        self._created = created

    def _create_logins(self) -> int:
        existing = set(User.objects.values_list("username", flat=True))
        created = 0
        for persona in [*PERSONAS, *OUTSIDERS, *LEADERS, *REGIONAL_ADMINS]:
            if persona.username in existing:
                continue
            user = do_create_user(
                persona.username,
                role=persona.role,
                area=Area.objects.get(code=persona.area_code),
                password=DEMO_PASSWORD,
                full_name=FULL_NAMES.get(persona.username, ""),
            )
            if persona.username in PROVIDER_DEPARTMENTS:
                do_set_departments(user, PROVIDER_DEPARTMENTS[persona.username], actor=SYSTEM)
            created += 1
        return created

    def _print_logins(self, created: int, port: int | None) -> None:
        """The logins, and the address only when something will answer there (port None: not
        serving, and a URL that refuses connections would only mislead)."""
        rows: list[Persona] = [*PERSONAS, *OUTSIDERS, *LEADERS, *REGIONAL_ADMINS]
        user_w = max(_width("用户名 username"), *(_width(p.username) for p in rows))
        role_w = max(_width("角色 role"), *(_width(p.description) for p in rows))
        lines = [
            "",
            "演示账号 / demo logins"
            + (
                ""
                if created == len(rows)
                else " (已有账号保留原密码 / existing accounts keep their password)"
            ),
            f"{_pad('用户名 username', user_w)}  {_pad('角色 role', role_w)}  密码 password",
            f"{'-' * user_w}  {'-' * role_w}  {'-' * len(DEMO_PASSWORD)}",
        ]
        lines += [f"{_pad(p.username, user_w)}  {_pad(p.description, role_w)}  {DEMO_PASSWORD}" for p in rows]
        lines += ["", f"网址 / URL: http://127.0.0.1:{port}/", ""] if port is not None else [""]
        self.stdout.write("\n".join(lines))
