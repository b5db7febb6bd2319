"""Changing one's own password, and API tokens of which only the SHA-256 is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fupin.accounts.actions import (
    do_change_own_password,
    do_issue_token,
    do_revoke_token,
    do_set_password,
    login,
)
from fupin.accounts.models import ApiToken, User
from fupin.accounts.queries import (
    access_token_by_id,
    access_user_by_name,
    tokens_visible_to,
    user_for_token,
    users_within,
)
from fupin.core.access import SYSTEM
from fupin.core.crypto import decrypt
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from fupin.web.token_views import WAITING_ISSUE
from tests.conftest import PASSWORD
from tests.registry.helpers import stored_values

NEW = "Fresh-pass-2025"


# --- own password --------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    with pytest.raises(FupinError) as caught:
        do_change_own_password(user, "not-my-password", NEW)
    assert (caught.value.code.name, caught.value.field) == ("WRONG_PASSWORD", "old_password")
    assert login("village_clerk", PASSWORD) == user
    assert not AuditEntry.objects.filter(action="accounts.change_password").exists()


@pytest.mark.parametrize("weak", ["Ab1!", "12345678901", "password", "qwertyuiop"])
def test_a_new_password_must_pass_the_validators(personas: dict[str, User], weak: str) -> None:
    user = personas["village_clerk"]
    with pytest.raises(FupinError) as caught:
        do_change_own_password(user, PASSWORD, weak)
    assert (caught.value.code.name, caught.value.field) == ("WEAK_PASSWORD", "password")
    assert login("village_clerk", PASSWORD) == user


def test_after_a_change_the_new_password_works_and_the_old_one_does_not(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    do_change_own_password(user, PASSWORD, NEW)
    assert login("village_clerk", NEW) == user
    with pytest.raises(FupinError):
        login("village_clerk", PASSWORD)
    entry = AuditEntry.objects.get(action="accounts.change_password")
    assert (entry.actor, entry.object_id) == (user, str(user.pk))


# --- API tokens ----------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_sha256(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    token = do_issue_token(user, actor=SYSTEM)
    row = ApiToken.objects.get(user=user)
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:8]
    assert [(t, c) for t, c, text in stored_values() if token in text] == []


def test_the_token_finds_its_user_and_records_its_use(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    token = do_issue_token(user, actor=SYSTEM)
    assert user_for_token(token) == user
    assert ApiToken.objects.get(user=user).last_used_at is not None


@pytest.mark.parametrize("guess", ["", "x", "not-a-token-at-all"])
def test_an_unknown_token_finds_nobody(personas: dict[str, User], guess: str) -> None:
    do_issue_token(personas["village_clerk"], actor=SYSTEM)
    assert user_for_token(guess) is None


def test_a_revoked_token_finds_nobody(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    token = do_issue_token(user, actor=SYSTEM)
    do_revoke_token(ApiToken.objects.get(user=user), actor=user)
    assert user_for_token(token) is None


def test_a_token_expires_after_the_set_days(personas: dict[str, User], settings: Any) -> None:
    settings.FUPIN_API_TOKEN_DAYS = 30
    user = personas["village_clerk"]
    token = do_issue_token(user, actor=SYSTEM)
    row = ApiToken.objects.get(user=user)
    assert dt.timedelta(days=29, hours=23) < row.expires_at - row.created_at <= dt.timedelta(days=30)
    assert user_for_token(token) == user
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert user_for_token(token) is None
    # and the API answers 401 for it
    answer = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 401


def test_changing_ones_password_revokes_ones_tokens(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    other = do_issue_token(personas["first_secretary"], actor=SYSTEM)
    token = do_issue_token(user, actor=SYSTEM)
    do_change_own_password(user, PASSWORD, NEW)
    assert user_for_token(token) is None
    assert user_for_token(other) == personas["first_secretary"]
    assert ApiToken.objects.get(user=user).revoked_reason == "password"
    entry = AuditEntry.objects.get(action="accounts.change_password")
    assert entry.after == {"tokens_revoked": 1}
    # a token issued after the change works
    assert user_for_token(do_issue_token(user, actor=user)) == user


def test_an_administrator_setting_a_password_revokes_the_tokens(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    token = do_issue_token(user, actor=SYSTEM)
    do_set_password(user, NEW, actor=personas["county_admin"])
    assert user_for_token(token) is None


def test_a_locked_account_s_token_finds_nobody(personas: dict[str, User]) -> None:
    # Even one issued while the lock holds (by the operator, say).
    user = personas["village_clerk"]
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=5))
    token = do_issue_token(user, actor=SYSTEM)
    assert user_for_token(token) is None


def test_the_owner_and_the_county_administrator_list_and_revoke_tokens(personas: dict[str, User]) -> None:
    clerk, admin = personas["village_clerk"], personas["county_admin"]
    do_issue_token(clerk, actor=SYSTEM)
    do_issue_token(personas["outsider"], actor=SYSTEM)
    do_issue_token(admin, actor=SYSTEM)
    assert {t.user.username for t in tokens_visible_to(clerk)} == {"village_clerk"}
    assert {t.user.username for t in tokens_visible_to(admin)} == {"village_clerk", "county_admin"}
    assert {t.user.username for t in tokens_visible_to(personas["township_officer"])} == set()
    clerks = ApiToken.objects.get(user=clerk)
    # someone else's token: not found for those who may not manage it, like a missing one
    for name in ("first_secretary", "township_officer", "outsider"):
        with pytest.raises(NotFound):
            access_token_by_id(personas[name], clerks.pk)
        with pytest.raises((NotFound, PermissionDenied)):
            do_revoke_token(clerks, actor=personas[name])
    revoked = do_revoke_token(access_token_by_id(admin, clerks.pk), actor=admin)
    assert (revoked.revoked, revoked.revoked_reason) == (True, "admin")
    entry = AuditEntry.objects.get(action="accounts.revoke_token")
    assert (entry.actor, entry.object_id, entry.area_code) == (admin, str(clerks.pk), clerk.area_id)
    assert entry.after == {"user": "village_clerk", "prefix": clerks.prefix, "reason": "admin"}
    # twice: refused, one entry
    with pytest.raises(FupinError) as again:
        do_revoke_token(revoked, actor=clerk)
    assert again.value.code.name == "TOKEN_NOT_LIVE"
    assert AuditEntry.objects.filter(action="accounts.revoke_token").count() == 1


def test_the_tokens_page_issues_shows_once_and_revokes(personas: dict[str, User], client_for: Any) -> None:
    clerk_page = client_for("village_clerk")
    posted = clerk_page.post("/tokens/new/")
    # Post/redirect/get: a reload of the page that shows the token issues nothing more.
    assert posted.status_code == 302 and posted["Location"] == "/tokens/"
    waiting = clerk_page.session[WAITING_ISSUE]
    issued = clerk_page.get("/tokens/")
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    assert WAITING_ISSUE not in clerk_page.session  # taken out by the one view that shows it
    row = ApiToken.objects.get(user=personas["village_clerk"])
    text = issued.content.decode()
    plain = re.search(rf"{re.escape(row.prefix)}[\w-]{{30,}}", text).group(0)
    assert user_for_token(plain) == personas["village_clerk"]
    assert plain not in waiting and decrypt(waiting) == plain  # it waited encrypted
    listing = clerk_page.get("/tokens/").content.decode()
    assert f"{row.prefix}…" in listing and plain not in listing
    # the county administrator sees it among the county's tokens and revokes it
    admin_page = client_for("county_admin")
    assert f"{row.prefix}…" in admin_page.get("/tokens/").content.decode()
    assert client_for("outsider").post(f"/tokens/{row.pk}/revoke/").status_code == 404
    assert client_for("first_secretary").post(f"/tokens/{row.pk}/revoke/").status_code == 404
    assert admin_page.get(f"/tokens/{row.pk}/revoke/").status_code == 405
    done = admin_page.post(f"/tokens/{row.pk}/revoke/")
    assert done.status_code == 302
    assert user_for_token(plain) is None
    assert f"{row.prefix}…" not in admin_page.get("/tokens/").content.decode()
    assert f"{row.prefix}…" in admin_page.get("/tokens/?all=1").content.decode()
    assert clerk_page.post(f"/tokens/{row.pk}/revoke/").status_code == 400


def test_a_token_of_an_inactive_user_finds_nobody(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    token = do_issue_token(user, actor=SYSTEM)
    User.objects.filter(pk=user.pk).update(is_active=False)  # there is no deactivate action yet
    assert user_for_token(token) is None


def test_two_tokens_of_one_user_both_work(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    first, second = do_issue_token(user, actor=SYSTEM), do_issue_token(user, actor=SYSTEM)
    assert first != second
    assert user_for_token(first) == user_for_token(second) == user


def test_users_issue_their_own_tokens(personas: dict[str, User]) -> None:
    # The request's user is a separate instance from the one the page looked up.
    user = personas["village_clerk"]
    token = do_issue_token(user, actor=User.objects.get(pk=user.pk))
    assert user_for_token(token) == user
    entry = AuditEntry.objects.get(action="accounts.issue_token")
    assert entry.actor == user
    assert token not in str(entry.after)


@pytest.mark.parametrize(
    ("username", "error"), [("first_secretary", PermissionDenied), ("outsider", NotFound)]
)
def test_nobody_but_an_administrator_of_the_area_issues_a_token_for_someone_else(
    personas: dict[str, User], username: str, error: type[FupinError]
) -> None:
    with pytest.raises(error):
        do_issue_token(personas["village_clerk"], actor=personas[username])
    assert not ApiToken.objects.exists()


def test_a_county_administrator_issues_a_token_for_a_user_of_the_county(personas: dict[str, User]) -> None:
    token = do_issue_token(personas["village_clerk"], actor=personas["county_admin"])
    assert user_for_token(token) == personas["village_clerk"]


# --- users within an area ------------------------------------------------------------------


def test_users_within_an_area_are_the_ones_bound_inside_it(personas: dict[str, User]) -> None:
    names = set(users_within(personas["township_officer"]).values_list("username", flat=True))
    assert names == {"township_officer", "village_clerk", "first_secretary", "cadre", "neighbour_clerk"}


def test_a_user_outside_is_not_found_like_a_missing_one(personas: dict[str, User]) -> None:
    officer = personas["township_officer"]
    assert access_user_by_name(officer, "village_clerk") == personas["village_clerk"]
    with pytest.raises(NotFound) as outside:
        access_user_by_name(officer, "county_admin")
    with pytest.raises(NotFound) as missing:
        access_user_by_name(officer, "nobody")
    assert outside.value.as_dict() == missing.value.as_dict()
