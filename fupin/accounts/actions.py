"""Writes to accounts: users, passwords, tokens, and the login counter behind the lockout."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fupin.accounts.errors import AccountError
from fupin.accounts.models import ApiToken, LoginFailure, RevealDay, RevokeReason, User
from fupin.accounts.permissions import MANAGE_USERS, ROLE_LEVELS, Role
from fupin.areas.models import Area
from fupin.core import audit
from fupin.core.access import SYSTEM, require
from fupin.core.client import address_key
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
    """An administrator (or the operator) sets a password, e.g. for a new account. It lifts a
    lock, and revokes the user's API tokens: whoever knew the old password may hold one."""
    require(actor, MANAGE_USERS, area_code=user.area_id)
    _check_password(password, user)
    user.set_password(password)
    user.locked_until = None
    user.save(update_fields=["password", "locked_until"])
    LoginFailure.objects.filter(user=user).delete()
    revoked = _revoke_all_tokens(user, RevokeReason.PASSWORD)
    audit.record(
        actor, "accounts.set_password", obj=user, area_code=user.area_id, after={"tokens_revoked": revoked}
    )
    return user


@transaction.atomic
def do_change_own_password(user: User, old: str, new: str) -> User:
    """A user changes their own password; their API tokens stop working with the old one."""
    if not user.check_password(old):
        raise FupinError(AccountError.WRONG_PASSWORD, field="old_password")
    _check_password(new, user)
    user.set_password(new)
    user.save(update_fields=["password"])
    revoked = _revoke_all_tokens(user, RevokeReason.PASSWORD)
    audit.record(
        user, "accounts.change_password", obj=user, area_code=user.area_id, after={"tokens_revoked": revoked}
    )
    return user


# --- API tokens ----------------------------------------------------------------------------


@transaction.atomic
def do_issue_token(user: User, *, actor: Any = SYSTEM) -> str:
    """A new API token for ``user``, working for ``FUPIN_API_TOKEN_DAYS``; the plain token is
    returned once and never stored."""
    # By primary key: the request's user is never the same Python object as the page's lookup.
    if not _is_self(actor, user):
        require(actor, MANAGE_USERS, area_code=user.area_id)
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=_at_least_one("FUPIN_API_TOKEN_DAYS"))
    row = ApiToken.objects.create(
        user=user, digest=ApiToken.digest_of(token), prefix=token[:8], expires_at=expires
    )
    audit.record(
        actor,
        "accounts.issue_token",
        obj=row,
        area_code=user.area_id,
        after={"user": user.username, "prefix": row.prefix, "expires_at": expires},
    )
    return token


@transaction.atomic
def do_revoke_token(token: ApiToken, *, actor: Any) -> ApiToken:
    """Its owner or an administrator of the owner's area revokes one token."""
    owner = token.user
    by_owner = _is_self(actor, owner)
    if not by_owner:
        require(actor, MANAGE_USERS, area_code=owner.area_id)
    now = timezone.now()
    reason = RevokeReason.BY_OWNER if by_owner else RevokeReason.BY_ADMIN
    # Conditional, so two revokes of one token leave one entry and the second is told.
    done = ApiToken.objects.filter(pk=token.pk, revoked=False, expires_at__gt=now).update(
        revoked=True, revoked_at=now, revoked_reason=reason
    )
    if not done:
        raise FupinError(AccountError.TOKEN_NOT_LIVE)
    token.refresh_from_db()
    audit.record(
        actor,
        "accounts.revoke_token",
        obj=token,
        area_code=owner.area_id,
        after={"user": owner.username, "prefix": token.prefix, "reason": reason},
    )
    return token


def _revoke_all_tokens(user: User, reason: RevokeReason) -> int:
    """Inside the caller's action (and its audit entry): every live token of ``user``."""
    now = timezone.now()
    return ApiToken.objects.filter(user=user, revoked=False, expires_at__gt=now).update(
        revoked=True, revoked_at=now, revoked_reason=reason
    )


def _is_self(actor: Any, user: User) -> bool:
    return getattr(actor, "pk", None) is not None and actor.pk == user.pk


def _at_least_one(name: str) -> int:
    value = int(getattr(settings, name))
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, not {value!r}")
    return value


# --- login ---------------------------------------------------------------------------------


@cache
def _stand_in_hash(hasher: str) -> str:
    """A hash made with the current hasher for a password nobody knows: checked instead of a
    real one where there is none (unknown user, no usable password), at the same cost."""
    return make_password(secrets.token_urlsafe(16))


