from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from assistform.plan.model import (
    Action,
    AttachmentChange,
    FieldChange,
    LiveRef,
    Plan,
    Reason,
    ResourceChange,
    StateRef,
    VectorStoreChange,
)
from assistform.render.markdown import GITHUB_COMMENT_MAX, MARKER, code_fence, render_markdown

Golden = Callable[[str, str], None]
CUT_NOTE = "This comment is cut to "


def _plan(changes: list[ResourceChange]) -> Plan:
    return Plan(
        tool_version="0.1.0",
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        state=StateRef(path="state/assistform.json", lineage="lineage-1", serial=1),
        live=LiveRef(refreshed=True, assistants=len(changes), requests=1),
        resource_changes=changes,
    )


def _big_plan(count: int) -> Plan:
    """`count` updates, each rewriting 500 lines of instructions."""
    changes = []
    for n in range(count):
        before = "\n".join(f"Rule {i}: version one of assistant {n}." for i in range(500))
        after = before.replace("version one", "version two")
        changes.append(
            ResourceChange(
                key=f"team/bot-{n:03d}",
                action=Action.UPDATE,
                id=f"asst_{n:03d}",
                reasons=[Reason.SPEC_CHANGED],
                changes=[FieldChange(path="instructions", before=before, after=after)],
            )
        )
    return _plan(changes)


def _unclosed_fence(text: str) -> bool:
    """True if `text` ends inside a code fence (CommonMark: closed by as many backticks)."""
    opened = 0
    for line in text.splitlines():
        run = re.match(r"^(`{3,})", line)
        if not run:
            continue
        if not opened:
            opened = len(run.group(1))
        elif line.strip() == "`" * len(line.strip()) and len(line.strip()) >= opened:
            opened = 0
    return opened > 0


def test_markdown_matches_golden(plan_case: tuple[str, Plan], golden: Golden) -> None:
    name, plan = plan_case
    golden(f"{name}.md", render_markdown(plan))


def test_sticky_comment_marker_is_the_first_line(plan_case: tuple[str, Plan]) -> None:
    _, plan = plan_case
    assert render_markdown(plan).splitlines()[0] == MARKER == "<!-- assistform-plan -->"


def test_300_long_changes_fit_in_one_github_comment() -> None:
    plan = _big_plan(300)
    text = render_markdown(plan)
    assert len(text) <= GITHUB_COMMENT_MAX
    assert "**Plan: 0 to create, 300 to update, 0 to replace, 0 to delete.**" in text
    assert "| `~` update in place | 300 |" in text
    assert CUT_NOTE in text
    assert "assistform plan --out plan.json" in text
    assert not _unclosed_fence(text)
    assert text.count("<details>") == text.count("</details>") > 0


@pytest.mark.parametrize("max_chars", [4_000, 10_000, 30_000])
def test_cutting_drops_whole_sections_from_the_end(max_chars: int) -> None:
    plan = _big_plan(40)
    text = render_markdown(plan, max_chars=max_chars)
    assert len(text) <= max_chars
    assert CUT_NOTE in text
    assert not _unclosed_fence(text)
    kept = re.findall(r"<summary><code>~ (team/bot-\d+)</code>", text)
    assert kept == [f"team/bot-{n:03d}" for n in range(len(kept))]
    assert text.count("<details>") == text.count("</details>")
    assert text.rstrip().endswith("</sub>")


def test_table_rows_are_cut_last_when_even_the_table_does_not_fit() -> None:
    text = render_markdown(_big_plan(300), max_chars=5_000)
    assert len(text) <= 5_000
    assert "<details>" not in text
    assert re.search(r"\| … \d+ more \| \| \| \|", text)
    assert re.search(r"the details of 300 assistants and \d+ table rows are left out", text)


