"""Knowledge specs gone wrong, as a table: the files of a repository (vector store specs,
assistant specs, the documents they name) and every diagnostic `validate` must report,
exactly, as `path:line:col: severity: message`, in order.

One case per rule: the vector store spec's fields and limits, the globs (inside the
repository, matching something, regular files, size, the file types of each tool), the
20 code_interpreter files, and references between specs.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.spec.conftest import Repo

#: An assistant that uses vector store `kb`, so that no case warns it is unused.
USES_KB = (
    "model: m\n"
    "tools: [{type: file_search}]\n"
    "tool_resources:\n"
    "  file_search:\n"
    "    vector_store: kb\n"
)
#: The documents every case has.
DOCUMENTS = {
    "/docs/a.md": "# A\n",
    "/docs/sub/b.md": "# B\n",
    "/docs/notes.rtf": "{\\rtf1}\n",
    "/data/sales.csv": "a,b\n",
    "/data/main.go": "package main\n",
}


def case(case_id: str, files: dict[str, str], expected: list[str]) -> Any:
    return pytest.param(files, expected, id=case_id)


def kb(text: str) -> dict[str, str]:
    """A repository whose vector store `kb` is `text` and whose one assistant uses it."""
    return {"/vector_stores/kb.yaml": text, "a.yaml": USES_KB}


def assistant(resources: str, tools: str = "[{type: code_interpreter}]") -> dict[str, str]:
    return {"a.yaml": f"model: m\ntools: {tools}\ntool_resources:\n{resources}"}


KB = "vector_stores/kb.yaml"
A = "assistants/a.yaml"

CASES = [
    case("valid-store", kb("name: KB\nfiles:\n  - ../docs/**/*.md\n"), []),
    case("empty-store-file", kb(""), []),
    case(
        "unknown-field",
        kb("nmae: KB\n"),
        [f"{KB}:1:1: error: unknown field 'nmae' (did you mean 'name'?)"],
    ),
    case(
        "not-a-mapping",
        kb("- a\n"),
        [f"{KB}:1:1: error: a vector store spec must be a mapping of fields, not a list"],
    ),
    case(
        "yaml-syntax",
        kb("name: [a\n"),
        [f"{KB}:1:7: error: invalid YAML: '[' starting here is never closed"],
    ),
    case(
        "attributes-not-a-mapping",
        {**DOCUMENTS, **kb("files:\n  - path: ../docs/*.md\n    attributes: [{category: a}]\n")},
        [f"{KB}:3:5: error: files[0].attributes must be a mapping, not a list"],
    ),
    case(
        "attributes-a-number",
        {**DOCUMENTS, **kb("files:\n  - path: ../docs/*.md\n    attributes: 5\n")},
        [f"{KB}:3:17: error: files[0].attributes must be a mapping, not the integer 5"],
    ),
    case(
        "name-too-long",
        kb(f"name: {'n' * 257}\n"),
        [f"{KB}:1:7: error: name is 257 characters long; the limit is 256"],
    ),
    case(
        "description-too-long",
        kb(f"description: {'d' * 513}\n"),
        [f"{KB}:1:14: error: description is 513 characters long; the limit is 512"],
    ),
    case(
        "metadata-16-pairs",
        kb("metadata: {" + ", ".join(f"k{i}: v" for i in range(16)) + "}\n"),
        [
            f"{KB}:1:1: error: metadata has 16 pairs; at most 15 allowed (the API allows 16 "
            "and assistform's ownership tag 'assistform' takes one)"
        ],
    ),
    case(
        "metadata-reserved-key",
        kb("metadata: {assistform: x}\n"),
        [f"{KB}:1:12: error: metadata key 'assistform' is reserved for assistform's ownership tag"],
    ),
    case(
        # The live side drops both reserved keys: one in a spec would be a diff forever.
        "metadata-reserved-version-key",
        kb("metadata: {assistform-version: '1'}\n"),
        [
            f"{KB}:1:12: error: metadata key 'assistform-version' is reserved for assistform's "
            "blue-green version tag"
        ],
    ),
    case(
        "metadata-value-not-a-string",
        kb("metadata: {team: 5}\n"),
        [f"{KB}:1:18: error: metadata.team must be a string, not the integer 5: put it in quotes"],
    ),
    case(
        "expires-after-days-0",
        kb("expires_after: {anchor: last_active_at, days: 0}\n"),
        [f"{KB}:1:47: error: expires_after.days must be at least 1, not 0"],
    ),
    case(
        "expires-after-days-366",
        kb("expires_after: {anchor: last_active_at, days: 366}\n"),
        [f"{KB}:1:47: error: expires_after.days must be at most 365, not 366"],
    ),
    case(
        "expires-after-anchor",
        kb("expires_after: {anchor: created_at, days: 7}\n"),
        [f"{KB}:1:25: error: expires_after.anchor must be 'last_active_at', not 'created_at'"],
    ),
    case(
        "expires-after-without-days",
        kb("expires_after: {anchor: last_active_at}\n"),
        [f"{KB}:1:1: error: expires_after is missing required field 'days'"],
    ),
    case(
        "chunk-size-below-100",
        kb(
            "chunking_strategy:\n  type: static\n  static:\n"
            "    max_chunk_size_tokens: 99\n    chunk_overlap_tokens: 0\n"
        ),
        [
            f"{KB}:4:28: error: chunking_strategy.static.max_chunk_size_tokens must be at least 100, not 99"
        ],
    ),
    case(
        "chunk-size-above-4096",
        kb(
            "chunking_strategy:\n  type: static\n  static:\n"
            "    max_chunk_size_tokens: 4097\n    chunk_overlap_tokens: 0\n"
        ),
        [
            f"{KB}:4:28: error: chunking_strategy.static.max_chunk_size_tokens must be at most 4,096, not 4,097"
        ],
    ),
    case(
        "chunk-overlap-over-half",
        kb(
            "chunking_strategy:\n  type: static\n  static:\n"
            "    max_chunk_size_tokens: 800\n    chunk_overlap_tokens: 401\n"
        ),
        [
            f"{KB}:5:27: error: chunk_overlap_tokens (401) must not exceed half of "
            "max_chunk_size_tokens (800)"
        ],
    ),
    case(
        "chunking-type",
        kb("chunking_strategy: {type: fixed}\n"),
        [f"{KB}:1:21: error: chunking_strategy.type must be 'auto' or 'static', not 'fixed'"],
    ),
    case(
        "files-not-a-list",
        kb("files: ../docs/*.md\n"),
        [f"{KB}:1:8: error: files must be a list, not the string '../docs/*.md'"],
    ),
    case(
        "files-entry-a-number",
        kb("files:\n  - 5\n"),
        [
            f"{KB}:2:5: error: a files entry is a glob, or a mapping with path and attributes; not an integer"
        ],
    ),
    case(
        "files-entry-without-path",
        kb("files:\n  - {pth: ../docs/a.md}\n"),
        [
            f"{KB}:2:5: error: files[0] is missing required field 'path'",
            f"{KB}:2:6: error: unknown field 'pth' in files[0] (did you mean 'path'?)",
        ],
    ),
    case(
        "files-empty-glob",
        kb("files: ['']\n"),
        [f"{KB}:1:9: error: files[0] must not be empty"],
    ),
    case(
        "attributes-15-keys",
        kb(
            "files:\n  - path: ../docs/a.md\n    attributes: {"
            + ", ".join(f"k{i}: {i}" for i in range(15))
            + "}\n"
        ),
        [
            f"{KB}:3:5: error: files[0].attributes has 15 pairs; at most 14 allowed "
            "(the API allows 16 and assistform's ownership attributes take two)"
        ],
    ),
    case(
        "attribute-key-too-long",
        kb(f"files:\n  - path: ../docs/a.md\n    attributes: {{{'k' * 65}: 1}}\n"),
        [
            f"{KB}:3:18: error: files[0].attributes key '{'k' * 36}... is 65 characters long; "
            "the limit is 64"
        ],
    ),
    case(
        "attribute-value-too-long",
        kb(f"files:\n  - path: ../docs/a.md\n    attributes: {{topic: {'v' * 513}}}\n"),
        [f"{KB}:3:25: error: attribute 'topic' is 513 characters long; the limit is 512"],
    ),
    case(
        "attribute-value-a-list",
        kb("files:\n  - path: ../docs/a.md\n    attributes: {tags: [a, b]}\n"),
        [
            f"{KB}:3:18: error: attribute 'tags' must be a string, a number or true or false, not a list"
        ],
    ),
    case(
        "attribute-reserved-key",
        kb("files:\n  - path: ../docs/a.md\n    attributes: {assistform-sha256: x}\n"),
        [
            f"{KB}:3:18: error: attribute key 'assistform-sha256' is reserved for assistform's "
            "ownership attributes"
        ],
    ),
    case(
        "attributes-merged-over-14",
        kb(
            "files:\n"
            "  - path: ../docs/*.md\n    attributes: {"
            + ", ".join(f"a{i}: {i}" for i in range(8))
            + "}\n"
            "  - path: ../docs/a.md\n    attributes: {"
            + ", ".join(f"b{i}: {i}" for i in range(7))
            + "}\n"
        ),
        [
            f"{KB}:5:5: error: docs/a.md gets 15 attributes from the entries that match it; "
            "at most 14 allowed"
        ],
    ),
    case(
        "glob-matches-nothing",
        kb("files:\n  - ../docs/*.pdf\n"),
        [f"{KB}:2:5: error: files entry '../docs/*.pdf' matches no file"],
    ),
    case(
        "file-not-found",
        kb("files:\n  - ../docs/c.md\n"),
        [f"{KB}:2:5: error: files entry '../docs/c.md' not found (docs/c.md)"],
    ),
    case(
        "file-is-a-folder",
        kb("files:\n  - ../docs/sub\n"),
        [f"{KB}:2:5: error: files entry '../docs/sub' is not a file"],
    ),
    case(
        "glob-outside-the-repository",
        kb("files:\n  - ../../*.md\n"),
        [f"{KB}:2:5: error: files entry '../../*.md' is outside the repository"],
    ),
    case(
        "glob-absolute",
        kb("files:\n  - /etc/*.md\n"),
        [f"{KB}:2:5: error: files entry '/etc/*.md' must be relative to the spec file"],
    ),
    case(
        "file-search-type",
        kb("files:\n  - ../docs/*\n"),
        [
            f"{KB}:2:5: error: docs/notes.rtf: file_search does not accept .rtf files; it takes "
            ".c, .cpp, .cs, .css, .doc, .docx, .go, .html, .java, .js, .json, .md, .pdf, .php, "
            ".pptx, .py, .rb, .sh, .tex, .ts, .txt"
        ],
    ),
    case(
        "file-search-type-of-a-path-entry",
        kb("files:\n  - path: ../data/sales.csv\n    attributes: {a: 1}\n"),
        [
            f"{KB}:2:11: error: data/sales.csv: file_search does not accept .csv files; it takes "
            ".c, .cpp, .cs, .css, .doc, .docx, .go, .html, .java, .js, .json, .md, .pdf, .php, "
            ".pptx, .py, .rb, .sh, .tex, .ts, .txt"
        ],
    ),
    case(
        "code-interpreter-type",
        assistant("  code_interpreter:\n    files: [../data/*]\n"),
        [
            f"{A}:5:13: error: data/main.go: code_interpreter does not accept .go files; it takes "
            ".c, .cpp, .cs, .css, .csv, .doc, .docx, .gif, .html, .java, .jpeg, .jpg, .js, "
            ".json, .md, .pdf, .php, .pkl, .png, .pptx, .py, .rb, .sh, .tar, .tex, .ts, .txt, "
            ".xlsx, .xml, .zip"
        ],
    ),
    case(
        "code-interpreter-glob-matches-nothing",
        assistant("  code_interpreter:\n    files:\n      - ../data/*.xlsx\n"),
        [
            f"{A}:6:9: error: tool_resources.code_interpreter.files entry '../data/*.xlsx' "
            "matches no file"
        ],
    ),
    case(
        "code-interpreter-21-files",
        {
            **{f"/data/many/{i:02}.csv": "a\n" for i in range(21)},
            **assistant("  code_interpreter:\n    files: [../data/many/*.csv]\n"),
        },
        [f"{A}:5:5: error: code_interpreter gets 21 files (21 from files); at most 20 allowed"],
    ),
    case(
        "code-interpreter-files-and-file-ids-over-20",
        {
            **{f"/data/many/{i:02}.csv": "a\n" for i in range(18)},
            **assistant(
                "  code_interpreter:\n"
                "    file_ids: [file-1, file-2, file-3]\n"
                "    files: [../data/many/*.csv, ../data/many/00.csv]\n"
            ),
        },
        [
            f"{A}:6:5: error: code_interpreter gets 21 files (18 from files and 3 file_ids); "
            "at most 20 allowed"
        ],
    ),
    case(
        "code-interpreter-files-without-the-tool",
        assistant("  code_interpreter:\n    files: [../data/sales.csv]\n", tools="[]"),
        [
            f"{A}:4:3: warning: tool_resources.code_interpreter is set but the assistant has no "
            "code_interpreter tool: add the tool or remove the resources"
        ],
    ),
    case(
        "vector-store-unknown-key",
        {
            "/vector_stores/support/kb.yaml": "name: KB\n",
            "a.yaml": USES_KB.replace("vector_store: kb", "vector_store: support/kd"),
        },
        [
            f"{A}:5:19: error: vector store 'support/kd' is not defined: no "
            "vector_stores/support/kd.yaml (did you mean 'support/kb'?)",
            "vector_stores/support/kb.yaml:1:1: warning: vector store 'support/kb' is used by no "
            "assistant (tool_resources.file_search.vector_store)",
        ],
    ),
    case(
        "vector-store-without-any-store-spec",
        {"a.yaml": USES_KB},
        [f"{A}:5:19: error: vector store 'kb' is not defined: no vector_stores/kb.yaml"],
    ),
    case(
        "vector-store-and-vector-store-ids",
        {
            "/vector_stores/kb.yaml": "name: KB\n",
            "a.yaml": USES_KB + "    vector_store_ids: [vs_1]\n",
        },
        [
            f"{A}:5:19: error: tool_resources.file_search takes one of vector_store_ids, "
            "vector_stores and vector_store, not several",
            f"{KB}:1:1: warning: vector store 'kb' is used by no assistant "
            "(tool_resources.file_search.vector_store)",
        ],
    ),
    case(
        "vector-store-unused",
        {"/vector_stores/kb.yaml": "name: KB\n", "/vector_stores/old.yaml": "", "a.yaml": USES_KB},
        [
            "vector_stores/old.yaml:1:1: warning: vector store 'old' is used by no assistant "
            "(tool_resources.file_search.vector_store)"
        ],
    ),
    case(
        "vector-store-key-defined-twice",
        {"/vector_stores/kb.yaml": "", "/vector_stores/kb.yml": "", "a.yaml": USES_KB},
        [
            f"{KB}:1:1: error: key 'kb' is defined twice: vector_stores/kb.yaml and "
            "vector_stores/kb.yml; keep one of them"
        ],
    ),
    case(
        "vector-store-key-characters",
        {"/vector_stores/kb base.yaml": "", "a.yaml": USES_KB.replace(": kb", ": kb base")},
        [
            "vector_stores/kb base.yaml:1:1: error: key 'kb base' (from the file name) may only "
            "use letters, digits, '_', '.', '-' and '/'"
        ],
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_knowledge_spec_reports_every_mistake_at_its_place(
    repo: Repo, reader: str, files: dict[str, str], expected: list[str]
) -> None:
    for name, content in {**DOCUMENTS, **files}.items():
        repo.write(name, content)
    assert repo.lines() == expected


def test_a_symlink_out_of_the_repository_is_refused(repo: Repo, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.md"
    outside.write_text("secret\n")
    for name, content in {**DOCUMENTS, **kb("files: ['../docs/*.md']\n")}.items():
        repo.write(name, content)
    (repo.root / "docs" / "link.md").symlink_to(outside)
    shown = os.path.relpath(outside)
    assert repo.lines() == [
        f"{KB}:1:9: error: files entry '../docs/*.md': {shown} is outside the repository"
    ]


def test_a_symlink_inside_the_repository_is_its_target(repo: Repo) -> None:
    for name, content in {**DOCUMENTS, **kb("files: ['../links/*.md']\n")}.items():
        repo.write(name, content)
    (repo.root / "links").mkdir()
    (repo.root / "links" / "a.md").symlink_to(repo.root / "docs" / "a.md")
    result = repo.load()
    assert result.diagnostics == []
    (store,) = result.vector_stores
    assert [f.path for f in store.files] == ["docs/a.md"]


def test_a_file_over_512_mb_is_refused_without_reading_it(repo: Repo) -> None:
    for name, content in {**DOCUMENTS, **kb("files: ['../big/*.pdf']\n")}.items():
        repo.write(name, content)
    big = repo.write("/big/huge.pdf", "")
    os.truncate(big, 512 * 1024 * 1024 + 1)  # sparse: no disk used
    at_limit = repo.write("/big/ok.pdf", "")
    os.truncate(at_limit, 512 * 1024 * 1024)
    assert repo.lines() == [
        f"{KB}:1:9: error: big/huge.pdf is 512.0 MB; the API takes files of at most 512 MB"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_file_that_is_not_regular_is_refused(repo: Repo) -> None:
    for name, content in {**DOCUMENTS, **kb("files: ['../docs/*.md']\n")}.items():
        repo.write(name, content)
    os.mkfifo(repo.root / "docs" / "pipe.md")
    assert repo.lines() == [f"{KB}:1:9: error: docs/pipe.md: not a regular file"]


def test_a_symlink_loop_is_an_error_not_a_crash(repo: Repo) -> None:
    for name, content in {**DOCUMENTS, **kb("files: ['../loop/*.md']\n")}.items():
        repo.write(name, content)
    (repo.root / "loop").symlink_to(repo.root / "loop")
    [line] = repo.lines()
    assert line.startswith(f"{KB}:1:9: error: files entry '../loop/*.md' cannot be read (")
