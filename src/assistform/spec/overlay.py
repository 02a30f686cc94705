"""Deep merge of parsed YAML documents that keeps where every value came from.

An environment changes a spec with layers: the overrides of assistform.yaml whose `keys`
match, then the overlay file beside the spec (`assistants/x.prod.yaml` over
`assistants/x.yaml`). Mappings merge recursively; lists, scalars and null replace; of
fields a spec takes only one of (`ONE_OF`: a file_search's vector store), the overlay's
replaces the base's. The merged document remembers, for each data path, the file and line
it was taken from, so a bad value that came from an overlay is reported at the overlay's
line, not the spec's.
"""

from __future__ import annotations

from typing import Any

from assistform.spec.yamlsource import DataPath, YamlDocument

#: Fields of which a spec takes only one: the one an overlay sets replaces the base's.
ONE_OF: dict[DataPath, frozenset[str]] = {
    ("tool_resources", "file_search"): frozenset(
        {"vector_store_ids", "vector_stores", "vector_store"}
    ),
}


def merge(base: YamlDocument, overlay: YamlDocument) -> YamlDocument:
    """`overlay` laid over `base`; an empty overlay changes nothing.

    Neither input is changed; unchanged subtrees are shared with `base`, so the result must
    be treated as read-only like any parsed document.
    """
    merged = YamlDocument(path=base.path, data=None, problems=[*base.problems, *overlay.problems])
    if overlay.data is None:
        merged.data = base.data
        _copy(base, base.data, (), merged, key=False)
    else:
        merged.data = _merge(base, base.data, overlay, overlay.data, (), merged)
    return merged


def subdocument(document: YamlDocument, prefix: DataPath) -> YamlDocument:
    """The value at `prefix` as a document of its own: same file, paths re-rooted at it."""
    value: Any = document.data
    for part in prefix:
        value = value[part]
    size = len(prefix)
    sub = YamlDocument(path=document.path, data=value)
    for table, into in ((document.values, sub.values), (document.keys, sub.keys)):
        for path, position in table.items():
            if path[:size] == prefix and (path != prefix or table is document.values):
                into[path[size:]] = position
    for path, file in document.sources.items():
        if path[:size] == prefix:
            sub.sources[path[size:]] = file
    return sub


def split_key(key: str, environments: tuple[str, ...] | list[str]) -> tuple[str, str] | None:
    """`("x", "prod")` for the key of an overlay file `x.prod.yaml`, else None.

    Only declared environment names make overlays: without them `x.prod` is a key like any.
    """
    base, dot, env = key.rpartition(".")
    if dot and base and "/" not in env and env in environments:
        return base, env
    return None


def _merge(
    base: YamlDocument,
    base_value: Any,
    overlay: YamlDocument,
    overlay_value: Any,
    path: DataPath,
    into: YamlDocument,
) -> Any:
    if not (isinstance(base_value, dict) and isinstance(overlay_value, dict)):
        _copy(overlay, overlay_value, path, into, key=bool(path))
        return overlay_value
    _place(base, path, into, key=bool(path))
    result: dict[str, Any] = {}
    for name, value in base_value.items():
        child = (*path, name)
        if name in overlay_value:
            result[name] = _merge(base, value, overlay, overlay_value[name], child, into)
        else:
            _copy(base, value, child, into, key=True)
            result[name] = value
    for name, value in overlay_value.items():
        if name not in base_value:
            _copy(overlay, value, (*path, name), into, key=True)
            result[name] = value
    choices = ONE_OF.get(path, frozenset())
    if choices & overlay_value.keys():
        for name in (choices & base_value.keys()) - overlay_value.keys():
            del result[name]
    return result


def _place(source: YamlDocument, path: DataPath, into: YamlDocument, *, key: bool) -> None:
    """Take the position of the value (and its key) at `path` from `source`."""
    if path in source.values:
        into.values[path] = source.values[path]
    if key and path in source.keys:
        into.keys[path] = source.keys[path]
    file = source.sources.get(path, source.path)
    if file != into.path:
        into.sources[path] = file
    else:
        into.sources.pop(path, None)


def _copy(
    source: YamlDocument, value: Any, path: DataPath, into: YamlDocument, *, key: bool
) -> None:
    """Take the positions of `value` at `path`, and of everything inside it, from `source`."""
    _place(source, path, into, key=key)
    if isinstance(value, dict):
        for name, child in value.items():
            _copy(source, child, (*path, name), into, key=True)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _copy(source, child, (*path, index), into, key=False)
