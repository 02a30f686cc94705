"""Write a spec from a live assistant: the inverse of `spec.load` + `normalize`, pure.

A written spec holds only what differs from OpenAI's documented defaults, in the API's field
order, without the ownership tag and the fields a server adds. What it leaves out is the
server's to decide (see `plan.expected`), and everything it declares is what the live
assistant holds, so that a plan right after an import is empty on any server.

YAML is emitted with ruamel.yaml: multi-line strings as literal blocks (`|`) when a block
reproduces them exactly, short lists of scalars and JSON Schema leaves in flow style, as a
person would write them. `reasoning_effort` is never written: the API does not return it.

A live vector store is written the same way (`vector_store_spec`): its fields, and its files
by id under `file_ids`, since the API will not give back the content of a file uploaded
for assistants.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

from assistform import limits
from assistform.normalize import FIELDS, STATE_ONLY_FIELDS, normalize
from assistform.ownership import without_tag
from assistform.spec.yamlsource import YamlSyntaxError, parse_yaml

#: Instructions longer than this go to a Markdown file beside the spec.
LONG_INSTRUCTIONS: Final = 2_000
SCHEMA_PATH: Final = "schema/assistant.schema.json"
VECTOR_STORE_SCHEMA_PATH: Final = "schema/vector_store.schema.json"
#: Above `file_ids` in a written vector store spec: what they are, and what to do.
FILE_IDS_NOTE: Final = (
    "# file_ids: the store's files, by id, as they are on the server: the API does not give\n"
    "# back their content, so assistform attaches them but never uploads or deletes them.\n"
    "# To manage the documents in this repository, put them here and list them in files.\n"
)
#: A list of scalars is written in flow style (`[a, b]`) when it is about this short.
_FLOW_WIDTH: Final = 72
#: Subtrees holding free-form JSON Schema, where `{type: string}` leaves read best.
_JSON_SCHEMA_KEYS: Final = ("parameters", "schema")
#: Characters a literal block cannot carry as they are: a reader turns `\r\n` into `\n`,
#: and YAML 1.1 readers take NEL, LS and PS for line breaks.
_NOT_IN_BLOCKS: Final = frozenset("\r\x85\u2028\u2029")
_YAML11_BOOLS: Final = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false"})


@dataclass(frozen=True)
class SpecFiles:
    """What to write for one assistant, paths relative to the spec folder."""

    key: str
    spec_path: PurePosixPath
    spec_text: str
    instructions_path: PurePosixPath | None = None
    instructions_text: str | None = None


def spec_data(
    live: Mapping[str, Any], vector_store_keys: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The spec fields of an assistant as a server returned it: non-default, in API order.

    `vector_store_keys` (vector store id -> key) are the stores written as specs too: an
    assistant whose file_search uses one refers to it by key (`vector_store: KEY`)."""
    config = normalize(live)
    data: dict[str, Any] = {}
    for name in FIELDS:
        if name in STATE_ONLY_FIELDS:
            continue
        value = config[name]
        if name == "metadata":
            # The author's order, not normalize's sorted one: the diff ignores order anyway.
            value = without_tag(live.get("metadata"))
        elif name == "tools":
            value = [_trim_tool(tool) for tool in value]
        elif name == "response_format":
            value = _trim_response_format(value)
        elif name == "tool_resources" and vector_store_keys:
            value = _store_by_key(value, vector_store_keys)
        if value is None or value == limits.DOCUMENTED_DEFAULTS.get(name, ...):
            continue
        data[name] = value
    return data


def _store_by_key(resources: Any, keys: Mapping[str, str]) -> Any:
    search = resources.get("file_search") if isinstance(resources, dict) else None
    ids = search.get("vector_store_ids") if isinstance(search, dict) else None
    if search is None or set(search) != {"vector_store_ids"} or not isinstance(ids, list):
        return resources
    if len(ids) != 1 or ids[0] not in keys:
        return resources
    return {**resources, "file_search": {"vector_store": keys[ids[0]]}}


_FILLED_RANKERS: Final = (limits.RANKER_DEFAULT, limits.RANKER_FILLED)


def _trim_tool(tool: dict[str, Any]) -> dict[str, Any]:
    if tool["type"] == "function":
        function = dict(tool["function"])
        if function.get("strict") == limits.FUNCTION_STRICT_DEFAULT:
            del function["strict"]
        return {"type": "function", "function": function}
    if tool["type"] == "file_search":
        options = dict(tool.get("file_search") or {})
        ranking = dict(options.pop("ranking_options", None) or {})
        # What OpenAI's service filled in is left out: a server fills it again, or keeps
        # what it holds (a spec's undeclared options are the server's to decide).
        if (
            ranking.get("ranker") in _FILLED_RANKERS
            and ranking.get("score_threshold", limits.SCORE_THRESHOLD_DEFAULT)
            == limits.SCORE_THRESHOLD_DEFAULT
        ):
            ranking = {}
        if ranking:
            if ranking.get("ranker") in _FILLED_RANKERS:
                del ranking["ranker"]
            options["ranking_options"] = ranking
        return (
            {"type": "file_search", "file_search": options} if options else {"type": "file_search"}
        )
    return tool


def _trim_response_format(value: Any) -> Any:
    if isinstance(value, dict) and value.get("type") == "json_schema":
        schema = dict(value["json_schema"])
        if schema.get("strict") is False:
            del schema["strict"]
        return {"type": "json_schema", "json_schema": schema}
    return value


def schema_ref(spec_path: PurePosixPath) -> str:
    """The modeline's path from a spec under `assistants/` to the repository's schema."""
    return "../" * len(spec_path.parts) + SCHEMA_PATH


