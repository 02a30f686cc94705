"""The plan for a terminal: Terraform-like symbols, one block per assistant, field by field.

Also the pieces the Markdown rendering shares (value formatting, diffs of long text, the
closing line), so that both say the same thing in the same words. Pure: Plan in, str out;
colour comes in as a parameter (the CLI passes `click.style`), so nothing here knows a
terminal.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistform.ownership import env_label
from assistform.plan.model import Action, FieldChange, Plan, ResourceChange, VectorStoreChange
from assistform.render.knowledge import (
    STORE_PHRASES,
    SYMBOLS,
    file_kind,
    file_line,
    is_store_shown,
    knowledge_tail,
    reasons_text,
    store_header,
    store_kind,
    store_steps,
)

NO_CHANGES = "No changes. Live assistants match the specs."
NO_REFRESH_NOTE = (
    "Planned without refresh (--no-refresh): the state stands in for the server, "
    "so changes made outside assistform are not seen."
)
DRIFT_MARKER = "drift: changed outside assistform"


@dataclass(frozen=True)
class Kind:
    """How one listed entry is shown."""

    symbol: str
    meaning: str  # in the legend and in tables
    phrase: str  # after the key, in a block's first line


#: Kinds of listed entries, in legend order; no-ops that only write the state have their own.
KINDS: dict[str, Kind] = {
    "create": Kind("+", "create", "will be created"),
    "update": Kind("~", "update in place", "will be updated in place"),
    "replace": Kind("-/+", "replace", "will be replaced"),
    "delete": Kind("-", "delete", "will be deleted"),
    "adopt": Kind(
        "=",
        "adopt into the state",
        "will be adopted: recorded in the state, unchanged on the server",
    ),
    "record": Kind(
        "=",
        "record in the state",
        "will be recorded in the state again (its lifecycle changed), unchanged on the server",
    ),
    "version": Kind("+", "new version", "gets a new version; the current one stays live"),
    "prune": Kind(
        "-",
        "delete old versions",
        "keeps its current version; older versions will be deleted",
    ),
    "forget": Kind(
        ".",
        "forget from the state",
        "will be forgotten: removed from the state, already gone from the server",
    ),
}
SERVER_KINDS = ("create", "update", "replace", "delete")
#: The one kind only knowledge has: a store whose files failed processing.
FAILED_KIND = Kind("!", "processing failed", STORE_PHRASES["failed"])
STATE_KINDS = ("adopt", "record", "forget")

#: A value longer than this (as compact JSON) is shown as lines, not inline.
INLINE_MAX = 80
#: Keep a terminal readable when a 256 KB instructions field is rewritten.
TEXT_BODY_LINES = 120
TEXT_LINE_CHARS = 1000
DIFF_CONTEXT = 3

_STYLES: dict[str, dict[str, Any]] = {
    "+": {"fg": "green"},
    "-": {"fg": "red"},
    "~": {"fg": "yellow"},
    "-/+": {"fg": "magenta"},
    "=": {"fg": "cyan"},
    ".": {"fg": "cyan"},
    "!": {"fg": "red"},
    " ": {},
    "@@": {"fg": "cyan"},
    "marker": {"fg": "magenta"},
    "warning": {"fg": "red", "bold": True},
    "key": {"bold": True},
    "closing": {"bold": True},
    "dim": {"dim": True},
}

Style = Callable[[str, str], str]


class Colorizer(Protocol):
    """Wraps text in a terminal's colour codes, as `click.style` does."""

    def __call__(
        self,
        text: str,
        *,
        fg: str | None = None,
        bold: bool | None = None,
        dim: bool | None = None,
    ) -> str: ...


@dataclass(frozen=True)
class FieldView:
    """One field change ready to print: inline (`before`/`after`) or as `body` lines.

    `body` lines start with `+`, `-`, ` ` or `@@` like a unified diff, so GitHub's `diff`
    highlighting colours them as they are.
    """

    sign: str
    path: str
    before: str | None = None
    after: str | None = None
    body: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)

    @property
    def suffix(self) -> str:
        return "".join(f"  ({m})" for m in self.markers)


