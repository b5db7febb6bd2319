"""Logging in: one answer, at one cost, for every refusal; and limits that a stranger cannot
turn against the account's owner. Failures on one account from one address hold that address
off the account; failures from one address hold it off every login; failures on one account
from everywhere together lock the account and revoke its tokens. All of them lift by
themselves once the failures are older than the lock period."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from fupin.accounts.actions import do_issue_token, do_set_password, login
from fupin.accounts.models import ApiToken, LoginFailure, User
from fupin.accounts.queries import user_for_token
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from tests.accounts.hashers import CountingHasher
from tests.conftest import PASSWORD

HERE = "10.0.0.1"
THERE = "10.0.0.2"


def _fails(username: str, password: str, address: str = HERE) -> FupinError:
    with pytest.raises(FupinError) as caught:
        login(username, password, client_address=address)
    return caught.value


def _reload(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _time_passes(minutes: int = 16) -> None:
    """Every recorded failure and lock moves into the past, as if the time had gone by."""
    earlier = timezone.now() - dt.timedelta(minutes=minutes)
    LoginFailure.objects.update(at=earlier)
    User.objects.exclude(locked_until=None).update(locked_until=earlier)


def test_the_right_password_logs_in_and_is_audited(personas: dict[str, User]) -> None:
    user = login("village_clerk", PASSWORD, client_address=HERE)
    assert user == personas["village_clerk"]
    assert user.last_login is not None
    entry = AuditEntry.objects.get(action="accounts.login")
    assert (entry.actor, entry.object_id, entry.area_code) == (user, str(user.pk), user.area_id)


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(personas: dict[str, User]) -> None:
    unknown = _fails("nobody", PASSWORD)
    wrong = _fails("village_clerk", "not-the-password")
    assert unknown.code.name == wrong.code.name == "BAD_LOGIN"
    assert unknown.as_dict() == wrong.as_dict()


def test_an_inactive_user_gets_the_same_answer_as_an_unknown_one(personas: dict[str, User]) -> None:
    User.objects.filter(username="village_clerk").update(is_active=False)  # no deactivate action yet
    assert _fails("village_clerk", PASSWORD).as_dict() == _fails("nobody", PASSWORD).as_dict()


def test_the_user_name_is_matched_exactly(personas: dict[str, User]) -> None:
    assert _fails("Village_Clerk", PASSWORD).code.name == "BAD_LOGIN"


@override_settings(FUPIN_LOGIN_MAX_FAILURES=3, FUPIN_LOGIN_MAX_FAILURES_PER_ACCOUNT=6)
def test_a_held_and_a_locked_login_answer_exactly_like_a_wrong_password(personas: dict[str, User]) -> None:
    wrong = _fails("village_clerk", "wrong-0").as_dict()
    for attempt in range(1, 3):
        _fails("village_clerk", f"wrong-{attempt}")
    # Held from HERE: even the right password gets the wrong-password answer, word for word.
    assert _fails("village_clerk", PASSWORD).as_dict() == wrong
    for attempt in range(3):
        _fails("village_clerk", f"wrong-{attempt}", address=f"10.9.0.{attempt}")
    assert _reload(personas["village_clerk"]).is_locked
    assert _fails("village_clerk", PASSWORD, address="10.8.8.8").as_dict() == wrong
    assert _fails("nobody", PASSWORD).as_dict() == wrong
    assert "3" in wrong["message"] and "15" in wrong["message"]  # says what the limit is


@override_settings(
    PASSWORD_HASHERS=["tests.accounts.hashers.CountingHasher"],
    FUPIN_LOGIN_MAX_FAILURES=2,
    FUPIN_LOGIN_MAX_FAILURES_PER_ADDRESS=4,
    FUPIN_LOGIN_MAX_FAILURES_PER_ACCOUNT=4,
)
def test_every_path_of_a_login_runs_the_password_hasher_once(db: Any) -> None:
    """The time a login takes is the hash's: a path that skipped it (the lock used to) would
    answer in a few milliseconds instead of hundreds and tell which accounts exist."""
    from fupin.accounts.actions import do_create_user
    from fupin.areas.models import Area

    village = Area.objects.get(code="433124110226")
    for name in ("held", "locked", "right", "no_password"):
        password = None if name == "no_password" else PASSWORD
        do_create_user(name, role="village_clerk", area=village, password=password)
    _fails("nobody", "warm-up", address="10.3.3.3")  # makes the stand-in hash once, outside the count

    def runs(username: str, password: str, address: str) -> int:
        before = CountingHasher.runs
        with contextlib.suppress(FupinError):
            login(username, password, client_address=address)
        return CountingHasher.runs - before

    _fails("held", "wrong-1")
    _fails("held", "wrong-2")
    for i in range(4):
        _fails("locked", f"wrong-{i}", address=f"10.4.0.{i}")
    assert _reload(User.objects.get(username="locked")).is_locked
    for i in range(4):
        _fails(f"ghost-{i}", "x", address="10.5.5.5")
    paths = {
        "wrong password": runs("right", "wrong", "10.6.0.1"),
        "unknown user": runs("nobody-at-all", PASSWORD, "10.6.0.2"),
        "no usable password": runs("no_password", PASSWORD, "10.6.0.3"),
        "held on this account": runs("held", PASSWORD, HERE),
        "account locked": runs("locked", PASSWORD, "10.6.0.4"),
        "address held": runs("right", PASSWORD, "10.5.5.5"),
        "right password": runs("right", PASSWORD, "10.6.0.5"),
    }
    assert paths == dict.fromkeys(paths, 1)


@override_settings(FUPIN_LOGIN_MAX_FAILURES=3, FUPIN_LOGIN_LOCK_MINUTES=15)
def test_failures_from_one_address_hold_only_that_address_off_the_account(personas: dict[str, User]) -> None:
    """A stranger typing wrong passwords cannot lock the owner out from elsewhere."""
    user = personas["village_clerk"]
    for attempt in range(3):
        _fails("village_clerk", f"wrong-{attempt}", address=HERE)
    assert _fails("village_clerk", PASSWORD, address=HERE).code.name == "BAD_LOGIN"
    assert login("village_clerk", PASSWORD, client_address=THERE) == user
    assert not _reload(user).is_locked
    held = AuditEntry.objects.filter(action="accounts.login_held", object_id=str(user.pk))
    assert held.count() == 1
    assert AuditEntry.objects.filter(action="accounts.login_failed", object_id=str(user.pk)).count() == 2
    # and after the lock period the hold lifts by itself
    _time_passes()
    assert login("village_clerk", PASSWORD, client_address=HERE) == user


@override_settings(FUPIN_LOGIN_MAX_FAILURES=3, FUPIN_LOGIN_MAX_FAILURES_PER_ACCOUNT=100)
def test_a_held_address_adds_nothing_so_it_cannot_push_the_account_to_its_lock(
    personas: dict[str, User],
) -> None:
    for attempt in range(40):
        _fails("village_clerk", f"wrong-{attempt}")
    assert LoginFailure.objects.count() == 3
    assert not _reload(personas["village_clerk"]).is_locked


@override_settings(FUPIN_LOGIN_MAX_FAILURES=5, FUPIN_LOGIN_MAX_FAILURES_PER_ADDRESS=6)
def test_failures_from_one_address_on_many_names_hold_that_address_off_every_login(
    personas: dict[str, User],
) -> None:
    for name in ("nobody", "village_clerk", "first_secretary", "cadre", "ghost", "org_dept"):
        _fails(name, "guess", address=HERE)
    assert _fails("township_officer", PASSWORD, address=HERE).code.name == "BAD_LOGIN"
    assert login("township_officer", PASSWORD, client_address=THERE) == personas["township_officer"]
    _time_passes()
    assert login("township_officer", PASSWORD, client_address=HERE) == personas["township_officer"]


@override_settings(FUPIN_LOGIN_MAX_FAILURES=3, FUPIN_LOGIN_MAX_FAILURES_PER_ACCOUNT=6)
def test_failures_from_many_addresses_lock_the_account_and_revoke_its_tokens(
    personas: dict[str, User],
) -> None:
    user = personas["village_clerk"]
    token = do_issue_token(user, actor=SYSTEM)
    for attempt in range(6):
        _fails("village_clerk", f"wrong-{attempt}", address=f"10.2.0.{attempt}")
    locked = _reload(user)
    assert locked.is_locked
    assert locked.locked_until - timezone.now() > dt.timedelta(minutes=14)
    assert _fails("village_clerk", PASSWORD, address="10.2.9.9").code.name == "BAD_LOGIN"
    assert user_for_token(token) is None
    row = ApiToken.objects.get(user=user)
    assert (row.revoked, row.revoked_reason) == (True, "locked")
    lock = AuditEntry.objects.get(action="accounts.lock", object_id=str(user.pk))
    assert lock.after == {"username": "village_clerk", "tokens_revoked": 1}
    # it lifts by itself; the revoked token stays revoked
    _time_passes()
    assert login("village_clerk", PASSWORD, client_address="10.2.9.9") == user
    assert _reload(user).locked_until is None
    assert user_for_token(token) is None


@override_settings(FUPIN_LOGIN_MAX_FAILURES=3)
def test_a_success_ends_the_run_of_failures_from_that_address(personas: dict[str, User]) -> None:
    _fails("village_clerk", "wrong-1")
    _fails("village_clerk", "wrong-2")
    login("village_clerk", PASSWORD, client_address=HERE)
    _fails("village_clerk", "wrong-3")
    _fails("village_clerk", "wrong-4")
    assert login("village_clerk", PASSWORD, client_address=HERE) == personas["village_clerk"]


@override_settings(FUPIN_LOGIN_MAX_FAILURES=2)
def test_failures_on_one_account_do_not_hold_another(personas: dict[str, User]) -> None:
    _fails("village_clerk", "wrong-1")
    _fails("village_clerk", "wrong-2")
    assert login("first_secretary", PASSWORD, client_address=HERE) == personas["first_secretary"]


@override_settings(FUPIN_LOGIN_MAX_FAILURES=2, FUPIN_LOGIN_MAX_FAILURES_PER_ACCOUNT=2)
def test_an_administrator_setting_a_password_unlocks_the_account(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    _fails("village_clerk", "wrong-1")
    _fails("village_clerk", "wrong-2", address=THERE)
    assert _reload(user).is_locked
    do_set_password(_reload(user), "Another-pass-2025", actor=personas["county_admin"])
    assert login("village_clerk", "Another-pass-2025", client_address=HERE) == user


@pytest.mark.parametrize(
    ("username", "error"), [("outsider", NotFound), ("township_officer", PermissionDenied)]
)
def test_only_an_administrator_of_the_area_sets_a_password(
    personas: dict[str, User], username: str, error: type[FupinError]
) -> None:
    user = personas["village_clerk"]
    with pytest.raises(error):
        do_set_password(user, "Another-pass-2025", actor=personas[username])
    assert login("village_clerk", PASSWORD, client_address=HERE) == user


def test_the_operator_sets_a_password_and_it_is_audited(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    do_set_password(user, "Another-pass-2025", actor=SYSTEM)
    entry = AuditEntry.objects.get(action="accounts.set_password")
    assert (entry.actor_name, entry.object_id) == ("system", str(user.pk))
    assert entry.before is None and entry.after == {"tokens_revoked": 0}


@override_settings(FUPIN_LOGIN_MAX_FAILURES=2, FUPIN_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_the_login_page_counts_by_the_sender_behind_the_trusted_proxy(personas: dict[str, User]) -> None:
    """Behind the county's proxy every request comes from the proxy: one stranger's failures
    must hold the stranger, not everyone behind the same proxy."""

    def post(password: str, sender: str) -> int:
        return (
            Client()
            .post(
                "/login/",
                {"username": "village_clerk", "password": password},
                REMOTE_ADDR="10.0.0.5",
                HTTP_X_FORWARDED_FOR=f"{sender}, 10.0.0.7",
            )
            .status_code
        )

    assert post("wrong-1", "203.0.113.9") == 400
    assert post("wrong-2", "203.0.113.9") == 400
    assert post(PASSWORD, "203.0.113.9") == 400  # the stranger is held
    assert post(PASSWORD, "198.51.100.4") == 302  # the owner, elsewhere, logs in
