from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fupin.accounts.permissions import Role, role_can


class User(AbstractUser):
    """A person using Fupin, bound to exactly one area and one role."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="users", verbose_name=_("area")
    )
    # Set when failures on this account from all addresses together pass the account-wide
    # limit; it lifts by itself (see ``accounts.actions.login``).
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    REQUIRED_FIELDS = ["role", "area"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def can(self, perm: str) -> bool:
        return self.is_active and role_can(self.role, perm)

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class RevokeReason(models.TextChoices):
    BY_OWNER = "owner", _("revoked by its owner")
    BY_ADMIN = "admin", _("revoked by an administrator")
    PASSWORD = "password", _("password changed")
    LOCKED = "locked", _("account locked")


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once. It works
    until ``expires_at`` unless revoked: by its owner, an administrator, a password change
    (a stolen password must not live on as a token) or a lock of the account."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("token"), max_length=8)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("reason"), max_length=10, choices=RevokeReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_live(self) -> bool:
        return not self.revoked and self.expires_at > timezone.now()


class LoginFailure(models.Model):
    """One refused login, counted by the limits of ``accounts.actions.login``. The sender's
    address is kept only as a keyed hash; rows older than the lock period count for nothing."""

    client_hash = models.CharField(max_length=64)
    # Empty for a user name that does not exist: it still counts against the address.
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["client_hash", "at"]),
            models.Index(fields=["user", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id}"



class RevealDay(models.Model):
    """How many full ID numbers a user has been shown on one day, for the daily limit
    (``FUPIN_REVEALS_PER_DAY``). Each reveal also has its own audit entry; this row is what a
    reveal locks, so parallel requests cannot pass the limit together."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_reveal_count_per_user_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}: {self.count}"
