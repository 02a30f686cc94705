"""What an application needs of each applied assistant (its id, name, model and vector store
ids), taken from the state, and the formats `assistform output` prints them in. Pure: no I/O.

Values come from `observed` (the assistant as the server returned it after our last write)
when the state has it, else from `applied` (what the spec declared): the server's word
beats the request's, and a state without observations (written by an older version or by
`state rebuild`) still answers.

Names in the `dotenv` and `shell` formats: `ASSISTFORM_<KEY>_ID`, `_NAME`, `_MODEL` and
`_VECTOR_STORE_IDS` (comma-joined), where `<KEY>` is the key upper-cased with every run of
characters other than ASCII letters and digits made one `_` (`support/triage` ->
`ASSISTFORM_SUPPORT_TRIAGE_ID`). In the `github` format: the same without the
`ASSISTFORM_` prefix, lower-cased (`support_triage_id`), plus `json`, the JSON document on
one line. Two keys that give one name are an error naming both.
"""

from __future__ import annotations

import json
import re
import shlex
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from assistform.errors import AssistformError
from assistform.state import ResourceState

#: Version of the JSON document; raised only by a change that could break a reader.
FORMAT_VERSION = 1
PREFIX = "ASSISTFORM_"
#: What each output is called after the key's stem, and its field in the JSON document.
FIELDS = (
    ("ID", "id"),
    ("NAME", "name"),
    ("MODEL", "model"),
    ("VECTOR_STORE_IDS", "vector_store_ids"),
)

_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
#: Values left unquoted in the dotenv format: what every dotenv reader takes literally.
_PLAIN = re.compile(r"[A-Za-z0-9_./:@,+-]*")


class OutputError(AssistformError):
    """An output the user asked for cannot be given."""


@dataclass(frozen=True)
class Output:
    key: str
    id: str
    name: str | None
    model: str | None
    vector_store_ids: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "model": self.model,
            "vector_store_ids": list(self.vector_store_ids),
        }

    def values(self) -> dict[str, str]:
        """Each field as one string, by its JSON name (nothing, for a field not set)."""
        return {
            "id": self.id,
            "name": self.name or "",
            "model": self.model or "",
            "vector_store_ids": ",".join(self.vector_store_ids),
        }


def output_of(key: str, resource: ResourceState) -> Output:
    """The outputs of one key: observed values first, else the applied ones."""
    source = resource.observed if resource.observed is not None else resource.applied
    name, model = source.get("name"), source.get("model")
    return Output(
        key=key,
        id=resource.id,
        name=name if isinstance(name, str) else None,
        model=model if isinstance(model, str) else None,
        vector_store_ids=_vector_store_ids(source.get("tool_resources")),
    )


def _vector_store_ids(resources: Any) -> tuple[str, ...]:
    search = resources.get("file_search") if isinstance(resources, Mapping) else None
    ids = search.get("vector_store_ids") if isinstance(search, Mapping) else None
    return tuple(i for i in ids if isinstance(i, str)) if isinstance(ids, list) else ()


def document(outputs: Iterable[Output], env: str | None, missing: Iterable[str]) -> dict[str, Any]:
    """The JSON document: `format_version`, `env`, `outputs` by key, and `missing`, the keys
    declared but not applied yet (only ever non-empty with --allow-missing)."""
    return {
        "format_version": FORMAT_VERSION,
        "env": env,
        "outputs": {o.key: o.as_json() for o in outputs},
        "missing": sorted(missing),
    }


def stem(key: str) -> str:
    """`support/triage` -> `SUPPORT_TRIAGE`: the part of a variable name a key gives."""
    return _NOT_ALNUM.sub("_", key).upper()


def variables(outputs: Iterable[Output]) -> list[tuple[str, str]]:
    """(name, value) of every environment variable, in key order; a clash is an error."""
    return _named(outputs, lambda key, suffix: f"{PREFIX}{stem(key)}_{suffix}")


def github_names(outputs: Iterable[Output]) -> list[tuple[str, str]]:
    """(name, value) of every GitHub step output, in key order; a clash is an error."""
    return _named(outputs, lambda key, suffix: f"{stem(key)}_{suffix}".lower())


def _named(outputs: Iterable[Output], name_of: Callable[[str, str], str]) -> list[tuple[str, str]]:
    named: list[tuple[str, str]] = []
    owners: dict[str, str] = {}
    for output in sorted(outputs, key=lambda o: o.key):
        values = output.values()
        for suffix, field in FIELDS:
            name = name_of(output.key, suffix)
            other = owners.setdefault(name, output.key)
            if other != output.key:
                raise OutputError(
                    f"keys '{other}' and '{output.key}' both give the variable {name}: "
                    "rename one of them (or ask for one at a time)"
                )
            named.append((name, values[field]))
    return named


def dotenv(outputs: Iterable[Output]) -> str:
    """`NAME=value` lines. Values other than letters, digits and `_./:@,+-` are single-quoted
    (literal for python-dotenv, Node's dotenv and Docker Compose), or double-quoted with `\\`,
    `"` and newlines escaped when they hold a single quote, a backslash or a newline."""
    return "".join(f"{name}={_dotenv_value(value)}\n" for name, value in variables(outputs))


def _dotenv_value(value: str) -> str:
    if _PLAIN.fullmatch(value):
        return value
    if not any(c in value for c in "'\\\n\r"):
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r") + '"'


def shell(outputs: Iterable[Output]) -> str:
    """`export NAME=value` lines for `eval` in any POSIX shell (values shell-quoted)."""
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in variables(outputs))


def github(outputs: Iterable[Output], doc: Mapping[str, Any]) -> str:
    """What to append to `$GITHUB_OUTPUT`: `name=value` lines, `name<<DELIMITER` blocks for a
    value with a line break (the delimiter never occurs in the value), and `json`."""
    outputs = list(outputs)
    named = [*github_names(outputs), ("json", json.dumps(doc, sort_keys=True))]
    lines = []
    for name, value in named:
        if "\n" in value or "\r" in value:
            delimiter = _delimiter(value)
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            lines.append(f"{name}={value}\n")
    return "".join(lines)


def _delimiter(value: str) -> str:
    while True:
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        if delimiter not in value:
            return delimiter