def _store_plan(assistants: int, stores: int) -> Plan:
    """`assistants` small updates, then `stores` new vector stores of 100 files each."""
    plan = _plan(
        [
            ResourceChange(key=f"bot-{n}", action=Action.UPDATE, id=f"asst_{n}", reasons=[])
            for n in range(assistants)
        ]
    )
    plan.vector_store_changes = [
        VectorStoreChange(
            key=f"kb/store-{n:02d}",
            action=Action.CREATE,
            reasons=[Reason.NEW_SPEC],
            attach=[
                AttachmentChange(
                    path=f"docs/store-{n:02d}/article-{i:03d}.md", action=Action.CREATE
                )
                for i in range(100)
            ],
        )
        for n in range(stores)
    ]
    return plan


def test_the_cut_note_names_the_vector_stores_it_leaves_out() -> None:
    text = render_markdown(_store_plan(assistants=2, stores=20), max_chars=12_000)
    assert len(text) <= 12_000
    kept = re.findall(r"<summary><code>\+ vector store (kb/store-\d+)</code>", text)
    assert 0 < len(kept) < 20
    assert f"the details of {20 - len(kept)} vector stores are left out" in text
    assert "assistants are left out" not in text


def test_the_cut_note_names_each_kind_of_section_it_leaves_out() -> None:
    text = render_markdown(_store_plan(assistants=300, stores=3), max_chars=5_000)
    assert re.search(
        r"the details of 300 assistants and 3 vector stores, and \d+ table rows are left out",
        text,
    )


def test_a_plan_that_fits_is_not_cut(full: Plan) -> None:
    assert CUT_NOTE not in render_markdown(full)


def test_table_cells_escape_markdown() -> None:
    change = ResourceChange(key="a|b_*c*", action=Action.DELETE, id="asst_<x>", reasons=[])
    text = render_markdown(_plan([change]))
    row = next(line for line in text.splitlines() if line.startswith("| a"))
    assert row.startswith(r"| a\|b\_\*c\* | `-` delete | asst\_\<x\> |")
    assert len(re.split(r"(?<!\\)\|", row)) == 6  # four cells between five pipes
    assert "<code>- a|b_*c*</code>" in text  # the summary is HTML, escaped as such


@pytest.mark.parametrize(
    ("content", "fence"),
    [
        ("no backticks", "```"),
        ("a ``` run", "````"),
        ("`````", "``````"),
    ],
)
def test_code_fence_is_longer_than_any_backtick_run(content: str, fence: str) -> None:
    block = code_fence([content], "diff")
    assert block.splitlines() == [fence + "diff", content, fence]


def test_instructions_with_backticks_keep_their_fence(full: Plan) -> None:
    text = render_markdown(full)
    assert "````diff\n~ instructions:" in text
    assert not _unclosed_fence(text)


def test_changes_are_red_and_green_lines(full: Plan) -> None:
    lines = render_markdown(full).splitlines()
    assert "- temperature: 0.2" in lines
    assert "+ temperature: 0.5  (drift: changed outside assistform)" in lines


def test_overflowing_warnings_still_leave_the_verdict_and_the_note() -> None:
    plan = _big_plan(3).model_copy(
        update={"warnings": [f"warning {n}: " + "w" * 1000 for n in range(100)]}
    )
    text = render_markdown(plan)
    assert len(text) <= GITHUB_COMMENT_MAX
    assert text.startswith(MARKER + "\n")
    assert "**Plan: 0 to create, 3 to update, 0 to replace, 0 to delete.**" in text
    assert CUT_NOTE in text


def test_a_store_of_thousands_of_new_files_stays_one_readable_section(knowledge: Plan) -> None:
    [store] = [c for c in knowledge.vector_store_changes if c.key == "hr/policies"]
    store.attach = [
        AttachmentChange(path=f"docs/{n}.md", action=Action.CREATE, size=100) for n in range(3000)
    ]
    text = render_markdown(knowledge)
    assert len(text) < 30_000
    assert "… 2,852 more lines (see the JSON plan)" in text
    assert not _unclosed_fence(text)
