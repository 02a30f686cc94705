"""The carried part of OpenAI's OpenAPI spec: what the contract tests read in every CI.

It must be exactly what `scripts/extract_openapi.py` makes of the full spec, whenever the
full spec is checked out beside the repository: a newer spec turns this red until the copy
is extracted again (and then the contract tests say what changed for assistform).
"""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType

import pytest

from official_spec import CARRIED, FULL_SPEC, REPO, openapi


def extractor() -> ModuleType:
    path = REPO / "scripts" / "extract_openapi.py"
    spec = importlib.util.spec_from_file_location("extract_openapi", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_carried_copy_is_the_extract_of_the_full_spec() -> None:
    if not FULL_SPEC.is_file():
        pytest.skip(f"no full spec at {FULL_SPEC} to compare with")
    script = extractor()
    fresh = script.render(script.extract(script.load(FULL_SPEC)))
    assert CARRIED.read_text(encoding="utf-8") == fresh, (
        "tests/data/openai-openapi/assistants.json is out of date: "
        "run python3 scripts/extract_openapi.py"
    )


def test_the_carried_copy_is_whole_canonical_and_small() -> None:
    script = extractor()
    document = openapi()
    assert script.render(document) == CARRIED.read_text(encoding="utf-8"), "as the script wrote"
    schemas = document["components"]["schemas"]
    for name in (*script.VERBATIM, *script.VALIDATION_ONLY):
        assert name in schemas
    # Closed under references: nothing a validator could need is missing.
    assert set(script.referenced(schemas, schemas)) == set(schemas)
    assert CARRIED.stat().st_size < 200_000


def test_the_carried_copy_keeps_its_mit_notice() -> None:
    notice = (CARRIED.parent / "LICENSE").read_text(encoding="utf-8")
    assert notice.startswith("The MIT License\n\nCopyright (c) OpenAI (https://openai.com)\n")
    assert "The above copyright notice and this permission notice shall be included" in notice
    assert openapi()["info"]["license"] == {"name": "MIT", "identifier": "MIT"}
    assert "LICENSE" in json.loads(CARRIED.read_text(encoding="utf-8"))["x-assistform"]
