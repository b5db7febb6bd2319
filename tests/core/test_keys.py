"""Secrets kept in var/: created once, readable by the owner only, and refused when too short."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from fupin.core.keys import load_or_create_secret

ENV = "FUPIN_TEST_ONLY_SECRET"


def test_a_missing_secret_is_created_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    path = tmp_path / "var" / "secret"
    first = load_or_create_secret(ENV, path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(ENV, path) == first


def test_the_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret"
    path.write_text("f" * 40, encoding="ascii")
    monkeypatch.setenv(ENV, "e" * 40)
    assert load_or_create_secret(ENV, path) == "e" * 40


def test_a_short_secret_in_the_environment_stops_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "too-short")
    with pytest.raises(ImproperlyConfigured, match=ENV):
        load_or_create_secret(ENV, tmp_path / "secret")


@pytest.mark.parametrize("content", ["", "  \n", "short"])
def test_an_empty_or_short_file_stops_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    path = tmp_path / "secret"
    path.write_text(content, encoding="ascii")
    with pytest.raises(ImproperlyConfigured):
        load_or_create_secret(ENV, path)
