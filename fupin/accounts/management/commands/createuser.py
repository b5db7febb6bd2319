from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from fupin.accounts.actions import do_create_user
from fupin.accounts.permissions import Role
from fupin.areas.models import Area, full_code
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, ValidationFailed


class Command(BaseCommand):
    help = "Create a user bound to a role and an area."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--area", required=True, help="area code, e.g. 433124 or 433124102001")
        parser.add_argument("--password", help="omit to create an account that cannot log in yet")
        parser.add_argument("--full-name", default="")
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            metavar="DEPT",
            help="for a dept_provider: a department it sends for (yibao, minzheng, jiaoyu, zhujian, "
            "canlian, renshe, yingji, gongan, a source code or 医保局); repeat for several",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        code = opts["area"]
        area = Area.objects.filter(code=full_code(code)).first() or Area.objects.filter(code=code).first()
        if area is None:
            raise CommandError(f"no area has the code {code}; run `fupin load-areas` first")
        # The feeds app keeps which departments a provider sends for; the command line is the
        # one place above both apps, so it is imported here rather than in accounts' code.
        from fupin.feeds.departments import clean_department, do_set_departments, titles

        if opts["department"] and opts["role"] != "dept_provider":
            raise CommandError("--department is for a dept_provider account")
        try:
            departments = [clean_department(d) for d in opts["department"]]
            with transaction.atomic():
                user = do_create_user(
                    opts["name"],
                    role=opts["role"],
                    area=area,
                    password=opts["password"],
                    full_name=opts["full_name"],
                )
                if departments:
                    do_set_departments(user, departments, actor=SYSTEM)
        except ValidationFailed as exc:
            raise CommandError("; ".join(e.message for e in exc.errors)) from None
        except FupinError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"created {user.username} ({user.role}) in {area.name} {area.code}")
        if departments:
            self.stdout.write(f"sends for {titles(departments)}")
        elif user.role == "dept_provider":
            self.stdout.write("no department yet: it cannot send feeds until one is set with --department")
