"""Settings, read from the environment.

Every value comes from a ``FUPIN_*`` variable; a malformed value stops start-up with a message
instead of being guessed. Defaults give a working single-machine install on SQLite under ``var/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fupin.core.keys import load_or_create_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("FUPIN_VAR_DIR", BASE_DIR / "var"))
NODE_MODULES = Path(os.environ.get("FUPIN_NODE_MODULES", BASE_DIR / "node_modules"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


DEBUG = env_bool("FUPIN_DEBUG", False)
SECRET_KEY = load_or_create_secret("FUPIN_SECRET_KEY", VAR_DIR / "secret_key")
# Separate key for personal data: rotating the session key must not lose ID numbers.
PII_KEY = load_or_create_secret("FUPIN_PII_KEY", VAR_DIR / "pii_key")
ALLOWED_HOSTS = [h for h in os.environ.get("FUPIN_ALLOWED_HOSTS", "*").split(",") if h]

DATABASE_URL = os.environ.get("FUPIN_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'fupin.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("FUPIN_DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while an import writes; IMMEDIATE avoids lock-upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if os.environ.get("FUPIN_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["FUPIN_TEST_DB_NAME"]}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "fupin.core",
    "fupin.areas",
    "fupin.accounts",
    "fupin.registry",
    "fupin.cases",
    "fupin.assessment",
    "fupin.feeds",
    "fupin.alerts",
    "fupin.screening",
    "fupin.party",
    "fupin.teams",
    "fupin.mutualaid",
    "fupin.pairing",
    "fupin.assistance",
    "fupin.duty",
    "fupin.stats",
    "fupin.web",
    "fupin.demo",
    "fupin.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fupin.web.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "fupin.urls"
WSGI_APPLICATION = "fupin.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fupin.web.context.navigation",
            ]
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "fupin" / "locale"]
TIME_ZONE = os.environ.get("FUPIN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # collectstatic target; whitenoise also serves via finders
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Front-end assets from the npm registry, copied into vendor/ by `make install`
# (scripts/vendor_assets.py), served locally: pages load nothing from the internet.
STATICFILES_DIRS = [("vendor", BASE_DIR / "vendor")] if (BASE_DIR / "vendor").exists() else []
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("FUPIN_SESSION_SECONDS", 8 * 3600)
CSRF_COOKIE_HTTPONLY = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FUPIN_LOG_LEVEL", "WARNING")},
}

# Login lockout: after this many failures in a row the account is locked for the given minutes.
FUPIN_LOGIN_MAX_FAILURES = env_int("FUPIN_LOGIN_MAX_FAILURES", 5)
FUPIN_LOGIN_LOCK_MINUTES = env_int("FUPIN_LOGIN_LOCK_MINUTES", 15)
FUPIN_PAGE_SIZE = env_int("FUPIN_PAGE_SIZE", 50)

FUPIN_SITE_NAME = _("Fupin — precision poverty alleviation")

# Whole (not split) CJK font files for PDFs, from the npm package @expo-google-fonts/noto-sans-sc:
# WeasyPrint embeds wrong glyphs from unicode-range split web fonts.
FUPIN_PDF_FONT_DIR = NODE_MODULES / "@expo-google-fonts" / "noto-sans-sc"
# Uploaded spreadsheets, error sheets and exports kept for download.
FUPIN_FILES_DIR = VAR_DIR / "files"
# One import file at most: calamine holds a whole sheet in memory while it is read (about 3 KB
# per 60-column row), so the limits bound a worker's memory; a county splits a larger roster.
FUPIN_IMPORT_MAX_ROWS = env_int("FUPIN_IMPORT_MAX_ROWS", 200_000)
FUPIN_IMPORT_MAX_BYTES = env_int("FUPIN_IMPORT_MAX_BYTES", 64 * 1024 * 1024)
# The public self-report page (农户自主申报): how often one address, and one ID number, may send.
FUPIN_SELF_REPORT_PER_ADDRESS_PER_HOUR = env_int("FUPIN_SELF_REPORT_PER_ADDRESS_PER_HOUR", 5)
FUPIN_SELF_REPORT_PER_ID_PER_DAY = env_int("FUPIN_SELF_REPORT_PER_ID_PER_DAY", 3)
# After a change an indicator counts, refresh the touched areas' statistics in a background
# thread; off in the tests, which refresh explicitly so their results do not race a thread.
FUPIN_STATS_REFRESH_IN_BACKGROUND = env_bool("FUPIN_STATS_REFRESH_IN_BACKGROUND", True)
