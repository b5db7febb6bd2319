"""The Chinese catalogue is complete and compiled: every interface text and every error code has
a translation, and the committed .mo says what the .po says."""

from __future__ import annotations

import gettext
import importlib
import re
from pathlib import Path

import pytest
from django.utils import translation

from fupin.core.errors import ErrorCode

PACKAGE = Path(__file__).resolve().parents[2] / "fupin"

LOCALE = Path(__file__).resolve().parents[2] / "fupin" / "locale" / "zh_Hans" / "LC_MESSAGES"
ENTRY = re.compile(
    r'^(?:msgctxt (".*")\n)?msgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?'
    r'msgstr(?:\[0\])? ((?:".*"\n)+)',
    re.M,
)


def _text(block: str) -> str:
    return "".join(re.findall(r'"(.*)"', block)).encode().decode("unicode_escape").encode("latin-1").decode()


def po_entries() -> dict[tuple[str, str], str]:
    """{(context or "", msgid): msgstr}: a unit "households" (户) is not the "households" (农户)."""
    source = (LOCALE / "django.po").read_text(encoding="utf-8")
    return {(_text(m[0]), _text(m[1])): _text(m[2]) for m in ENTRY.findall(source) if _text(m[1])}


def test_every_entry_of_the_catalogue_is_translated() -> None:
    entries = po_entries()
    assert len(entries) > 300
    assert [k for k, v in entries.items() if not v] == []
    assert "#, fuzzy" not in (LOCALE / "django.po").read_text(encoding="utf-8")


def test_the_compiled_catalogue_matches_the_source() -> None:
    with open(LOCALE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for (context, msgid), msgstr in po_entries().items():
        if context:
            assert compiled.pgettext(context, msgid) == msgstr, (context, msgid)
            continue
        assert compiled.gettext(msgid) == msgstr or compiled.ngettext(msgid, msgid, 1) == msgstr, msgid


def _error_enums() -> list[type[ErrorCode]]:
    """Every app's error codes: each app keeps them in its ``errors`` module, so a new app's
    codes are checked without anyone remembering to list them here."""
    for path in sorted(PACKAGE.glob("*/errors.py")):
        importlib.import_module(f"fupin.{path.parent.name}.errors")
    found: list[type[ErrorCode]] = []
    pending = list(ErrorCode.__subclasses__())
    while pending:
        enum = pending.pop()
        found.append(enum)
        pending.extend(enum.__subclasses__())
    return sorted(found, key=lambda e: e.__qualname__)


@pytest.mark.parametrize("enum", _error_enums(), ids=lambda e: e.__qualname__)
def test_every_error_code_speaks_chinese(enum: type[ErrorCode]) -> None:
    with translation.override("zh-hans"):
        for code in enum:
            if code.value.strip("{}").isidentifier():
                continue  # a bare placeholder such as "{reason}" carries someone else's text
            assert re.search(r"[\u4e00-\u9fff]", code.message()), code.name
    with translation.override("en"):
        assert all(code.message() == code.value for code in enum)
