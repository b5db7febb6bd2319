"""Password hashers for the login tests: real hashers (nothing is faked about what they store or
check), counting how often they run, so a test can say that every path of a login pays for one
hash, and a slow one so a test can compare the time of two paths."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"
    runs: ClassVar[int] = 0

    def encode(self, password: str, salt: str) -> str:
        # ``verify`` encodes the candidate to compare it, so a check counts once too.
        CountingHasher.runs += 1
        return super().encode(password, salt)

    def must_update(self, encoded: str) -> bool:
        return False


class SlowHasher(PBKDF2PasswordHasher):
    """About 20–60 ms a hash here: slow enough to stand out of a database round trip."""

    algorithm = "slow_pbkdf2"
    iterations = 60_000

    def must_update(self, encoded: str) -> bool:
        return False

    def harden_runtime(self, password: str, encoded: str) -> None:
        return None