def render_text(plan: Plan, *, color: Colorizer | None = None) -> str:
    """The plan as text; coloured by `color` when given, plain when not."""
    style = _styler(color)
    out: list[str] = []
    for warning in plan.warnings:
        out.append(style("WARNING:", "warning") + " " + style(warning, "warning"))
    if plan.warnings:
        out.append("")
    if not plan.live.refreshed:
        out += [NO_REFRESH_NOTE, ""]
    if plan.targets:
        out += [targets_note(plan), ""]
    shown = [c for c in plan.resource_changes if is_shown(c)]
    stores = [c for c in plan.vector_store_changes if is_store_shown(c)]
    used = legend_kinds(plan)
    if used:
        legend = ", ".join(f"{style(k.symbol, k.symbol)} {k.meaning}" for k in used)
        out += [f"Symbols: {legend}", ""]
    for change in shown:
        out += _block(change, style)
        out.append("")
    for store in stores:
        out += _store_block(store, style)
        out.append("")
    if plan.file_changes:
        out.append("Files:")
        for file in plan.file_changes:
            symbol, text = file_line(file)
            out.append(f"  {style(symbol, symbol)} {text}")
        out.append("")
    tail = [
        line for line in (unchanged_line(plan), unmanaged_line(plan), elsewhere_line(plan)) if line
    ]
    tail += knowledge_tail(plan)
    if tail:
        out += [*tail, ""]
    if plan.has_changes and state_only_phrase(plan):
        out.append(f"The state also records changes without API calls: {state_only_phrase(plan)}.")
    out.append(style(closing_line(plan), "closing" if plan.has_changes else "+"))
    return "\n".join(out) + "\n"


def _block(change: ResourceChange, style: Style) -> list[str]:
    kind = KINDS[kind_of(change)]
    header = f"{style(kind.symbol, kind.symbol)} {style(change.key, 'key')}"
    if change.id:
        header += f" ({change.id})"
    lines = [f"  {header} {kind.phrase}"]
    if change.reasons:
        lines.append("      " + style("reasons: " + reasons_text(change), "dim"))
    for sign, step in version_steps(change):
        lines.append(f"      {style(sign, sign)} {step}")
    for view in field_views(change, body_lines=TEXT_BODY_LINES, line_chars=TEXT_LINE_CHARS):
        lines += ["      " + line for line in _view_lines(view, style)]
    lines += ["      " + style(f"note: {note}", "dim") for note in change.notes]
    return lines


def _store_block(change: VectorStoreChange, style: Style) -> list[str]:
    kind = store_kind(change)
    symbol = SYMBOLS[kind]
    header = f"{style(symbol, symbol)} {style(store_header(change), 'key')}"
    lines = [f"  {header} {STORE_PHRASES[kind]}"]
    if change.reasons:
        lines.append("      " + style("reasons: " + reasons_text(change), "dim"))
    views = store_field_views(change, body_lines=TEXT_BODY_LINES, line_chars=TEXT_LINE_CHARS)
    for view in views:
        lines += ["      " + line for line in _view_lines(view, style)]
    for step in store_steps(change):
        marker = style(f"  ({step.marker})", "marker") if step.marker else ""
        lines.append(f"      {style(step.sign, step.sign)} {step.text}{marker}".rstrip())
    lines += ["      " + style(f"note: {note}", "dim") for note in change.notes]
    return lines


def _view_lines(view: FieldView, style: Style) -> list[str]:
    suffix = style(view.suffix, "marker") if view.markers else ""
    head = f"{style(view.sign, view.sign)} {view.path}:"
    if view.body:
        return [head + suffix] + ["    " + _paint_body_line(line, style) for line in view.body]
    if view.sign == "~":
        return [f"{head} {view.before} -> {view.after}{suffix}"]
    return [f"{head} {view.after if view.sign == '+' else view.before}{suffix}"]


def _paint_body_line(line: str, style: Style) -> str:
    if line.startswith("@@"):
        return style(line, "@@")
    if line[:1] in ("+", "-"):
        return style(line, line[0])
    return line


def _styler(color: Colorizer | None) -> Style:
    if color is None:
        return lambda text, _kind: text
    return lambda text, kind: color(text, **_STYLES[kind])


# --- shared with the Markdown rendering -------------------------------------------------


def is_shown(change: ResourceChange) -> bool:
    """No-ops are only counted, unless they write the state (adopt, record, forget)."""
    return change.writes_state


