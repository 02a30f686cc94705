"""Field-level differences between two normalized configurations, as dotted paths."""

from __future__ import annotations

import re
from typing import Any

from deepdiff import DeepDiff

from assistform.plan.model import FieldChange

_PART = re.compile(r"\[(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|(\d+))\]")


def dotted_path(deepdiff_path: str) -> str:
    """`root['tools'][1]['function']` -> `tools[1].function`."""
    text = ""
    for key, key2, index in _PART.findall(deepdiff_path.removeprefix("root")):
        if index:
            text += f"[{index}]"
        else:
            name = key or key2
            text += f".{name}" if text else name
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
        diff = DeepDiff({name: old}, {name: new}, verbose_level=2, ignore_numeric_type_changes=True)
        rows: list[tuple[str, Any, Any]] = []
        for kind, entries in diff.items():
            for path, value in entries.items():
                if kind in ("values_changed", "type_changes"):
                    rows.append((dotted_path(path), value.get("old_value"), value.get("new_value")))
                elif kind.endswith("_added"):
                    rows.append((dotted_path(path), None, value))
                elif kind.endswith("_removed"):
                    rows.append((dotted_path(path), value, None))
        found.extend(sorted(rows, key=lambda row: _sort_key(row[0])))
    return found


def _sort_key(path: str) -> list[tuple[int, int, str]]:
    # Tagged, so that an index and a key such as metadata "2024" compare without TypeError.
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\[\]]+", path) if p]


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
