"""Field-level differences between two normalized configurations, as readable paths.

The paths come from deepdiff's tree view as lists of keys and indexes, never parsed back
from its string paths, so a key holding `.`, `[` or a quote is a key like any other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from deepdiff import DeepDiff

from assistform.plan.model import FieldChange

#: A mapping key shown bare after a dot; any other is quoted in brackets (`metadata["a.b"]`),
#: so that a path never reads two ways.
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")

PathPart = str | int


def format_path(parts: Sequence[PathPart]) -> str:
    """`['tools', 1, 'function']` -> `tools[1].function`; `['metadata', 'a.b']` ->
    `metadata["a.b"]` (a key with anything but letters, digits, `_` or `-` is quoted as in
    JSON)."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not text:
            text = part
        elif _PLAIN_KEY.fullmatch(part):
            text += f".{part}"
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text


def field_changes(
    before: dict[str, Any], after: dict[str, Any], fields: list[str]
) -> list[tuple[str, Any, Any]]:
    """(path, before, after) for every leaf that differs under `fields`, in field order."""
    found: list[tuple[str, Any, Any]] = []
    for name in fields:
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if (
            not isinstance(old, dict | list)
            or not isinstance(new, dict | list)
            or type(old) is not type(new)
        ):
            found.append((name, old, new))
            continue
        # 1 and 1.0 are equal here as everywhere else in a plan (e.g. inside JSON schemas).
        diff = DeepDiff({name: old}, {name: new}, view="tree", ignore_numeric_type_changes=True)
        rows: list[tuple[list[PathPart], Any, Any]] = []
        for kind, levels in diff.items():
            for level in levels:
                parts: list[PathPart] = level.path(output_format="list")
                if kind in ("values_changed", "type_changes"):
                    rows.append((parts, level.t1, level.t2))
                elif kind.endswith("_added"):
                    rows.append((parts, None, level.t2))
                elif kind.endswith("_removed"):
                    rows.append((parts, level.t1, None))
        rows.sort(key=lambda row: _sort_key(row[0]))
        found.extend((format_path(parts), was, now) for parts, was, now in rows)
    return found


def _sort_key(parts: Sequence[PathPart]) -> list[tuple[int, int, str]]:
    # Tagged, so that an index and a key such as metadata "2024" compare without TypeError.
    return [(0, p, "") if isinstance(p, int) else _key_sort(p) for p in parts]


def _key_sort(key: str) -> tuple[int, int, str]:
    return (0, int(key), "") if key.isascii() and key.isdigit() else (1, 0, key)


def to_field_changes(
    rows: list[tuple[str, Any, Any]], drifted: set[str], state_only: set[str]
) -> list[FieldChange]:
    result = []
    for path, old, new in rows:
        top = re.split(r"[.\[]", path, maxsplit=1)[0]
        result.append(
            FieldChange(
                path=path,
                before=old,
                after=new,
                drift=top in drifted,
                compared_with="state" if top in state_only else "live",
            )
        )
    return result