def login(username: str, password: str, *, client_address: str = "") -> User:
    """Check a login from ``client_address`` (``fupin.core.client.client_address``).

    Every refusal gives the one BAD_LOGIN answer and runs the password hasher exactly once,
    like a wrong password does, so neither the message nor the time tells an unknown name, a
    held address or a locked account from a wrong password. Three limits, over the last
    ``FUPIN_LOGIN_LOCK_MINUTES`` (they lift by themselves as the failures age):

    - ``FUPIN_LOGIN_MAX_FAILURES`` on one account from one address hold that address off the
      account: a stranger cannot lock the real user out from elsewhere;
    - ``FUPIN_LOGIN_MAX_FAILURES_PER_ADDRESS`` from one address on any accounts hold that
      address off every login;
    - ``FUPIN_LOGIN_MAX_FAILURES_PER_ACCOUNT`` on one account from all addresses lock the
      account and revoke its API tokens (guessing spread over many addresses).

    A held attempt is not counted again, so one address cannot push an account to the lock.
    """
    now = timezone.now()
    since = now - dt.timedelta(minutes=_at_least_one("FUPIN_LOGIN_LOCK_MINUTES"))
    client = address_key(client_address, "login-client")
    user = User.objects.filter(username=username).select_related("area").first()
    known = user is not None and user.is_active and user.has_usable_password()
    account = user if known else None
    recent = LoginFailure.objects.filter(at__gte=since)
    # The same queries whether or not the name exists: only the hash costs, and it always runs.
    from_address = recent.filter(client_hash=client).count()
    on_account_here = recent.filter(client_hash=client, user=account).count()
    held = from_address >= _at_least_one("FUPIN_LOGIN_MAX_FAILURES_PER_ADDRESS") or (
        account is not None
        and (account.is_locked or on_account_here >= _at_least_one("FUPIN_LOGIN_MAX_FAILURES"))
    )
    encoded = account.password if account is not None else _stand_in_hash(settings.PASSWORD_HASHERS[0])

    def upgrade(raw: str) -> None:
        # Django's hash upgrade on a right password, as ``User.check_password`` does it.
        if account is not None and not held:
            account.set_password(raw)
            account.save(update_fields=["password"])

    correct = check_password(password, encoded, upgrade)
    if held:
        raise _refusal()
    if account is None or not correct:
        _record_failure(account, client, since)
        raise _refusal()
    with transaction.atomic():
        # The failures in a row from here end; those from elsewhere still count to the lock.
        LoginFailure.objects.filter(client_hash=client, user=account).delete()
        User.objects.filter(pk=account.pk).update(locked_until=None, last_login=now)
        audit.record(account, "accounts.login", obj=account, area_code=account.area_id)
    account.refresh_from_db()
    return account


def _refusal() -> FupinError:
    return FupinError(
        AccountError.BAD_LOGIN,
        tries=settings.FUPIN_LOGIN_MAX_FAILURES,
        minutes=settings.FUPIN_LOGIN_LOCK_MINUTES,
    )


def _record_failure(user: User | None, client: str, since: dt.datetime) -> None:
    with transaction.atomic():
        # Failures older than every window count for nothing: drop them as new ones come.
        LoginFailure.objects.filter(at__lt=since).delete()
        LoginFailure.objects.create(client_hash=client, user=user)
        if user is None:
            return  # no account to note it on; it counts against the address
        recent = LoginFailure.objects.filter(user=user, at__gte=since)
        here = recent.filter(client_hash=client).count()
        after: dict[str, Any] = {"username": user.username}
        if recent.count() >= settings.FUPIN_LOGIN_MAX_FAILURES_PER_ACCOUNT:
            until = timezone.now() + dt.timedelta(minutes=settings.FUPIN_LOGIN_LOCK_MINUTES)
            User.objects.filter(pk=user.pk).update(locked_until=until)
            after["tokens_revoked"] = _revoke_all_tokens(user, RevokeReason.LOCKED)
            action = "accounts.lock"
        elif here == settings.FUPIN_LOGIN_MAX_FAILURES:
            action = "accounts.login_held"
        else:
            action = "accounts.login_failed"
        audit.record(SYSTEM, action, obj=user, area_code=user.area_id, after=after)


# --- showing full ID numbers ---------------------------------------------------------------

# The audit actions that showed someone a full ID number (the audit page filters by them).
REVEAL_ACTIONS = ("registry.reveal_id_number", "alerts.reveal_report_contact")


def count_reveal(actor: Any) -> None:
    """Count one full ID number shown to ``actor`` today, inside the revealing action's
    transaction; refuse past ``FUPIN_REVEALS_PER_DAY``. The operator is not limited."""
    if getattr(actor, "pk", None) is None:
        return
    limit = _at_least_one("FUPIN_REVEALS_PER_DAY")
    today = timezone.localdate()
    RevealDay.objects.get_or_create(user_id=actor.pk, day=today)
    row = RevealDay.objects.select_for_update().get(user_id=actor.pk, day=today)
    if row.count >= limit:
        raise RevealLimitReached(AccountError.REVEAL_LIMIT, limit=limit)
    RevealDay.objects.filter(pk=row.pk).update(count=F("count") + 1)


class RevealLimitReached(FupinError):
    status = 429
