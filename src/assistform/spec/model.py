"""The spec format as pydantic models: exactly the create-assistant request, plus
assistform's own `instructions_file` and `lifecycle`.

Strict types (no "1" -> 1 coercion), no NaN or infinity, and `extra="forbid"` everywhere: a
spec that the API would read differently from its author is refused here, before anything
touches the network.

Errors raised by our own validators are `PydanticCustomError`s whose type starts with
`spec_` and whose message is a whole sentence; their context may name, as `field`, the key
of the checked mapping that the error should point at (see `spec.messages`).

No `from __future__ import annotations` here: pydantic reads these annotations as objects
instead of evaluating them back from strings, which every `validate` run would pay for.
"""

from typing import Annotated, Any, Literal, Self

from annotated_types import Ge, Interval, MaxLen, MinLen
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from assistform import limits, ownership

#: Fields of the create request that `lifecycle` options may name.
FieldName = Literal[
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
]
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
Ranker = Literal["auto", "default_2024_08_21"]

MetadataKey = Annotated[str, MaxLen(limits.METADATA_KEY_MAX)]
MetadataValue = Annotated[str, MaxLen(limits.METADATA_VALUE_MAX)]
FunctionName = Annotated[str, StringConstraints(pattern=limits.FUNCTION_NAME_PATTERN)]


class _Strict(BaseModel):
    # Deferred: a model's validator is built when first used on its own; checking a spec
    # uses only `AssistantSpec`'s, which holds the parts' schemas, so a hook run builds one.
    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True
    )


class RankingOptions(_Strict):
    ranker: Ranker | None = None
    score_threshold: Annotated[
        float, Interval(ge=limits.SCORE_THRESHOLD_MIN, le=limits.SCORE_THRESHOLD_MAX)
    ]


class FileSearchOptions(_Strict):
    max_num_results: Annotated[
        int | None,
        Interval(
            ge=limits.FILE_SEARCH_MAX_NUM_RESULTS_MIN, le=limits.FILE_SEARCH_MAX_NUM_RESULTS_MAX
        ),
    ] = None
    ranking_options: RankingOptions | None = None


class FunctionDefinition(_Strict):
    name: FunctionName
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class CodeInterpreterTool(_Strict):
    type: Literal["code_interpreter"]


class FileSearchTool(_Strict):
    type: Literal["file_search"]
    file_search: FileSearchOptions | None = None


class FunctionTool(_Strict):
    type: Literal["function"]
    function: FunctionDefinition


Tool = Annotated[CodeInterpreterTool | FileSearchTool | FunctionTool, Field(discriminator="type")]


class CodeInterpreterResources(_Strict):
    file_ids: Annotated[list[str], MaxLen(limits.CODE_INTERPRETER_FILE_IDS_MAX)] = []
    #: assistform's own: repository files (globs relative to the spec), uploaded and
    #: managed; their ids follow `file_ids` (at most 20 in all, counted once expanded).
    files: list[Annotated[str, MinLen(1)]] = []


class StaticChunking(_Strict):
    max_chunk_size_tokens: Annotated[
        int, Interval(ge=limits.CHUNK_SIZE_TOKENS_MIN, le=limits.CHUNK_SIZE_TOKENS_MAX)
    ]
    chunk_overlap_tokens: Annotated[int, Ge(0)]

    @model_validator(mode="after")
    def _overlap_at_most_half(self) -> Self:
        if self.chunk_overlap_tokens > self.max_chunk_size_tokens // 2:
            raise PydanticCustomError(
                "spec_chunk_overlap",
                "chunk_overlap_tokens ({overlap}) must not exceed half of "
                "max_chunk_size_tokens ({size})",
                {
                    "field": "chunk_overlap_tokens",
                    "overlap": self.chunk_overlap_tokens,
                    "size": self.max_chunk_size_tokens,
                },
            )
        return self


class AutoChunkingStrategy(_Strict):
    type: Literal["auto"]


class StaticChunkingStrategy(_Strict):
    type: Literal["static"]
    static: StaticChunking


ChunkingStrategy = Annotated[
    AutoChunkingStrategy | StaticChunkingStrategy, Field(discriminator="type")
]


class VectorStoreHelper(_Strict):
    file_ids: Annotated[list[str], MaxLen(limits.VECTOR_STORE_FILE_IDS_MAX)] = []
    chunking_strategy: ChunkingStrategy | None = None
    metadata: Annotated[
        dict[MetadataKey, MetadataValue] | None, MaxLen(limits.METADATA_PAIRS_MAX)
    ] = None


class FileSearchResources(_Strict):
    """One of vector_store_ids, vector_stores or (assistform's own) vector_store."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["vector_store_ids"]},
                {"required": ["vector_stores"]},
                {"required": ["vector_store"]},
            ]
        }
    )

    vector_store_ids: Annotated[list[str] | None, MaxLen(limits.VECTOR_STORE_IDS_MAX)] = None
    vector_stores: Annotated[list[VectorStoreHelper] | None, MaxLen(limits.VECTOR_STORES_MAX)] = (
        None
    )
    #: assistform's own: the key of a vector store spec (`vector_stores/<key>.yaml`).
    vector_store: Annotated[str | None, MinLen(1)] = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        given = [
            name
            for name in ("vector_store_ids", "vector_stores", "vector_store")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise PydanticCustomError(
                "spec_one_of",
                "tool_resources.file_search takes one of vector_store_ids, vector_stores and "
                "vector_store, not several",
                {"field": given[1]},
            )
        if not given:
            raise PydanticCustomError(
                "spec_one_of",
                "tool_resources.file_search needs vector_store_ids, vector_stores or vector_store",
            )
        return self


class ToolResources(_Strict):
    code_interpreter: CodeInterpreterResources | None = None
    file_search: FileSearchResources | None = None


class TextFormat(_Strict):
    type: Literal["text"]


class JsonObjectFormat(_Strict):
    type: Literal["json_object"]


class JsonSchemaDefinition(_Strict):
    name: Annotated[str, StringConstraints(pattern=limits.JSON_SCHEMA_NAME_PATTERN)]
    description: str | None = None
    schema_: Annotated[dict[str, Any] | None, Field(alias="schema")] = None
    strict: bool | None = None

    model_config = ConfigDict(populate_by_name=True)


class JsonSchemaFormat(_Strict):
    type: Literal["json_schema"]
    json_schema: JsonSchemaDefinition


class AutoFormat(_Strict):
    """The string `auto` in the API; a model here so all formats share one union
    (`request_fields` writes it back as the string)."""

    type: Literal["auto"]


ResponseFormat = Annotated[
    AutoFormat | TextFormat | JsonObjectFormat | JsonSchemaFormat, Field(discriminator="type")
]


#: How a change reaches the live assistant: modified in place, or a new assistant (a new
#: version) each time, the previous ones kept for `assistform rollback` (see `versions`).
Strategy = Literal["in-place", "blue-green"]
#: Each kept version is a live assistant, counted against the organisation's assistants.
KEEP_VERSIONS_MAX = 20


class Lifecycle(_Strict):
    prevent_destroy: bool = False
    replace_on_change: list[FieldName] = []
    ignore_changes: list[FieldName] = []
    strategy: Strategy = "in-place"
    #: Versions kept live under blue-green, the current one included.
    keep_versions: Annotated[int, Interval(ge=1, le=KEEP_VERSIONS_MAX)] = 3

    def as_dict(self) -> dict[str, Any]:
        """The options as the plan and the state record them; the strategy's only when it
        is not the default, so that in-place assistants' records stay as they were."""
        data = self.model_dump(mode="json")
        if self.strategy == "in-place" and self.keep_versions == 3:
            del data["strategy"], data["keep_versions"]
        return data


