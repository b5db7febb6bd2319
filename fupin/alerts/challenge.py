"""The public self-report page's challenge: a small sum to work out, signed by the server,
answerable once. It needs no outside CAPTCHA service and no JavaScript, so it works on any
phone and offline from the internet; what it stops is a script replaying one request, since
every report needs a fresh question from the page and each question is taken once.

The question travels in the form, signed (Django's signing, with SECRET_KEY) with its nonce
and time, so the server keeps nothing until it is answered; the nonce of an answered one is
stored (``UsedChallenge``) so the same question cannot be answered twice. The signed value is
readable, so it holds a keyed hash of the answer, not the numbers: the answer is on the page,
for a person to work out, and not in the form data for a script to copy.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from fupin.alerts.errors import AlertError
from fupin.alerts.models import UsedChallenge
from fupin.core.errors import FupinError

SALT = "fupin.alerts.challenge"
# Long enough to fill in the form slowly on a phone; a question past it is asked again.
MAX_AGE = dt.timedelta(hours=2)


@dataclass(frozen=True)
class Challenge:
    a: int
    b: int
    token: str


def _digest(nonce: str, answer: int) -> str:
    return salted_hmac(SALT, f"{nonce}:{answer}").hexdigest()


def new_challenge() -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(12)
    token = signing.dumps({"n": nonce, "d": _digest(nonce, a + b)}, salt=SALT)
    return Challenge(a, b, token)


def redeem(token: Any, answer: Any) -> None:
    """Accept the answer to ``token`` once, or raise with the field ``challenge``. Runs in its
    own transaction: a question answered stays used even if the report is then refused."""
    try:
        data = signing.loads(str(token or ""), salt=SALT, max_age=MAX_AGE)
        nonce, digest = str(data["n"]), str(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        # Expired, forged or missing alike: the page asks a new question.
        raise FupinError(AlertError.CHALLENGE_EXPIRED, field="challenge") from None
    # Used nonces older than any question still accepted are of no use: drop them as we go.
    UsedChallenge.objects.filter(used_at__lt=timezone.now() - MAX_AGE).delete()
    # Taken on any answer, right or wrong, so a script cannot try every sum on one question.
    try:
        with transaction.atomic():
            UsedChallenge.objects.create(nonce=nonce)
    except IntegrityError:
        raise FupinError(AlertError.CHALLENGE_EXPIRED, field="challenge") from None
    text = str(answer or "").strip()
    if not (text.isdigit() and len(text) <= 3 and constant_time_compare(_digest(nonce, int(text)), digest)):
        raise FupinError(AlertError.CHALLENGE_WRONG, field="challenge")
