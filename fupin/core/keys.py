"""Secrets that must survive restarts.

A county installs Fupin in an afternoon, so outside production mode a missing key is created once
and kept in ``var/`` (readable by its owner only). Setting the variable overrides the file; an
empty file is an error. In production mode the personal-data keys must come from a variable or
from a file outside the data directory.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def load_or_create_secret(env_name: str, path: Path) -> str:
    value = os.environ.get(env_name)
    if value:
        if len(value) < 32:
            raise ImproperlyConfigured(f"{env_name} must be at least 32 characters long")
        return value
    if path.exists():
        value = path.read_text(encoding="ascii").strip()
        if len(value) < 32:
            raise ImproperlyConfigured(f"{path} is too short; delete it or set {env_name}")
        return value
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


# --- personal-data keys ------------------------------------------------------------------------
# The PII key is kept apart from the data it protects: a copy of the data directory (a backup, a
# stolen disk) must not carry the key that opens it. Outside production mode the old convenience
# stays (a key created once in var/), so the demo and a developer's checkout work untouched.

PII_KEY_ENV, PII_KEY_FILE_ENV = "FUPIN_PII_KEY", "FUPIN_PII_KEY_FILE"
PII_HASH_KEY_ENV, PII_HASH_KEY_FILE_ENV = "FUPIN_PII_HASH_KEY", "FUPIN_PII_HASH_KEY_FILE"


def parse_keys(text: str, source: str) -> list[str]:
    """Keys separated by new lines or commas, newest first; ``#`` starts a comment in a file."""
    keys = [
        key.strip()
        for line in text.splitlines()
        for key in line.split("#", 1)[0].split(",")
        if key.strip()
    ]
    if not keys:
        raise ImproperlyConfigured(f"{source} holds no key")
    if any(len(key) < 32 for key in keys):
        raise ImproperlyConfigured(f"every key in {source} must be at least 32 characters long")
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured(f"{source} names the same key twice")
    return keys


def inside(path: Path, directory: Path) -> bool:
    return path.resolve().is_relative_to(directory.resolve())


def _refuse_inside(path: Path, data_dirs: Sequence[Path], env_name: str) -> None:
    for directory in data_dirs:
        if inside(path, directory):
            raise ImproperlyConfigured(
                f"{env_name} ({path}) lies inside the data directory {directory}: in production mode "
                "keep the key elsewhere (e.g. /etc/fupin/), so a copy of the data does not carry its key"
            )


def _read_key_file(path: Path, env_name: str) -> str:
    # Never create a named file: a typo in the path must not start a new key that cannot read
    # the data already stored.
    if not path.is_file():
        raise ImproperlyConfigured(f"{env_name} names {path}, which does not exist")
    return path.read_text(encoding="ascii")


def load_pii_keys(*, production: bool, default_path: Path, data_dirs: Sequence[Path]) -> list[str]:
    """The personal-data keys, newest first (the first encrypts, all decrypt)."""
    value, file = os.environ.get(PII_KEY_ENV, ""), os.environ.get(PII_KEY_FILE_ENV, "")
    if value and file:
        raise ImproperlyConfigured(f"set {PII_KEY_ENV} or {PII_KEY_FILE_ENV}, not both")
    if value:
        return parse_keys(value, PII_KEY_ENV)
    if file:
        path = Path(file)
        if production:
            _refuse_inside(path, data_dirs, PII_KEY_FILE_ENV)
        return parse_keys(_read_key_file(path, PII_KEY_FILE_ENV), str(path))
    if production:
        raise ImproperlyConfigured(
            f"production mode needs {PII_KEY_FILE_ENV} (a file outside the data directory) or {PII_KEY_ENV}"
        )
    if default_path.exists():
        return parse_keys(default_path.read_text(encoding="ascii"), str(default_path))
    return [load_or_create_secret(PII_KEY_ENV, default_path)]


def load_pii_hash_key(*, production: bool, data_dirs: Sequence[Path]) -> str:
    """The keyed hash's own key (64 hex digits), or "" to derive it from the only PII key."""
    value, file = os.environ.get(PII_HASH_KEY_ENV, ""), os.environ.get(PII_HASH_KEY_FILE_ENV, "")
    if value and file:
        raise ImproperlyConfigured(f"set {PII_HASH_KEY_ENV} or {PII_HASH_KEY_FILE_ENV}, not both")
    source = PII_HASH_KEY_ENV
    if file:
        path = Path(file)
        if production:
            _refuse_inside(path, data_dirs, PII_HASH_KEY_FILE_ENV)
        value, source = _read_key_file(path, PII_HASH_KEY_FILE_ENV), str(path)
    value = value.strip()
    if value and not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise ImproperlyConfigured(f"{source} must be 64 hexadecimal digits (see `fupin pii-key hash-key`)")
    return value.lower()


def fernet_key(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(b"fupin-pii-encrypt:" + secret.encode()).digest())


def hash_key(keys: Sequence[str], hash_key_hex: str) -> bytes:
    """The HMAC key behind ID-number hashes.

    Department feeds keep only these hashes, so it must never change when the encryption key
    does. Installs from before key rotation derived it from their one PII key; that stays the
    default while there is one key. With several keys the default would silently change the
    day the old key is removed, so an explicit hash key is required then.
    """
    if hash_key_hex:
        return bytes.fromhex(hash_key_hex)
    if len(keys) > 1:
        raise ImproperlyConfigured(
            f"several PII keys are set but no {PII_HASH_KEY_FILE_ENV}: with the old key alone, run "
            f"`fupin pii-key hash-key --out FILE` and set {PII_HASH_KEY_FILE_ENV}=FILE, then add the new key"
        )
    return hashlib.sha256(b"fupin-pii-hash:" + keys[0].encode()).digest()