class AssistantSpec(_Strict):
    """One assistant as written in `assistants/<key>.yaml`.

    `metadata` holds at most 15 pairs, not the API's 16: assistform's ownership tag takes one.
    """

    model_config = ConfigDict(
        json_schema_extra={"not": {"required": ["instructions", "instructions_file"]}}
    )

    model: Annotated[str, MinLen(1)]
    name: Annotated[str | None, MaxLen(limits.NAME_MAX)] = None
    description: Annotated[str | None, MaxLen(limits.DESCRIPTION_MAX)] = None
    instructions: Annotated[str | None, MaxLen(limits.INSTRUCTIONS_MAX)] = None
    instructions_file: Annotated[str | None, MinLen(1)] = None
    reasoning_effort: ReasoningEffort | None = None
    tools: Annotated[list[Tool], MaxLen(limits.TOOLS_MAX)] = []
    tool_resources: ToolResources | None = None
    metadata: Annotated[
        dict[MetadataKey, MetadataValue] | None, MaxLen(ownership.USER_METADATA_MAX)
    ] = None
    temperature: Annotated[
        float | None, Interval(ge=limits.TEMPERATURE_MIN, le=limits.TEMPERATURE_MAX)
    ] = None
    top_p: Annotated[float | None, Interval(ge=limits.TOP_P_MIN, le=limits.TOP_P_MAX)] = None
    response_format: ResponseFormat | None = None
    # Constructed, not validated: validating it would build Lifecycle's own validator, which
    # a hook run never needs (AssistantSpec's holds the lifecycle schema).
    lifecycle: Lifecycle = Lifecycle.model_construct()

    @field_validator("response_format", mode="before")
    @classmethod
    def _auto_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value == limits.RESPONSE_FORMAT_AUTO:
                return {"type": "auto"}
            raise PydanticCustomError(
                "spec_response_format",
                "response_format must be 'auto' or a mapping with a type of "
                "'text', 'json_object' or 'json_schema', not '{value}'",
                {"value": value},
            )
        if isinstance(value, dict) and value.get("type") == limits.RESPONSE_FORMAT_AUTO:
            raise PydanticCustomError(
                "spec_response_format",
                "write 'response_format: auto' as a plain string; "
                "a mapping's type is 'text', 'json_object' or 'json_schema'",
                {"field": "type"},
            )
        return value

    @model_validator(mode="after")
    def _one_instructions_source(self) -> Self:
        if self.instructions is not None and self.instructions_file is not None:
            raise PydanticCustomError(
                "spec_instructions_conflict",
                "give either instructions or instructions_file, not both",
                {"field": "instructions_file"},
            )
        return self

    @model_validator(mode="after")
    def _room_for_the_version_tag(self) -> Self:
        # Blue-green tags each version with a second reserved pair (`versions.VERSION_KEY`).
        pairs = len(self.metadata or {})
        if self.lifecycle.strategy == "blue-green" and pairs > ownership.USER_METADATA_MAX - 1:
            raise PydanticCustomError(
                "spec_metadata_blue_green",
                "metadata has {pairs} pairs; at most {limit} allowed with lifecycle.strategy "
                "blue-green (the API allows 16: the ownership tag and the version tag take two)",
                {"pairs": pairs, "limit": ownership.USER_METADATA_MAX - 1, "field": "metadata"},
            )
        return self

    def request_fields(self) -> dict[str, Any]:
        """The create-request body this spec asks for: only the fields it sets."""
        body = self.model_dump(
            mode="json",
            by_alias=True,
            exclude_none=True,
            exclude_unset=True,
            exclude=_NOT_SENT,
        )
        if isinstance(self.response_format, AutoFormat):
            # Not a model serializer: pydantic's serializer machinery costs every hook run
            # its import, for this one value.
            body["response_format"] = limits.RESPONSE_FORMAT_AUTO
        # assistform's own resources leave nothing behind: the plan adds their ids.
        resources = body.get("tool_resources")
        if resources is not None and self.tool_resources is not None:
            for tool in ("code_interpreter", "file_search"):
                if resources.get(tool) == {} and _ours_only(getattr(self.tool_resources, tool)):
                    del resources[tool]
            if not resources:
                del body["tool_resources"]
        return body


#: What `request_fields` leaves out: assistform's own fields, never sent as written.
_NOT_SENT: Any = {
    "instructions_file": True,
    "lifecycle": True,
    "tool_resources": {"code_interpreter": {"files"}, "file_search": {"vector_store"}},
}


def _ours_only(resources: BaseModel | None) -> bool:
    """Whether a tool's resources set only assistform's own field (`files`, `vector_store`)."""
    return resources is not None and resources.model_fields_set <= {"files", "vector_store"}