def spec_files(
    key: str,
    live: Mapping[str, Any],
    *,
    schema: str | None = None,
    long_instructions: int = LONG_INSTRUCTIONS,
    vector_store_keys: Mapping[str, str] | None = None,
) -> SpecFiles:
    """The spec (and Markdown instructions, when long) for `key` from a live assistant.

    `schema` is the modeline's path to the JSON Schema; by default the spec is taken to
    live under the repository's `assistants/` folder. See `spec_data` for
    `vector_store_keys`.
    """
    spec_path = PurePosixPath(key + ".yaml")
    data = spec_data(live, vector_store_keys)
    instructions = data.get("instructions")
    instructions_path = None
    if isinstance(instructions, str) and len(instructions) > long_instructions:
        instructions_path = PurePosixPath(key + ".md")
        # In the place of `instructions`, so the spec reads like one written by hand.
        moved: dict[str, Any] = {}
        for name, value in data.items():
            if name == "instructions":
                moved["instructions_file"] = instructions_path.name
            else:
                moved[name] = value
        data = moved
    text = render_spec(data, schema=schema if schema is not None else schema_ref(spec_path))
    return SpecFiles(
        key=key,
        spec_path=spec_path,
        spec_text=text,
        instructions_path=instructions_path,
        instructions_text=instructions if instructions_path is not None else None,
    )


def vector_store_data(live: Mapping[str, Any], file_ids: Sequence[str]) -> dict[str, Any]:
    """The spec fields of a vector store as a server returned it (ownership tag left out),
    and its files by id."""
    data: dict[str, Any] = {}
    for name in limits.VECTOR_STORE_FIELDS:
        value = live.get(name)
        if name == "metadata":
            value = without_tag(value)
        elif name == "expires_after" and isinstance(value, dict):
            value = {k: value[k] for k in ("anchor", "days") if k in value}
        if value not in (None, {}, ""):
            data[name] = value
    if file_ids:
        data["file_ids"] = list(file_ids)
    return data


def vector_store_spec(
    live: Mapping[str, Any], file_ids: Sequence[str], *, schema: str = VECTOR_STORE_SCHEMA_PATH
) -> str:
    """A vector store spec from a live store and the ids of its files, `file_ids` headed by
    a comment that says what they are (`FILE_IDS_NOTE`)."""
    data = vector_store_data(live, file_ids)
    text = render_spec(data, schema=schema)
    if not file_ids:
        return text
    at = text.index("\nfile_ids:") + 1
    return text[:at] + FILE_IDS_NOTE + text[at:]


def render_spec(data: Mapping[str, Any], *, schema: str) -> str:
    """Spec data as YAML text, headed by the yaml-language-server modeline.

    The text is read back before it is returned: if the styles we chose lost anything (a
    quirk of the emitter), it is written again in ruamel's plainest styles, which the
    reader always takes back exactly.
    """
    for styled in (True, False):
        text = _dump(data, schema, styled=styled)
        try:
            if parse_yaml(text, "<written spec>").data == data:
                return text
        except YamlSyntaxError:
            continue
    raise AssertionError("the YAML emitter cannot reproduce this spec")  # pragma: no cover


def _dump(data: Mapping[str, Any], schema: str, *, styled: bool) -> str:
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    # Never fold long lines: a folded plain scalar is correct YAML but a needless diff.
    yaml.width = 1_000_000
    out = io.StringIO()
    out.write(f"# yaml-language-server: $schema={schema}\n")
    yaml.dump(_styled(dict(data), in_json_schema=False) if styled else dict(data), out)
    return out.getvalue()


def _styled(value: Any, *, in_json_schema: bool) -> Any:
    """`value` as ruamel nodes carrying the styles we want them written in."""
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            styled = _styled(item, in_json_schema=in_json_schema or key in _JSON_SCHEMA_KEYS)
            mapping[_quoted_if_yaml11_bool(key)] = styled
        if in_json_schema and value and _flow_safe([*value.keys(), *value.values()]):
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(_styled(item, in_json_schema=in_json_schema) for item in value)
        if value and _flow_safe(value):
            sequence.fa.set_flow_style()
        return sequence
    if isinstance(value, str) and _block_safe(value):
        return LiteralScalarString(value)
    return _quoted_if_yaml11_bool(value)


def _quoted_if_yaml11_bool(value: Any) -> Any:
    """`yes`, `off`...: strings to assistform (YAML 1.2), booleans to YAML 1.1 readers
    (PyYAML, many editors); quoted, they mean the same to everyone."""
    if isinstance(value, str) and value.lower() in _YAML11_BOOLS:
        return SingleQuotedScalarString(value)
    return value


def _flow_safe(items: list[Any]) -> bool:
    """Short scalars only, and no string the emitter leaves unquoted but a reader refuses
    inside brackets (`? x`, `: x`)."""
    if not all(item is None or isinstance(item, str | int | float | bool) for item in items):
        return False
    texts = [item for item in items if isinstance(item, str)]
    if any("\n" in text or text.startswith(("?", ":")) for text in texts):
        return False
    return sum(len(str(item)) + 2 for item in items) <= _FLOW_WIDTH


def _block_safe(text: str) -> bool:
    """Whether a literal block reads back as exactly `text` and survives editors: multi-line,
    printable, and no line ending in whitespace (which editors and hooks strip silently)."""
    if "\n" not in text:
        return False
    if any(not _printable(c) or c in _NOT_IN_BLOCKS for c in text if c not in "\n\t"):
        return False
    return not any(line != line.rstrip(" \t") for line in text.split("\n"))


def _printable(char: str) -> bool:
    """YAML's printable set (c-printable) outside tab and line feed."""
    code = ord(char)
    return (
        0x20 <= code <= 0x7E
        or code == 0x85
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )
