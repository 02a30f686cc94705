"""Parse YAML into plain data plus the source position of every key and value.

We build the data from the parser's nodes ourselves instead of letting a YAML constructor
do it, because we need things a constructor does not give: a position for every value (to point
errors at `line:col`), duplicate keys reported as errors (all of them, not just the first),
and a bound on alias expansion (a "billion laughs" document must fail fast instead of eating
memory).

The YAML is read as YAML 1.2 (the core schema): `yes`, `no`, `on` and `off` are strings,
and timestamps stay the strings the user wrote. We resolve plain scalars ourselves, so the
result does not depend on which parser read the text.

Two parsers, one result: libyaml (through PyYAML, when it is installed) reads a clean spec
some 25 times faster than ruamel.yaml's pure-Python parser, which a 1,000-spec repository
needs; ruamel.yaml reads everything libyaml refuses or that our checks reject, so that every
error message and position comes from one parser. The builder, the resolution of scalars and
all checks are shared; nodes of either library have `id`, `tag`, `value` and `start_mark`.
"""

from __future__ import annotations

import math
import re
from functools import cache, lru_cache
from typing import Any

from assistform.errors import Diagnostic, SourceLocation

#: Values a document may expand to, aliases included. A spec has a few hundred at most.
MAX_NODES = 100_000
#: Nesting levels a document may have, aliases expanded (every node on the way down counts,
#: the root mapping being 1). A spec needs about ten, JSON Schemas of parameters included.
MAX_DEPTH = 64

_TOO_DEEP = f"value is nested too deeply: a spec may have at most {MAX_DEPTH} levels"

DataPath = tuple[str | int, ...]
Position = tuple[int, int]

