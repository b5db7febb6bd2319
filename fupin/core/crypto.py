"""Encryption at rest and keyed hashing for personal data (ID numbers, phones, bank accounts).

Ciphertext is randomised (Fernet: AES-128-CBC with HMAC-SHA256), so equal values never look
equal in the database; uniqueness and matching against department feeds use a keyed hash
(HMAC-SHA256) instead. ``settings.PII_KEYS`` lists the encryption keys newest first
(MultiFernet: the first encrypts, any decrypts), so a key can be rotated while data written
under the old one is still read; ``fupin pii-key rotate`` then re-encrypts everything. The hash
key never rotates (``fupin.core.keys.hash_key``): feeds keep only hashes, which cannot be redone.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from fupin.core import keys as key_config


@cache
def _ciphers(secrets: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    fernets = [Fernet(key_config.fernet_key(secret)) for secret in secrets]
    return fernets[0], MultiFernet(fernets)


@cache
def _mac(secrets: tuple[str, ...], hash_key_hex: str) -> bytes:
    return key_config.hash_key(secrets, hash_key_hex)


def _secrets() -> tuple[str, ...]:
    return tuple(settings.PII_KEYS)


def encrypt(value: str) -> str:
    newest, _ = _ciphers(_secrets())
    return newest.encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    _, every = _ciphers(_secrets())
    try:
        return every.decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:  # wrong key: say so instead of showing garbage
        raise ValueError("personal data cannot be decrypted with this FUPIN_PII_KEY") from exc


def is_current(token: str) -> bool:
    """Whether ``token`` is already encrypted with the newest key (rotation skips it)."""
    newest, _ = _ciphers(_secrets())
    try:
        newest.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def reencrypt(token: str) -> str:
    """``token``'s value encrypted with the newest key; ValueError when no key opens it."""
    return encrypt(decrypt(token))


def keyed_hash(value: str) -> str:
    mac = _mac(_secrets(), getattr(settings, "PII_HASH_KEY", ""))
    return hmac.new(mac, value.encode(), hashlib.sha256).hexdigest()


def hash_key_hex() -> str:
    """The hash key in use, as the 64 hex digits FUPIN_PII_HASH_KEY takes."""
    return _mac(_secrets(), getattr(settings, "PII_HASH_KEY", "")).hex()


def mask(value: str, keep_start: int, keep_end: int) -> str:
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
