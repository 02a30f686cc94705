"""The part of OpenAI's OpenAPI spec the tests compare with, carried in the repository.

`tests/data/openai-openapi/assistants.json`, written by `scripts/extract_openapi.py` from
the official spec (github.com/openai/openai-openapi, MIT: see the LICENSE beside it), so the
contract tests run wherever the tests run. `tests/test_official_spec.py` checks that it
still matches the full spec when that is checked out beside the repository.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CARRIED = REPO / "tests" / "data" / "openai-openapi" / "assistants.json"
#: The full spec, where a checkout of the shared material puts it (absent on GitHub).
FULL_SPEC = REPO.parent / "shared" / "openai-openapi" / "openapi.yaml"


@functools.cache
def _text() -> str:
    return CARRIED.read_text(encoding="utf-8")


def openapi() -> dict[str, Any]:
    """The carried extract: `{"openapi", "info", "components": {"schemas": ...}}` (a fresh
    copy each call: tests may not share mutations)."""
    document = json.loads(_text())
    assert isinstance(document, dict)
    return document
