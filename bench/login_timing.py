"""Benchmark: a locked account, an unknown name and a wrong password take the same time to refuse.

The lockout used to answer without hashing (6–10 ms against ~320 ms for a wrong password), which
told anyone which user names exist. This runs the real ``accounts.actions.login`` with the
production password hasher on a fresh SQLite file, interleaving the three kinds of refusal, and
prints each one's median in milliseconds and their ratio to a wrong password. The unit test
``tests/accounts/test_login.py::test_every_path_of_a_login_runs_the_password_hasher_once`` checks
the cause (one hash on every path); this shows the effect in time.

    .venv/bin/python bench/login_timing.py [--tries N]

Last line: ``locked_ms=… unknown_ms=… wrong_ms=… locked_ratio=… unknown_ratio=…``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=7)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fupin-login-"))
    os.environ["FUPIN_VAR_DIR"] = str(work)
    os.environ["FUPIN_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from fupin.accounts.actions import do_create_user, login
    from fupin.areas.actions import do_load_areas
    from fupin.areas.models import Area
    from fupin.core.errors import FupinError

    call_command("migrate", verbosity=0)
    do_load_areas("433124")
    village = Area.objects.get(code="433124110226")
    password = "Bench-pass-2024"  # noqa: S105 - a throwaway account in a temporary database
    do_create_user("open_one", role="village_clerk", area=village, password=password)
    do_create_user("locked_one", role="village_clerk", area=village, password=password)
    attempt = 0

    def refused(username: str) -> float:
        nonlocal attempt
        attempt += 1
        start = time.perf_counter()
        # A fresh address each time, so no try reaches an address limit of its own.
        with contextlib.suppress(FupinError):
            login(username, "not-it", client_address=f"10.9.{attempt // 250}.{attempt % 250}")
        return (time.perf_counter() - start) * 1000

    while not _locked("locked_one"):
        refused("locked_one")
    times: dict[str, list[float]] = {"locked": [], "unknown": [], "wrong": []}
    for _ in range(args.tries):
        times["locked"].append(refused("locked_one"))
        times["unknown"].append(refused("nobody_here"))
        times["wrong"].append(refused("open_one"))
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    for kind, values in times.items():
        print(f"{kind:8} median {medians[kind]:7.1f} ms  ({', '.join(f'{v:.0f}' for v in values)})")
    print(
        f"locked_ms={medians['locked']:.1f} unknown_ms={medians['unknown']:.1f} "
        f"wrong_ms={medians['wrong']:.1f} "
        f"locked_ratio={medians['locked'] / medians['wrong']:.2f} "
        f"unknown_ratio={medians['unknown'] / medians['wrong']:.2f}"
    )


def _locked(username: str) -> bool:
    from fupin.accounts.models import User

    return User.objects.get(username=username).is_locked


if __name__ == "__main__":
    main()
