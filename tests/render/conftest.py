"""Plans built by hand for the rendering tests, and the golden-file check.

Regenerate the golden files with `pytest tests/render --update-golden` or
`UPDATE_GOLDEN=1 pytest tests/render`, then read the diff before committing it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assistform.knowledge.refs import ref
from assistform.plan.model import (
    Action,
    AttachmentChange,
    FieldChange,
    FileChange,
    KnowledgeRef,
    LiveRef,
    Plan,
    Reason,
    ResourceChange,
    StateRef,
    VectorStoreChange,
)
from assistform.state import Version

GOLDEN_DIR = Path(__file__).parent / "golden"
CREATED_AT = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
LINEAGE = "6f1c2d3e-4a5b-4c6d-8e7f-901234567890"
STATE = StateRef(path="state/assistform.json", lineage=LINEAGE, serial=7)


def pytest_addoption(parser: pytest.Parser) -> None:
    # Another test package may register the same option: one registration is enough.
    with contextlib.suppress(ValueError):
        parser.addoption(
            "--update-golden", action="store_true", help="Rewrite golden files from the output."
        )


GoldenCheck = Callable[[str, str], None]


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> GoldenCheck:
    update = bool(request.config.getoption("--update-golden", default=False)) or (
        os.environ.get("UPDATE_GOLDEN") == "1"
    )

    def check(name: str, actual: str) -> None:
        path = GOLDEN_DIR / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as file:
                file.write(actual)
            return
        assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
        with path.open(encoding="utf-8", newline="") as file:
            expected = file.read()
        assert actual == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1)"

    return check


def config(**fields: Any) -> dict[str, Any]:
    """A normalized configuration: the defaults `normalize` fills, with `fields` on top."""
    base: dict[str, Any] = {
        "model": "gpt-4o",
        "name": None,
        "description": None,
        "instructions": None,
        "reasoning_effort": None,
        "tools": [],
        "tool_resources": {},
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
        "response_format": "auto",
    }
    return base | fields


def instructions(version: int) -> str:
    """60 lines of instructions; version 2 rewrites lines 30 and 55, and has backticks."""
    lines = [f"Rule {n}: answer questions about topic {n} politely." for n in range(1, 61)]
    if version == 2:
        lines[29] = "Rule 30: escalate billing disputes to a human within one hour."
        lines[54] = "Rule 55: reply with ```json fences when asked for data."
    return "\n".join(lines) + "\n"


def _analyst_update() -> ResourceChange:
    function = {
        "name": "fetch_dataset",
        "description": "Download a dataset.",
        "strict": False,
    }
    before = config(
        name="Data analyst",
        tools=[{"type": "code_interpreter"}, {"type": "function", "function": function}],
        metadata={"team": "data"},
        temperature=0.2,
    )
    search = {"type": "file_search", "file_search": {"max_num_results": 5}}
    after = config(
        name="Data analyst",
        tools=[
            {"type": "code_interpreter"},
            {
                "type": "function",
                "function": {**function, "description": "Download a dataset by name."},
            },
            search,
        ],
        metadata={"owner": "alice"},
        temperature=0.5,
    )
    return ResourceChange(
        key="data-analyst",
        action=Action.UPDATE,
        id="asst_analyst",
        reasons=[Reason.SPEC_CHANGED, Reason.DRIFT],
        before=before,
        after=after,
        changes=[
            FieldChange(
                path="tools[1].function.description",
                before="Download a dataset.",
                after="Download a dataset by name.",
            ),
            FieldChange(path="tools[2]", before=None, after=search),
            FieldChange(path="metadata.owner", before=None, after="alice"),
            FieldChange(path="metadata.team", before="data", after=None),
            FieldChange(path="temperature", before=0.2, after=0.5, drift=True),
        ],
        request={"tools": after["tools"], "metadata": {"owner": "alice"}, "temperature": 0.5},
        live_fingerprint="a1b2c3d4e5f60718",
        source="assistants/data-analyst.yaml",
        notes=["changed outside assistform: temperature"],
    )


def _triage_update() -> ResourceChange:
    before = config(
        name="Triage", instructions=instructions(1), model="o3-mini", reasoning_effort="low"
    )
    after = before | {"instructions": instructions(2), "reasoning_effort": "high"}
    return ResourceChange(
        key="support/triage",
        action=Action.UPDATE,
        id="asst_triage",
        reasons=[Reason.SPEC_CHANGED],
        before=before,
        after=after,
        changes=[
            FieldChange(path="instructions", before=instructions(1), after=instructions(2)),
            FieldChange(path="reasoning_effort", before="low", after="high", compared_with="state"),
        ],
        request={"instructions": instructions(2), "reasoning_effort": "high"},
        live_fingerprint="0f1e2d3c4b5a6978",
        source="assistants/support/triage.yaml",
        notes=["reasoning_effort is not returned by the API: compared with the state"],
    )


def full_plan() -> Plan:
    """One of everything a refreshed plan can hold."""
    math = config(
        name="Math Tutor",
        instructions="You are a personal math tutor. Write and run code to answer math questions.",
        tools=[{"type": "code_interpreter"}],
        metadata={"owner": "alice", "team": "education"},
        temperature=0.2,
    )
    json_before = config(model="gpt-3.5-turbo-0125", name="JSON formatter")
    json_after = json_before | {"model": "gpt-4o-mini"}
    triage_dup = config(name="Triage", model="o3-mini")
    return Plan(
        tool_version="0.1.0",
        created_at=CREATED_AT,
        state=STATE,
        live=LiveRef(
            refreshed=True,
            fingerprint="9a8b7c6d5e4f3a2b",
            assistants=14,
            unmanaged=3,
            other_environments={"prod": 3, "": 1},
            requests=2,
        ),
        resource_changes=[
            _analyst_update(),
            ResourceChange(
                key="hr/onboarding",
                action=Action.NOOP,
                id="asst_onboarding",
                before=config(name="Onboarding"),
                after=config(name="Onboarding"),
                live_fingerprint="1111111111111111",
            ),
            ResourceChange(
                key="hr/payroll",
                action=Action.NOOP,
                id="asst_payroll",
                reasons=[Reason.LIFECYCLE_CHANGED],
                before=config(name="Payroll"),
                after=config(name="Payroll"),
                record=True,
                lifecycle={"prevent_destroy": True},
                notes=["only the lifecycle changed: recording it in the state"],
            ),
            ResourceChange(
                key="hr/policy-helper",
                action=Action.NOOP,
                id="asst_policy",
                reasons=[Reason.ADOPTED],
                before=config(name="Policy helper"),
                after=config(name="Policy helper"),
                live_fingerprint="2222222222222222",
                adopt=True,
                notes=["found asst_policy by its ownership tag; recording it in the state"],
            ),
            ResourceChange(
                key="json-bot",
                action=Action.REPLACE,
                id="asst_json",
                reasons=[Reason.SPEC_CHANGED, Reason.REPLACE_ON_CHANGE],
                before=json_before,
                after=json_after,
                changes=[
                    FieldChange(path="model", before="gpt-3.5-turbo-0125", after="gpt-4o-mini")
                ],
                request={"model": "gpt-4o-mini", "name": "JSON formatter"},
                live_fingerprint="3333333333333333",
                lifecycle={"replace_on_change": ["model"]},
                notes=["lifecycle.replace_on_change: model"],
            ),
            ResourceChange(
                key="legacy/faq",
                action=Action.DELETE,
                id="asst_faq",
                reasons=[Reason.SPEC_REMOVED],
                before=config(name="FAQ bot", instructions="Answer FAQs."),
                live_fingerprint="4444444444444444",
                forget=True,
            ),
            ResourceChange(
                key="legacy/gone",
                action=Action.NOOP,
                id="asst_gone",
                reasons=[Reason.SPEC_REMOVED, Reason.DELETED_OUTSIDE],
                before=config(name="Gone"),
                forget=True,
                notes=["spec removed and already gone from the server: forgetting it"],
            ),
            ResourceChange(
                key="math-tutor",
                action=Action.CREATE,
                reasons=[Reason.NEW_SPEC],
                after=math,
                request=math,
                source="assistants/math-tutor.yaml",
            ),
            ResourceChange(
                key="support/summarizer",
                action=Action.NOOP,
                id="asst_summarizer",
                before=config(name="Summarizer"),
                after=config(name="Summarizer"),
            ),
            _triage_update(),
            ResourceChange(
                key="support/triage",
                action=Action.DELETE,
                id="asst_triage_dup",
                reasons=[Reason.DUPLICATE],
                before=triage_dup,
                live_fingerprint="5555555555555555",
                notes=[
                    "duplicate of support/triage: a second live assistant carries its ownership tag"
                ],
            ),
        ],
        warnings=[
            "DUPLICATES: 2 live assistants carry the tag of 'support/triage'; "
            "keeping asst_triage, deleting asst_triage_dup",
            "the server repeated 1 assistant(s) across list pages; "
            "duplicates were dropped (its pagination is unstable)",
        ],
    )


def no_refresh_plan() -> Plan:
    offline = "planned from the state alone (--no-refresh): drift is not seen"
    before = config(name="Math Tutor", temperature=0.2)
    return Plan(
        tool_version="0.1.0",
        created_at=CREATED_AT,
        state=STATE,
        live=LiveRef(refreshed=False),
        targets=["math-*"],
        resource_changes=[
            ResourceChange(
                key="math-tutor",
                action=Action.UPDATE,
                id="asst_math",
                reasons=[Reason.SPEC_CHANGED],
                before=before,
                after=before | {"temperature": 0.7},
                changes=[FieldChange(path="temperature", before=0.2, after=0.7)],
                request={"temperature": 0.7},
                notes=[offline],
            ),
            ResourceChange(
                key="math-tutor-old",
                action=Action.NOOP,
                id="asst_math_old",
                before=config(),
                after=config(),
                notes=[offline],
            ),
        ],
    )


def no_changes_plan() -> Plan:
    return Plan(
        tool_version="0.1.0",
        created_at=CREATED_AT,
        state=STATE,
        live=LiveRef(refreshed=True, fingerprint="0000000000000000", assistants=2, requests=1),
        resource_changes=[
            ResourceChange(key=key, action=Action.NOOP, id=f"asst_{n}", before=config())
            for n, key in enumerate(["a", "b"])
        ],
    )


def state_only_plan() -> Plan:
    """Nothing to change on the server, but apply still records an adoption and a forget."""
    plan = full_plan()
    kept = [c for c in plan.resource_changes if c.action is Action.NOOP]
    return plan.model_copy(update={"resource_changes": kept, "warnings": []})


def blue_green_plan() -> Plan:
    """lifecycle.strategy blue-green: a new version with the oldest pruned, a prune alone,
    and a version an interrupted apply left unrecorded."""
    v = Version
    lifecycle = {"strategy": "blue-green", "keep_versions": 2}
    before = config(name="Triage", description="one")
    after = config(name="Triage", description="two")
    return Plan(
        tool_version="0.1.0",
        created_at=CREATED_AT,
        state=STATE,
        live=LiveRef(refreshed=True, fingerprint="4444444444444444", assistants=6, requests=1),
        resource_changes=[
            ResourceChange(
                key="support/triage",
                action=Action.REPLACE,
                id="asst_triage_v3",
                reasons=[Reason.SPEC_CHANGED, Reason.NEW_VERSION],
                before=before,
                after=after,
                applied=after,
                changes=[FieldChange(path="description", before="one", after="two")],
                request={
                    "model": "gpt-4o",
                    "name": "Triage",
                    "description": "two",
                    "metadata": {
                        "assistform": f"support/triage@{LINEAGE}@",
                        **{"assistform-version": "4"},
                    },
                },
                live_fingerprint="5555555555555555",
                lifecycle=lifecycle,
                version=4,
                versions=[v(version=3, id="asst_triage_v3")],
                prune=[v(version=2, id="asst_triage_v2")],
            ),
            ResourceChange(
                key="support/billing",
                action=Action.DELETE,
                id="asst_billing_v5",
                reasons=[Reason.BEYOND_KEEP_VERSIONS],
                lifecycle=lifecycle,
                version=5,
                versions=[v(version=4, id="asst_billing_v4"), v(version=5, id="asst_billing_v5")],
                prune=[v(version=3, id="asst_billing_v3")],
            ),
            ResourceChange(
                key="support/billing",
                action=Action.DELETE,
                id="asst_billing_v6",
                reasons=[Reason.UNRECORDED_VERSION],
                before=config(name="Billing"),
                live_fingerprint="6666666666666666",
                notes=[
                    "version 6 was created by an apply that did not finish (never current) "
                    "or was being deleted: deleting it"
                ],
            ),
        ],
    )


# --- files and vector stores: one of everything knowledge can show ----------------

TAG = {"assistform": f"support/kb@{LINEAGE}@"}
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
KB = ref("vector_store", "support/kb")
SALES = ref("file", "data/sales.csv")


def _store(name: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": name,
        "description": None,
        "metadata": {},
        "expires_after": None,
        "chunking_strategy": None,
    }
    return base | fields


def _attach(path: str, size: int, file_id: str | None = None, **fields: Any) -> AttachmentChange:
    return AttachmentChange(path=path, action=Action.CREATE, file_id=file_id, size=size, **fields)


def knowledge_plan() -> Plan:
    kb_before = _store("Support KB", description="Articles")
    kb_after = kb_before | {"description": "Articles the support assistants quote"}
    return Plan(
        tool_version="0.1.0",
        created_at=CREATED_AT,
        state=STATE,
        live=LiveRef(refreshed=True, fingerprint="7777777777777777", assistants=3, requests=1),
        resource_changes=[
            ResourceChange(
                key="support/triage",
                action=Action.UPDATE,
                id="asst_triage",
                reasons=[Reason.SPEC_CHANGED],
                changes=[
                    FieldChange(
                        path="tool_resources.code_interpreter.file_ids[1]",
                        before="file-sales1",
                        after=SALES,
                    ),
                    FieldChange(
                        path="tool_resources.file_search.vector_store_ids[0]",
                        before="vs_kb",
                        after=KB,
                    ),
                ],
                request={
                    "tool_resources": {
                        "code_interpreter": {"file_ids": ["file-own", SALES]},
                        "file_search": {"vector_store_ids": [KB]},
                    }
                },
                source="assistants/support/triage.yaml",
            ),
            ResourceChange(key="hr/helper", action=Action.NOOP, id="asst_hr"),
        ],
        file_changes=[
            FileChange(
                path="docs/kb/returns.md",
                action=Action.CREATE,
                reasons=[Reason.NEW_SPEC],
                sha256=SHA,
                size=4_200_000,
            ),
            FileChange(
                path="data/sales.csv",
                action=Action.REPLACE,
                id="file-sales1",
                reasons=[Reason.CONTENT_CHANGED],
                sha256=SHA,
                previous_sha256="0" * 64,
                size=52_300,
                notes=["the old file is deleted once nothing refers to it"],
            ),
            FileChange(
                path="docs/kb/faq.md",
                action=Action.NOOP,
                id="file-faq2",
                adopt=True,
                sha256=SHA,
                size=1_200,
            ),
            FileChange(
                path="docs/old.md",
                action=Action.DELETE,
                id="file-old",
                reasons=[Reason.UNUSED],
                notes=["no spec uses it any more"],
            ),
            FileChange(
                path="docs/kb/faq.md",
                action=Action.DELETE,
                id="file-faq3",
                reasons=[Reason.ORPHAN],
                size=1_200,
            ),
            FileChange(
                path="docs/gone.md",
                action=Action.NOOP,
                id="file-gone",
                reasons=[Reason.UNUSED, Reason.DELETED_OUTSIDE],
            ),
        ],
        vector_store_changes=[
            VectorStoreChange(
                key="hr/policies",
                action=Action.CREATE,
                reasons=[Reason.NEW_SPEC],
                after=_store("HR policies", metadata={"team": "hr"}),
                request={"name": "HR policies", "metadata": {"team": "hr", **TAG}},
                attach=[_attach("docs/hr/leave.pdf", 310_000)],
                source="vector_stores/hr/policies.yaml",
            ),
            VectorStoreChange(
                key="support/faq",
                action=Action.NOOP,
                id="vs_faq",
                reasons=[Reason.CONTENT_CHANGED, Reason.DRIFT, Reason.PROCESSING_FAILED],
                attach=[
                    _attach("docs/kb/faq.md", 1_200, "file-faq2"),
                    _attach("docs/kb/returns.md", 4_200_000),
                    _attach("docs/kb/shipping.md", 800, "file-ship", drift=True),
                ],
                detach=[
                    AttachmentChange(
                        path="docs/old.md", action=Action.DELETE, file_id="file-old", size=90
                    )
                ],
                retag=[
                    AttachmentChange(
                        path="docs/kb/billing.md",
                        action=Action.UPDATE,
                        file_id="file-bill",
                        size=2_048,
                        attributes={"category": "billing", **TAG},
                        drift=True,
                    )
                ],
                failed=[
                    AttachmentChange(
                        path="docs/kb/scan.pdf",
                        action=Action.NOOP,
                        file_id="file-scan",
                        size=9_000_000,
                        last_error="invalid_file: The file could not be parsed",
                    )
                ],
                unchanged=12,
            ),
            VectorStoreChange(
                key="support/kb",
                action=Action.REPLACE,
                id="vs_kb",
                reasons=[Reason.SPEC_CHANGED, Reason.CREATE_ONLY],
                before=kb_before,
                after=kb_after,
                changes=[
                    FieldChange(
                        path="description",
                        before="Articles",
                        after="Articles the support assistants quote",
                        compared_with="state",
                    )
                ],
                attach=[
                    _attach("docs/kb/faq.md", 1_200, "file-faq2"),
                    _attach("docs/kb/returns.md", 4_200_000),
                ],
                notes=[
                    "description can only be set when a store is created: the store is made "
                    "again with its files, then the old one deleted"
                ],
            ),
            VectorStoreChange(key="eng/handbook", action=Action.NOOP, id="vs_eng", unchanged=40),
            VectorStoreChange(
                key="legacy/archive",
                action=Action.DELETE,
                id="vs_archive",
                reasons=[Reason.SPEC_REMOVED],
                before=_store("Archive"),
                forget=True,
            ),
        ],
        knowledge=KnowledgeRef(
            files=60,
            vector_stores=6,
            unmanaged_files=3,
            unmanaged_vector_stores=1,
            requests=9,
            bytes_hashed=4_252_300,
        ),
    )


PLANS: dict[str, Callable[[], Plan]] = {
    "blue_green": blue_green_plan,
    "full": full_plan,
    "knowledge": knowledge_plan,
    "no_refresh": no_refresh_plan,
    "no_changes": no_changes_plan,
    "state_only": state_only_plan,
}


@pytest.fixture(params=sorted(PLANS))
def plan_case(request: pytest.FixtureRequest) -> tuple[str, Plan]:
    """(name, plan) for every hand-built plan: the golden files are named after it."""
    name: str = request.param
    return name, PLANS[name]()


@pytest.fixture
def full() -> Plan:
    return full_plan()


@pytest.fixture
def blue_green() -> Plan:
    return blue_green_plan()


@pytest.fixture
def knowledge() -> Plan:
    return knowledge_plan()
