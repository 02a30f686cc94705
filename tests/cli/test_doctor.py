"""`assistform doctor`: a readable report or JSON, exit 0 for a usable server and 1 for one
that is not, never the API key, and no probe left behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistform.cli.main import cli
from assistform.sandbox import SandboxServer
from doubles import EchoesTheKey, SecondsSortIdCursor

KEY = "sk-doctor-secret-0123456789"


@pytest.fixture(autouse=True)
def _empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for variable in ("ASSISTFORM_ENV", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(variable, raising=False)


def doctor(*args: str, server: SandboxServer | None = None, key: str = KEY) -> Result:
    env = {"OPENAI_API_KEY": key}
    if server is not None:
        env["OPENAI_BASE_URL"] = server.base_url
    return CliRunner(env=env).invoke(cli, ["doctor", *args])


def test_the_lenient_differences_are_named(
    make_api_server: Callable[..., SandboxServer],
) -> None:
    server = make_api_server(profile="lenient")
    result = doctor(server=server)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"assistform doctor: {server.base_url}/\n\nUsable: yes")
    assert "Operations:          create ok, retrieve ok, list ok, modify ok, delete ok\n" in out
    assert "  tools:             null (OpenAI: [])\n" in out
    assert "  temperature:       null (OpenAI: 1.0)\n" in out
    assert "  reasoning_effort:  DROPPED: an invalid value is accepted too\n" in out
    assert "Invalid request:     HTTP 422, a FastAPI/pydantic" in out
    assert "Unknown id:          HTTP 403, a FastAPI" in out
    assert "Pagination:          UNSTABLE: 2 repeated, 0 skipped" in out
    assert "Differences from OpenAI (11), and how assistform copes:" in out
    assert out.endswith("deleted; none left behind.\n")
    assert len(server.store) == 0
    assert KEY not in result.output


def test_json_for_a_faithful_server(make_api_server: Callable[..., SandboxServer]) -> None:
    server = make_api_server(profile="faithful")
    result = doctor("--format", "json", "--base-url", server.base_url)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["server"] == server.base_url + "/"
    assert report["usable"] is True and report["problems"] == []
    assert report["differences"] == []
    assert report["operations"] == dict.fromkeys(["create", "retrieve", "modify", "list", "delete"])
    assert report["sent"]["reasoning_effort"] == {"verdict": "write-only"}
    assert report["unsent"]["temperature"] == {"verdict": "default"}
    assert report["missing_id"]["status"] == 404
    assert report["pagination"]["stable"] is True
    assert report["pagination"]["created"][-1] == "list-4"
    assert report["listing"] == {"requests": 1, "missed": [], "warnings": []}
    assert report["list_body_missing"] == []
    assert (report["metadata_update"], report["falsy_ignored"]) == ("replaced", [])
    assert report["left_behind"] == []
    assert len(server.store) == 0


def test_the_sandbox_of_a_profile() -> None:
    result = doctor("--sandbox", "--profile", "lenient", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["server"] == "the built-in sandbox (lenient profile)"
    assert report["sent"]["reasoning_effort"] == {"verdict": "dropped"}
    assert report["probes_created"] == report["probes_deleted"] > 0


def test_profile_without_sandbox_is_a_usage_error() -> None:
    result = doctor("--profile", "lenient")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --profile chooses the sandbox's behaviour: use it with --sandbox\n"
    )


def test_an_unreachable_server_is_not_usable(closed_port_url: str) -> None:
    result = doctor("--base-url", closed_port_url)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[2] == "Usable: NO"
    assert lines[3].startswith(f"  create: create assistant: cannot reach {closed_port_url}")
    assert "Traceback" not in result.output
    assert result.stdout.endswith("Probes: 0 created, 0 deleted; none left behind.\n")


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_the_key_is_never_printed(output_format: str) -> None:
    with SandboxServer(EchoesTheKey()) as server:
        result = doctor("--format", output_format, server=server)
        assert len(server.store) == 0
    assert result.exit_code == 0, result.output
    assert KEY not in result.output
    assert "Refused for Bearer ***." in result.output


def test_no_key_is_a_usage_error() -> None:
    result = CliRunner(env={"OPENAI_API_KEY": ""}).invoke(cli, ["doctor"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no API key: set OPENAI_API_KEY")


def test_credentials_in_the_base_url_are_not_printed(
    make_api_server: Callable[..., SandboxServer],
) -> None:
    server = make_api_server()
    with_user = server.base_url.replace("http://", "http://admin:hunter2@")
    result = doctor("--base-url", with_user)
    # The SDK sends them as basic auth instead of the key, which the server refuses.
    assert result.exit_code == 1
    assert "HTTP 401" in result.stdout
    assert "hunter2" not in result.output
    masked = server.base_url.replace("http://", "http://***@")
    assert result.stdout.startswith(f"assistform doctor: {masked}/\n")


def test_a_list_sorted_by_seconds_and_paged_by_id_is_usable_and_explained() -> None:
    """Issue 12, failure 4: doctor said "Usable: NO - the list does not show assistants just
    created" of a server where plan and apply handle 250 assistants."""
    with SandboxServer(SecondsSortIdCursor.holding(250)) as server:
        result = doctor(server=server)
        assert len(server.store) == 250
    assert result.exit_code == 0, result.output
    assert "\nUsable: yes, assistform can plan and apply against this server.\n" in result.stdout
    assert (
        "Pagination:          UNSTABLE: 1 repeated, 4 skipped, over 2 pages of 2\n"
        "                     made in this order within one second: main, minimal, list-1, "
        "list-2, list-3, list-4\n"
        "                     listed newest first: [main, minimal] [main again, 1 other]\n"
        "                     repeated: main\n"
        "                     never shown: list-1, list-2, list-3, list-4\n"
        "                     likely cause: the list sorts by created_at seconds but pages by id\n"
        "Plan's listing:      sees every probe (oldest first, 100 a page, 3 requests)\n"
    ) in result.stdout


@pytest.mark.parametrize(
    ("profile", "lines"),
    [
        (
            "faithful",
            "Metadata on update:  replaced (as OpenAI)\nFalsy on update:     taken (as OpenAI)\n",
        ),
        (
            "merges-metadata",
            "Metadata on update:  MERGED: keys left out stay\n"
            "Falsy on update:     taken (as OpenAI)\n",
        ),
        (
            "ignores-falsy",
            "Metadata on update:  replaced (as OpenAI)\n"
            'Falsy on update:     IGNORED: temperature 0, description "", tools [], metadata {}\n',
        ),
    ],
)
def test_what_an_update_takes_is_shown(profile: str, lines: str) -> None:
    result = doctor("--sandbox", "--profile", profile)
    assert result.exit_code == 0, result.output
    assert lines in result.stdout
    differences = 0 if profile == "faithful" else 1
    assert (f"Differences from OpenAI ({differences})" in result.stdout) == bool(differences)
    assert result.stdout.endswith("deleted; none left behind.\n")
