"""The YAML reader: plain data, a position for every key and value, YAML 1.2 scalars."""

from __future__ import annotations

import math

import pytest

from assistform.errors import SourceLocation
from assistform.spec import yamlsource
from assistform.spec.yamlsource import YamlDocument, YamlSyntaxError, parse_yaml


def parse(text: str) -> YamlDocument:
    return parse_yaml(text, "spec.yaml")


def test_positions_of_values_and_keys_are_one_based_line_and_column() -> None:
    doc = parse("model: gpt-4o\ntools:\n  - type: function\n    function: {name: f}\n")
    assert doc.data == {
        "model": "gpt-4o",
        "tools": [{"type": "function", "function": {"name": "f"}}],
    }
    assert doc.values[("model",)] == (1, 8)
    assert doc.keys[("model",)] == (1, 1)
    assert doc.values[("tools", 0)] == (3, 5)
    assert doc.values[("tools", 0, "type")] == (3, 11)
    assert doc.keys[("tools", 0, "function")] == (4, 5)
    assert doc.values[("tools", 0, "function", "name")] == (4, 22)


def test_location_falls_back_to_the_nearest_ancestor() -> None:
    doc = parse("model: x\nmetadata:\n  team: a\n")
    assert doc.location(("metadata", "team")) == SourceLocation("spec.yaml", 3, 9)
    assert doc.location(("metadata", "missing")) == SourceLocation("spec.yaml", 3, 3)
    assert doc.location(("metadata",), key=True) == SourceLocation("spec.yaml", 2, 1)
    assert doc.location(("nothing", "here")) == SourceLocation("spec.yaml", 1, 1)


def test_an_empty_value_is_placed_at_its_key_not_at_the_next_line() -> None:
    doc = parse("model:\nname: x\n")
    assert doc.data == {"model": None, "name": "x"}
    assert doc.values[("model",)] == (1, 1)


def test_positions_survive_crlf_line_ends_and_a_byte_order_mark() -> None:
    doc = parse("\ufeffmodel: x\r\nname: y\r\n")
    assert doc.data == {"model": "x", "name": "y"}
    assert doc.values[("name",)] == (2, 7)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("2024-01-01", "2024-01-01"),
        ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"),
        ("1_000", 1000),
        ("0x1F", 31),
        ("0o17", 15),
        ("0b101", 5),
        ("-12", -12),
        ("012", 12),
        ("1.5e3", 1500.0),
        ("-.inf", -math.inf),
        ("~", None),
        ("null", None),
        ("'5'", "5"),
        ('"true"', "true"),
        ("1:20", "1:20"),
        ("!!str 7", "7"),
        ("!!float 7", 7.0),
    ],
)
def test_scalars_are_read_as_yaml_1_2(text: str, value: object) -> None:
    data = parse(f"v: {text}\n").data
    assert data == {"v": value}
    assert type(data["v"]) is type(value)


def test_nan_is_a_float_nan() -> None:
    assert math.isnan(parse("v: .nan\n").data["v"])


def test_keys_are_strings_even_when_they_look_like_numbers() -> None:
    assert parse("1: a\ntrue: b\n").data == {"1": "a", "true": "b"}


def test_merge_keys_merge_and_explicit_keys_win() -> None:
    doc = parse(
        "base: &base\n  type: function\n  strict: false\ntool:\n  <<: *base\n  strict: true\n"
    )
    assert doc.data["tool"] == {"strict": True, "type": "function"}
    assert doc.problems == []
    # The explicit key keeps its own position; the merged one points at its definition.
    assert doc.keys[("tool", "strict")] == (6, 3)
    assert doc.values[("tool", "type")] == (2, 9)


def test_merge_of_a_list_of_mappings_earlier_ones_win() -> None:
    doc = parse("a: &a {x: 1}\nb: &b {x: 2, y: 3}\nc:\n  <<: [*a, *b]\n")
    assert doc.data["c"] == {"x": 1, "y": 3}


def test_merge_of_a_scalar_is_a_problem() -> None:
    doc = parse("c:\n  <<: 5\n  x: 1\n")
    assert doc.data == {"c": {"x": 1}}
    assert [str(p) for p in doc.problems] == [
        "spec.yaml:2:7: error: '<<' merge takes a mapping or a list of mappings"
    ]


def test_aliases_share_values() -> None:
    doc = parse("a: &x [1, 2]\nb: *x\n")
    assert doc.data == {"a": [1, 2], "b": [1, 2]}


def test_every_duplicate_key_is_reported_and_the_first_value_kept() -> None:
    doc = parse("model: a\nname: b\nmodel: c\nname: d\n")
    assert doc.data == {"model": "a", "name": "b"}
    assert [str(p) for p in doc.problems] == [
        "spec.yaml:3:1: error: duplicate key 'model' (first defined on line 1)",
        "spec.yaml:4:1: error: duplicate key 'name' (first defined on line 2)",
    ]