def legend_kinds(plan: Plan) -> list[Kind]:
    """The kinds a plan's listed entries use, in legend order (knowledge's with them)."""
    names = {kind_of(c) for c in plan.resource_changes if is_shown(c)}
    failed = False
    for store in plan.vector_store_changes:
        if is_store_shown(store):
            kind = store_kind(store)
            failed = failed or bool(store.failed)
            names.add("update" if kind == "files" else kind)
    names |= {file_kind(f) for f in plan.file_changes}
    return [KINDS[k] for k in KINDS if k in names] + ([FAILED_KIND] if failed else [])


def kind_of(change: ResourceChange) -> str:
    if change.adds_version:
        return "version"
    if change.action is Action.DELETE and change.version is not None:
        return "prune"
    if change.action is not Action.NOOP:
        return str(change.action.value)
    return "forget" if change.forget else "adopt" if change.adopt else "record"


def version_steps(change: ResourceChange) -> list[tuple[str, str]]:
    """The blue-green steps of a change, in the order apply takes them: `+ new version 4`,
    then `- version 1 (asst_x) (beyond keep_versions)`."""
    steps = [("+", f"new version {change.version}")] if change.new_version else []
    why = "beyond keep_versions" if change.version is not None else "with its spec"
    steps += [("-", f"version {v.version} ({v.id}) ({why})") for v in change.prune]
    return steps


def unchanged_line(plan: Plan) -> str:
    count = sum(1 for c in plan.resource_changes if not is_shown(c))
    if not count:
        return ""
    return f"{count} assistant{'s' if count != 1 else ''} unchanged."


def unmanaged_line(plan: Plan) -> str:
    count = plan.live.unmanaged
    if not plan.live.refreshed or not count:
        return ""
    if count == 1:
        return "1 unmanaged assistant on the server is not touched."
    return f"{count} unmanaged assistants on the server are not touched."


def elsewhere_line(plan: Plan) -> str:
    """The assistants other environments own, counted apart like unmanaged ones."""
    counts = plan.live.other_environments
    if not plan.live.refreshed or not counts:
        return ""
    owners = ", ".join(f"{n} owned by {env_label(env or None)}" for env, n in counts.items())
    return f"Other environments' assistants on the server are not touched: {owners}."


def targets_note(plan: Plan) -> str:
    return f"Targeted plan ({', '.join(plan.targets)}): other assistants were not planned."


def state_only_counts(plan: Plan) -> dict[str, int]:
    """How many listed no-ops adopt, record or forget: state writes without API calls."""
    counts = dict.fromkeys(STATE_KINDS, 0)
    for change in plan.resource_changes:
        if is_shown(change) and change.action is Action.NOOP:
            counts[kind_of(change)] += 1
    return counts


def state_only_phrase(plan: Plan) -> str:
    """E.g. `1 to adopt, 2 to forget, 1 vector store to adopt`; empty when there are none."""
    parts = [f"{n} to {kind}" for kind, n in state_only_counts(plan).items() if n]
    stores = Counter(
        store_kind(v) for v in plan.vector_store_changes if v.effective_action is Action.NOOP
    )
    files = Counter(file_kind(f) for f in plan.file_changes)
    counted = [
        (what, kind, kinds[kind])
        for what, kinds in (("vector store", stores), ("file", files))
        for kind in ("adopt", "forget")
    ]
    parts += [f"{n} {what}{'s' if n > 1 else ''} to {kind}" for what, kind, n in counted if n]
    return ", ".join(parts)


def closing_line(plan: Plan) -> str:
    if plan.has_changes:
        return plan.summary_line()
    if plan.writes_state:
        return (
            "No changes to live assistants. Apply will update the state only: "
            f"{state_only_phrase(plan) or 'its records'}."
        )
    return NO_CHANGES


def field_views(change: ResourceChange, *, body_lines: int, line_chars: int) -> list[FieldView]:
    """What to show for one change: its field changes, or the configuration it creates."""
    forcing: set[str] = set()
    if change.action is Action.REPLACE:
        forcing = set(change.lifecycle.get("replace_on_change") or [])
    # Enough to recognise what goes; the whole configuration is in the JSON plan.
    gone = [name for name in ("name", "model") if (change.before or {}).get(name) is not None]
    return _views(change, forcing, gone, body_lines, line_chars)


def store_field_views(
    change: VectorStoreChange, *, body_lines: int, line_chars: int
) -> list[FieldView]:
    """A store's own fields: as `field_views` shows an assistant's (a store deleted by its
    name alone, when it has one)."""
    gone = ["name"] if (change.before or {}).get("name") else []
    return _views(change, set(), gone, body_lines, line_chars)


