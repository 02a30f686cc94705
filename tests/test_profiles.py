"""Plan and apply on every kind of server: OpenAI's (`faithful`) and the self-hosted
re-implementations users run now (`lenient`: bare hex ids, float `created_at`, `null` for
every field not sent, `reasoning_effort` dropped, extra fields, FastAPI-shaped 422s, 403 for
a missing id, its own instructions limit, pagination that repeats items across pages;
`thin-list`: a list body of `data` alone; `stuck-cursor`: that, and `after` ignored).

The suite's repository holds 9 assistants, one page: on `stuck-cursor` every scenario
works as anywhere else (a short page ends the listing). With 250, a `stuck-cursor` listing
cannot get past its first page: plan refuses to create or delete on the strength of it,
and never makes a copy (see `test_250_assistants_are_each_planned_once`).

Every scenario drives the real CLI against a real loopback server of each profile, in a
repository holding the examples of `assistants/` plus specs that set every field, and ends
with a plan that shows no changes.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from assistform.api.client import OpenAIAssistants
from assistform.apply.retry import RetryPolicy
from assistform.apply.run import ApplySettings, apply_plan, state_for
from assistform.cli.sandbox import PROFILE_NAMES
from assistform.errors import ApiError
from assistform.ownership import tag_of
from assistform.plan.model import Action
from assistform.sandbox import Faults, SandboxServer
from assistform.sandbox.faults import FaultDecision, RequestInfo, nth
from assistform.sandbox.inprocess import BASE_URL, SandboxTransport
from assistform.sandbox.profiles import LENIENT_INSTRUCTIONS_MAX
from assistform.sandbox.service import ROUTE_COLLECTION, AssistantsService
from cli.applyrepo import FAST, Repo, repo_factory

EXAMPLES = Path(__file__).resolve().parents[1] / "assistants"
#: Every profile the sandbox has: a new one joins the suite.
PROFILES = PROFILE_NAMES
ITEM_ROUTE = "/v1/assistants/{assistant_id}"

#: Specs that set every field of the create request, and one that sets none but `model`.
EVERY_FIELD = {
    "every/field": """
        model: gpt-4o
        name: Every field
        description: Sets every field of the create request.
        instructions: Answer in one sentence.
        reasoning_effort: high
        tools:
          - type: code_interpreter
          - type: file_search
            file_search:
              max_num_results: 7
              ranking_options: {ranker: auto, score_threshold: 0.25}
          - type: file_search
          - type: function
            function:
              name: lookup
              description: Look a word up.
              strict: true
              parameters:
                type: object
                properties: {word: {type: string}}
                required: [word]
                additionalProperties: false
          - type: function
            function: {name: ping}
        tool_resources:
          code_interpreter: {file_ids: [file-a, file-b]}
          file_search: {vector_store_ids: [vs_kb]}
        metadata: {team: qa, tier: "1"}
        temperature: 0.3
        top_p: 0.8
        response_format:
          type: json_schema
          json_schema:
            name: answer
            schema: {type: object, properties: {text: {type: string}}}
    """,
    "every/helper": """
        model: gpt-4o-mini
        tools: [{type: file_search}]
        tool_resources:
          file_search:
            vector_stores:
              - file_ids: [file-x]
                chunking_strategy:
                  type: static
                  static: {max_chunk_size_tokens: 800, chunk_overlap_tokens: 400}
        response_format: {type: text}
        temperature: 1
    """,
    "every/minimal": "model: gpt-4o\n",
}


@pytest.fixture
def make_repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_api_server: Callable[..., SandboxServer]
) -> Iterator[Callable[..., Repo]]:
    yield from repo_factory(tmp_path, monkeypatch, make_api_server)


@pytest.fixture(params=PROFILES)
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def repo(make_repo: Callable[..., Repo], profile: str) -> Repo:
    """The examples plus EVERY_FIELD, on a server of `profile`, not applied yet."""
    made = make_repo(profile=profile)
    shutil.copytree(EXAMPLES, made.root / "assistants", dirs_exist_ok=True)
    for key, text in EVERY_FIELD.items():
        write_yaml(made, key, text)
    return made


def write_yaml(repo: Repo, key: str, text: str) -> None:
    path = repo.root / "assistants" / f"{key}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def edit_yaml(repo: Repo, key: str, old: str, new: str) -> None:
    path = repo.root / "assistants" / f"{key}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, (key, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def keys_of(repo: Repo) -> list[str]:
    return sorted(d.key for d in repo.workspace.desired())


def apply_ok(repo: Repo, *args: str) -> str:
    result = repo.run("apply", "--auto-approve", *args, *FAST)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


def ids(repo: Repo) -> dict[str, str]:
    return {key: resource.id for key, resource in repo.state().resources.items()}


def plan_json(repo: Repo) -> dict[str, Any]:
    result = repo.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    plan: dict[str, Any] = json.loads(result.stdout)
    return plan


def changes_by_key(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["key"]: c for c in plan["resource_changes"] if c["action"] != "no-op"}


# -- the suite, on both profiles -------------------------------------------------------


def test_create_then_nothing_to_do(repo: Repo) -> None:
    keys = keys_of(repo)
    out = apply_ok(repo)
    assert out.endswith(f"Apply complete: {len(keys)} created, 0 updated, 0 replaced, 0 deleted.\n")
    repo.assert_converged(keys)
    serial = repo.state().serial

    out = apply_ok(repo)
    assert out.endswith("No changes. Live assistants match the specs.\n")
    assert repo.state().serial == serial
    assert repo.run("plan", "--detailed-exitcode").exit_code == 0


#: Per profile whose modify keeps something else than it was sent, the change that fails,
#: and why: apply names it, and the next plan still shows it (no false success).
NOT_STORED = {
    "merges-metadata": (
        "every/field",
        'the server kept metadata {"team": "qa", "tier": "1"}; sent {"team": "qa"}',
    ),
    "ignores-falsy": (
        "math-tutor",
        'the server kept tools [{"type": "code_interpreter"}]; sent []',
    ),
}


def test_update_in_place_keeps_each_id(repo: Repo, profile: str) -> None:
    apply_ok(repo)
    before = ids(repo)
    edit_yaml(repo, "every/field", "temperature: 0.3", "temperature: 0.9")
    edit_yaml(repo, "every/field", "description: Sets every field of the create request.\n", "")
    edit_yaml(repo, "every/field", 'metadata: {team: qa, tier: "1"}', "metadata: {team: qa}")
    edit_yaml(repo, "every/field", "instructions: Answer in one sentence.\n", "")
    edit_yaml(repo, "every/field", "  code_interpreter: {file_ids: [file-a, file-b]}\n", "")
    edit_yaml(repo, "every/helper", "response_format: {type: text}\n", "")
    edit_yaml(repo, "math-tutor", "tools:\n  - type: code_interpreter\n", "")
    # Compared with the state alone: the lenient server drops it, OpenAI never returns it.
    edit_yaml(repo, "hr/policy-helper", "reasoning_effort: low", "reasoning_effort: high")

    planned = changes_by_key(plan_json(repo))
    assert {k: c["action"] for k, c in planned.items()} == dict.fromkeys(
        ["every/field", "every/helper", "hr/policy-helper", "math-tutor"], "update"
    )
    assert planned["hr/policy-helper"]["changes"] == [
        {
            "path": "reasoning_effort",
            "before": "low",
            "after": "high",
            "drift": False,
            "compared_with": "state",
        }
    ]
    assert [c["path"] for c in planned["every/field"]["changes"]] == [
        "description",
        "instructions",
        "tool_resources.code_interpreter",
        "metadata.tier",
        "temperature",
    ]

    if profile in NOT_STORED:
        failed, why = NOT_STORED[profile]
        result = repo.run("apply", "--auto-approve", *FAST)
        assert result.exit_code == 1
        assert result.stdout.endswith(
            "Apply failed: 0 created, 3 updated, 0 replaced, 0 deleted; 1 failed.\n"
        )
        assert result.stderr.splitlines() == [
            f"error: {failed} (update): the server did not store what was sent: {why}"
        ]
        assert ids(repo) == before, "no copy, no replacement"
        assert list(changes_by_key(plan_json(repo))) == [failed], "still to do, not done"
        return
    out = apply_ok(repo)
    assert out.endswith("Apply complete: 0 created, 4 updated, 0 replaced, 0 deleted.\n")
    assert ids(repo) == before
    repo.assert_converged(keys_of(repo))


def test_replace_makes_a_new_assistant_and_deletes_the_old(repo: Repo) -> None:
    apply_ok(repo)
    before = ids(repo)
    edit_yaml(repo, "hr/policy-helper", "model: o3-mini", "model: o4-mini")  # replace_on_change
    edit_yaml(repo, "every/helper", "file_ids: [file-x]", "file_ids: [file-y]")  # create-only

    out = apply_ok(repo, "--replace", "every/minimal")
    assert out.endswith("Apply complete: 0 created, 0 updated, 3 replaced, 0 deleted.\n")
    after = ids(repo)
    replaced = ["every/helper", "every/minimal", "hr/policy-helper"]
    assert [k for k in before if after[k] != before[k]] == replaced
    live = {a.id for a in repo.live()}
    assert not {before[k] for k in replaced} & live
    repo.assert_converged(keys_of(repo))


def test_delete_when_the_spec_is_removed(repo: Repo) -> None:
    apply_ok(repo)
    gone = ids(repo)["json-bot"]
    (repo.root / "assistants" / "json-bot.yml").unlink()

    out = apply_ok(repo)
    assert out.endswith("Apply complete: 0 created, 0 updated, 0 replaced, 1 deleted.\n")
    assert gone not in {a.id for a in repo.live()}
    repo.assert_converged(keys_of(repo))


def test_drift_is_named_and_restored(repo: Repo) -> None:
    apply_ok(repo)
    tutor = ids(repo)["math-tutor"]
    every = ids(repo)["every/field"]
    repo.api.client.beta.assistants.update(tutor, temperature=1.5)
    # Truthy values only: a server that ignores falsy ones would not take a hand edit either.
    repo.api.client.beta.assistants.update(every, tools=[{"type": "code_interpreter"}], top_p=0.5)

    planned = changes_by_key(plan_json(repo))
    assert {k: c["action"] for k, c in planned.items()} == {
        "every/field": "update",
        "math-tutor": "update",
    }
    assert planned["math-tutor"]["changes"] == [
        {
            "path": "temperature",
            "before": 1.5,
            "after": 0.2,
            "drift": True,
            "compared_with": "live",
        }
    ]
    drifted = {c["path"].split("[")[0] for c in planned["every/field"]["changes"] if c["drift"]}
    assert drifted == {"tools", "top_p"}
    assert "changed outside assistform: tools, top_p" in planned["every/field"]["notes"]

    out = apply_ok(repo)
    assert out.endswith("Apply complete: 0 created, 2 updated, 0 replaced, 0 deleted.\n")
    assert (ids(repo)["math-tutor"], ids(repo)["every/field"]) == (tutor, every)
    repo.assert_converged(keys_of(repo))


def test_an_assistant_deleted_by_hand_is_created_again(repo: Repo) -> None:
    apply_ok(repo)
    old = ids(repo)["every/field"]
    repo.api.client.beta.assistants.delete(old)

    [change] = changes_by_key(plan_json(repo)).values()
    assert (change["key"], change["action"], change["reasons"]) == (
        "every/field",
        "create",
        ["deleted-outside"],
    )
    out = apply_ok(repo)
    assert out.endswith("Apply complete: 1 created, 0 updated, 0 replaced, 0 deleted.\n")
    assert ids(repo)["every/field"] != old
    repo.assert_converged(keys_of(repo))


class RefuseCreatesNamed(Faults):
    """Answers 500 to every create of an assistant called `name`, and only to those."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def decide(self, request: RequestInfo) -> FaultDecision:
        body = request.json()
        if request.method == "POST" and isinstance(body, dict) and body.get("name") == self.name:
            return FaultDecision(fail=True)
        return super().decide(request)


