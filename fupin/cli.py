"""The ``fupin`` command: one entry point for everything an operator does.

Each sub-command is a Django management command; this wrapper gives them short names, one
help listing, and lets ``--db URL`` choose the database before settings are read.
"""

from __future__ import annotations

import os
import sys

# name on the command line -> (management command, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "build the demo county 花垣县 (433124) and serve it; --no-serve to only build"),
    "serve": ("serve", "serve the web pages and the API (--port N, default 8000)"),
    "migrate": ("migrate", "create or upgrade the database tables"),
    "load-areas": ("load_areas", "load division codes down to villages: --county C | --province P | --all"),
    "createuser": ("createuser", "create a user: NAME --role ROLE --area CODE [--password PW]"),
    "setpassword": ("setpassword", "set a user's password and unlock the account: NAME [--password PW]"),
    "token": ("token", "print a new API token for a user (send as 'Authorization: Bearer TOKEN')"),
    "import": ("import_households", "import a household spreadsheet: households FILE --area CODE"),
    "export": (
        "export_households",
        "export the roster: households OUT.xlsx --area CODE [--unmasked] [filters]",
    ),
    "template": ("template_households", "write the blank import template: households OUT.xlsx"),
    "poverty-line": (
        "poverty_line",
        "print the poverty lines, or set one: set YEAR AMOUNT --source TEXT (--national | --province CODE)",
    ),
    "feed": ("feed", "receive a department feed (.csv/.xlsx): SOURCE FILE --period P --area CODE"),
    "screen": (
        "screen",
        "screen for risk and raise alerts: [--area CODE] [--engine duckdb|spark] [--year Y]; "
        "thresholds and parameters: lines | set-line | rules | set-rule",
    ),
    "stats": ("stats", "refresh the indicator snapshots: refresh [--area CODE] [--marked]"),
    "worker": ("worker", "run queued background jobs (imports, exports, screening)"),
    "pii-key": (
        "pii_key",
        "personal-data keys: new | hash-key [--out FILE] | rotate [--batch-size N] (re-encrypt)",
    ),
    "check": ("check", "check the installation for problems (--deploy: for a production server)"),
    "shell": ("shell", "open a Python shell with the project loaded"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        "usage: fupin COMMAND [options]    (fupin COMMAND --help for a command's options)",
        "",
        "Fupin 扶贫: precision poverty alleviation and monitoring against return to poverty.",
        "The database is FUPIN_DATABASE_URL (default: SQLite file var/fupin.sqlite3).",
        "",
        "commands:",
    ]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"fupin: unknown command {name!r}\n", file=sys.stderr)
        print(usage(), file=sys.stderr)
        return 2
    if "--db" in rest:
        i = rest.index("--db")
        if i + 1 >= len(rest):
            print("fupin: --db needs a database URL", file=sys.stderr)
            return 2
        os.environ["FUPIN_DATABASE_URL"] = rest[i + 1]
        del rest[i : i + 2]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fupin", COMMANDS[name][0], *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