def _views(
    change: ResourceChange | VectorStoreChange,
    forcing: set[str],
    gone: list[str],
    body_lines: int,
    line_chars: int,
) -> list[FieldView]:
    """Its field changes; else what a create sets; else the `gone` fields of a delete."""
    if change.changes:
        return [_change_view(fc, forcing, body_lines, line_chars) for fc in change.changes]
    if change.action is Action.CREATE and change.after:
        return [
            _value_view("+", name, value, body_lines, line_chars)
            for name, value in change.after.items()
            if value is not None and value != [] and value != {}
        ]
    if change.action is Action.DELETE and change.before:
        return [
            _value_view("-", name, change.before[name], body_lines, line_chars) for name in gone
        ]
    return []


def _change_view(fc: FieldChange, forcing: set[str], body_lines: int, line_chars: int) -> FieldView:
    top = top_field(fc.path)
    markers = [DRIFT_MARKER] if fc.drift else []
    if fc.compared_with == "state":
        markers.append(f"compared with the state: the API does not return {top}")
    if top in forcing:
        markers.append("forces replacement")
    if fc.before is None:
        return _value_view("+", fc.path, fc.after, body_lines, line_chars, markers)
    if fc.after is None:
        return _value_view("-", fc.path, fc.before, body_lines, line_chars, markers)
    if not (is_long(fc.before) or is_long(fc.after)):
        return FieldView("~", fc.path, compact(fc.before), compact(fc.after), markers=markers)
    body = unified_diff(fc.before, fc.after, body_lines=body_lines, line_chars=line_chars)
    return FieldView("~", fc.path, body=body, markers=markers)


def _value_view(
    sign: str,
    path: str,
    value: Any,
    body_lines: int,
    line_chars: int,
    markers: list[str] | None = None,
) -> FieldView:
    markers = markers or []
    if not is_long(value):
        text = compact(value)
        return FieldView(sign, path, before=text, after=text, markers=markers)
    lines = [sign + clip(line, line_chars) for line in as_lines(value)]
    return FieldView(sign, path, body=_cap(lines, body_lines), markers=markers)


def top_field(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def compact(value: Any) -> str:
    """One line of JSON: strings quoted, so `"0.5"` and `0.5` never look alike; an id
    known only after apply reads as such, unquoted."""
    return _unquote_refs(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))


#: A reference (`knowledge.refs`) as JSON writes it; keys are paths and store keys, which
#: hold no quote or backslash.
_QUOTED_REF = re.compile(r'"(\(known after apply: (?:file|vector_store) [^"\\]+\))"')


def _unquote_refs(text: str) -> str:
    return _QUOTED_REF.sub(r"\1", text)


def is_long(value: Any) -> bool:
    if isinstance(value, str):
        return "\n" in value or len(value) > INLINE_MAX
    return isinstance(value, dict | list) and len(compact(value)) > INLINE_MAX


def as_lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.splitlines()
    return _unquote_refs(json.dumps(value, ensure_ascii=False, indent=2)).splitlines()


def unified_diff(before: Any, after: Any, *, body_lines: int, line_chars: int) -> list[str]:
    """`@@` hunks with a few lines of context, never the whole text."""
    old, new = as_lines(before), as_lines(after)
    diff = list(difflib.unified_diff(old, new, lineterm="", n=DIFF_CONTEXT))[2:]
    if not diff:
        # splitlines() hides a final newline and \r\n vs \n: say so instead of an empty diff.
        return [" (only line endings differ)"]
    squeezed = _squeeze_runs(diff, max(body_lines // 3, 1))
    return _cap([clip(line, line_chars) for line in squeezed], body_lines)


def _squeeze_runs(diff: list[str], limit: int) -> list[str]:
    """Shorten long runs of removed or added lines, so a rewrite shows both old and new."""
    result: list[str] = []
    for sign, group in itertools.groupby(
        diff, key=lambda line: line[:1] if line[:1] in "+-" else ""
    ):
        run = list(group)
        if sign and len(run) > limit:
            word = "removed" if sign == "-" else "added"
            run = [*run[:limit], f" … {len(run) - limit:,} more {word} lines"]
        result += run
    return result


def clip(line: str, limit: int) -> str:
    if len(line) <= limit:
        return line
    return f"{line[:limit]}… ({len(line) - limit:,} more characters)"


def _cap(lines: list[str], limit: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f" … {len(lines) - limit:,} more lines (see the JSON plan)"]
