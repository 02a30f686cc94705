"""The vector store spec format (`vector_stores/<key>.yaml`) as a pydantic model: the fields of
the API's create request that a store keeps (`CreateVectorStoreRequest`), the chunking its
files get, assistform's own `files`, and `file_ids`: files already on the server (say, whose
content the API will not give back to `export`), attached and detached by id like the
others, never uploaded or deleted.

Strict like the assistant model (`spec.model`); our validators' errors are
`PydanticCustomError`s with a `spec_` type, placed by `spec.messages`. Imported only where a
repository has vector stores: a `validate` without them builds no part of it.
"""

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from assistform import limits, ownership
from assistform.spec.model import ChunkingStrategy, MetadataKey, MetadataValue, _Strict

AttributeKey = Annotated[str, StringConstraints(max_length=limits.ATTRIBUTE_KEY_MAX)]
AttributeValue = (
    Annotated[str, StringConstraints(max_length=limits.ATTRIBUTE_VALUE_MAX)] | int | float | bool
)


class ExpiresAfter(_Strict):
    anchor: Literal["last_active_at"]
    days: Annotated[int, Field(ge=limits.EXPIRES_AFTER_DAYS_MIN, le=limits.EXPIRES_AFTER_DAYS_MAX)]


class FileEntry(_Strict):
    """A glob of repository files, with the attributes each of them gets in the store.

    Written as a bare string when it has no attributes.
    """

    path: Annotated[str, StringConstraints(min_length=1)]
    attributes: Annotated[
        dict[AttributeKey, AttributeValue],
        Field(max_length=ownership.USER_ATTRIBUTES_MAX),
    ] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _glob_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"path": value}
        if not isinstance(value, dict):
            from assistform.spec.messages import type_name

            raise PydanticCustomError(
                "spec_file_entry",
                "a files entry is a glob, or a mapping with path and attributes; not {what}",
                {"what": type_name(value)},
            )
        return value

    @field_validator("attributes", mode="before")
    @classmethod
    def _scalar_values(cls, value: Any) -> Any:
        # One message per bad value, instead of one per member of the value union.
        if not isinstance(value, dict):
            return value
        for key, item in value.items():
            if isinstance(item, str) and len(item) > limits.ATTRIBUTE_VALUE_MAX:
                raise PydanticCustomError(
                    "spec_attribute_value",
                    "attribute '{key}' is {length} characters long; the limit is {limit}",
                    {
                        "field": key,
                        "key": key,
                        "length": f"{len(item):,}",
                        "limit": limits.ATTRIBUTE_VALUE_MAX,
                    },
                )
            if not isinstance(item, (str, int, float, bool)):
                from assistform.spec.messages import type_name

                raise PydanticCustomError(
                    "spec_attribute_value",
                    "attribute '{key}' must be a string, a number or true or false, not {what}",
                    {"field": key, "key": key, "what": type_name(item)},
                )
        return value


class VectorStoreSpec(_Strict):
    """One vector store as written in `vector_stores/<key>.yaml`.

    `metadata` holds at most 15 pairs, not the API's 16: assistform's ownership tag takes one.
    `description` is create-only in the API: changing it replaces the store.
    """

    name: Annotated[str, StringConstraints(max_length=limits.VECTOR_STORE_NAME_MAX)] | None = None
    description: (
        Annotated[str, StringConstraints(max_length=limits.VECTOR_STORE_DESCRIPTION_MAX)] | None
    ) = None
    metadata: (
        Annotated[dict[MetadataKey, MetadataValue], Field(max_length=ownership.USER_METADATA_MAX)]
        | None
    ) = None
    expires_after: ExpiresAfter | None = None
    chunking_strategy: ChunkingStrategy | None = None
    files: list[FileEntry] = Field(default_factory=list)
    #: Files already uploaded, by id: attached and detached, never uploaded or deleted.
    file_ids: list[Annotated[str, StringConstraints(min_length=1)]] = Field(default_factory=list)

    def request_fields(self) -> dict[str, Any]:
        """The create-request fields this spec sets (API shapes), without files."""
        return self.model_dump(
            mode="json",
            exclude_none=True,
            exclude_unset=True,
            include=set(limits.VECTOR_STORE_FIELDS),
        )
