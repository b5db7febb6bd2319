"""A password hasher for the login tests: a real one (nothing is faked about what it stores or
checks), counting how often it runs, so a test can say that every path of a login pays for one
hash. The time that buys is shown by bench/login_timing.py, not asserted in a test."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"
    runs: ClassVar[int] = 0

    def encode(self, password: str, salt: str) -> str:
        # ``verify`` encodes the candidate to compare it, so a check counts once too.
        CountingHasher.runs += 1
        return super().encode(password, salt)

    def must_update(self, encoded: str) -> bool:
        return False