def test_a_refused_change_fails_alone_in_one_short_line(repo: Repo, profile: str) -> None:
    prompt = "Think step by step. " * (LENIENT_INSTRUCTIONS_MAX // 20 + 100)
    if profile != "lenient":
        # OpenAI takes 256,000 characters, so the refusal is the server's own failure.
        repo.server.faults = RefuseCreatesNamed("Too big")
    repo.write("big", name="Too big", instructions=prompt)
    keys = [k for k in keys_of(repo) if k != "big"]

    result = repo.run("apply", "--auto-approve", *FAST)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        f"Apply failed: {len(keys)} created, 0 updated, 0 replaced, 0 deleted; 1 failed."
    )
    [line] = result.stderr.splitlines()
    expected = {
        "lenient": "error: big (create): create assistant: HTTP 422 [string_too_long]: "
        "String should have at most 32768 characters (param: instructions)",
    }.get(
        profile,
        "error: big (create): create assistant: HTTP 500 [server_error]: "
        "The server had an error while processing your request.",
    )
    assert line == expected
    assert "Think step" not in result.stderr
    assert sorted(repo.state().resources) == keys

    repo.server.faults = Faults()
    repo.remove("big")
    repo.assert_converged(keys)


def test_a_retried_delete_whose_answer_was_lost_counts_as_done(
    make_repo: Callable[..., Repo], profile: str
) -> None:
    # The first delete happens but its answer is lost; the retry then meets 404 (OpenAI)
    # or 403 (lenient, which says so for any unknown id): either way the id is gone.
    repo = make_repo(profile=profile)
    repo.write("a")
    repo.write("b")
    apply_ok(repo)
    repo.server.faults = Faults(lose_answer=nth("DELETE", ITEM_ROUTE, 1))
    repo.remove("b")

    out = apply_ok(repo)
    assert out.endswith("Apply complete: 0 created, 0 updated, 0 replaced, 1 deleted.\n")
    repo.assert_converged(["a"])


