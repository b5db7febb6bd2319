from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from fupin.accounts.models import ApiToken, User
from fupin.accounts.permissions import MANAGE_USERS
from fupin.areas.queries import within
from fupin.core.errors import NotFound


def user_for_token(token: str) -> User | None:
    """The owner of a live token: not revoked, not expired, and the account active and not
    locked (a lock revokes the tokens too; this holds even for one issued during the lock)."""
    now = timezone.now()
    row = (
        ApiToken.objects.select_related("user", "user__area")
        .filter(digest=ApiToken.digest_of(token), revoked=False, expires_at__gt=now)
        .first()
    )
    if row is None or not row.user.is_active or row.user.is_locked:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def tokens_visible_to(actor: Any) -> QuerySet[ApiToken]:
    """The actor's own tokens, and for an administrator those of every user in their area."""
    mine = Q(user_id=actor.pk)
    if actor.can(MANAGE_USERS):
        mine |= within(actor.area, "user__area_id")
    return ApiToken.objects.filter(mine).select_related("user", "user__area").order_by("-created_at", "-id")


def access_token_by_id(actor: Any, token_id: int) -> ApiToken:
    token = tokens_visible_to(actor).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    return token


def users_within(actor: Any) -> QuerySet[User]:
    return User.objects.filter(within(actor.area, "area_id")).select_related("area")


def access_user_by_name(actor: Any, username: str) -> User:
    user = users_within(actor).filter(username=username).first()
    if user is None:
        raise NotFound()
    return user
