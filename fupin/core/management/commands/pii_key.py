from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from fupin.core import crypto
from fupin.core.access import SYSTEM
from fupin.core.actions import RotationStopped, do_rotate_pii_key


class Command(BaseCommand):
    help = (
        "Personal-data keys: 'new' prints a fresh key; 'hash-key' prints the keyed hash's key (save it as "
        "FUPIN_PII_HASH_KEY_FILE before adding a second key); 'rotate' re-encrypts every value with the "
        "newest key (the first in FUPIN_PII_KEY_FILE), checking each against its hash."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("new", help="print a new random key, to put first in the key file")
        hash_key = sub.add_parser("hash-key", help="print (or write) the keyed hash's key in use")
        hash_key.add_argument("--out", type=Path, help="write it to this new file (mode 600) instead")
        rotate = sub.add_parser("rotate", help="re-encrypt every encrypted value with the newest key")
        rotate.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["what"] == "new":
            self.stdout.write(secrets.token_urlsafe(48))
        elif opts["what"] == "hash-key":
            self._hash_key(opts["out"])
        else:
            self._rotate(opts["batch_size"])

    def _hash_key(self, out: Path | None) -> None:
        value = crypto.hash_key_hex()
        if out is None:
            self.stdout.write(value)
            return
        try:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise CommandError(f"{out} exists already; it may hold the hash key in use") from exc
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
        self.stdout.write(f"wrote the hash key to {out}; set FUPIN_PII_HASH_KEY_FILE={out}")

    def _rotate(self, batch_size: int) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        bars: dict[str, tqdm] = {}

        def progress(table: str, done: int, total: int) -> None:
            bar = bars.get(table)
            if bar is None:
                bar = bars[table] = tqdm(total=total, desc=table, unit="行", file=self.stderr)
            bar.update(done - bar.n)
            if done >= total:
                bar.close()  # one finished line per table, not bars stacked until the end

        try:
            result = do_rotate_pii_key(actor=SYSTEM, batch_size=batch_size, progress=progress)
        except RotationStopped as exc:
            raise CommandError(f"rotation stopped: {exc}") from exc
        finally:
            for bar in bars.values():
                bar.close()
        for table, count in result.tables.items():
            self.stdout.write(f"{table}: {count} value(s) re-encrypted")
        self.stdout.write(
            f"re-encrypted {result.reencrypted}, already under the newest key {result.already_current}"
        )
