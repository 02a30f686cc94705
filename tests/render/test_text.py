from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click
import pytest

from assistform.plan.model import (
    Action,
    AttachmentChange,
    FieldChange,
    FileChange,
    KnowledgeRef,
    LiveRef,
    Plan,
    ResourceChange,
    StateRef,
    VectorStoreChange,
)
from assistform.render.text import NO_CHANGES, render_text, unified_diff

Golden = Callable[[str, str], None]


def _plan(*changes: ResourceChange, **live: Any) -> Plan:
    return Plan(
        tool_version="0.1.0",
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        state=StateRef(path="state/assistform.json", lineage="lineage-1", serial=1),
        live=LiveRef(refreshed=True, **live),
        resource_changes=list(changes),
    )


def _update(*changes: FieldChange, **fields: Any) -> ResourceChange:
    return ResourceChange(
        key="bot", action=Action.UPDATE, id="asst_1", changes=list(changes), **fields
    )


def test_plain_text_matches_golden(plan_case: tuple[str, Plan], golden: Golden) -> None:
    name, plan = plan_case
    golden(f"{name}.txt", render_text(plan, color=None))


def test_colour_text_matches_golden(full: Plan, golden: Golden) -> None:
    golden("full.color.txt", render_text(full, color=click.style))


def test_colour_only_adds_styles(plan_case: tuple[str, Plan]) -> None:
    _, plan = plan_case
    coloured = render_text(plan, color=click.style)
    plain = render_text(plan, color=None)
    assert "\x1b[" in coloured
    assert "\x1b" not in plain
    assert click.unstyle(coloured) == plain


CLOSING = {
    "blue_green": "Plan: 0 to create, 0 to update, 0 to replace, 2 to delete, 1 new version.",
    "full": "Plan: 1 to create, 2 to update, 1 to replace, 2 to delete.",
    "knowledge": "Plan: 1 to create, 2 to update, 1 to replace, 1 to delete. "
    "2 files to upload (4.3 MB), 3 to remove.",
    "no_refresh": "Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.",
    "no_changes": NO_CHANGES,
    "state_only": "No changes to live assistants. Apply will update the state only: "
    "1 to adopt, 1 to record, 1 to forget.",
}


def test_closing_line(plan_case: tuple[str, Plan]) -> None:
    name, plan = plan_case
    assert render_text(plan, color=None).splitlines()[-1] == CLOSING[name]


def test_blue_green_steps_are_listed_in_the_order_apply_takes_them(blue_green: Plan) -> None:
    text = render_text(blue_green, color=None)
    assert (
        "  + support/triage (asst_triage_v3) gets a new version; the current one stays live\n"
        "      reasons: spec-changed, new-version\n"
        "      + new version 4\n"
        "      - version 2 (asst_triage_v2) (beyond keep_versions)\n"
    ) in text
    assert "- support/billing (asst_billing_v5) keeps its current version" in text


def test_no_ops_are_counted_but_adoptions_and_forgets_are_listed(full: Plan) -> None:
    text = render_text(full, color=None)
    assert "2 assistants unchanged." in text
    assert "support/summarizer" not in text
    assert "hr/onboarding" not in text
    assert "= hr/policy-helper (asst_policy) will be adopted" in text
    assert ". legacy/gone (asst_gone) will be forgotten" in text
    assert "= hr/payroll (asst_payroll) will be recorded in the state again" in text


def test_warnings_come_first_and_unmanaged_are_counted(full: Plan) -> None:
    lines = render_text(full, color=None).splitlines()
    assert lines[0].startswith("WARNING: DUPLICATES: 2 live assistants")
    assert lines[1].startswith("WARNING: the server repeated 1 assistant(s)")
    assert "3 unmanaged assistants on the server are not touched." in lines


