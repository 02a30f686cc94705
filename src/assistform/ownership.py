"""The ownership tag: one metadata pair on every assistant assistform manages.

Like Argo CD's tracking label, it lets a listing find our assistants without the state file
(a lost state, or a create whose answer never came) and keeps us off everyone else's.
One pair only, because a user's metadata shares the API's limit of 16.

The value is `<key>@<lineage>@<env>`: the spec's key, the lineage of the state that manages
it, and the environment of assistform.yaml it was applied in (empty for a repository without
environments: `<key>@<lineage>@`). The environment is part of it because two environments
may share one server, and each must know the other's assistants on sight, whatever its own
state holds. Neither a key (`spec.discover.KEY_PATTERN`), an environment name
(`config.ENV_NAME_PATTERN`) nor a lineage (a uuid) contains `@`, so the parts split without
ambiguity.

An assistant under `lifecycle.strategy: blue-green` carries a second reserved pair,
`assistform-version: <n>`: the version it is of its key. A version an apply created but was
killed before recording is thereby known for what it is (an unrecorded version, deleted by
the next apply) rather than taken for a duplicate; the kept versions are the state's.

Tags written before environments were part of it, `<key>@<lineage>`, are still read
(`legacy`): they could belong to any environment, so only a state that records their id
manages them, and its next apply rewrites them in the current form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from assistform import limits

TAG_KEY = "assistform"
#: The second reserved pair, on blue-green versions only (the spec leaves room for it).
VERSION_KEY = "assistform-version"
RESERVED_KEYS = frozenset({TAG_KEY, VERSION_KEY})
#: Metadata pairs left for the user once the tag takes its one.
USER_METADATA_MAX = limits.METADATA_PAIRS_MAX - 1
#: Attributes of a vector store's file that assistform sets (`<store key>@<lineage>@<env>`,
#: and the start of the content's sha256), and the room they leave a spec of the API's 16.
FILE_TAG_KEY = TAG_KEY
FILE_HASH_KEY = "assistform-sha256"
RESERVED_ATTRIBUTE_KEYS = frozenset({FILE_TAG_KEY, FILE_HASH_KEY})
USER_ATTRIBUTES_MAX = limits.ATTRIBUTES_MAX - len(RESERVED_ATTRIBUTE_KEYS)
#: The longest environment name: it is part of every tag of that environment.
ENV_MAX = 64
#: A lineage is a uuid (36 characters).
LINEAGE_LENGTH = 36
#: `<key>@<lineage>@<env>` fits the API's metadata value limit for the longest env name.
KEY_MAX = limits.METADATA_VALUE_MAX - LINEAGE_LENGTH - ENV_MAX - 2
SEPARATOR = "@"


class OwnershipTag(NamedTuple):
    """Whose an assistant is: a value (a named tuple, cheap to define on every hook run)."""

    key: str
    lineage: str
    #: The environment that owns the assistant; None for a repository without environments
    #: (and for a legacy tag, which does not say).
    env: str | None = None
    #: Written as `<key>@<lineage>` by an assistform that did not tag environments yet.
    legacy: bool = False

    def value(self) -> str:
        if self.legacy:
            return f"{self.key}{SEPARATOR}{self.lineage}"
        return SEPARATOR.join((self.key, self.lineage, self.env or ""))

    def of_env(self, env: str | None) -> bool:
        """Whether the tag says it belongs to environment `env` (never for a legacy tag)."""
        return not self.legacy and self.env == env

    def of_other_env(self, env: str | None) -> bool:
        """Whether the tag says it belongs to an environment other than `env`: such an
        assistant is never adopted, changed or deleted from `env`."""
        return not self.legacy and self.env != env


def tag_of(metadata: Any) -> OwnershipTag | None:
    """The tag in a live assistant's metadata, if it carries a well-formed one."""
    if not isinstance(metadata, dict):
        return None
    raw = metadata.get(TAG_KEY)
    if not isinstance(raw, str):
        return None
    parts = raw.split(SEPARATOR)
    if len(parts) == 2 and all(parts):
        return OwnershipTag(parts[0], parts[1], legacy=True)
    if len(parts) == 3 and parts[0] and parts[1]:
        return OwnershipTag(parts[0], parts[1], parts[2] or None)
    return None


def env_label(env: str | None) -> str:
    """How messages name the owner of a tag: `environment prod`, or the environment-less one."""
    return f"environment {env}" if env else "a repository without environments"


def with_tag(metadata: dict[str, str] | None, tag: OwnershipTag) -> dict[str, str]:
    return {**(metadata or {}), TAG_KEY: tag.value()}


def without_tag(metadata: Any) -> dict[str, Any]:
    """The user's metadata: without the ownership tag and the version tag. Anything but a
    mapping (a server's null, or a value it should not have sent) holds none."""
    if not isinstance(metadata, dict):
        return {}
    return {k: v for k, v in metadata.items() if k not in RESERVED_KEYS}


def with_version(metadata: dict[str, str], version: int) -> dict[str, str]:
    return {**metadata, VERSION_KEY: str(version)}


def version_of(metadata: Any) -> int | None:
    """The blue-green version a live assistant's metadata names, if a well-formed one."""
    raw = metadata.get(VERSION_KEY) if isinstance(metadata, dict) else None
    if isinstance(raw, str) and raw.isdigit() and raw[0] != "0":
        return int(raw)
    return None


def rebuild_command(env: str | None, lineage: str, *, sandbox: bool = False) -> str:
    """The command that records, in env's state, the assistants tagged with `lineage`."""
    flags = [f"--env {env}"] if env else []
    flags += ["--sandbox"] if sandbox else []
    return " ".join(["assistform state rebuild", *flags, f"--lineage {lineage}"])


def rebuild_commands(env: str | None, lineages: Iterable[str], *, sandbox: bool = False) -> str:
    """`rebuild_command` for each lineage, quoted as code, as alternatives for a message."""
    return " or ".join(f"`{rebuild_command(env, lin, sandbox=sandbox)}`" for lin in lineages)