def test_complex_keys_and_unknown_tags_are_problems_but_reading_goes_on() -> None:
    doc = parse("? [a, b]\n: c\nname: !custom x\nmodel: m\n")
    assert doc.data == {"name": "x", "model": "m"}
    assert [str(p) for p in doc.problems] == [
        "spec.yaml:1:3: error: mapping keys must be plain strings",
        "spec.yaml:3:7: error: unsupported YAML tag '!custom'",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("v: !!bool yes\n", "1:4: error: 'yes' is not a valid boolean"),
        ("v: !!int 1.5\n", "1:4: error: '1.5' is not a valid integer"),
        ("v: !!float abc\n", "1:4: error: 'abc' is not a valid number"),
        ("v: !!set {a}\n", "1:4: error: unsupported YAML tag '!!set'"),
        ("v: !!omap [a: 1]\n", "1:4: error: unsupported YAML tag '!!omap'"),
    ],
)
def test_explicit_tags_that_do_not_fit_are_problems(text: str, problem: str) -> None:
    assert [str(p).removeprefix("spec.yaml:") for p in parse(text).problems] == [problem]


def test_empty_documents_have_no_data() -> None:
    assert parse("").data is None
    assert parse("# just a comment\n").data is None
    assert parse("---\n...\n").data is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a: [1\n", "spec.yaml:1:4: error: invalid YAML: '[' starting here is never closed"),
        ("a: {x: 1\n", "spec.yaml:1:4: error: invalid YAML: '{' starting here is never closed"),
        (
            "a: 'x\n",
            "spec.yaml:1:4: error: invalid YAML: quoted string starting here is never closed",
        ),
        (
            'a: "\\q"\n',
            "spec.yaml:1:6: error: invalid YAML: found unknown escape character 'q' "
            "(while scanning a double-quoted scalar)",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "spec.yaml:2:1: error: more than one YAML document: a spec file holds exactly one assistant",
        ),
        (
            "a: @x\n",
            "spec.yaml:1:4: error: invalid YAML: found character '@' that cannot start any token (while scanning for the next token)",
        ),
        (
            "a:\n  b: 1\n\tc: 2\n",
            "spec.yaml:3:1: error: tab character: YAML indentation must use spaces",
        ),
    ],
)
def test_syntax_errors_carry_a_position(text: str, error: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse(text)
    assert str(caught.value.diagnostic) == error


def test_tabs_inside_quoted_values_are_fine() -> None:
    assert parse('a: "x\ty"\n').data == {"a": "x\ty"}


def test_a_tab_inside_a_plain_value_is_not_called_indentation() -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse("a: 1\nb: x\ty\n")
    assert str(caught.value.diagnostic) == (
        "spec.yaml:2:5: error: tab character in a value: put the value in quotes, or use spaces"
    )


def test_reused_anchor_names_print_no_python_warning(recwarn: pytest.WarningsRecorder) -> None:
    assert parse("a: &x 1\nb: &x 2\nc: *x\n").data == {"a": 1, "b": 2, "c": 2}
    assert len(recwarn) == 0


READER_CORPUS = [
    "model: gpt-4o\nname: Tutor\n",
    "# comment\nmodel: x  # trailing\ntools:\n  - type: code_interpreter\n  - {type: function, function: {name: f}}\n",
    "a: |\n  line one\n  line two\nb: >-\n  folded\n  text\nc: 'single ''quoted'''\nd: \"esc\\u00e9\"\n",
    "name: caf\u00e9 \u2615\ndescription: {x: \u00e9\u00e9\u00e9, y: 5}\n",
    "\ufeffmodel: x\r\nname: y\r\n",
    "v: [yes, no, on, off, y, n, true, FALSE, ~, null, '', 012, 0o17, 0x1f, 0b11, 1_000]\n",
    "v: [1.5, -2e3, .5, 1., .inf, -.Inf, 2024-01-01, 2024-01-01 10:00:00, 1:20, =, <<x, _]\n",
    "base: &b {type: function, strict: false}\ntool:\n  <<: *b\n  strict: true\n",
    "a: &a {x: 1}\nb: &b {x: 2, y: 3}\nc: {<<: [*a, *b], z: 4}\n",
    "model:\nname:\ntools:\n  -\n  - x\n",
    "? [a, b]\n: c\nname: !custom x\nmodel: m\nv: !!str 5\nw: !!float 7\nk: !!int 0x_1\n",
    "model: a\nname: b\nmodel: c\n",
    "x: !!bool yes\ny: !!int 1.5\nz: !!binary aGk=\n",
    "a: &x 1\nb: &x 2\nc: *x\n",
    "- a\n- b: c\n",
    "just a string\n",
    "---\nmodel: x\n...\n",
    "%YAML 1.2\n---\nv: yes\n",
    "",
    "model: x\nname: [a, b\n",
    "a: 1\n---\nb: 2\n",
    "model: *undefined\n",
    "a: b: c\n",
    "a: &a [*a]\n",
    'key: "\\q"\n',
    "a: \x00\n",
]


def _reading(text: str, fast: bool) -> object:
    try:
        doc = parse_yaml(text, "spec.yaml", fast=fast)
    except YamlSyntaxError as exc:
        return str(exc.diagnostic)
    return (repr(doc.data), doc.values, doc.keys, [str(p) for p in doc.problems])


@pytest.mark.parametrize("text", READER_CORPUS)
def test_libyaml_and_ruamel_read_alike(text: str) -> None:
    if yamlsource._fast_loader() is None:
        pytest.skip("PyYAML with libyaml is not installed")
    assert _reading(text, fast=True) == _reading(text, fast=False)


def test_a_clean_spec_is_read_by_libyaml_when_it_is_there() -> None:
    if yamlsource._fast_loader() is None:
        pytest.skip("PyYAML with libyaml is not installed")
    refused, node = yamlsource._compose_fast(READER_CORPUS[1])
    assert not refused
    assert node is not None
