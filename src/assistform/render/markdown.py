"""The plan as a pull-request comment: summary, a table of changes, one `<details>` per change.

GitHub refuses comments over 65,536 characters, so when the plan does not fit, whole sections
are dropped from the end (never half a code fence) and a note points to the full plan.
The first line is a hidden marker by which the PR workflow finds its sticky comment.
Pure: Plan in, str out.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass

from assistform.plan.model import Plan, ResourceChange, VectorStoreChange, human_size
from assistform.render.knowledge import (
    STORE_PHRASES,
    SYMBOLS,
    count,
    file_line,
    files_counts,
    is_store_shown,
    knowledge_counts_line,
    knowledge_tail,
    reasons_text,
    store_header,
    store_kind,
    store_steps,
)
from assistform.render.text import (
    KINDS,
    NO_REFRESH_NOTE,
    SERVER_KINDS,
    FieldView,
    closing_line,
    elsewhere_line,
    field_views,
    is_shown,
    kind_of,
    state_only_counts,
    store_field_views,
    targets_note,
    unmanaged_line,
    version_steps,
)

MARKER = "<!-- assistform-plan -->"
GITHUB_COMMENT_MAX = 65_536
#: Per field and per assistant, so that one huge instructions rewrite cannot crowd out the rest.
MD_BODY_LINES = 60
MD_LINE_CHARS = 200
SECTION_LINES = 150

_BLOCK_SEP = "\n"
#: What a `<details>` section shows, named in the note that says what a cut left out.
ASSISTANT = "assistant"
VECTOR_STORE = "vector store"
FILES = "files"
_CELL_ACTIVE = re.compile(r"([\\`*_\[\]<>|~&$#!])")


@dataclass(frozen=True)
class Section:
    kind: str
    text: str


def render_markdown(plan: Plan, *, max_chars: int = GITHUB_COMMENT_MAX) -> str:
    shown = [c for c in plan.resource_changes if is_shown(c)]
    head = _head(plan)
    rows = [_row(c) for c in shown]
    sections = [Section(ASSISTANT, _section(c)) for c in shown] + _knowledge_sections(plan)
    return _fit(head, rows, sections, _footer(plan), max_chars)


def _fit(
    head: list[str], rows: list[str], sections: list[Section], footer: str, max_chars: int
) -> str:
    """Every block that fits, in order; cut blocks are whole table rows or whole sections."""
    table = [_table(rows)] if rows else []
    blocks = [*head, *table, *(s.text for s in sections), footer]
    if _length(blocks) <= max_chars:
        return _join(blocks)
    # Reserve room for the note as if everything were cut: its numbers only get shorter.
    budget = max_chars - _length([*head, footer, _cut_note(max_chars, sections, len(rows))])
    kept_rows = _take(rows, budget - len(_table([])) - len(_BLOCK_SEP) - len(_more_row(len(rows))))
    table = [_table(kept_rows, len(rows) - len(kept_rows))] if rows else []
    budget -= _length(table) + len(_BLOCK_SEP)
    kept_sections = _take([s.text for s in sections], budget)
    cut = sections[len(kept_sections) :]
    note = _cut_note(max_chars, cut, len(rows) - len(kept_rows))
    text = _join([*head, *table, *kept_sections, note, footer])
    if len(text) > max_chars:
        # Warnings alone overflow: keep the verdict and the pointer to the full plan.
        text = _join([*head[:2], _cut_note(max_chars, sections, len(rows)), footer])[:max_chars]
    return text


def _take(items: list[str], budget: int) -> list[str]:
    """The longest prefix of `items` whose blocks fit in `budget` characters."""
    kept: list[str] = []
    used = 0
    for item in items:
        used += len(item) + len(_BLOCK_SEP)
        if used > budget:
            break
        kept.append(item)
    return kept


def _length(blocks: list[str]) -> int:
    return sum(len(b) for b in blocks) + len(_BLOCK_SEP) * max(len(blocks) - 1, 0)


def _join(blocks: list[str]) -> str:
    return _BLOCK_SEP.join(blocks)


def _head(plan: Plan) -> list[str]:
    blocks = [f"{MARKER}\n## assistform plan\n", f"**{md_text(closing_line(plan))}**\n"]
    if plan.warnings:
        lines = ["> [!WARNING]"] + [f"> - {md_text(w)}" for w in plan.warnings]
        blocks.append("\n".join(lines) + "\n")
    notes = [] if plan.live.refreshed else [NO_REFRESH_NOTE]
    notes += [targets_note(plan)] if plan.targets else []
    if notes:
        blocks.append("> [!NOTE]\n" + "\n".join(f"> {md_text(n)}" for n in notes) + "\n")
    blocks.append(_summary_table(plan))
    if unmanaged_line(plan):
        blocks.append(md_text(unmanaged_line(plan)) + "\n")
    if elsewhere_line(plan):
        blocks.append(md_text(elsewhere_line(plan)) + "\n")
    if plan.has_knowledge:
        blocks.append(md_text(knowledge_counts_line(plan)) + "\n")
        blocks += [md_text(line) + "\n" for line in knowledge_tail(plan, unchanged=False)]
    return blocks


def _summary_table(plan: Plan) -> str:
    counts = {a.value: n for a, n in plan.counts().items()}
    rows = [(KINDS[k], counts[k]) for k in SERVER_KINDS]
    if plan.new_versions:
        rows.append((KINDS["version"], plan.new_versions))
    rows += [(KINDS[k], n) for k, n in state_only_counts(plan).items() if n]
    lines = ["| Action | Assistants |", "|---|--:|"]
    lines += [f"| `{k.symbol}` {md_text(k.meaning)} | {n} |" for k, n in rows]
    lines.append(f"| unchanged | {sum(1 for c in plan.resource_changes if not is_shown(c))} |")
    return "\n".join(lines) + "\n"


def _table(rows: list[str], more: int = 0) -> str:
    lines = ["| Assistant | Action | ID | Reasons |", "|---|---|---|---|", *rows]
    if more:
        lines.append(_more_row(more))
    return "\n".join(lines) + "\n"


def _more_row(more: int) -> str:
    return f"| … {more:,} more | | | |"


def _row(change: ResourceChange) -> str:
    kind = KINDS[kind_of(change)]
    action = f"`{kind.symbol}` {md_text(kind.meaning)}"
    cells = [
        md_text(change.key),
        action,
        md_text(change.id or "(new)"),
        md_text(reasons_text(change)),
    ]
    return "| " + " | ".join(cells) + " |"


def _section(change: ResourceChange) -> str:
    kind = KINDS[kind_of(change)]
    summary = f"<code>{html.escape(kind.symbol)} {html.escape(change.key)}</code> "
    summary += html.escape(kind.phrase)
    if change.id:
        summary += f" ({html.escape(change.id)})"
    parts = [f"<details><summary>{summary}</summary>\n"]
    bullets = [f"- reasons: {md_text(reasons_text(change))}"] if change.reasons else []
    bullets += [f"- `{sign}` {md_text(step)}" for sign, step in version_steps(change)]
    bullets += [f"- note: {md_text(note)}" for note in change.notes]
    if bullets:
        parts.append("\n".join(bullets) + "\n")
    body = _diff_body(field_views(change, body_lines=MD_BODY_LINES, line_chars=MD_LINE_CHARS))
    if body:
        parts.append(code_fence(body, "diff"))
    parts.append("</details>\n")
    return "\n".join(parts)


def _knowledge_sections(plan: Plan) -> list[Section]:
    sections = [
        Section(VECTOR_STORE, _store_section(c))
        for c in plan.vector_store_changes
        if is_store_shown(c)
    ]
    if plan.file_changes:
        lines = [" ".join(file_line(f)) for f in plan.file_changes]
        text = (
            f"<details><summary>{html.escape(files_counts(plan))}</summary>\n\n"
            + code_fence(_capped(lines), "diff")
            + "\n</details>\n"
        )
        sections.append(Section(FILES, text))
    return sections


def _store_section(change: VectorStoreChange) -> str:
    kind = store_kind(change)
    summary = f"<code>{html.escape(SYMBOLS[kind])} {html.escape(store_header(change))}</code> "
    summary += html.escape(STORE_PHRASES[kind])
    parts = [f"<details><summary>{summary}</summary>\n"]
    bullets = [f"- reasons: {md_text(reasons_text(change))}"] if change.reasons else []
    bullets += [f"- note: {md_text(note)}" for note in change.notes]
    if bullets:
        parts.append("\n".join(bullets) + "\n")
    views = store_field_views(change, body_lines=MD_BODY_LINES, line_chars=MD_LINE_CHARS)
    body = _diff_body(views)
    body += [
        f"{step.sign} {step.text}" + (f"  ({step.marker})" if step.marker else "")
        for step in store_steps(change)
    ]
    if body:
        parts.append(code_fence(_capped(body), "diff"))
    parts.append("</details>\n")
    return "\n".join(parts)


def _capped(lines: list[str]) -> list[str]:
    """At most SECTION_LINES lines: a store of thousands of new files stays readable."""
    if len(lines) <= SECTION_LINES:
        return lines
    more = len(lines) - SECTION_LINES
    return [*lines[:SECTION_LINES], f"… {more:,} more lines (see the JSON plan)"]


def _diff_body(views: list[FieldView]) -> list[str]:
    lines: list[str] = []
    for index, view in enumerate(views):
        if len(lines) >= SECTION_LINES:
            lines.append(f"… {len(views) - index} more field changes (see the JSON plan)")
            break
        lines += _view_lines(view)
    return lines[:-1] if lines and not lines[-1] else lines


def _view_lines(view: FieldView) -> list[str]:
    # `-` then `+` lines rather than Terraform's `~ a -> b`: GitHub colours them red and green.
    if view.body:
        return [f"{view.sign} {view.path}:{view.suffix}", *view.body, ""]
    if view.sign == "~":
        return [f"- {view.path}: {view.before}", f"+ {view.path}: {view.after}{view.suffix}"]
    shown = view.after if view.sign == "+" else view.before
    return [f"{view.sign} {view.path}: {shown}{view.suffix}"]


def _cut_note(max_chars: int, cut: list[Section], rows: int) -> str:
    left_out = f"the details of {_what(cut)}"
    if rows:
        left_out += (
            f"{',' if len({s.kind for s in cut}) > 1 else ''} and {count(rows, 'table row')}"
        )
    return (
        "> [!NOTE]\n"
        f"> This comment is cut to {max_chars:,} characters (GitHub takes at most "
        f"{GITHUB_COMMENT_MAX:,}): {left_out} are left out. The full plan is in the JSON plan "
        "artifact (`assistform plan --out plan.json`) and in the output of `assistform plan`.\n"
    )


def _what(cut: list[Section]) -> str:
    """What the cut sections are: `3 assistants, 2 vector stores and the files`."""
    counts = Counter(s.kind for s in cut)
    parts = [count(counts[kind], kind) for kind in (ASSISTANT, VECTOR_STORE) if counts[kind]]
    if counts[FILES]:
        parts.append("the files")
    if not parts:
        return count(0, ASSISTANT)
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _footer(plan: Plan) -> str:
    live = (
        f"live: {count(plan.live.assistants, 'assistant')} read in "
        f"{count(plan.live.requests, 'request')}"
        if plan.live.refreshed
        else "live: not refreshed"
    )
    facts = [
        f"assistform {plan.tool_version}",
        f"planned {plan.created_at.isoformat()}",
        f"state {plan.state.path} (lineage {plan.state.lineage}, serial {plan.state.serial})",
        live,
    ]
    ref = plan.knowledge
    if ref is not None:
        read = (
            f"{count(ref.files, 'file')} and {count(ref.vector_stores, 'vector store')} read "
            f"in {count(ref.requests, 'request')}, "
            if plan.live.refreshed
            else ""
        )
        facts.append(f"knowledge: {read}{human_size(ref.bytes_hashed)} hashed")
    return "<sub>" + md_text(" · ".join(facts)) + "</sub>\n"


def md_text(text: str) -> str:
    """Text that Markdown shows as written: no emphasis, links, HTML, tables or math."""
    return _CELL_ACTIVE.sub(r"\\\1", " ".join(text.splitlines()))


def code_fence(lines: list[str], info: str = "") -> str:
    """A fence longer than any run of backticks inside, so content can never close it."""
    longest = max((len(run) for run in re.findall(r"`+", "\n".join(lines))), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join([fence + info, *lines, fence]) + "\n"
