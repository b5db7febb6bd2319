from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.accounts.actions import do_set_password
from fupin.accounts.models import User
from fupin.core.errors import FupinError


class Command(BaseCommand):
    help = "Set a user's password and unlock the account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--password", help="asked for when omitted")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["name"]).first()
        if user is None:
            raise CommandError(f"no user is called {opts['name']}")
        password = opts["password"] or getpass.getpass("new password: ")
        try:
            do_set_password(user, password)
        except FupinError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"password set for {user.username}")
