"""What a user watches during an apply: one rewritten line on a terminal, lines in CI."""

from __future__ import annotations

import io

from assistform.apply.knowledge_context import Step
from assistform.apply.progress import KnowledgeProgress, Progress
from assistform.apply.steps import Outcome
from assistform.apply.summary import knowledge_summary_line
from assistform.errors import ApiError
from assistform.plan.model import Action, Reason, ResourceChange
from assistform.redact import Redactor


def outcome(action: Action, key: str = "support/triage", **kwargs: object) -> Outcome:
    change = ResourceChange(key=key, action=action, id=kwargs.pop("old", None))  # type: ignore[arg-type]
    return Outcome(change, **kwargs)  # type: ignore[arg-type]


def test_ci_gets_one_plain_line_per_finished_change() -> None:
    out = io.StringIO()
    progress = Progress(3, out, live=False)
    progress.finished(outcome(Action.CREATE, id="asst_x"))
    progress.finished(outcome(Action.DELETE, key="old", old="asst_o"))
    progress.finished(
        outcome(Action.UPDATE, error=ApiError("update assistant asst_y: HTTP 400: no"))
    )
    progress.close()
    assert out.getvalue() == (
        "[1/3] created support/triage (asst_x)\n"
        "[2/3] deleted old (asst_o)\n"
        "[3/3] failed support/triage (update): update assistant asst_y: HTTP 400: no\n"
    )


def test_a_terminal_gets_one_line_rewritten_in_place() -> None:
    out = io.StringIO()
    progress = Progress(2, out, live=True)
    progress.finished(outcome(Action.CREATE, id="asst_x"))
    progress.finished(outcome(Action.REPLACE, id="asst_n", old="asst_o"))
    progress.close()
    assert out.getvalue() == (
        "\r[1/2] created support/triage (asst_x)\x1b[K"
        "\r[2/2] replaced support/triage (asst_n, was asst_o)\x1b[K\n"
    )


def test_state_only_changes_and_duplicates_say_what_they_did() -> None:
    adopt = Outcome(
        ResourceChange(key="a", action=Action.NOOP, id="asst_a", adopt=True), id="asst_a"
    )
    forget = Outcome(ResourceChange(key="b", action=Action.NOOP, forget=True))
    duplicate = Outcome(
        ResourceChange(key="c", action=Action.DELETE, id="asst_c2", reasons=[Reason.DUPLICATE])
    )
    assert [o.describe() for o in (adopt, forget, duplicate)] == [
        "adopted a (asst_a)",
        "forgot b",
        "deleted duplicate of c (asst_c2)",
    ]


def test_a_line_is_masked_before_it_is_written() -> None:
    out = io.StringIO()
    progress = Progress(1, out, live=False, redact=Redactor.of(["sk-echoed-key-0123"]))
    error = ApiError("create assistant: HTTP 401: bad key sk-echoed-key-0123 for https://u:p@h/v1")
    progress.finished(outcome(Action.CREATE, error=error))
    assert out.getvalue() == (
        "[1/1] failed support/triage (create): create assistant: HTTP 401: bad key *** "
        "for https://***@h/v1\n"
    )


# --- knowledge: uploads count bytes and files ------------------------------------------------


def upload(path: str, file_id: str, size: int) -> Step:
    return Step("file", path, "upload", id=file_id, size=size)


def test_ci_gets_one_line_per_file_uploaded_and_per_knowledge_step() -> None:
    out = io.StringIO()
    progress = KnowledgeProgress(out, live=False, files=2, total_bytes=3_000_000)
    progress.bytes_sent(1_000_000)  # bytes alone print nothing in a log
    progress.step(upload("docs/a.md", "file-a", 1_000_000))
    progress.step(upload("docs/b.pdf", "file-b", 2_000_000))
    progress.step(Step("vector store", "kb", "attach", id="vs_1", count=2))
    failed = ApiError("processing failed: invalid_file: bad")
    progress.step(Step("file of vector store", "kb: docs/b.pdf", "process", error=failed))
    progress.close()
    assert out.getvalue() == (
        "[1/2 files, 1.0 MB] uploaded file docs/a.md (file-a)\n"
        "[2/2 files, 2.0 MB] uploaded file docs/b.pdf (file-b)\n"
        "attached 2 files to vector store kb (vs_1)\n"
        "failed file of vector store kb: docs/b.pdf (process): processing failed: "
        "invalid_file: bad\n"
    )


def test_a_terminal_sees_bytes_and_files_on_one_rewritten_line() -> None:
    out = io.StringIO()
    progress = KnowledgeProgress(out, live=True, files=2, total_bytes=3_000_000)
    progress.bytes_sent(500_000)
    progress.step(upload("a.md", "file-a", 1_000_000))
    progress.bytes_sent(1_500_000)
    progress.close()
    assert out.getvalue() == (
        "\ruploading 0/2 files, 500.0 kB of 3.0 MB\x1b[K"
        "\r[1/2 files, 1.0 MB] uploaded file a.md (file-a)\x1b[K"
        "\ruploading 1/2 files, 2.0 MB of 3.0 MB\x1b[K\n"
    )


def test_knowledge_progress_masks_secrets() -> None:
    out = io.StringIO()
    redact = Redactor.of(["sk-echoed-key-0123"])
    progress = KnowledgeProgress(out, live=False, redact=redact)
    progress.step(Step("file", "a.md", "upload", error=ApiError("HTTP 401: sk-echoed-key-0123")))
    assert "sk-echoed-key-0123" not in out.getvalue() and "a.md" in out.getvalue()


def test_the_knowledge_summary_counts_what_was_done_and_what_failed() -> None:
    steps = [
        upload("a.md", "file-a", 1),
        upload("b.md", "file-b", 1),
        Step("file", "old.md", "delete", id="file-o"),
        Step("vector store", "kb", "create", id="vs_1"),
        Step("vector store", "kb", "attach", id="vs_1", count=2000),
        Step("vector store", "kb", "attach", id="vs_1", count=3),
        Step("vector store", "faq", "replace", id="vs_2"),
        Step("old vector store", "faq", "delete", id="vs_0"),
        Step("file of vector store", "docs: x.md", "detach", id="file-x", store="docs"),
        Step("file of vector store", "kb: b.md", "process", error=ApiError("failed"), store="kb"),
    ]
    assert knowledge_summary_line(steps) == (
        "Files: 2 uploaded, 1 deleted; vector stores: 1 created, 1 updated, 1 replaced, "
        "0 deleted; 2003 files attached, 1 failed."
    )
    assert knowledge_summary_line([Step("vector store", "kb", "attach", count=1)]) == (
        "Files: 0 uploaded, 0 deleted; vector stores: 0 created, 1 updated, 0 replaced, "
        "0 deleted; 1 file attached."
    )
