"""Learn what a server stores, never assume it (issue 12, failure 1).

On a server whose every filled-in value differs from OpenAI's documented one (the sandbox's
`contrary` profile: temperature 0.7, top_p 0.95, a `text` response format, its own ranker,
strict functions, an option no SDK knows...), through the real CLI and a loopback server:
a spec that leaves those values out creates without them and shows no change afterwards; a
hand edit of one of them is drift, restored to what the server held; a field taken out of a
spec goes back to that server's default; a state written before observations keeps working.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistform.limits import DOCUMENTED_DEFAULTS
from assistform.normalize import normalize
from assistform.sandbox import SandboxServer
from assistform.sandbox.profiles import CONTRARY_DEFAULTS, CONTRARY_UNKNOWN_OPTION
from cli.applyrepo import FAST, Repo, repo_factory


@pytest.fixture
def repo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_api_server: Callable[..., SandboxServer]
) -> Iterator[Repo]:
    for make in repo_factory(tmp_path, monkeypatch, make_api_server):
        yield make(profile="contrary")


def write(repo: Repo, key: str, spec: dict[str, Any]) -> None:
    path = repo.root / "assistants" / f"{key}.yaml"
    path.write_text(json.dumps(spec), encoding="utf-8")  # JSON is YAML


def plan_json(repo: Repo) -> dict[str, Any]:
    result = repo.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    plan: dict[str, Any] = json.loads(result.stdout)
    return plan


def acting(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c
        for c in plan["resource_changes"]
        if c["action"] != "no-op" or c["record"] or c["adopt"] or c["forget"]
    ]


def apply(repo: Repo) -> None:
    result = repo.run("apply", "--auto-approve", *FAST)
    assert result.exit_code == 0, result.output


def assert_clean(repo: Repo) -> None:
    result = repo.run("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output


def live_raw(repo: Repo, key: str) -> dict[str, Any]:
    return repo.api.get(repo.state().resources[key].id).raw


def test_what_a_spec_leaves_out_is_neither_sent_nor_ever_a_change(repo: Repo) -> None:
    write(repo, "bot", {"model": "gpt-4o", "tools": [{"type": "file_search"}]})
    [create] = acting(plan_json(repo))
    assert set(create["request"]) == {"model", "tools", "metadata"}, "no assumed default sent"
    apply(repo)

    raw = live_raw(repo, "bot")
    assert (
        raw["temperature"] == CONTRARY_DEFAULTS["temperature"] != DOCUMENTED_DEFAULTS["temperature"]
    )
    assert raw["tools"][0]["file_search"][CONTRARY_UNKNOWN_OPTION[0]] == CONTRARY_UNKNOWN_OPTION[1]
    observed = repo.state().resources["bot"].observed
    assert observed is not None and observed["top_p"] == CONTRARY_DEFAULTS["top_p"]
    assert_clean(repo)
    assert CONTRARY_UNKNOWN_OPTION[0] not in json.dumps(plan_json(repo)), (
        "an option the SDK does not know is never compared, so never shown"
    )


def test_a_value_the_spec_leaves_out_edited_by_hand_is_drift_restored(repo: Repo) -> None:
    write(repo, "bot", {"model": "gpt-4o"})
    apply(repo)
    assistant_id = repo.state().resources["bot"].id
    repo.api.update(assistant_id, {"temperature": 0.2})

    [change] = acting(plan_json(repo))
    assert (change["action"], change["reasons"]) == ("update", ["drift"])
    assert [(c["path"], c["before"], c["after"], c["drift"]) for c in change["changes"]] == [
        ("temperature", 0.2, CONTRARY_DEFAULTS["temperature"], True)
    ]
    assert change["request"] == {"temperature": CONTRARY_DEFAULTS["temperature"]}
    apply(repo)
    assert live_raw(repo, "bot")["temperature"] == CONTRARY_DEFAULTS["temperature"]
    assert_clean(repo)


def test_an_option_a_tool_leaves_out_edited_by_hand_is_drift_restored(repo: Repo) -> None:
    write(repo, "bot", {"model": "gpt-4o", "tools": [{"type": "file_search"}]})
    apply(repo)
    assistant_id = repo.state().resources["bot"].id
    ranking = {"ranker": "auto", "score_threshold": 0.3}
    edited = {"type": "file_search", "file_search": {"ranking_options": ranking}}
    repo.api.update(assistant_id, {"tools": [edited]})

    [change] = acting(plan_json(repo))
    assert [(c["path"], c["before"], c["after"]) for c in change["changes"]] == [
        ("tools[0].file_search.ranking_options.ranker", "auto", "default_2024_08_21")
    ]
    apply(repo)
    ranking = live_raw(repo, "bot")["tools"][0]["file_search"]["ranking_options"]
    assert ranking["ranker"] == "default_2024_08_21"
    assert_clean(repo)


def test_a_field_taken_out_of_a_spec_goes_back_to_this_server_s_default(repo: Repo) -> None:
    write(repo, "bot", {"model": "gpt-4o", "temperature": 0.3, "name": "Bot"})
    apply(repo)
    write(repo, "bot", {"model": "gpt-4o"})

    [change] = acting(plan_json(repo))
    assert change["request"] == {"name": None, "temperature": None}
    apply(repo)
    raw = live_raw(repo, "bot")
    assert (raw["temperature"], raw["name"]) == (
        CONTRARY_DEFAULTS["temperature"],
        CONTRARY_DEFAULTS["name"],
    )
    assert_clean(repo)


def test_a_state_written_before_observations_records_one_without_changes(repo: Repo) -> None:
    spec = {"model": "gpt-4o", "name": "Bot", "tools": [{"type": "file_search"}]}
    write(repo, "bot", spec)
    apply(repo)
    # The state as the previous assistform wrote it: format 1, OpenAI's documented
    # defaults filled into `applied`, no observation.
    path = repo.workspace.state_file.path
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["format_version"] = 1
    for resource in raw["resources"].values():
        resource.pop("observed")
        resource["applied"] = normalize({**DOCUMENTED_DEFAULTS, **spec})
    path.write_text(json.dumps(raw), encoding="utf-8")
    live_before = live_raw(repo, "bot")

    plan = plan_json(repo)
    [change] = acting(plan)
    assert (change["action"], change["reasons"], change["changes"]) == ("no-op", ["observed"], [])
    assert [w for w in plan["warnings"] if "no record of what the server stores" in w] != []
    apply(repo)
    assert live_raw(repo, "bot") == live_before, "nothing live changed"
    assert repo.state().resources["bot"].observed is not None
    assert_clean(repo)
