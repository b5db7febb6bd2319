"""API tokens (/tokens/): a user's own, and for an administrator those of every user in the
area; issuing one for oneself and revoking. Thin: ``accounts.queries`` and ``accounts.actions``."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts.actions import do_issue_token, do_revoke_token
from fupin.accounts.models import ApiToken
from fupin.accounts.permissions import MANAGE_USERS
from fupin.accounts.queries import access_token_by_id, tokens_visible_to
from fupin.core.crypto import decrypt, encrypt
from fupin.core.errors import FupinError
from fupin.web.decorators import page


def _page(request: HttpRequest, *, new_token: str = "", error: str = "", status: int = 200) -> HttpResponse:
    user = request.user
    show_all = request.GET.get("all") == "1"
    tokens = tokens_visible_to(user)
    if not show_all:
        # Live ones by default: what an administrator checks after a leak.
        tokens = tokens.filter(revoked=False, expires_at__gt=timezone.now())
    mine = list(tokens.filter(user_id=user.pk))
    others = Paginator(tokens.exclude(user_id=user.pk), settings.FUPIN_PAGE_SIZE)
    response = render(
        request,
        "web/tokens.html",
        {
            "mine": mine,
            "page": others.get_page(request.GET.get("page")),
            "query": "all=1" if show_all else "",
            "show_all": show_all,
            "is_admin": user.can(MANAGE_USERS),  # type: ignore[union-attr]
            "new_token": new_token,
            "error": error,
            "days": settings.FUPIN_API_TOKEN_DAYS,
        },
        status=status,
    )
    if new_token:
        # The token is shown this once: no browser or proxy may keep the page.
        response["Cache-Control"] = "no-store"
    return response


# Post/redirect/get: the new token waits in the session for the one page that shows it, so a
# reload never issues a second one. It waits encrypted with the personal-data key and is taken
# out by that first view, so no plain token rests in the session table.
WAITING_ISSUE = "tokens.new"


@page
def token_list(request: HttpRequest) -> HttpResponse:
    waiting = request.session.pop(WAITING_ISSUE, None)
    return _page(request, new_token=decrypt(waiting) if waiting else "")


@page
@require_POST
def token_issue(request: HttpRequest) -> HttpResponse:
    token = do_issue_token(request.user, actor=request.user)  # type: ignore[arg-type]
    request.session[WAITING_ISSUE] = encrypt(token)
    return redirect("tokens")


@page
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token: ApiToken = access_token_by_id(request.user, token_id)
    try:
        do_revoke_token(token, actor=request.user)
    except FupinError as exc:
        if exc.status != 400:
            raise
        return _page(request, error=exc.message, status=400)
    return redirect("tokens")


urlpatterns = [
    path("tokens/", token_list, name="tokens"),
    path("tokens/new/", token_issue, name="token_issue"),
    path("tokens/<int:token_id>/revoke/", token_revoke, name="token_revoke"),
]
