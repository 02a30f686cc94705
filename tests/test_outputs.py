"""The formats of `assistform output`: names, quoting, the JSON document, GitHub's syntax.

Each format is read back the way its consumer reads it: a shell's `eval`, bash's `source`,
python-dotenv, and GitHub's own `name<<DELIMITER` rule.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from assistform import outputs
from assistform.outputs import Output, OutputError, output_of
from assistform.state import ResourceState

TRIAGE = Output("support/triage", "asst_1", "Support triage", "gpt-4o", ("vs_a", "vs_b"))
#: Values a shell or a dotenv reader could mangle.
AWKWARD = Output(
    "my-bot.v2",
    "asst_2",
    'It\'s $HOME; `rm -rf` \\ "quoted" *',
    "gpt-4.1-mini",
    (),
)
BARE = Output("x", "asst_3", None, None, ())


@pytest.mark.parametrize(
    ("key", "stem"),
    [
        ("support/triage", "SUPPORT_TRIAGE"),
        ("my-bot.v2", "MY_BOT_V2"),
        ("a/b-c.d_e", "A_B_C_D_E"),
        ("team//x", "TEAM_X"),
        ("_private", "_PRIVATE"),
        ("v2", "V2"),
    ],
)
def test_a_key_gives_its_stem_by_one_rule(key: str, stem: str) -> None:
    assert outputs.stem(key) == stem


def test_four_variables_per_key_in_key_order() -> None:
    assert outputs.variables([TRIAGE, BARE]) == [
        ("ASSISTFORM_SUPPORT_TRIAGE_ID", "asst_1"),
        ("ASSISTFORM_SUPPORT_TRIAGE_NAME", "Support triage"),
        ("ASSISTFORM_SUPPORT_TRIAGE_MODEL", "gpt-4o"),
        ("ASSISTFORM_SUPPORT_TRIAGE_VECTOR_STORE_IDS", "vs_a,vs_b"),
        ("ASSISTFORM_X_ID", "asst_3"),
        ("ASSISTFORM_X_NAME", ""),
        ("ASSISTFORM_X_MODEL", ""),
        ("ASSISTFORM_X_VECTOR_STORE_IDS", ""),
    ]
    assert [name for name, _ in outputs.github_names([TRIAGE])] == [
        "support_triage_id",
        "support_triage_name",
        "support_triage_model",
        "support_triage_vector_store_ids",
    ]


@pytest.mark.parametrize("other", ["a-b", "a.b", "a_b", "A/B"])
def test_two_keys_giving_one_name_are_an_error_naming_both(other: str) -> None:
    pair = [Output("a/b", "asst_1", None, None, ()), Output(other, "asst_2", None, None, ())]
    first, second = sorted(["a/b", other])
    message = f"keys '{first}' and '{second}' both give the variable ASSISTFORM_A_B_ID"
    for render in (outputs.dotenv, outputs.shell):
        with pytest.raises(OutputError, match=message):
            render(pair)
    with pytest.raises(OutputError, match="both give the variable a_b_id"):
        outputs.github(pair, {})


def test_the_json_document_is_versioned_and_keyed() -> None:
    assert outputs.document([TRIAGE, BARE], "prod", ["z", "new"]) == {
        "format_version": 1,
        "env": "prod",
        "outputs": {
            "support/triage": {
                "id": "asst_1",
                "name": "Support triage",
                "model": "gpt-4o",
                "vector_store_ids": ["vs_a", "vs_b"],
            },
            "x": {"id": "asst_3", "name": None, "model": None, "vector_store_ids": []},
        },
        "missing": ["new", "z"],
    }


@pytest.mark.parametrize(
    ("observed", "expected"),
    [
        # The server's word first: the name and store it really holds.
        (
            {"name": "Served", "model": "gpt-4o-2024", "tool_resources": {}},
            ("Served", "gpt-4o-2024", ()),
        ),
        # Without an observation (older states, `state rebuild`): what was applied.
        (None, ("Declared", "gpt-4o", ("vs_declared",))),
    ],
)
def test_observed_values_first_else_applied(
    observed: dict[str, Any] | None, expected: tuple[Any, ...]
) -> None:
    applied = {
        "name": "Declared",
        "model": "gpt-4o",
        "tool_resources": {"file_search": {"vector_store_ids": ["vs_declared"]}},
    }
    resource = ResourceState(id="asst_9", applied=applied, observed=observed)
    got = output_of("k", resource)
    assert (got.id, got.name, got.model, got.vector_store_ids) == ("asst_9", *expected)


def test_inline_vector_stores_give_no_ids_until_the_server_says() -> None:
    applied = {"model": "m", "tool_resources": {"file_search": {"vector_stores": [{}]}}}
    assert output_of("k", ResourceState(id="a", applied=applied)).vector_store_ids == ()


def bash(script: str, **env: str) -> str:
    done = subprocess.run(
        ["bash", "-c", script],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_shell_output_survives_eval_verbatim() -> None:
    script = outputs.shell([TRIAGE, AWKWARD])
    assert script.startswith("export ASSISTFORM_MY_BOT_V2_ID=asst_2\n")
    printed = bash(
        'eval "$SCRIPT"; printf "%s|" "$ASSISTFORM_MY_BOT_V2_NAME" '
        '"$ASSISTFORM_SUPPORT_TRIAGE_VECTOR_STORE_IDS"; bash -c \'printf "%s" "$ASSISTFORM_MY_BOT_V2_ID"\'',
        SCRIPT=script,
        HOME="/nowhere",
    )
    assert printed == f"{AWKWARD.name}|vs_a,vs_b|asst_2"  # exported to child processes too


def test_dotenv_quotes_only_what_needs_it() -> None:
    plain = Output("k", "asst_1", "Support triage", "gpt-4o", ("vs_a", "vs_b"))
    assert outputs.dotenv([plain]) == (
        "ASSISTFORM_K_ID=asst_1\n"
        "ASSISTFORM_K_NAME='Support triage'\n"
        "ASSISTFORM_K_MODEL=gpt-4o\n"
        "ASSISTFORM_K_VECTOR_STORE_IDS=vs_a,vs_b\n"
    )


NAMES = [
    "Support triage",
    "50% off: *all* (sic) [x] {y} #tag !bang",
    "tabs\tand `ticks`",
    "Bob's helper",
    'a "quoted" \\ backslash',
]


@pytest.mark.parametrize("name", NAMES)
def test_dotenv_reads_back_in_bash(name: str, tmp_path: Path) -> None:
    env_file = tmp_path / "app.env"
    env_file.write_text(outputs.dotenv([Output("k", "asst_1", name, "gpt-4o", ())]))
    printed = bash(f'set -a; . "{env_file}"; printf "%s" "$ASSISTFORM_K_NAME"')
    assert printed == name


@pytest.mark.parametrize("name", [*NAMES, "two\nlines", "it's\r\nthere"])
def test_dotenv_reads_back_with_python_dotenv(name: str, tmp_path: Path) -> None:
    dotenv = pytest.importorskip("dotenv")
    env_file = tmp_path / "app.env"
    env_file.write_text(outputs.dotenv([Output("k", "asst_1", name, "gpt-4o", ())]))
    assert dotenv.dotenv_values(env_file, interpolate=False)["ASSISTFORM_K_NAME"] == name


def parse_github_output(text: str) -> dict[str, str]:
    """GitHub's reading of $GITHUB_OUTPUT: `name=value`, or `name<<DELIMITER` ... `DELIMITER`."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            else:
                raise AssertionError(f"{name}: no closing {delimiter}")
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def test_github_outputs_parse_back_multiline_included() -> None:
    multiline = Output("notes", "asst_4", "first\nsecond\nghadelimiter_x", "gpt-4o", ("vs",))
    doc = outputs.document([TRIAGE, multiline], None, [])
    text = outputs.github([TRIAGE, multiline], doc)
    assert "notes_name<<ghadelimiter_" in text
    parsed = parse_github_output(text)
    assert parsed == {
        "notes_id": "asst_4",
        "notes_name": "first\nsecond\nghadelimiter_x",
        "notes_model": "gpt-4o",
        "notes_vector_store_ids": "vs",
        "support_triage_id": "asst_1",
        "support_triage_name": "Support triage",
        "support_triage_model": "gpt-4o",
        "support_triage_vector_store_ids": "vs_a,vs_b",
        "json": parsed["json"],
    }
    assert json.loads(parsed["json"]) == doc
