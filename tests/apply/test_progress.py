"""What a user watches during an apply: one rewritten line on a terminal, lines in CI."""

from __future__ import annotations

import io

from assistform.apply.progress import Progress
from assistform.apply.steps import Outcome
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
