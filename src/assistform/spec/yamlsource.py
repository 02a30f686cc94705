"""Parse YAML into plain data plus the source position of every key and value.

We compose ruamel.yaml nodes ourselves instead of letting its constructor build objects,
because we need three things the constructor does not give: a position for every value
(to point errors at `line:col`), duplicate keys as errors, and a bound on alias expansion
(a "billion laughs" document must fail fast instead of eating memory).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from assistform.errors import Diagnostic, SourceLocation

#: Values a document may expand to, aliases included. A spec has a few hundred at most.
MAX_NODES = 100_000

DataPath = tuple[str | int, ...]
Position = tuple[int, int]

_TAG = "tag:yaml.org,2002:"


@dataclass
class YamlDocument:
    """Plain data (dicts, lists, scalars) with 1-based positions by data path."""

    path: str
    data: Any
    values: dict[DataPath, Position] = field(default_factory=dict)
    keys: dict[DataPath, Position] = field(default_factory=dict)

    def location(self, path: DataPath, *, key: bool = False) -> SourceLocation:
        """Where the value (or its key) at `path` stands, or its nearest ancestor."""
        table = self.keys if key else self.values
        probe = path
        while probe:
            if probe in table:
                line, col = table[probe]
                return SourceLocation(self.path, line, col)
            if probe in self.values:
                line, col = self.values[probe]
                return SourceLocation(self.path, line, col)
            probe = probe[:-1]
        line, col = self.values.get((), (1, 1))
        return SourceLocation(self.path, line, col)


class YamlSyntaxError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def parse_yaml(text: str, path: str) -> YamlDocument:
    """Parse one YAML document; raise `YamlSyntaxError` carrying a positioned diagnostic."""
    yaml = YAML(typ="safe", pure=True)
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        raise YamlSyntaxError(_syntax_diagnostic(exc, path)) from None
    except YAMLError as exc:
        raise YamlSyntaxError(Diagnostic(SourceLocation(path, 1, 1), f"invalid YAML: {exc}")) from None
    doc = YamlDocument(path=path, data=None)
    if node is None:
        return doc
    builder = _Builder(doc)
    doc.data = builder.build(node, ())
    return doc


def _syntax_diagnostic(exc: MarkedYAMLError, path: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = exc.problem or "invalid YAML"
    if "'\\t'" in problem or "\t" in problem:
        message = "tab character: YAML indentation must use spaces"
    elif "expected a single document" in str(exc):
        message = "more than one YAML document: a spec file holds exactly one assistant"
    else:
        context = f" ({exc.context})" if exc.context else ""
        message = f"invalid YAML: {problem}{context}"
    return Diagnostic(SourceLocation(path, line, col), message)


class _Builder:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.count = 0

    def _position(self, node: Node) -> Position:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def _fail(self, node: Node, message: str) -> YamlSyntaxError:
        line, col = self._position(node)
        return YamlSyntaxError(Diagnostic(SourceLocation(self.doc.path, line, col), message))

    def build(self, node: Node, path: DataPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(
                node,
                f"document expands to more than {MAX_NODES:,} values "
                "(nested aliases?): refusing to load it",
            )
        self.doc.values.setdefault(path, self._position(node))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return self._scalar(node)

    def _mapping(self, node: MappingNode, path: DataPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: list[MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merged.extend(self._merge_sources(value_node))
                continue
            if not isinstance(key_node, ScalarNode):
                raise self._fail(key_node, "mapping keys must be plain strings")
            key = self._scalar(key_node)
            if not isinstance(key, str):
                key = key_node.value
            if key in result:
                first_line = self.doc.keys[(*path, key)][0]
                raise self._fail(key_node, f"duplicate key '{key}' (first defined on line {first_line})")
            self.doc.keys[(*path, key)] = self._position(key_node)
            result[key] = self.build(value_node, (*path, key))
        for source in merged:
            for key, value in self._mapping(source, path).items():
                result.setdefault(key, value)
        return result

    def _merge_sources(self, node: Node) -> list[MappingNode]:
        if isinstance(node, MappingNode):
            return [node]
        if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
            return list(node.value)
        raise self._fail(node, "'<<' merge takes a mapping or a list of mappings")

    def _scalar(self, node: ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            return value.lower() == "true"
        if tag == _TAG + "int":
            return _parse_int(value)
        if tag == _TAG + "float":
            return _parse_float(value)
        # Timestamps and other implicit types stay strings: no spec field is a date, and
        # metadata values such as `2024-01-01` must remain the strings the user wrote.
        return str(value)


def _parse_int(text: str) -> int:
    cleaned = text.replace("_", "")
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-")
    if digits.startswith(("0x", "0X")):
        return sign * int(digits[2:], 16)
    if digits.startswith(("0o", "0O")):
        return sign * int(digits[2:], 8)
    return sign * int(digits)


def _parse_float(text: str) -> float:
    lowered = text.replace("_", "").lower()
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if lowered == ".nan":
        return math.nan
    return float(lowered)
