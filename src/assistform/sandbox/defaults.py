"""Every choice the sandbox makes where the spec is silent, in one place.

The spec says what a request may contain and what an assistant object looks like; it does
not say everything the hosted service filled in, nor every rule it enforced. Where it is
silent, the sandbox (`faithful` profile) does the following. Change behaviour here, and
only here, and keep this list true.

Ids and times
  1. Assistant ids are `asst_` + 24 random ASCII letters/digits; vector stores minted by
     the `vector_stores` helper are `vs_` + 24 of the same.
  2. `created_at` is integer Unix seconds at creation and never changes.
  3. Lists sort by `created_at`, then by creation order (ties within one second keep the
     order in which they were made), ascending or descending as a whole.

Filled on create (a field sent as `null` counts as not sent)
  Each rule was checked against what the hosted service really returned, in responses
  printed in public code, issues and docs (the spec's prose alone says "auto ranker"
  where the service said otherwise). Evidence per rule: "JSON" is a raw body, "SDK repr"
  `print()` of the openai-python object; each cited by where it is, or by the assistant
  id it printed (which finds it in public code search).
  4. `name`, `description`, `instructions`: null.
     - JSON, 2025-02 (github.com/openai-php/client/issues/519): `"description": null`.
     - JSON, 2025-01-20 (asst_vnNwlG5P9cJcaoQiwdDGo3zN, a POST with name and description
       only): `"instructions": null`.
     - SDK repr, 2025-05-22 (asst_v1aqnERZOSjnAe7MemXcUzxv, created without a name):
       `name=None, description=None`.
  5. `temperature`, `top_p`: 1.0. Numbers sent are echoed as floats (1 -> 1.0).
     - JSON, 2025-02 (openai-php/client#519), 2025-01-20 (asst_vnNwlG5P9cJcaoQiwdDGo3zN)
       and 2024-07-23 (asst_i3B30yUFB6uDv4emIWtGTVcC, curl transcripts in the comments of
       the `jp.ukiba.koneko.ko_openai` Scala client): `"top_p": 1.0, "temperature": 1.0`.
  6. `response_format`: "auto". Objects are echoed as sent.
     - JSON, 2025-01-20 and 2024-07-23 (curl create without it): `"response_format":
       "auto"`. Assistants made in the Playground show `{"type": "text"}`
       (openai-php/client#519; RageAgainstThePixel/OpenAI-DotNet#364): the Playground
       sends that object, and it is echoed.
  7. `metadata`: {}. `tools`: [].
     - JSON, 2025-01-20 (create without either): `"tools": [], "metadata": {}`.
  8. Function tools: `function.strict` false when absent or null. `description` and
     `parameters` are not filled when absent (they stay absent).
     - SDK repr, 2025-05-20 (asst_UtCUnUUYRHlbDm8n86iFhcXl) and 2025-05-22
       (asst_v1aqnERZOSjnAe7MemXcUzxv), functions created without `strict`:
       `FunctionDefinition(name=..., description=..., parameters=..., strict=False)`.
  9. File search tools: `file_search.ranking_options` becomes
     `{"ranker": "default_2024_08_21", "score_threshold": 0.0}` when absent, and that
     ranker is filled into ranking options sent without one (a ranker sent, `auto`
     included, is echoed: no response shows the service rewriting one). The spec's prose
     says "the `auto` ranker"; the service names the ranker `auto` resolves to.
     `max_num_results` is NOT filled: its default depends on the model (20 for gpt-4*, 5
     for gpt-3.5-turbo), and the service leaves it out.
     - JSON, 2025-02 (openai-php/client#519, retrieve): `"file_search": {"ranking_options":
       {"ranker": "default_2024_08_21", "score_threshold": 0.0}}`, no `max_num_results`.
     - SDK repr, 2025-01-13 (asst_qNspjneS9NEgxVuO7ib5oXHk, a tutorial creating it with
       `{"type": "file_search"}`), 2024-11-04 (asst_2jhWQTAZ72DSIgF3hLOj5eRL) and
       2024-09-25 (asst_YVVrTWIleUp1kW1LfSivLMGx): `FileSearch(max_num_results=None,
       ranking_options=FileSearchRankingOptions(ranker='default_2024_08_21',
       score_threshold=0.0))`.
     - The Playground's "view code" exports the same object (several repositories call
       `assistants.create(tools=[{"type":"file_search","file_search":{"ranking_options":
       {"ranker":"default_2024_08_21","score_threshold":0}}}])`).
     - Before 2024-08-21 the service returned no options at all (SDK repr 2024-08-20,
       asst_rBsu7u3vfM5q4CAyCr2eWEde: `FileSearchTool(type='file_search',
       file_search=None)`); the sandbox is the later service.
 10. `tool_resources`: each enabled tool that takes a resource gets an empty one when none
     is sent: `code_interpreter` -> `{"file_ids": []}`, `file_search` ->
     `{"vector_store_ids": []}`; with neither tool, `{}`. Also on modify (assumed: no
     response shows it). A resource sent for a tool not enabled stays. `code_interpreter`
     sent without `file_ids` gets `file_ids: []`. `file_search.vector_stores` (the helper)
     becomes `vector_store_ids: [<minted vs_ id>]` per helper entry; the helper's files,
     chunking and metadata are accepted and dropped, as there are no vector stores to
     hold them.
     - JSON, 2024-07-23 (asst_i3B30yUFB6uDv4emIWtGTVcC, curl create with tools
       `[{"type": "file_search"}]` and no tool_resources): `"tool_resources":
       {"file_search": {"vector_store_ids": []}}`.
     - SDK repr, 2025-01-13 (asst_qNspjneS9NEgxVuO7ib5oXHk, created with code_interpreter
       and file_search, no tool_resources): `ToolResources(code_interpreter=
       ToolResourcesCodeInterpreter(file_ids=[]), file_search=ToolResourcesFileSearch(
       vector_store_ids=[]))`; 2024-09 (a gpt-4o-mini assistant with code_interpreter
       only): `code_interpreter=...(file_ids=[]), file_search=None`.
     - SDK repr, 2025-05 (function tools only) and JSON 2025-01-20 (no tools):
       `tool_resources` empty.
 11. `reasoning_effort` is validated, stored (null when absent) and never returned:
     `AssistantObject` has no such field.
     - NOT what the service did in 2025: JSON, 2025-02 (openai-php/client#519, "Now when
       we retrieve an assistant ... there is a new parameter reasoning_effort"):
       `"reasoning_effort": "medium"` for an o1 assistant, `null` for gpt-4o-mini; SDK
       repr, 2025-05-20 and 2025-05-22: `reasoning_effort=None` (an extra field: the SDK
       has none). Kept hidden here for now: planner, doctor and adopt are built on the
       field being write-only, and servers that drop it exist (see `profiles.py`);
       returning it is a change for those first.

Modify
 12. Only fields sent change. Sending `null` resets a field to what create fills
     (rule 4-7, 10). `metadata` and `tools` replace the old value as a whole;
     `tool_resources` merges per resource: each resource sent (`code_interpreter`,
     `file_search`) replaces that resource, the others stay. `{}` changes nothing.

Validation (beyond what the JSON schema in the spec says)
 13. Unknown fields are refused with `unknown_parameter` not just at the top level but in
     every object of known shape (tools, function, file search options, ranking options,
     tool resources, response formats); `function.parameters` and `json_schema.schema`
     are free-form JSON Schema and take anything.
 14. An empty `model` string is refused (`invalid_value`); any other string is accepted.
 15. Integer fields take only JSON integers (5.0 is refused as `invalid_type`).
 16. Description-only limits are enforced: function and json_schema names match
     `^[a-zA-Z0-9_-]{1,64}$`; static chunking's overlap is 0..max_chunk_size_tokens // 2.
 17. `file_search` resources on create need exactly one of `vector_store_ids` and
     `vector_stores` (the spec's `oneOf`); both -> `invalid_value` with param
     `tool_resources.file_search`, neither -> `missing_required_parameter`.
 18. Requests must carry `OpenAI-Beta: assistants=v2` (the SDK sends it), or 400 with
     code `invalid_beta`.
 19. Order of checks: injected faults (see `faults.py`) -> auth (401) -> route (404
     `Invalid URL (METHOD /path)`, also for a known path with another method) -> beta
     header -> JSON body (400, param and code null) -> validation (400) -> id lookup
     (404 `No assistant found with id '...'.`). One error is reported.
 20. The list query takes `limit` 1..100 (default 20) and `order` asc|desc (default
     desc); other query parameters are ignored.

Lists
 21. An empty page has `first_id` and `last_id` null, as the service sent them, although
     the spec types them as strings.
 22. `after=X`: the items following X in the requested order. `before=X`: the `limit`
     items immediately preceding X, in the requested order. Both: the items strictly
     between. `has_more` says whether more items lie beyond the page in the direction of
     travel (away from the cursor).
 23. A cursor naming a deleted assistant still works; one never seen is refused (400,
     `invalid_value`, param `after`/`before`).

Responses
 24. Every response has `content-type: application/json`, a `Content-Length` and an
     `x-request-id` (`req_` + 32 hex).
 25. Injected 429s have type `requests`, code `rate_limit_exceeded` and a `Retry-After`;
     injected 500s have type `server_error`.
 26. Delete answers `{"id", "object": "assistant.deleted", "deleted": true}`; a second
     delete of the same id is a 404.

Files (/v1/files; assumed from the spec and the SDK, not checked against the service)
 27. File ids are `file-` + 22 random letters/digits. The file object has `status:
     "processed"` at once, `expires_at` only when an `expires_after` was sent, and never
     `status_details` (the spec types both as strings, not null).
 28. An upload is `multipart/form-data` (any other type: 400); its form fields are
     `purpose` and `expires_after[anchor]`/`expires_after[seconds]` (how the SDK sends the
     object), each checked like a JSON field; any other field is `unknown_parameter`.
 29. The list takes `limit` 1..10,000 (default 10,000), `order` (default desc), `after`
     and `purpose` (any purpose a file object can have); `before` is ignored.
 30. Deleting a file also removes it from every vector store that holds it.
 31. The content of a file of purpose `assistants` cannot be downloaded (400 "Not allowed
     to download files of purpose: assistants"); every other purpose can (the `lenient`
     profile allows it too, as self-hosted servers do).

Vector stores (/v1/vector_stores; assumed likewise)
 32. Vector store ids are `vs_` + 24 letters/digits, file batch ids `vsfb_` + 24. A vector
     store file's id is its file's id. Requests need no `OpenAI-Beta` header.
 33. A vector store: `name` as sent, "" when never sent (the spec types it as a string);
     `metadata` {} when not sent; `expires_after` only when set; `expires_at`
     `last_active_at` + days, or null; `last_active_at` is set on create and on modify.
     `description` is taken on create, stored and never returned (VectorStoreObject has no
     such field). Modify takes only `name`, `expires_after` and `metadata` (each may be
     null: no name, no expiry, no metadata); metadata replaces the old as a whole.
 34. `file_ids` naming a file that does not exist: 400 `invalid_value` naming every such id
     (param `file_ids` or `files`), nothing created; the one `file_id` of a single attach:
     404 (param `file_id`). Unknown vector store or batch (or a batch of another store):
     404. Attaching a file already attached starts its processing over.
 35. Deleting a vector store detaches its files (the files stay in /v1/files) and forgets
     its batches.
 36. A file attached is `in_progress` for `Faults.processing_seconds` (0.2 by default) on
     the service's clock, then `completed`, or `failed` with `last_error` `{"code":
     "invalid_file", ...}` when its filename matches the glob `Faults.fail_files`; its
     `usage_bytes` is its size once completed, 0 before. A store is `in_progress` while any
     of its files is, `expired` once past `expires_at`, else `completed`; its `usage_bytes`
     and `file_counts` sum its files.
 37. `attributes` of a vector store file: {} when none were set. `chunking_strategy` is
     reported as `static`; `auto` (or none) is 800 tokens with 400 of overlap.
 38. A file batch counts the files it attached (those still attached). It is
     `in_progress` while any is, then `completed`, failed files included (they are counted
     in `file_counts.failed`). Cancel turns its files still in progress `cancelled` and
     the batch `cancelled`; a batch with nothing in progress stays as it is. With `files`,
     each entry's attributes and chunking apply and the batch-wide ones are ignored; with
     `file_ids`, the batch-wide ones apply to every file.
 39. Lists of vector stores and of their files take `limit` 1..100 (default 20), `order`,
     `after` and `before`, as for assistants (rules 21-23); file lists also `filter` by
     status.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from typing import Any, Final

from assistform import limits

ASSISTANT_ID_PREFIX: Final = "asst_"
FILE_ID_PREFIX: Final = "file-"
FILE_ID_LENGTH: Final = 22
FILE_BATCH_ID_PREFIX: Final = "vsfb_"
VECTOR_STORE_ID_PREFIX: Final = "vs_"
RANDOM_ID_LENGTH: Final = 24
_ID_ALPHABET: Final = string.ascii_letters + string.digits

BETA_HEADER: Final = "openai-beta"
BETA_VALUE: Final = "assistants=v2"

#: Field order of the assistant object, as the service sent it (raw bodies of 2024-07-23,
#: 2025-01-20 and 2025-02, cited in rules 4-11; the last with `reasoning_effort` after
#: `temperature`).
OBJECT_FIELDS: Final = (
    "id",
    "object",
    "created_at",
    "name",
    "description",
    "model",
    "instructions",
    "tools",
    "top_p",
    "temperature",
    "tool_resources",
    "metadata",
    "response_format",
)

#: Fields stored but never returned.
HIDDEN_FIELDS: Final = ("reasoning_effort",)

#: The ranker the service names in `ranking_options` it fills (rule 9); the spec's prose
#: says "auto".
SERVICE_RANKER: Final = limits.RANKER_FILLED
#: The empty resource the service gives each enabled tool that takes one (rule 10).
EMPTY_RESOURCES: Final[Mapping[str, Mapping[str, list[str]]]] = {
    "code_interpreter": {"file_ids": []},
    "file_search": {"vector_store_ids": []},
}

MintId = Callable[[], str]


def random_id(prefix: str, length: int = RANDOM_ID_LENGTH) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def mint_vector_store_id() -> str:
    return random_id(VECTOR_STORE_ID_PREFIX)


def _filled(field: str, value: Any, mint: MintId) -> Any:
    """The stored value of one field as sent (`value`), with rules 4-11 applied."""
    if field in ("temperature", "top_p"):
        default = limits.TEMPERATURE_DEFAULT if field == "temperature" else limits.TOP_P_DEFAULT
        return default if value is None else float(value)
    if field == "response_format":
        return limits.RESPONSE_FORMAT_AUTO if value is None else value
    if field == "metadata":
        return {} if value is None else dict(value)
    if field == "tools":
        return [] if value is None else [fill_tool(tool) for tool in value]
    if field == "tool_resources":
        return {} if value is None else fill_tool_resources(value, mint)
    return value


def new_fields(body: Mapping[str, Any], mint: MintId = mint_vector_store_id) -> dict[str, Any]:
    """Stored fields of an assistant created from a valid body."""
    fields = {f: _filled(f, body.get(f), mint) for f in limits.CREATE_FIELDS}
    return _with_tool_resources(fields)


def _with_tool_resources(fields: dict[str, Any]) -> dict[str, Any]:
    """An empty resource for each enabled tool that has none (rule 10)."""
    resources = dict(fields.get("tool_resources") or {})
    for tool in fields.get("tools") or ():
        empty = EMPTY_RESOURCES.get(tool["type"])
        if empty is not None and resources.get(tool["type"]) is None:
            resources[tool["type"]] = {name: list(value) for name, value in empty.items()}
    fields["tool_resources"] = resources
    return fields


def modified_fields(
    current: Mapping[str, Any], body: Mapping[str, Any], mint: MintId = mint_vector_store_id
) -> dict[str, Any]:
    """Stored fields after a valid modify body (rule 12)."""
    fields = dict(current)
    for name, value in body.items():
        if name == "tool_resources" and value is not None:
            fields[name] = merge_tool_resources(current.get(name), value, mint)
        else:
            fields[name] = _filled(name, value, mint)
    return _with_tool_resources(fields)


def fill_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    filled = dict(tool)
    if tool["type"] == "function":
        function = dict(tool["function"])
        if function.get("strict") is None:
            function["strict"] = limits.FUNCTION_STRICT_DEFAULT
        filled["function"] = function
    elif tool["type"] == "file_search":
        options = dict(tool.get("file_search") or {})
        ranking = dict(options.get("ranking_options") or {})
        ranking.setdefault("ranker", SERVICE_RANKER)
        ranking.setdefault("score_threshold", limits.SCORE_THRESHOLD_DEFAULT)
        options["ranking_options"] = ranking
        filled["file_search"] = options
    return filled


def fill_tool_resources(resources: Mapping[str, Any], mint: MintId) -> dict[str, Any]:
    filled = resolve_vector_stores(resources, mint)
    if "code_interpreter" in filled:
        code = dict(filled["code_interpreter"])
        code.setdefault("file_ids", [])
        filled["code_interpreter"] = code
    return filled


def resolve_vector_stores(resources: Mapping[str, Any], mint: MintId) -> dict[str, Any]:
    """Turn the `vector_stores` helper into `vector_store_ids` (rule 10)."""
    resolved = dict(resources)
    search = resolved.get("file_search")
    if isinstance(search, Mapping) and "vector_stores" in search:
        resolved["file_search"] = {"vector_store_ids": [mint() for _ in search["vector_stores"]]}
    return resolved


def merge_tool_resources(
    current: Mapping[str, Any] | None, sent: Mapping[str, Any], mint: MintId
) -> dict[str, Any]:
    merged = dict(current or {})
    merged.update(fill_tool_resources(sent, mint))
    return merged


# --- messages of the errors the service sent ------------------------------------------

UNAUTHORIZED_MESSAGE: Final = (
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
)
BETA_MESSAGE: Final = (
    "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try "
    "again by setting the header 'OpenAI-Beta: assistants=v2'."
)
INVALID_JSON_MESSAGE: Final = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
    "sent was not valid JSON.)"
)
SERVER_ERROR_MESSAGE: Final = (
    "The server had an error while processing your request. Sorry about that!"
)
RATE_LIMIT_MESSAGE: Final = "Rate limit reached for requests. Please try again later."


def not_found_message(assistant_id: str) -> str:
    return f"No assistant found with id '{assistant_id}'."


def invalid_url_message(method: str, path: str) -> str:
    return f"Invalid URL ({method} {path})"


#: What the `auto` chunking strategy resolves to (the spec's AutoChunkingStrategyRequestParam).
AUTO_CHUNKING: Final[Mapping[str, int]] = {
    "max_chunk_size_tokens": 800,
    "chunk_overlap_tokens": 400,
}
PROCESSING_FAILED_MESSAGE: Final = "The file could not be parsed."

MALFORMED_MULTIPART_MESSAGE: Final = "Could not parse multipart form data."


def not_multipart_message(content_type: str) -> str:
    return f"Invalid Content-Type header ({content_type}), expected multipart/form-data."


def file_not_found_message(file_id: str) -> str:
    return f"No such File object: {file_id}"


def download_refused_message(purpose: str) -> str:
    return f"Not allowed to download files of purpose: {purpose}"


def vector_store_not_found_message(vector_store_id: str) -> str:
    return f"No vector store found with id '{vector_store_id}'."


def vector_store_file_not_found_message(file_id: str, vector_store_id: str) -> str:
    return f"No file found with id '{file_id}' in vector store '{vector_store_id}'."


def batch_not_found_message(batch_id: str, vector_store_id: str) -> str:
    return f"No file batch found with id '{batch_id}' in vector store '{vector_store_id}'."


def attach_file_not_found_message(file_id: str) -> str:
    return f"No file found with id '{file_id}'."


def files_not_found_message(file_ids: list[str]) -> str:
    listed = ", ".join(f"'{file_id}'" for file_id in file_ids)
    return f"Files not found: {listed}."
