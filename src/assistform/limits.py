"""Limits of the /v1/assistants contract, carried in the source.

Taken from `CreateAssistantRequest` and what it references in OpenAI's OpenAPI spec,
including limits written only in descriptions. The installed product never reads the spec;
`tests/test_limits.py` compares these values with it, so a newer spec turns a test red.
"""

from __future__ import annotations

from typing import Final

#: Fields of the create-assistant request, in the order the API documents them.
CREATE_FIELDS: Final = (
    "model",
    "name",
    "description",
    "instructions",
    "reasoning_effort",
    "tools",
    "tool_resources",
    "metadata",
    "temperature",
    "top_p",
    "response_format",
)

NAME_MAX: Final = 256
DESCRIPTION_MAX: Final = 512
INSTRUCTIONS_MAX: Final = 256_000
TOOLS_MAX: Final = 128
TOOL_TYPES: Final = ("code_interpreter", "file_search", "function")
FUNCTION_NAME_PATTERN: Final = r"^[a-zA-Z0-9_-]{1,64}$"
FUNCTION_NAME_MAX: Final = 64
FILE_SEARCH_MAX_NUM_RESULTS_MIN: Final = 1
FILE_SEARCH_MAX_NUM_RESULTS_MAX: Final = 50
RANKERS: Final = ("auto", "default_2024_08_21")
SCORE_THRESHOLD_MIN: Final = 0.0
SCORE_THRESHOLD_MAX: Final = 1.0
CODE_INTERPRETER_FILE_IDS_MAX: Final = 20
VECTOR_STORE_IDS_MAX: Final = 1
VECTOR_STORES_MAX: Final = 1
VECTOR_STORE_FILE_IDS_MAX: Final = 100_000_000
CHUNK_SIZE_TOKENS_MIN: Final = 100
CHUNK_SIZE_TOKENS_MAX: Final = 4096
CHUNKING_STRATEGY_TYPES: Final = ("auto", "static")
METADATA_PAIRS_MAX: Final = 16
METADATA_KEY_MAX: Final = 64
METADATA_VALUE_MAX: Final = 512
TEMPERATURE_MIN: Final = 0.0
TEMPERATURE_MAX: Final = 2.0
TOP_P_MIN: Final = 0.0
TOP_P_MAX: Final = 1.0
RESPONSE_FORMAT_TYPES: Final = ("text", "json_object", "json_schema")
RESPONSE_FORMAT_AUTO: Final = "auto"
JSON_SCHEMA_NAME_PATTERN: Final = r"^[a-zA-Z0-9_-]{1,64}$"
REASONING_EFFORTS: Final = ("none", "minimal", "low", "medium", "high", "xhigh", "max")

#: What OpenAI's service filled in when a field was not sent (spec defaults plus observed
#: behaviour). Other servers fill other values: the planner never assumes these (it compares
#: what a spec leaves out with what the server returned); they describe OpenAI's behaviour,
#: for the sandbox that imitates it, the doctor that compares a server with it, and the
#: spec writer that leaves them out of a written spec.
TEMPERATURE_DEFAULT: Final = 1.0
TOP_P_DEFAULT: Final = 1.0
FUNCTION_STRICT_DEFAULT: Final = False
RANKER_DEFAULT: Final = "auto"
#: The ranker the service filled in: its answers showed this, not the spec's "auto".
RANKER_FILLED: Final = "default_2024_08_21"
SCORE_THRESHOLD_DEFAULT: Final = 0.0
#: Per top-level field, the value OpenAI's service gave a field sent as null or not at all.
DOCUMENTED_DEFAULTS: Final[dict[str, object]] = {
    "name": None,
    "description": None,
    "instructions": None,
    "reasoning_effort": None,
    "tools": [],
    "tool_resources": {},
    "metadata": {},
    "temperature": TEMPERATURE_DEFAULT,
    "top_p": TOP_P_DEFAULT,
    "response_format": RESPONSE_FORMAT_AUTO,
}

#: Files and vector stores (`CreateVectorStoreRequest`, `VectorStoreExpirationAfter`,
#: `VectorStoreFileAttributes`). The size limit is the documentation's ("Files have a
#: maximum size of 512 MB", https://platform.openai.com/docs/assistants/tools/code-interpreter),
#: read as MiB; the spec's name has no limit, the assistants' is taken.
FILE_SIZE_MAX: Final = 512 * 1024 * 1024
#: The vector store fields assistform reconciles, as the create request names them (in
#: the API's order): a spec's, the plan's, a live store's and an exported spec's.
VECTOR_STORE_FIELDS: Final = ("name", "description", "metadata", "expires_after")
VECTOR_STORE_NAME_MAX: Final = NAME_MAX
VECTOR_STORE_DESCRIPTION_MAX: Final = DESCRIPTION_MAX
EXPIRES_AFTER_DAYS_MIN: Final = 1
EXPIRES_AFTER_DAYS_MAX: Final = 365
ATTRIBUTES_MAX: Final = 16
ATTRIBUTE_KEY_MAX: Final = 64
ATTRIBUTE_VALUE_MAX: Final = 512

#: Pagination of GET /v1/assistants, and of the vector store lists (as for assistants).
LIST_LIMIT_MIN: Final = 1
LIST_LIMIT_MAX: Final = 100
LIST_LIMIT_DEFAULT: Final = 20
