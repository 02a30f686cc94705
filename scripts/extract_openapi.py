#!/usr/bin/env python3
"""Carry the part of OpenAI's OpenAPI spec that assistform's tests compare with.

The official spec (github.com/openai/openai-openapi, MIT) is 3 MB of YAML kept outside the
repository (`../shared/openai-openapi/openapi.yaml`), so CI runs without it would skip the
contract tests. This writes the schemas those tests use, and everything they reference, to
`tests/data/openai-openapi/assistants.json` (its MIT notice is the LICENSE beside it):

- the Assistants, Files and Vector stores schemas, verbatim: the tests read limits written
  only in descriptions;
- `CreateResponse` (for the Responses rendering), without documentation keywords
  (descriptions, titles, examples, `x-` extensions): it is only validated against.

    python3 scripts/extract_openapi.py [SPEC]           # rewrite the carried copy
    python3 scripts/extract_openapi.py [SPEC] --check   # exit 1 if it is out of date

`tests/test_official_spec.py` runs the same extraction and compares, when SPEC is present.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO.parent / "shared" / "openai-openapi" / "openapi.yaml"
CARRIED = REPO / "tests" / "data" / "openai-openapi" / "assistants.json"

#: Schemas whose every word the tests may read.
VERBATIM = (
    "CreateAssistantRequest",
    "ModifyAssistantRequest",
    "AssistantObject",
    "ListAssistantsResponse",
    "DeleteAssistantResponse",
    "ErrorResponse",
    # /v1/files and /v1/vector_stores (the sandbox's knowledge endpoints)
    "CreateFileRequest",
    "OpenAIFile",
    "ListFilesResponse",
    "DeleteFileResponse",
    "CreateVectorStoreRequest",
    "UpdateVectorStoreRequest",
    "VectorStoreObject",
    "ListVectorStoresResponse",
    "DeleteVectorStoreResponse",
    "CreateVectorStoreFileRequest",
    "UpdateVectorStoreFileAttributesRequest",
    "VectorStoreFileObject",
    "ListVectorStoreFilesResponse",
    "DeleteVectorStoreFileResponse",
    "CreateVectorStoreFileBatchRequest",
    "VectorStoreFileBatchObject",
)
#: Schemas only validated against: their documentation is left behind.
VALIDATION_ONLY = ("CreateResponse",)
DOCUMENTATION = frozenset({"description", "title", "example", "examples", "deprecated"})
#: Keywords whose value is a map of names to schemas, a schema, or a list of schemas.
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})
SCHEMA_ONE = frozenset(
    {"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"}
)
SCHEMA_LIST = frozenset({"anyOf", "oneOf", "allOf", "prefixItems"})
REF = re.compile(r'"#/components/schemas/([^"]+)"')


def load(path: Path) -> dict[str, Any]:
    try:
        import yaml  # PyYAML (with pre-commit); libyaml reads the 3 MB in a few seconds
    except ImportError:
        from ruamel.yaml import YAML

        with path.open("rb") as handle:
            document = YAML(typ="safe").load(handle)
    else:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with path.open("rb") as handle:
            document = yaml.load(handle, Loader=loader)
    if not isinstance(document, dict):
        raise SystemExit(f"{path} is not an OpenAPI document")
    return document


def referenced(schemas: dict[str, Any], roots: Iterable[str]) -> dict[str, Any]:
    """`roots` and every schema they reference, by name."""
    keep: dict[str, Any] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in keep:
            keep[name] = schemas[name]
            todo += REF.findall(json.dumps(schemas[name]))
    return keep


def without_documentation(schema: Any) -> Any:
    """`schema` without the keywords that only document (property names are kept)."""
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in DOCUMENTATION or keyword.startswith("x-"):
            continue
        if keyword in SCHEMA_MAPS and isinstance(value, dict):
            value = {name: without_documentation(sub) for name, sub in value.items()}
        elif keyword in SCHEMA_ONE:
            value = without_documentation(value)
        elif keyword in SCHEMA_LIST and isinstance(value, list):
            value = [without_documentation(sub) for sub in value]
        kept[keyword] = value
    return kept


def extract(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document["components"]["schemas"]
    verbatim = referenced(schemas, VERBATIM)
    for name, schema in referenced(schemas, VALIDATION_ONLY).items():
        verbatim.setdefault(name, without_documentation(schema))
    info = document["info"]
    return {
        "openapi": document["openapi"],
        "info": {"title": info["title"], "version": info["version"], "license": info["license"]},
        "x-assistform": (
            "Extracted from openapi.yaml of github.com/openai/openai-openapi (MIT; see the "
            "LICENSE beside this file) by scripts/extract_openapi.py: the schemas "
            f"{', '.join(VERBATIM)} verbatim, {', '.join(VALIDATION_ONLY)} without "
            "documentation, and all they reference. Do not edit; run the script."
        ),
        "components": {"schemas": verbatim},
    }


def render(extracted: dict[str, Any]) -> str:
    return json.dumps(extracted, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", nargs="?", type=Path, default=SPEC)
    parser.add_argument("--check", action="store_true", help="only say if it is out of date")
    args = parser.parse_args(argv)
    text = render(extract(load(args.spec)))
    if args.check:
        current = CARRIED.read_text(encoding="utf-8") if CARRIED.is_file() else ""
        if current != text:
            print(f"{CARRIED} is out of date: run scripts/extract_openapi.py", file=sys.stderr)
            return 1
        return 0
    CARRIED.write_text(text, encoding="utf-8")
    print(f"wrote {CARRIED} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