@pytest.mark.parametrize(
    ("unmanaged", "refreshed", "expected"),
    [
        (0, True, None),
        (1, True, "1 unmanaged assistant on the server is not touched."),
        (3, False, None),  # without refresh nobody looked
    ],
)
def test_unmanaged_line(unmanaged: int, refreshed: bool, expected: str | None) -> None:
    plan = _plan().model_copy(update={"live": LiveRef(refreshed=refreshed, unmanaged=unmanaged)})
    lines = render_text(plan, color=None).splitlines()
    unmanaged_lines = [line for line in lines if "unmanaged" in line]
    assert unmanaged_lines == ([expected] if expected else [])


def test_no_refresh_is_said_up_front(plan_case: tuple[str, Plan]) -> None:
    name, plan = plan_case
    first = render_text(plan, color=None).splitlines()[0]
    assert first.startswith("Planned without refresh") == (name == "no_refresh")


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (FieldChange(path="temperature", before=0.2, after=0.5), "~ temperature: 0.2 -> 0.5"),
        # Compact JSON keeps a string "0.5" apart from the number 0.5.
        (FieldChange(path="metadata.v", before="0.5", after=0.5), '~ metadata.v: "0.5" -> 0.5'),
        (FieldChange(path="metadata.owner", after="alice"), '+ metadata.owner: "alice"'),
        (
            FieldChange(path="tools[0]", before={"type": "code_interpreter"}),
            '- tools[0]: {"type": "code_interpreter"}',
        ),
        (
            FieldChange(path="tools[1].function.description", before="a", after="b", drift=True),
            '~ tools[1].function.description: "a" -> "b"  (drift: changed outside assistform)',
        ),
        (
            FieldChange(path="reasoning_effort", before="low", after="high", compared_with="state"),
            '~ reasoning_effort: "low" -> "high"  '
            "(compared with the state: the API does not return reasoning_effort)",
        ),
        (FieldChange(path="name", before="Bot", after=None), '- name: "Bot"'),
    ],
)
def test_field_change_lines(change: FieldChange, line: str) -> None:
    lines = [x.strip() for x in render_text(_plan(_update(change)), color=None).splitlines()]
    assert line in lines


def test_replace_marks_the_fields_that_force_it() -> None:
    change = ResourceChange(
        key="bot",
        action=Action.REPLACE,
        id="asst_1",
        changes=[
            FieldChange(path="model", before="a", after="b"),
            FieldChange(path="name", before="x", after="y"),
        ],
        lifecycle={"replace_on_change": ["model"]},
    )
    lines = [x.strip() for x in render_text(_plan(change), color=None).splitlines()]
    assert '~ model: "a" -> "b"  (forces replacement)' in lines
    assert '~ name: "x" -> "y"' in lines


def test_huge_instructions_change_shows_hunks_not_the_text() -> None:
    before = "".join(f"line {n}: {'x' * 60}\n" for n in range(4000))  # ~270 KB
    after = before.replace("line 2000: ", "line 2000 (edited): ")
    text = render_text(
        _plan(_update(FieldChange(path="instructions", before=before, after=after))), color=None
    )
    assert "@@ -1998,7 +1998,7 @@" in text
    assert "+line 2000 (edited): " in text
    assert "line 10: " not in text
    assert len(text) < 2_000


def test_a_rewritten_text_shows_the_start_of_old_and_new() -> None:
    before = "\n".join(f"old {n}" for n in range(1000))
    after = "\n".join(f"new {n}" for n in range(1000))
    text = render_text(
        _plan(_update(FieldChange(path="instructions", before=before, after=after))), color=None
    )
    lines = [line.strip() for line in text.splitlines()]
    assert {"-old 0", "+new 0", "… 960 more removed lines", "… 960 more added lines"} <= set(lines)
    assert "-old 40" not in lines
    assert len(lines) < 100


def test_many_hunks_are_capped() -> None:
    before = [f"line {n}" for n in range(2000)]
    after = [f"edited {n}" if n % 20 == 0 else line for n, line in enumerate(before)]
    text = render_text(
        _plan(
            _update(
                FieldChange(path="instructions", before="\n".join(before), after="\n".join(after))
            )
        ),
        color=None,
    )
    assert "more lines (see the JSON plan)" in text
    assert len(text.splitlines()) < 140