class RefuseDeletes(httpx2.BaseTransport):
    """A gateway in front of the server that forbids deletes (a read-and-write-only key)."""

    def __init__(self, inner: httpx2.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.method == "DELETE":
            return httpx2.Response(403, json={"detail": "Forbidden"}, request=request)
        return self.inner.handle_request(request)


def test_a_403_for_an_assistant_still_listed_is_a_real_refusal(
    make_repo: Callable[..., Repo], profile: str
) -> None:
    repo = make_repo(profile=profile)
    repo.write("a")
    repo.write("b")
    apply_ok(repo)
    repo.remove("b")
    kept = ids(repo)["b"]
    client = openai.OpenAI(
        base_url=repo.server.base_url,
        api_key="sk-test",
        http_client=httpx2.Client(transport=RefuseDeletes(httpx2.HTTPTransport())),
    )
    policy = RetryPolicy(base_delay=0.01, max_seconds=5)
    api = OpenAIAssistants(client, policy=policy)
    plan = repo.workspace.plan(api)
    state_file = repo.workspace.state_file
    settings = ApplySettings(policy=policy)
    repo.server.stats.reset()

    result = apply_plan(plan, api, state_file, state_for(plan, state_file), settings)

    # A GET that still finds it settles the 403: no listing of every assistant per delete.
    assert repo.server.stats.count(method="GET", route=ROUTE_COLLECTION) == 0
    [failed] = result.failed
    assert failed.error is not None
    assert failed.error.message == f"delete assistant {kept}: HTTP 403: Forbidden"
    assert "b" in repo.state().resources
    assert kept in {a.id for a in repo.live()}


def test_250_assistants_are_each_planned_once(make_repo: Callable[..., Repo], profile: str) -> None:
    repo = make_repo(profile=profile)
    # One second for all: the lenient server then repeats an item at every page boundary.
    repo.server.service.clock = lambda: 1_790_000_000.0
    keys = repo.write_many(250)
    apply_ok(repo, "--parallelism", "16")
    if profile == "stuck-cursor":
        _refused_on_a_stuck_cursor(repo, keys)
        return

    result = repo.run("plan")
    assert result.exit_code == 0, result.output
    plan = repo.plan()
    assert [c.key for c in plan.resource_changes] == keys
    assert {c.action for c in plan.resource_changes} == {Action.NOOP}
    assert plan.live.assistants == 250
    # ceil(250/100) pages; the lenient list repeats, so it is walked newest first as well.
    assert plan.live.requests == (6 if profile == "lenient" else 3)
    warnings = [line for line in result.stdout.splitlines() if line.startswith("WARNING:")]
    if profile == "lenient":
        [warning] = warnings
        assert warning == (
            "WARNING: the server repeated 2 assistant(s) across list pages; "
            "duplicates were dropped (its pagination is unstable)"
        )
    else:
        assert warnings == []


def _refused_on_a_stuck_cursor(repo: Repo, keys: list[str]) -> None:
    """250 on a server whose list never gets past its first page: the first apply worked
    (there was nothing to list), but from then on a plan sees 200 of them (the oldest and
    the newest 100) and cannot tell whether the other 50 exist: it refuses, clearly, to
    create them again, and apply changes nothing. Only what it can see is planned, with
    --target."""
    stored = repo.server.store.ordered  # what the server holds, past its listing
    created = {r.id for r in stored()}
    assert len(created) == 250
    serial = repo.state().serial

    result = repo.run("plan")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(
        "error: the list of assistants may be incomplete (after 100 assistant(s) its next page "
        "brought nothing new (its `after` cursor does not advance)): assistform saw 200 "
        "assistant(s) and cannot see whether any other exists, so it will not plan to "
        "create 50 ("
    ), line

    result = repo.run("apply", "--auto-approve", *FAST)
    assert result.exit_code == 1
    assert "the list of assistants may be incomplete" in result.stderr
    assert {r.id for r in stored()} == created, "no copy, no delete"
    assert repo.state().serial == serial

    oldest = stored()[0]
    seen = tag_of(oldest.fields.get("metadata"))
    assert seen is not None and seen.key in keys
    result = repo.run("plan", "--target", seen.key, "--detailed-exitcode")
    assert result.exit_code == 0, result.output


class SkipAfterCursor(httpx2.BaseTransport):
    """Makes a repeating server also skip: drops the item right after the repeated cursor
    from each oldest-first page, as a server that resolves `after` by the second may."""

    def __init__(self, inner: httpx2.BaseTransport) -> None:
        self.inner = inner
        self.dropped: list[str] = []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = self.inner.handle_request(request)
        params = request.url.params
        if request.method != "GET" or "after" not in params or params.get("order") != "asc":
            return response
        page = json.loads(response.read())
        if len(page["data"]) > 1 and page["data"][0]["id"] == params["after"]:
            self.dropped.append(page["data"].pop(1)["id"])
        return httpx2.Response(response.status_code, json=page, request=request)


def test_items_a_repeating_server_skipped_are_found_newest_first() -> None:
    service = AssistantsService(profile="lenient", clock=lambda: 1_790_000_000.0)
    transport = SkipAfterCursor(SandboxTransport(service))
    client = openai.OpenAI(
        base_url=BASE_URL,
        api_key="sk-test",
        http_client=httpx2.Client(transport=transport, base_url=BASE_URL),
    )
    api = OpenAIAssistants(client)
    made = {api.create({"model": "gpt-4o", "name": f"n{i}"}).id for i in range(230)}

    live = api.list_all()

    assert len(transport.dropped) == 2
    assert sorted(a.id for a in live.assistants) == sorted(made)
    [warning] = live.warnings
    assert warning.endswith("; listing again newest first found 2 it had skipped")


# -- error answers of other servers: one line, never the echoed request -------------------

PROMPT = "Tell the user about our refund policy. " * 50


def answering(status: int, content: str, content_type: str = "application/json") -> Any:
    def handler(request: httpx2.Request) -> httpx2.Response:
        headers = {"content-type": content_type}
        return httpx2.Response(status, content=content.encode(), headers=headers)

    return handler


@pytest.mark.parametrize(
    ("status", "content", "content_type", "expected"),
    [
        (
            422,
            json.dumps(
                {
                    "detail": [
                        {"loc": ["body", "top_p"], "msg": "Input should be <= 1", "input": 7},
                        {"loc": ["body", "instructions"], "msg": "too long", "input": PROMPT},
                    ]
                }
            ),
            "application/json",
            "HTTP 422: Input should be <= 1 (param: top_p)",
        ),
        (
            400,
            json.dumps({"error": f"Bad request. You sent: {PROMPT}"}),
            "application/json",
            "HTTP 400: Bad request.",
        ),
        (
            400,
            json.dumps({"errors": [{"message": "model is required.", "input": PROMPT}]}),
            "application/json",
            "HTTP 400: model is required.",
        ),
        (
            400,
            json.dumps({"status": "invalid", "request": {"instructions": PROMPT}}),
            "application/json",
            "HTTP 400: Bad Request",
        ),
        (
            502,
            f"<html><head><title>502</title></head><body>{PROMPT}</body></html>",
            "text/html",
            "HTTP 502: Bad Gateway",
        ),
        (
            409,
            "Conflict: try again later. " + PROMPT,
            "text/plain",
            "HTTP 409: Conflict: try again later.",
        ),
    ],
    ids=["pydantic-list", "error-string", "errors-list", "unknown-json", "html", "text"],
)
def test_any_error_shape_becomes_one_short_line(
    status: int, content: str, content_type: str, expected: str
) -> None:
    client = openai.OpenAI(
        base_url=BASE_URL,
        api_key="sk-test",
        max_retries=0,
        http_client=httpx2.Client(
            transport=httpx2.MockTransport(answering(status, content, content_type))
        ),
    )
    with pytest.raises(ApiError) as caught:
        OpenAIAssistants(client).create({"model": "gpt-4o", "instructions": PROMPT})
    assert caught.value.message == f"create assistant: {expected}"
    assert caught.value.transient is (status in (408, 409, 429) or status >= 500)
