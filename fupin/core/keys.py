"""Secrets that must survive restarts.

A county installs Fupin in an afternoon, so a missing key is created once and kept in ``var/``
(readable by its owner only). Setting the variable overrides the file; an empty file is an error.
"""

from __future__ import annotations

import os
import secrets
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
