"""Production mode: one setting hardens the server, and start-up refuses what would be unsafe.

Settings are read once per process, so each case starts a fresh Python with its own environment
and its own var/ directory (nothing here touches the test database).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

HOST = "fupin.example.gov.cn"


def key_file(directory: Path, *keys: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pii_key"
    path.write_text("\n".join(keys or [secrets.token_urlsafe(48)]) + "\n", encoding="ascii")
    path.chmod(0o600)
    return path


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    var = tmp_path / "var"
    env = {
        "FUPIN_PRODUCTION": "true",
        "FUPIN_ALLOWED_HOSTS": HOST,
        "FUPIN_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        "FUPIN_VAR_DIR": str(var),
        "FUPIN_DATABASE_URL": f"sqlite:///{var / 'fupin.sqlite3'}",
        "FUPIN_PII_KEY_FILE": str(key_file(tmp_path / "etc")),
    }
    env.update(extra)
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # A fresh process as an operator starts it: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE
    # in this one (playwright's loop), which check --deploy rightly refuses.
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FUPIN_", "DJANGO_SETTINGS", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def fupin(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(env, "-c", "import sys; from fupin.cli import main; sys.exit(main())", *args)


# Fetch the login page twice, over plain http and as the proxy forwards an HTTPS request.
PROBE = f"""
import json, django
django.setup()
from django.test import Client
plain = Client().get("/login/", HTTP_HOST="{HOST}")
secure = Client().get("/login/", HTTP_HOST="{HOST}", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({{
    "plain": [plain.status_code, plain.get("Location")],
    "secure": [secure.status_code, secure.get("Strict-Transport-Security")],
    "csp": secure.get("Content-Security-Policy"),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
}}))
"""


def probe(env: dict[str, str]) -> dict[str, object]:
    done = run({"DJANGO_SETTINGS_MODULE": "fupin.settings", **env}, "-c", PROBE)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_in_production_mode(tmp_path: Path) -> None:
    done = fupin(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


def test_outside_production_mode_check_deploy_names_what_is_missing(tmp_path: Path) -> None:
    env = {"FUPIN_VAR_DIR": str(tmp_path / "var"), "FUPIN_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    done = fupin(env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode != 0
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in done.stderr + done.stdout


def test_production_redirects_to_https_and_sends_hsts_secure_cookies_and_the_policy(tmp_path: Path) -> None:
    seen = probe(production_env(tmp_path))
    assert seen["plain"] == [301, f"https://{HOST}/login/"]
    status, hsts = seen["secure"]  # type: ignore[misc]
    assert status == 200
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_cookie_secure"] is True
    assert "default-src 'self'" in str(seen["csp"])
    assert "'unsafe-inline'" not in str(seen["csp"]).split("script-src", 1)[1].split(";")[0]


def test_the_demo_keeps_working_over_plain_http_with_the_policy(tmp_path: Path) -> None:
    env = {"FUPIN_VAR_DIR": str(tmp_path / "var"), "FUPIN_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    seen = probe(env)
    assert seen["plain"] == [200, None]
    assert seen["secure"] == [200, None]
    assert seen["csrf_cookie_secure"] is False
    assert "default-src 'self'" in str(seen["csp"])
    # The demo's key is created once in var/, as before.
    assert (tmp_path / "var" / "pii_key").is_file()


@pytest.mark.parametrize("hosts", ["", "*", f"{HOST},*"])
def test_production_refuses_a_missing_or_wildcard_host_list(tmp_path: Path, hosts: str) -> None:
    done = fupin(production_env(tmp_path, FUPIN_ALLOWED_HOSTS=hosts), "check")
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "FUPIN_ALLOWED_HOSTS" in done.stderr


def test_production_refuses_debug(tmp_path: Path) -> None:
    done = fupin(production_env(tmp_path, FUPIN_DEBUG="true"), "check")
    assert done.returncode != 0 and "FUPIN_DEBUG must be off" in done.stderr


def test_production_refuses_to_create_a_pii_key_in_var(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["FUPIN_PII_KEY_FILE"]
    done = fupin(env, "check")
    assert done.returncode != 0 and "FUPIN_PII_KEY_FILE" in done.stderr
    assert not (tmp_path / "var" / "pii_key").exists()


def test_production_refuses_a_key_file_in_the_data_directory(tmp_path: Path) -> None:
    inside_var = key_file(tmp_path / "var" / "keys")
    done = fupin(production_env(tmp_path, FUPIN_PII_KEY_FILE=str(inside_var)), "check")
    assert done.returncode != 0 and "inside the data directory" in done.stderr


def test_production_refuses_a_key_file_beside_the_sqlite_database(tmp_path: Path) -> None:
    beside = key_file(tmp_path / "data")
    database = f"sqlite:///{tmp_path / 'data' / 'f.sqlite3'}"
    env = production_env(tmp_path, FUPIN_PII_KEY_FILE=str(beside), FUPIN_DATABASE_URL=database)
    done = fupin(env, "check")
    assert done.returncode != 0 and "inside the data directory" in done.stderr


def test_production_refuses_a_hash_key_file_in_the_data_directory(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    hash_file = tmp_path / "var" / "hash_key"
    hash_file.write_text("ab" * 32, encoding="ascii")
    done = fupin(production_env(tmp_path, FUPIN_PII_HASH_KEY_FILE=str(hash_file)), "check")
    assert done.returncode != 0 and "FUPIN_PII_HASH_KEY_FILE" in done.stderr


def test_a_named_key_file_that_does_not_exist_is_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "etc" / "typo"
    env = {"FUPIN_VAR_DIR": str(tmp_path / "var"), "FUPIN_PII_KEY_FILE": str(missing)}
    done = fupin(env, "check")
    assert done.returncode != 0 and "does not exist" in done.stderr
    assert not missing.exists()


def test_several_keys_without_a_hash_key_stop_start_up(tmp_path: Path) -> None:
    keys = key_file(tmp_path / "rotating", secrets.token_urlsafe(48), secrets.token_urlsafe(48))
    done = fupin(production_env(tmp_path, FUPIN_PII_KEY_FILE=str(keys)), "check")
    assert done.returncode != 0 and "FUPIN_PII_HASH_KEY_FILE" in done.stderr
    hash_file = tmp_path / "etc" / "hash_key"
    hash_file.write_text("cd" * 32, encoding="ascii")
    env = production_env(tmp_path, FUPIN_PII_KEY_FILE=str(keys), FUPIN_PII_HASH_KEY_FILE=str(hash_file))
    done = fupin(env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stderr


def test_a_proxy_header_that_is_not_a_header_name_stops_start_up(tmp_path: Path) -> None:
    done = fupin(production_env(tmp_path, FUPIN_PROXY_SSL_HEADER="X Forwarded Proto"), "check")
    assert done.returncode != 0 and "FUPIN_PROXY_SSL_HEADER" in done.stderr