_TAG = "tag:yaml.org,2002:"
_MAP, _SEQ, _STR = _TAG + "map", _TAG + "seq", _TAG + "str"
_NULL, _BOOL, _INT, _FLOAT = _TAG + "null", _TAG + "bool", _TAG + "int", _TAG + "float"
_MERGE, _TIMESTAMP = _TAG + "merge", _TAG + "timestamp"
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT_PATTERN = r"[-+]?(?:0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*)"
_FLOAT_PATTERN = (
    r"[-+]?(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_NULLS = frozenset({"~", "null", "Null", "NULL", ""})
_IMPLICIT_FIRST = frozenset("~nNtTfF-+.<0123456789")

#: libyaml recurses in C once per nesting level: deep enough flow nesting (`[[[[...`) would
#: overflow the stack instead of raising. Texts that could nest that deep go to ruamel.yaml.
_FAST_MAX_BRACKETS = 5_000
_FAST_MAX_CHARS = 1_000_000

#: A node of either parser: `id` ("scalar", "sequence" or "mapping"), `tag`, `value`,
#: `start_mark` (0-based `line` and `column`), and `style` for scalars.
Node = Any


class YamlDocument:
    """Plain data (dicts, lists, scalars) with 1-based positions by data path.

    `problems` holds the mistakes found while reading that do not stop the reading
    (duplicate keys, unsupported tags): the data is still built, so that the spec's
    other mistakes can be reported in the same run.

    A plain class rather than a dataclass: defining one costs a hook run about a millisecond.
    """

    __slots__ = ("data", "keys", "path", "problems", "sources", "values")

    def __init__(
        self,
        path: str,
        data: Any,
        values: dict[DataPath, Position] | None = None,
        keys: dict[DataPath, Position] | None = None,
        problems: list[Diagnostic] | None = None,
        sources: dict[DataPath, str] | None = None,
    ) -> None:
        self.path = path
        self.data = data
        self.values: dict[DataPath, Position] = {} if values is None else values
        self.keys: dict[DataPath, Position] = {} if keys is None else keys
        self.problems: list[Diagnostic] = [] if problems is None else problems
        #: The file of each position that comes from another file than `path` (a merged
        #: overlay, see `spec.overlay`); the key and the value at one path share a file.
        self.sources: dict[DataPath, str] = {} if sources is None else sources

    def __repr__(self) -> str:
        return f"YamlDocument(path={self.path!r}, data={self.data!r})"

    def location(self, path: DataPath, *, key: bool = False) -> SourceLocation:
        """Where the value (or its key) at `path` stands, or its nearest ancestor."""
        table = self.keys if key else self.values
        probe = path
        while probe:
            if probe in table:
                line, col = table[probe]
                return SourceLocation(self.sources.get(probe, self.path), line, col)
            if probe in self.values:
                line, col = self.values[probe]
                return SourceLocation(self.sources.get(probe, self.path), line, col)
            probe = probe[:-1]
        line, col = self.values.get((), (1, 1))
        return SourceLocation(self.path, line, col)


class YamlSyntaxError(Exception):
    """The text is not YAML we can read; carries one positioned diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def parse_yaml(text: str, path: str, *, fast: bool = True) -> YamlDocument:
    """Parse one YAML document; raise `YamlSyntaxError` carrying a positioned diagnostic.

    `fast=False` reads with ruamel.yaml alone (what a machine without libyaml does).
    """
    refused, node = _compose_fast(text) if fast else (True, None)
    if not refused:
        try:
            return _document(node, path, text)
        except YamlSyntaxError:
            pass  # the reference parser says it, so that it is said one way
    return _document(_compose_reference(text, path), path, text)


def _document(node: Node | None, path: str, text: str) -> YamlDocument:
    doc = YamlDocument(path=path, data=None)
    if node is None:
        return doc
    builder = _Builder(doc)
    if "*" in text or "<<" in text:
        # Aliases can expand; without them, building is bounded by the text (and its depth
        # by `build`), so most specs skip this walk.
        builder.check_size(node)
    doc.data = builder.build(node, ())
    return doc


#: Plain scalars: a spec repeats the same few (its keys: `name`, `type`, `title`...), and
#: each word that starts like a number, a null or a boolean would try every pattern again.
@lru_cache(maxsize=4096)
def implicit_tag(value: str) -> str:
    """The tag of a plain (unquoted, untagged) scalar.

    YAML 1.2's core schema, plus `_` digit separators and `0b` binary integers as ruamel.yaml
    reads them. Anything else is a string. The fixed words are looked up, not matched: a
    pattern costs every run its compilation.
    """
    if value in _NULLS:
        return _NULL
    first = value[0]
    if first not in _IMPLICIT_FIRST:
        return _STR
    if value in _BOOLS:
        return _BOOL
    if value == "<<":
        return _MERGE
    if first.isalpha() or first == "<":
        return _STR  # only the words above start so
    if first == "." and not value[1:2].isdigit() and value.lower() not in (".inf", ".nan"):
        return _STR  # a path such as `../prompts/a.md`
    # Plain decimals (`5`, `0.3`) are nearly all a spec's numbers; the patterns, compiled
    # only when something else starts like a number, decide the rest.
    whole, point, fraction = value.partition(".")
    if value.isascii() and whole.isdigit() and (fraction.isdigit() or not point):
        return _FLOAT if point else _INT
    integer, number = _number_patterns()
    if integer.fullmatch(value):
        return _INT
    if number.fullmatch(value):
        return _FLOAT
    return _STR


@cache
def _number_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """YAML's integers and floats, compiled once they are needed."""
    return re.compile(_INT_PATTERN), re.compile(_FLOAT_PATTERN)


def _resolve(kind: Any, value: str | None, implicit: tuple[bool, bool]) -> str:
    """What both parsers call for a node without an explicit tag."""
    if kind.id == "mapping":
        return _MAP
    if kind.id == "sequence":
        return _SEQ
    return implicit_tag(value or "") if implicit[0] else _STR


@cache
def _fast_loader() -> type[Any] | None:
    """libyaml's parser with our resolution, or None when PyYAML was built without it."""
    try:
        from yaml._yaml import CParser  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        return None

    class FastLoader(CParser):  # type: ignore[misc, unused-ignore]
        # libyaml's composer calls this once per node: `_resolve` itself, without a frame
        # of a method in between.
        resolve = staticmethod(_resolve)

        def descend_resolver(self, parent: Any, index: Any) -> None:
            pass  # no path-dependent resolvers

        def ascend_resolver(self) -> None:
            pass

    return FastLoader


def _compose_fast(text: str) -> tuple[bool, Node | None]:
    """(refused, node): libyaml's reading of `text`, or refused when it cannot or should not."""
    loader_class = _fast_loader()
    if (
        loader_class is None
        or len(text) > _FAST_MAX_CHARS
        or text.count("[") + text.count("{") > _FAST_MAX_BRACKETS
        or "\t" in text  # libyaml takes tabs ruamel.yaml refuses: one verdict for both
    ):
        return True, None
    loader = loader_class(text)
    try:
        return False, loader.get_single_node()
    except Exception:  # any error: ruamel.yaml reads it again and explains it
        return True, None
    finally:
        loader.dispose()


@cache
def _reference_resolver() -> type[Any]:
    from ruamel.yaml.resolver import VersionedResolver
    from ruamel.yaml.tag import Tag

    class Resolver(VersionedResolver):
        def resolve(self, kind: Any, value: str | None, implicit: tuple[bool, bool]) -> Any:
            return Tag(suffix=_resolve(kind, value, implicit))

    return Resolver


def _compose_reference(text: str, path: str) -> Node | None:
    """ruamel.yaml's reading of `text`; every syntax error becomes a positioned diagnostic."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=True)
    yaml.Resolver = _reference_resolver()
    yaml.max_depth = MAX_DEPTH
    # A reused anchor name is legal YAML (the later one wins); don't print Python warnings.
    yaml.composer.warn_double_anchors = False
    try:
        return yaml.compose(text)
    except MarkedYAMLError as exc:
        raise YamlSyntaxError(_syntax_diagnostic(exc, path, text)) from None
    except YAMLError as exc:
        raise YamlSyntaxError(
            Diagnostic(SourceLocation(path, 1, 1), f"invalid YAML: {exc}")
        ) from None
    except RecursionError:  # pragma: no cover - max_depth stops the composer first
        raise YamlSyntaxError(Diagnostic(SourceLocation(path, 1, 1), _TOO_DEEP)) from None


#: What ruamel calls a construct (in "while scanning a quoted scalar"), in a user's words.
_CONSTRUCTS = {
    "flow sequence": "'['",
    "flow mapping": "'{'",
    "quoted scalar": "quoted string",
    "double-quoted scalar": "quoted string",
    "single-quoted scalar": "quoted string",
    "block scalar": "block string",
}


def _syntax_diagnostic(exc: Any, path: str, text: str) -> Diagnostic:
    from ruamel.yaml.composer import MaxDepthExceededError

    problem = exc.problem or "invalid YAML"
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    if isinstance(exc, MaxDepthExceededError):
        message = _TOO_DEEP
    elif "expected a single document" in context:
        message = "more than one YAML document: a spec file holds exactly one assistant"
    elif "'\\t'" in problem or "\t" in problem:
        message = _tab_message(text, mark)
    elif (
        ("end of stream" in problem or "<stream end>" in problem)
        and exc.context_mark is not None
        and exc.context_mark.index != getattr(exc.problem_mark, "index", None)
    ):
        # An unclosed bracket or quote: the end of the file is a useless place to point at.
        mark = exc.context_mark
        construct = next(
            (name for words, name in _CONSTRUCTS.items() if context.endswith(words)), "this"
        )
        message = f"invalid YAML: {construct} starting here is never closed"
    elif "end of stream" in problem or "<stream end>" in problem:
        message = "invalid YAML: the file ends in the middle of a value (an unclosed '[' or '{'?)"
    elif problem.startswith("expected <block end>"):
        message = "invalid YAML: unexpected content here: check the indentation of this line"
    elif problem == "mapping values are not allowed here":
        message = (
            "invalid YAML: unexpected ':' here (quote a value that contains ': ', "
            "or check the indentation)"
        )
    elif problem.startswith("found undefined alias"):
        name = problem.removeprefix("found undefined alias").strip(" '")
        message = f"invalid YAML: alias '*{name}' refers to no anchor: define '&{name}' before it"
    else:
        message = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return Diagnostic(SourceLocation(path, line, col), message)


def _tab_message(text: str, mark: Any) -> str:
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if line[: mark.column if mark is not None else 0].strip():
        return "tab character in a value: put the value in quotes, or use spaces"
    return "tab character: YAML indentation must use spaces"


def _tag_name(tag: object) -> str:
    text = str(tag)
    return "!!" + text.removeprefix(_TAG) if text.startswith(_TAG) else text


def _position(node: Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _is_empty(node: Node) -> bool:
    """An empty plain value (`name:`): parsers place it at the next token, not here."""
    return node.id == "scalar" and node.value == "" and not node.style


class _Builder:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        #: id of a node -> (values it expands to, levels it spans), once computed.
        self.sizes: dict[int, tuple[int, int]] = {}

    def _problem(self, position: Position, message: str) -> None:
        self.doc.problems.append(Diagnostic(SourceLocation(self.doc.path, *position), message))

    def _fail(self, position: Position, message: str) -> YamlSyntaxError:
        return YamlSyntaxError(Diagnostic(SourceLocation(self.doc.path, *position), message))

    # -- alias bombs -------------------------------------------------------------------

    def _size(self, node: Node, depth: int = 1) -> int:
        """How many values `node` expands to, aliases included; shared nodes are counted once
        per use but computed once, so this is linear in the size of the text.

        Also refuses data nested deeper than MAX_DEPTH once aliases are expanded (a chain of
        anchors, each holding the previous one, nests without nesting in the text)."""
        known = self.sizes.get(id(node))
        if known is not None:
            size, height = known
            if size < 0:
                raise self._fail(
                    _position(node), "alias refers to its own anchor: the value would be infinite"
                )
        else:
            if depth > MAX_DEPTH:
                raise self._fail(_position(node), _TOO_DEEP)
            self.sizes[id(node)] = (-1, 0)  # in progress: meeting it again means a cycle
            children: list[Node] = []
            if node.id == "mapping":
                children = [value for _, value in node.value]
            elif node.id == "sequence":
                children = list(node.value)
            size = 1 + sum(self._size(child, depth + 1) for child in children)
            height = 1 + max((self.sizes[id(child)][1] for child in children), default=0)
            self.sizes[id(node)] = (size, height)
        if depth + height - 1 > MAX_DEPTH:
            raise self._fail(_position(node), _TOO_DEEP)
        return size

    def check_size(self, root: Node) -> None:
        """Refuse a document that expands beyond MAX_NODES, before building any of it,
        pointing at the first top-level entry that crosses the limit."""
        if self._size(root) <= MAX_NODES:
            return
        entries: list[tuple[Node, Node]]
        if root.id == "mapping":
            entries = [(key, value) for key, value in root.value]
        else:
            entries = [(item, item) for item in root.value]
        total = 1
        for where, value in entries:
            size = self.sizes[id(value)][0]
            total += size
            if total > MAX_NODES:
                what = (
                    f"'{where.value}'"
                    if where.id == "scalar" and where is not value
                    else "this value"
                )
                raise self._fail(
                    _position(where),
                    f"{what} expands to {size:,} values through nested aliases; "
                    f"a spec may hold at most {MAX_NODES:,}",
                )
        raise AssertionError("unreachable: the sizes add up to more than MAX_NODES")

    # -- building ----------------------------------------------------------------------

    def build(self, node: Node, path: DataPath, at: Position | None = None, depth: int = 1) -> Any:
        if depth > MAX_DEPTH:
            raise self._fail(_position(node), _TOO_DEEP)
        values = self.doc.values
        if path not in values:
            if at is None:
                mark = node.start_mark
                at = (mark.line + 1, mark.column + 1)
            values[path] = at
        kind = node.id
        if kind == "scalar":
            return self._scalar(node)
        if kind == "mapping":
            return self._mapping(node, path, depth)
        if node.tag != _SEQ:
            self._problem(_position(node), f"unsupported YAML tag '{_tag_name(node.tag)}'")
        return [self.build(item, (*path, i), None, depth + 1) for i, item in enumerate(node.value)]

    def _mapping(self, node: Node, path: DataPath, depth: int) -> dict[str, Any]:
        if node.tag != _MAP:
            self._problem(_position(node), f"unsupported YAML tag '{_tag_name(node.tag)}'")
        result: dict[str, Any] = {}
        keys = self.doc.keys
        for key, key_node, value_node, merged in self._entries(node, merged=False):
            if key in result:
                if not merged:
                    first_line = keys[(*path, key)][0]
                    self._problem(
                        _position(key_node),
                        f"duplicate key '{key}' (first defined on line {first_line})",
                    )
                continue
            mark = key_node.start_mark
            child = (*path, key)
            position = keys[child] = (mark.line + 1, mark.column + 1)
            # An empty value (`name:`) has no position of its own: point at its key.
            at = position if _is_empty(value_node) else None
            result[key] = self.build(value_node, child, at, depth + 1)
        return result

    def _entries(self, node: Node, *, merged: bool) -> list[tuple[str, Node, Node, bool]]:
        """The mapping's own entries first, then those of its `<<` merge sources.

        Explicit keys win over merged ones and earlier sources over later ones, as YAML's
        merge key says; `_mapping` keeps the first of each key. A merge source's own
        mistakes are reported where it is defined, not again where it is merged.
        """
        entries: list[tuple[str, Node, Node, bool]] = []
        sources: list[Node] = []
        for key_node, value_node in node.value:
            tag = key_node.tag
            if tag == _STR:  # nearly every key: no need to convert it
                entries.append((key_node.value, key_node, value_node, merged))
                continue
            if tag == _MERGE:
                sources.extend(self._merge_sources(value_node, report=not merged))
                continue
            if key_node.id != "scalar":
                if not merged:
                    self._problem(_position(key_node), "mapping keys must be plain strings")
                continue
            key = self._scalar(key_node)
            text = key if isinstance(key, str) else str(key_node.value)
            entries.append((text, key_node, value_node, merged))
        for source in sources:
            entries.extend(self._entries(source, merged=True))
        return entries

    def _merge_sources(self, node: Node, *, report: bool) -> list[Node]:
        if node.id == "mapping":
            return [node]
        if node.id == "sequence" and all(n.id == "mapping" for n in node.value):
            return list(node.value)
        if report:
            self._problem(_position(node), "'<<' merge takes a mapping or a list of mappings")
        return []

    def _scalar(self, node: Node) -> Any:
        tag, value = node.tag, node.value
        if tag == _STR:
            return str(value)
        tag = str(tag)
        if tag == _NULL:
            return None
        try:
            if tag == _BOOL:
                return _BOOLS[value]
            if tag == _INT:
                return _parse_int(value)
            if tag == _FLOAT:
                return _parse_float(value)
        except (KeyError, ValueError):
            kind = {"bool": "boolean", "int": "integer", "float": "number"}[tag.removeprefix(_TAG)]
            self._problem(_position(node), f"{value!r} is not a valid {kind}")
            return str(value)
        if tag != _TIMESTAMP:
            self._problem(_position(node), f"unsupported YAML tag '{_tag_name(tag)}'")
        # Timestamps stay strings: no spec field is a date, and metadata values such as
        # `2024-01-01` must remain the strings the user wrote.
        return str(value)


def _parse_int(text: str) -> int:
    if text.isascii() and text.isdigit():
        return int(text)
    if not _number_patterns()[0].fullmatch(text):
        raise ValueError(text)
    cleaned = text.replace("_", "")
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned.lstrip("+-")
    base = {"0x": 16, "0o": 8, "0b": 2}.get(digits[:2].lower())
    if base is not None:
        return sign * int(digits[2:], base)
    return sign * int(digits, 10)


def _parse_float(text: str) -> float:
    lowered = text.replace("_", "").lower()
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if lowered == ".nan":
        return math.nan
    return float(lowered)
