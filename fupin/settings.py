"""Settings, read from the environment.

Every value comes from a ``FUPIN_*`` variable; a malformed value stops start-up with a message
instead of being guessed. Defaults give a working single-machine install on SQLite under ``var/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from fupin.core.keys import hash_key, load_or_create_secret, load_pii_hash_key, load_pii_keys

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


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Production mode: one switch for everything a server on the internet needs (explicit host names,
# HTTPS only with HSTS, secure cookies, keys kept outside the data directory). Off, the defaults
# suit the demo and a developer on http://127.0.0.1.
PRODUCTION = env_bool("FUPIN_PRODUCTION", False)
DEBUG = env_bool("FUPIN_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("FUPIN_DEBUG must be off in production mode: debug pages show settings")
SECRET_KEY = load_or_create_secret("FUPIN_SECRET_KEY", VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("FUPIN_ALLOWED_HOSTS")
if PRODUCTION and (not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "production mode needs FUPIN_ALLOWED_HOSTS: the host names served, comma-separated, not '*'"
    )
ALLOWED_HOSTS = ALLOWED_HOSTS or ["*"]

# Behind a reverse proxy that ends TLS: the header it sets on HTTPS requests, e.g.
# "X-Forwarded-Proto" (value https) or "X-Forwarded-Proto: https". Believe it only when the
# proxy sets or strips it on every request, or a client could claim HTTPS over plain http.
_proxy_ssl = os.environ.get("FUPIN_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl:
    _header, _colon, _value = _proxy_ssl.partition(":")
    if not re.fullmatch(r"[A-Za-z0-9-]+", _header.strip()):
        raise ImproperlyConfigured(f"FUPIN_PROXY_SSL_HEADER must be a header name, not {_proxy_ssl!r}")
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _header.strip().upper().replace("-", "_"),
        _value.strip() or "https",
    )
SECURE_SSL_REDIRECT = env_bool("FUPIN_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("FUPIN_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FUPIN_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("FUPIN_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# Forms posted from these origins pass the CSRF check although the Host the proxy forwards
# differs; by default every explicit host name over HTTPS in production.
CSRF_TRUSTED_ORIGINS = env_list("FUPIN_CSRF_TRUSTED_ORIGINS") or (
    [f"https://{'*' + h if h.startswith('.') else h}" for h in ALLOWED_HOSTS] if PRODUCTION else []
)
for _origin in CSRF_TRUSTED_ORIGINS:
    if not re.fullmatch(r"https?://[^/\s]+", _origin):
        raise ImproperlyConfigured(f"FUPIN_CSRF_TRUSTED_ORIGINS: {_origin!r} is not scheme://host")
# Content-Security-Policy sent with every page (fupin.web.security): scripts and everything
# else only from this server, no inline script. Inline styles stay allowed because ECharts
# writes its tooltips as HTML with style attributes; a style cannot run code.
FUPIN_CONTENT_SECURITY_POLICY = os.environ.get("FUPIN_CONTENT_SECURITY_POLICY") or (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

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

# Personal-data keys, newest first: the first encrypts, every one decrypts (key rotation), and
# the keyed hash has a key of its own that never rotates (fupin.core.keys). Production mode
# refuses a key file inside the data directory or beside an SQLite database.
_DATA_DIRS = [VAR_DIR]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and DATABASES["default"]["NAME"]:
    _DATA_DIRS.append(Path(DATABASES["default"]["NAME"]).parent)
PII_KEYS = load_pii_keys(production=PRODUCTION, default_path=VAR_DIR / "pii_key", data_dirs=_DATA_DIRS)
PII_HASH_KEY = load_pii_hash_key(production=PRODUCTION, data_dirs=_DATA_DIRS)
hash_key(PII_KEYS, PII_HASH_KEY)  # several keys without a hash key stop start-up, not the first save

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
    "fupin.web.security.ContentSecurityPolicyMiddleware",
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

# Login limits, each over the last FUPIN_LOGIN_LOCK_MINUTES and lifting by itself after that:
# failures on one account from one address hold that address off that account (so a stranger
# cannot lock someone out); failures from one address on any accounts hold the address off
# every login; failures on one account from all addresses together lock the account (a
# spread-out guessing attack) and revoke its API tokens.
FUPIN_LOGIN_MAX_FAILURES = env_int("FUPIN_LOGIN_MAX_FAILURES", 5)
FUPIN_LOGIN_LOCK_MINUTES = env_int("FUPIN_LOGIN_LOCK_MINUTES", 15)
FUPIN_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("FUPIN_LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
FUPIN_LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("FUPIN_LOGIN_MAX_FAILURES_PER_ACCOUNT", 50)
# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed
# when finding the sender's address (fupin.core.client); empty: the direct peer only.
FUPIN_TRUSTED_PROXIES = env_list("FUPIN_TRUSTED_PROXIES")
# An API token stops working this many days after it was issued.
FUPIN_API_TOKEN_DAYS = env_int("FUPIN_API_TOKEN_DAYS", 90)
# Full ID numbers one user may reveal per day (on pages and through the API).
FUPIN_REVEALS_PER_DAY = env_int("FUPIN_REVEALS_PER_DAY", 50)
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
# An ID number refused as already registered tells its sender the number exists somewhere: a
# user with this many such refusals in 24 hours may enter no more ID numbers until they age out.
FUPIN_ID_TAKEN_PER_USER_PER_DAY = env_int("FUPIN_ID_TAKEN_PER_USER_PER_DAY", 10)
# Reports for one village in a day that raise alerts; later ones wait for the township.
FUPIN_SELF_REPORT_PER_VILLAGE_PER_DAY = env_int("FUPIN_SELF_REPORT_PER_VILLAGE_PER_DAY", 20)
# Screening reads a whole area: at most this many runs of one area start in an hour.
FUPIN_SCREENING_RUNS_PER_AREA_PER_HOUR = env_int("FUPIN_SCREENING_RUNS_PER_AREA_PER_HOUR", 6)
# After a change an indicator counts, refresh the touched areas' statistics in a background
# thread; off in the tests, which refresh explicitly so their results do not race a thread.
FUPIN_STATS_REFRESH_IN_BACKGROUND = env_bool("FUPIN_STATS_REFRESH_IN_BACKGROUND", True)