def test_a_single_huge_line_is_clipped() -> None:
    diff = unified_diff("a" * 5000, "b" * 5000, body_lines=10, line_chars=100)
    assert diff[1] == "-" + "a" * 99 + "… (4,901 more characters)"


def test_a_difference_in_line_endings_is_not_an_empty_diff() -> None:
    assert unified_diff("a\nb\n", "a\r\nb", body_lines=10, line_chars=100) == [
        " (only line endings differ)"
    ]


@pytest.mark.parametrize(
    ("others", "refreshed", "expected"),
    [
        ({}, True, None),
        ({"prod": 3}, False, None),
        (
            {"prod": 3},
            True,
            "Other environments' assistants on the server are not touched: "
            "3 owned by environment prod.",
        ),
        (
            {"prod": 3, "staging": 1, "": 2},
            True,
            "Other environments' assistants on the server are not touched: "
            "3 owned by environment prod, 1 owned by environment staging, "
            "2 owned by a repository without environments.",
        ),
    ],
)
def test_other_environments_are_counted_apart(
    others: dict[str, int], refreshed: bool, expected: str | None
) -> None:
    live = LiveRef(refreshed=refreshed, other_environments=others)
    lines = render_text(_plan().model_copy(update={"live": live}), color=None).splitlines()
    assert [line for line in lines if "owned by" in line] == ([expected] if expected else [])


def test_a_plan_whose_knowledge_is_in_sync_has_no_changes_and_counts_what_it_keeps() -> None:
    plan = _plan().model_copy(
        update={
            "vector_store_changes": [
                VectorStoreChange(key="kb", action=Action.NOOP, id="vs_kb", unchanged=40)
            ],
            "knowledge": KnowledgeRef(files=40, vector_stores=1, requests=2),
        }
    )
    assert not plan.has_changes and not plan.writes_state
    assert render_text(plan) == f"1 vector store unchanged (40 files).\n\n{NO_CHANGES}\n"


def test_a_store_whose_only_news_is_a_failed_file_is_shown_but_changes_nothing() -> None:
    failed = AttachmentChange(
        path="docs/scan.pdf", action=Action.NOOP, file_id="file-s", last_error="invalid_file: x"
    )
    store = VectorStoreChange(key="kb", action=Action.NOOP, id="vs_kb", failed=[failed])
    plan = _plan().model_copy(update={"vector_store_changes": [store]})
    text = render_text(plan)
    assert "! vector store kb (vs_kb) has files the server could not process" in text
    assert "! processing failed: docs/scan.pdf (file-s): invalid_file: x" in text
    assert "! processing failed" in text.splitlines()[0]
    assert text.endswith(f"{NO_CHANGES}\n")


@pytest.mark.parametrize(
    ("stores", "files", "phrase"),
    [
        (
            [VectorStoreChange(key="kb", action=Action.NOOP, id="vs_kb", adopt=True)],
            [],
            "1 vector store to adopt",
        ),
        (
            [],
            [FileChange(path="docs/a.md", action=Action.NOOP, id="file-a", adopt=True)],
            "1 file to adopt",
        ),
        ([], [FileChange(path="docs/a.md", action=Action.NOOP, id="file-a")], "1 file to forget"),
    ],
    ids=["store-adopted", "file-adopted", "file-forgotten"],
)
def test_a_plan_that_only_records_knowledge_says_what_it_records(
    stores: list[VectorStoreChange], files: list[FileChange], phrase: str
) -> None:
    plan = _plan().model_copy(update={"vector_store_changes": stores, "file_changes": files})
    assert plan.writes_state and not plan.has_changes
    assert render_text(plan).endswith(
        f"No changes to live assistants. Apply will update the state only: {phrase}.\n"
    )
