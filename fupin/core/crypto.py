"""Encryption at rest and keyed hashing for personal data (ID numbers, phones, bank accounts).

Ciphertext is randomised (Fernet: AES-128-CBC with HMAC-SHA256), so equal values never look
equal in the database; uniqueness and matching against department feeds use a keyed hash
(HMAC-SHA256) instead. Both keys derive from ``settings.PII_KEY`` so one secret is kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@cache
def _keys(secret: str) -> tuple[Fernet, bytes]:
    enc = hashlib.sha256(b"fupin-pii-encrypt:" + secret.encode()).digest()
    mac = hashlib.sha256(b"fupin-pii-hash:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(enc)), mac


def encrypt(value: str) -> str:
    fernet, _ = _keys(settings.PII_KEY)
    return fernet.encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    fernet, _ = _keys(settings.PII_KEY)
    try:
        return fernet.decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:  # wrong key: say so instead of showing garbage
        raise ValueError("personal data cannot be decrypted with this FUPIN_PII_KEY") from exc


def keyed_hash(value: str) -> str:
    _, mac = _keys(settings.PII_KEY)
    return hmac.new(mac, value.encode(), hashlib.sha256).hexdigest()


def mask(value: str, keep_start: int, keep_end: int) -> str:
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
