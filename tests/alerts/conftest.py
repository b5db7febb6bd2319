"""Alert tests reuse the API's token fixtures."""

from __future__ import annotations

from tests.api.conftest import api_as, tokens  # noqa: F401  fixtures, found by name
