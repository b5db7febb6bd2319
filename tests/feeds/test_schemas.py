"""The declared schema is self-consistent and documented: docs/feeds.md names every source,
column, header alias and allowed value the reader accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from fupin.feeds.models import EventKind, Source
from fupin.feeds.schemas import ID, KIND, SCHEMAS, fold

DOC = Path(__file__).resolve().parents[2] / "docs" / "feeds.md"


def test_every_source_has_a_schema_and_every_kind_a_source() -> None:
    assert set(SCHEMAS) == set(Source.values)
    kinds = [k.value for s in SCHEMAS.values() for k in s.kinds]
    assert sorted(kinds) == sorted(EventKind.values)


@pytest.mark.parametrize("source", sorted(SCHEMAS))
def test_headers_and_values_are_unambiguous(source: str) -> None:
    schema = SCHEMAS[source]
    headers = [fold(h) for c in schema.columns for h in c.headers]
    assert len(headers) == len(set(headers)), headers
    assert schema.columns[0].type == ID
    for column in schema.columns:
        spellings = [fold(t) for ch in column.choices for t in (ch.code, ch.label, *ch.aliases)]
        codes = {fold(ch.code) for ch in column.choices}
        # A spelling may only repeat where it names the same code (A and A).
        assert len(spellings) - len(set(spellings)) == sum(
            fold(ch.code) == fold(ch.label) for ch in column.choices
        )
        assert len(codes) == len(column.choices)
        if column.type == KIND:
            assert {ch.code for ch in column.choices} == {k.value for k in schema.kinds}
        for kind in column.required_for:
            assert kind in {k.value for k in schema.kinds}


@pytest.mark.parametrize("source", sorted(SCHEMAS))
def test_docs_describe_every_column_and_allowed_value(source: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    schema = SCHEMAS[source]
    assert f"`{source}`" in text and schema.title in text
    for column in schema.columns:
        assert f"`{column.key}`" in text, column.key
        for header in (column.label, *column.aliases):
            assert header in text, header
        for choice in column.choices:
            assert f"`{choice.code}`" in text and choice.label in text, choice
            for alias in choice.aliases:
                assert alias in text, alias
