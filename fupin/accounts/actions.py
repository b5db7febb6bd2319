"""Writes to accounts: users, passwords, tokens, and the login counter behind the lockout."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fupin.accounts.errors import AccountError
from fupin.accounts.models import ApiToken, User
from fupin.accounts.permissions import MANAGE_USERS, ROLE_LEVELS, Role
from fupin.areas.models import Area
from fupin.core import audit
from fupin.core.access import SYSTEM, require
from fupin.core.errors import FupinError, ValidationFailed


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise FupinError(
            AccountError.WEAK_PASSWORD, field="password", reason=" ".join(exc.messages)
        ) from None


@transaction.atomic
def do_create_user(
    username: str,
    *,
    role: str,
    area: Area,
    password: str | None = None,
    actor: Any = SYSTEM,
    full_name: str = "",
) -> User:
    """Create a user bound to ``area``. Without a password the account cannot log in yet."""
    require(actor, MANAGE_USERS, area_code=area.code)
    errors: list[FupinError] = []
    if role not in Role.values:
        errors.append(
            FupinError(AccountError.UNKNOWN_ROLE, field="role", role=role, roles=", ".join(Role.values))
        )
    elif area.level not in ROLE_LEVELS[role]:
        errors.append(FupinError(AccountError.WRONG_LEVEL, field="area", role=role))
    if not re.fullmatch(r"[\w.\-]{3,150}", username or ""):
        errors.append(FupinError(AccountError.USERNAME_INVALID, field="username"))
    elif User.objects.filter(username=username).exists():
        errors.append(FupinError(AccountError.USERNAME_TAKEN, field="username", name=username))
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, role=role, area=area, first_name=full_name)
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(actor, "accounts.create_user", obj=user, area_code=area.code, after=audit.snapshot(user))
    return user


@transaction.atomic
def do_set_password(user: User, password: str, *, actor: Any = SYSTEM) -> User:
    """An administrator (or the operator) sets a password, e.g. for a new account."""
    require(actor, MANAGE_USERS, area_code=user.area_id)
    _check_password(password, user)
    user.set_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.save(update_fields=["password", "failed_logins", "locked_until"])
    audit.record(actor, "accounts.set_password", obj=user, area_code=user.area_id)
    return user


@transaction.atomic
def do_change_own_password(user: User, old: str, new: str) -> User:
    if not user.check_password(old):
        raise FupinError(AccountError.WRONG_PASSWORD, field="old_password")
    _check_password(new, user)
    user.set_password(new)
    user.save(update_fields=["password"])
    audit.record(user, "accounts.change_password", obj=user, area_code=user.area_id)
    return user


@transaction.atomic
def do_issue_token(user: User, *, actor: Any = SYSTEM) -> str:
    """A new API token for ``user``; the plain token is returned once and never stored."""
    # By primary key: the request's user is never the same Python object as the page's lookup.
    if getattr(actor, "pk", None) is None or actor.pk != user.pk:
        require(actor, MANAGE_USERS, area_code=user.area_id)
    token = secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, digest=ApiToken.digest_of(token), prefix=token[:8])
    audit.record(
        actor,
        "accounts.issue_token",
        obj=row,
        area_code=user.area_id,
        after={"user": user.username, "prefix": row.prefix},
    )
    return token


def login(username: str, password: str) -> User:
    """Check a login, counting failures; lock the account after too many in a row."""
    user = User.objects.filter(username=username).select_related("area").first()
    if user is None or not user.is_active:
        # Same cost and message as a wrong password, so user names cannot be probed.
        User().set_password(password)
        raise FupinError(AccountError.BAD_LOGIN)
    if user.is_locked:
        raise FupinError(AccountError.LOCKED, minutes=settings.FUPIN_LOGIN_LOCK_MINUTES)
    if not user.check_password(password):
        _record_failure(user)
        raise FupinError(AccountError.BAD_LOGIN)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=timezone.now())
        audit.record(user, "accounts.login", obj=user, area_code=user.area_id)
    user.refresh_from_db()
    return user


def _record_failure(user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins"])
        locked = user.failed_logins >= settings.FUPIN_LOGIN_MAX_FAILURES
        if locked:
            until = timezone.now() + dt.timedelta(minutes=settings.FUPIN_LOGIN_LOCK_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
        audit.record(
            SYSTEM,
            "accounts.lock" if locked else "accounts.login_failed",
            obj=user,
            area_code=user.area_id,
            after={"username": user.username},
        )
    if locked:
        raise FupinError(AccountError.LOCKED, minutes=settings.FUPIN_LOGIN_LOCK_MINUTES)
