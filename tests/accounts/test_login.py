"""Logging in: one message for every wrong combination, and a lock after too many failures in a
row that holds even against the right password until it expires."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test.utils import override_settings
from django.utils import timezone

from fupin.accounts.actions import do_set_password, login
from fupin.accounts.models import User
from fupin.core.access import SYSTEM
from fupin.core.errors import FupinError, NotFound, PermissionDenied
from fupin.core.models import AuditEntry
from tests.conftest import PASSWORD


def _fails(username: str, password: str) -> FupinError:
    with pytest.raises(FupinError) as caught:
        login(username, password)
    return caught.value


def _reload(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_the_right_password_logs_in_and_is_audited(personas: dict[str, User]) -> None:
    user = login("village_clerk", PASSWORD)
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


@override_settings(FUPIN_LOGIN_MAX_FAILURES=3, FUPIN_LOGIN_LOCK_MINUTES=15)
def test_the_account_locks_after_the_maximum_failures_in_a_row(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    assert _fails("village_clerk", "wrong-1").code.name == "BAD_LOGIN"
    assert _fails("village_clerk", "wrong-2").code.name == "BAD_LOGIN"
    assert _reload(user).failed_logins == 2
    locking = _fails("village_clerk", "wrong-3")
    assert locking.code.name == "LOCKED"
    assert "15" in locking.message
    locked = _reload(user)
    assert locked.is_locked
    assert locked.locked_until is not None
    assert locked.locked_until - timezone.now() > dt.timedelta(minutes=14)
    assert AuditEntry.objects.filter(action="accounts.lock", object_id=str(user.pk)).count() == 1
    assert AuditEntry.objects.filter(action="accounts.login_failed", object_id=str(user.pk)).count() == 2


@override_settings(FUPIN_LOGIN_MAX_FAILURES=3)
def test_a_locked_account_refuses_even_the_right_password_until_the_lock_expires(
    personas: dict[str, User],
) -> None:
    user = personas["village_clerk"]
    for attempt in range(3):
        _fails("village_clerk", f"wrong-{attempt}")
    assert _fails("village_clerk", PASSWORD).code.name == "LOCKED"
    assert _reload(user).last_login is None

    # Time passes: the lock lies in the past.
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert login("village_clerk", PASSWORD) == user
    unlocked = _reload(user)
    assert (unlocked.failed_logins, unlocked.locked_until) == (0, None)


@override_settings(FUPIN_LOGIN_MAX_FAILURES=3)
def test_a_success_resets_the_counter_so_only_failures_in_a_row_lock(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    _fails("village_clerk", "wrong-1")
    _fails("village_clerk", "wrong-2")
    login("village_clerk", PASSWORD)
    assert _reload(user).failed_logins == 0
    _fails("village_clerk", "wrong-3")
    assert _fails("village_clerk", "wrong-4").code.name == "BAD_LOGIN"
    assert not _reload(user).is_locked


@override_settings(FUPIN_LOGIN_MAX_FAILURES=3)
def test_after_a_lock_expires_a_fresh_run_of_failures_is_needed_to_lock_again(
    personas: dict[str, User],
) -> None:
    user = personas["village_clerk"]
    for attempt in range(3):
        _fails("village_clerk", f"wrong-{attempt}")
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert _fails("village_clerk", "wrong-again").code.name == "BAD_LOGIN"
    assert not _reload(user).is_locked


@override_settings(FUPIN_LOGIN_MAX_FAILURES=2)
def test_failures_on_one_account_do_not_lock_another(personas: dict[str, User]) -> None:
    _fails("village_clerk", "wrong-1")
    _fails("village_clerk", "wrong-2")
    assert login("first_secretary", PASSWORD) == personas["first_secretary"]


@override_settings(FUPIN_LOGIN_MAX_FAILURES=2)
def test_an_administrator_setting_a_password_unlocks_the_account(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    _fails("village_clerk", "wrong-1")
    _fails("village_clerk", "wrong-2")
    do_set_password(_reload(user), "Another-pass-2025", actor=personas["county_admin"])
    assert login("village_clerk", "Another-pass-2025") == user


@pytest.mark.parametrize(
    ("username", "error"), [("outsider", NotFound), ("township_officer", PermissionDenied)]
)
def test_only_an_administrator_of_the_area_sets_a_password(
    personas: dict[str, User], username: str, error: type[FupinError]
) -> None:
    user = personas["village_clerk"]
    with pytest.raises(error):
        do_set_password(user, "Another-pass-2025", actor=personas[username])
    assert login("village_clerk", PASSWORD) == user


def test_the_operator_sets_a_password_and_it_is_audited(personas: dict[str, User]) -> None:
    user = personas["village_clerk"]
    do_set_password(user, "Another-pass-2025", actor=SYSTEM)
    entry = AuditEntry.objects.get(action="accounts.set_password")
    assert (entry.actor_name, entry.object_id) == ("system", str(user.pk))
    assert entry.before is None and entry.after is None
