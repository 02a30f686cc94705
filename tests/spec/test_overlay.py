"""Overlays: the deep merge keeps every value's file and line, and environments load specs
through it (overrides of assistform.yaml, then `<key>.<env>.yaml` beside the spec)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from assistform.errors import SourceLocation
from assistform.spec.load import load_every_environment, load_specs
from assistform.spec.overlay import merge, split_key, subdocument
from assistform.spec.yamlsource import parse_yaml

if TYPE_CHECKING:
    from tests.spec.conftest import Repo

BASE = """\
model: gpt-4o
tools:
  - type: code_interpreter
  - type: file_search
tool_resources:
  code_interpreter:
    file_ids: [file-a]
  file_search:
    vector_store_ids: [vs_dev]
metadata:
  team: support
"""

OVER = """\
# prod
model: gpt-4.1
tools:
  - type: file_search
tool_resources:
  file_search:
    vector_store_ids: [vs_prod]
metadata:
  tier: gold
"""


def test_mappings_merge_lists_and_scalars_replace() -> None:
    merged = merge(parse_yaml(BASE, "x.yaml"), parse_yaml(OVER, "x.prod.yaml"))
    assert merged.data == {
        "model": "gpt-4.1",
        "tools": [{"type": "file_search"}],
        "tool_resources": {
            "code_interpreter": {"file_ids": ["file-a"]},
            "file_search": {"vector_store_ids": ["vs_prod"]},
        },
        "metadata": {"team": "support", "tier": "gold"},
    }


@pytest.mark.parametrize(
    ("path", "key", "expected"),
    [
        (("model",), False, SourceLocation("x.prod.yaml", 2, 8)),
        (("model",), True, SourceLocation("x.prod.yaml", 2, 1)),
        (("tools", 0, "type"), False, SourceLocation("x.prod.yaml", 4, 11)),
        (("tool_resources",), True, SourceLocation("x.yaml", 5, 1)),
        (
            ("tool_resources", "code_interpreter", "file_ids", 0),
            False,
            SourceLocation("x.yaml", 7, 16),
        ),
        (
            ("tool_resources", "file_search", "vector_store_ids", 0),
            False,
            SourceLocation("x.prod.yaml", 7, 24),
        ),
        (("metadata", "team"), False, SourceLocation("x.yaml", 11, 9)),
        (("metadata", "tier"), True, SourceLocation("x.prod.yaml", 9, 3)),
        # A path that is gone (the base's second tool) falls back to its nearest ancestor.
        (("tools", 1, "type"), False, SourceLocation("x.prod.yaml", 4, 3)),
    ],
)
def test_every_position_names_the_file_its_value_came_from(
    path: tuple[str | int, ...], key: bool, expected: SourceLocation
) -> None:
    merged = merge(parse_yaml(BASE, "x.yaml"), parse_yaml(OVER, "x.prod.yaml"))
    assert merged.location(path, key=key) == expected


def test_null_replaces_and_an_empty_overlay_changes_nothing() -> None:
    base = parse_yaml(BASE, "x.yaml")
    assert merge(base, parse_yaml("metadata: null\n", "o.yaml")).data["metadata"] is None
    unchanged = merge(base, parse_yaml("# nothing\n", "o.yaml"))
    assert unchanged.data == base.data
    assert unchanged.location(("metadata", "team")) == SourceLocation("x.yaml", 11, 9)


def test_layers_stack_and_inputs_are_left_alone() -> None:
    base = parse_yaml(BASE, "x.yaml")
    first = parse_yaml("metadata: {tier: silver}\n", "a.yaml")
    second = parse_yaml("metadata: {tier: gold}\n", "b.yaml")
    merged = merge(merge(base, first), second)
    assert merged.data["metadata"] == {"team": "support", "tier": "gold"}
    assert merged.location(("metadata", "tier")) == SourceLocation("b.yaml", 1, 18)
    assert base.data["metadata"] == {"team": "support"}
    assert base.location(("metadata",)).path == "x.yaml"


def test_subdocument_reroots_positions_in_the_same_file() -> None:
    config = parse_yaml("a:\n  b:\n    set:\n      model: m\n", "assistform.yaml")
    sub = subdocument(config, ("a", "b", "set"))
    assert sub.data == {"model": "m"}
    assert sub.location(("model",)) == SourceLocation("assistform.yaml", 4, 14)
    assert sub.location(("model",), key=True) == SourceLocation("assistform.yaml", 4, 7)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("x.prod", ("x", "prod")),
        ("support/triage.dev", ("support/triage", "dev")),
        ("x.staging", None),  # not a declared environment
        ("x", None),
        (".prod", None),
    ],
)
def test_split_key(key: str, expected: tuple[str, str] | None) -> None:
    assert split_key(key, ("dev", "prod")) == expected


# -- loading through environments -------------------------------------------------------

CONFIG = """\
environments:
  dev:
    default: true
    overrides:
      - keys: "*"
        set:
          model: gpt-4o-mini
      - keys: [support/*]
        set:
          temperature: 3
  prod: {}
"""


def lines(result: object) -> list[str]:
    return [str(d) for d in result.diagnostics]  # type: ignore[attr-defined]


def test_without_config_an_overlay_name_is_just_a_key(repo: Repo) -> None:
    repo.write("x.yaml", "model: a\n")
    repo.write("x.prod.yaml", "model: b\n")
    assert [s.key for s in repo.load().specs] == ["x", "x.prod"]


def test_with_config_overlays_are_not_specs(repo: Repo) -> None:
    repo.write("/assistform.yaml", CONFIG)
    repo.write("x.yaml", "model: a\n")
    repo.write("x.prod.yaml", "model: b\n")
    repo.write("y.staging.yaml", "model: c\n")  # staging is not declared: a spec
    result = load_specs(repo.root)
    assert [(s.key, s.spec.model) for s in result.specs] == [("x", "a"), ("y.staging", "c")]
    assert result.files == 2
    prod = load_specs(repo.root, env="prod")
    assert [(s.key, s.spec.model) for s in prod.specs] == [("x", "b"), ("y.staging", "c")]


def test_overrides_apply_by_glob_and_the_overlay_comes_last(repo: Repo) -> None:
    repo.write("/assistform.yaml", CONFIG.replace("temperature: 3", "temperature: 0.3"))
    repo.write("x.yaml", "model: a\n")
    repo.write("support/bot.yaml", "model: a\ntemperature: 1\n")
    repo.write("support/bot.dev.yaml", "model: gpt-4.1\n")
    result = load_specs(repo.root, env="dev")
    assert result.diagnostics == []
    got = {s.key: (s.spec.model, s.spec.temperature) for s in result.specs}
    assert got == {"x": ("gpt-4o-mini", None), "support/bot": ("gpt-4.1", 0.3)}


def test_an_error_from_an_override_points_into_assistform_yaml(repo: Repo) -> None:
    repo.write("/assistform.yaml", CONFIG)
    repo.write("support/bot.yaml", "model: a\n")
    assert lines(load_specs(repo.root, env="dev")) == [
        "assistform.yaml:10:24: error: temperature must be at most 2, not 3",
    ]


def test_an_error_from_an_overlay_points_into_the_overlay(repo: Repo) -> None:
    repo.write("/assistform.yaml", CONFIG)
    repo.write("bot.yaml", "model: a\nname: Bot\n")
    repo.write("bot.prod.yaml", "# prod only\nname: [not, a, string]\nmodle: b\n")
    assert lines(load_specs(repo.root, env="prod")) == [
        "assistants/bot.prod.yaml:2:1: error: name must be a string, not a list",
        "assistants/bot.prod.yaml:3:1: error: unknown field 'modle' (did you mean 'model'?)",
    ]
    assert lines(load_specs(repo.root)) == []


def test_an_overlay_without_a_base_spec_is_an_error(repo: Repo) -> None:
    repo.write("/assistform.yaml", CONFIG)
    repo.write("ghost.prod.yaml", "model: a\n")
    assert lines(load_specs(repo.root)) == [
        "assistants/ghost.prod.yaml:1:1: error: overlay for environment 'prod' has no base "
        "spec: expected assistants/ghost.yaml",
    ]


def test_an_overlay_written_twice_is_a_clash(repo: Repo) -> None:
    repo.write("/assistform.yaml", CONFIG)
    repo.write("bot.yaml", "model: a\n")
    repo.write("bot.prod.yaml", "model: b\n")
    repo.write("bot.prod.yml", "model: c\n")
    assert lines(load_specs(repo.root)) == [
        "assistants/bot.prod.yaml:1:1: error: key 'bot.prod' is defined twice: "
        "assistants/bot.prod.yaml and assistants/bot.prod.yml; keep one of them",
    ]


def test_an_overlay_must_be_a_mapping(repo: Repo) -> None:
    repo.write("/assistform.yaml", CONFIG)
    repo.write("bot.yaml", "model: a\n")
    repo.write("bot.prod.yaml", "- model: b\n")
    assert lines(load_specs(repo.root, env="prod")) == [
        "assistants/bot.prod.yaml:1:1: error: an overlay must be a mapping of the fields it changes",
    ]


def test_naming_an_overlay_checks_its_base_spec(repo: Repo) -> None:
    """What a pre-commit hook does when only the overlay changed."""
    repo.write("/assistform.yaml", CONFIG)
    repo.write("bot.yaml", "model: a\n")
    overlay = repo.write("bot.prod.yaml", "temperature: 9\n")
    result = load_every_environment(repo.root, [overlay])
    assert result.files == 1
    assert lines(result) == [
        "assistants/bot.prod.yaml:1:14: error: temperature must be at most 2, not 9 "
        "(environment 'prod')",
    ]


def test_an_override_that_matches_nothing_is_a_warning(repo: Repo) -> None:
    repo.write("/assistform.yaml", CONFIG.replace("temperature: 3", "temperature: 1"))
    repo.write("x.yaml", "model: a\n")
    assert lines(load_specs(repo.root, env="dev")) == [
        "assistform.yaml:8:9: warning: override 2 of environment 'dev' matches no spec "
        "(keys: support/*)",
    ]


def test_every_environment_in_one_report_each_finding_once(repo: Repo) -> None:
    repo.write("/assistform.yaml", CONFIG)
    repo.write("support/bot.yaml", "model: a\ntemperature: -1\n")
    repo.write("support/bot.prod.yaml", "name: [x]\n")
    assert lines(load_every_environment(repo.root)) == [
        "assistants/support/bot.prod.yaml:1:1: error: name must be a string, not a list "
        "(environment 'prod')",
        "assistants/support/bot.yaml:2:14: error: temperature must be at least 0, not -1",
        "assistform.yaml:10:24: error: temperature must be at most 2, not 3 (environment 'dev')",
    ]


def test_an_undeclared_environment_is_a_usage_error(repo: Repo) -> None:
    from assistform.errors import UsageError

    repo.write("/assistform.yaml", CONFIG)
    with pytest.raises(UsageError, match="unknown environment 'stage'"):
        load_specs(repo.root, env="stage")
