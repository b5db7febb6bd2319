from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fupin.accounts.actions import do_issue_token
from fupin.accounts.models import User


class Command(BaseCommand):
    help = "Print a new API token for a user; send it as 'Authorization: Bearer TOKEN'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["name"]).first()
        if user is None:
            raise CommandError(f"no user is called {opts['name']}")
        self.stdout.write(do_issue_token(user))
