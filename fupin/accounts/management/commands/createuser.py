from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.accounts.actions import do_create_user
from fupin.accounts.permissions import Role
from fupin.areas.models import Area, full_code
from fupin.core.errors import FupinError, ValidationFailed


class Command(BaseCommand):
    help = "Create a user bound to a role and an area."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--area", required=True, help="area code, e.g. 433124 or 433124102001")
        parser.add_argument("--password", help="omit to create an account that cannot log in yet")
        parser.add_argument("--full-name", default="")

    def handle(self, *args: Any, **opts: Any) -> None:
        code = opts["area"]
        area = Area.objects.filter(code=full_code(code)).first() or Area.objects.filter(code=code).first()
        if area is None:
            raise CommandError(f"no area has the code {code}; run `fupin load-areas` first")
        try:
            user = do_create_user(
                opts["name"],
                role=opts["role"],
                area=area,
                password=opts["password"],
                full_name=opts["full_name"],
            )
        except ValidationFailed as exc:
            raise CommandError("; ".join(e.message for e in exc.errors)) from None
        except FupinError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"created {user.username} ({user.role}) in {area.name} {area.code}")
