from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from fupin.accounts.models import ApiToken, User
from fupin.areas.queries import within
from fupin.core.errors import NotFound


def user_for_token(token: str) -> User | None:
    row = (
        ApiToken.objects.select_related("user", "user__area")
        .filter(digest=ApiToken.digest_of(token), revoked=False)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


def users_within(actor: Any) -> QuerySet[User]:
    return User.objects.filter(within(actor.area, "area_id")).select_related("area")


def access_user_by_name(actor: Any, username: str) -> User:
    user = users_within(actor).filter(username=username).first()
    if user is None:
        raise NotFound()
    return user
