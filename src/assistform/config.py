"""`assistform.yaml`: the environments a repository deploys to, and the policy its specs obey.

The file is optional: without it every command works on the specs as written. It is read
like a spec (positions kept, unknown keys refused with a suggestion) and imports nothing
that talks to the network, because `validate` reads it on every commit.

This module holds the file's models and checks; `assistform.configfile` finds and reads the
file and imports this module only when there is one to check.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from assistform import limits, ownership
from assistform.api.retry import RetryPolicy, policy_for_retries
from assistform.errors import Diagnostic
from assistform.spec.discover import CONFIG_FILE
from assistform.spec.messages import locate, message
from assistform.spec.yamlsource import DataPath, YamlDocument

#: An environment's name becomes part of file names (`x.prod.yaml`, `state/prod.json`)
#: and of the ownership tag of every assistant it manages (hence its length limit).
ENV_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
ENV_NAME_MAX = ownership.ENV_MAX
ENV_VAR_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
#: Headers that carry credentials: a committed file must name a variable instead.
SECRET_HEADERS = frozenset({"authorization", "api-key", "x-api-key", "openai-api-key"})

ToolType = Literal["code_interpreter", "file_search", "function"]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)


class ServerConfig(_Strict):
    """How to reach an environment's server; mapped onto `api.connect.ServerOptions`."""

    base_url: Annotated[str, StringConstraints(min_length=1)] | None = None
    api_key_env: Annotated[str, StringConstraints(pattern=ENV_VAR_PATTERN)] = "OPENAI_API_KEY"
    organization: str | None = None
    project: str | None = None
    headers: dict[str, str] = {}
    timeout: Annotated[float, Field(gt=0)] = 30.0
    #: Retries of a failed request (429, 5xx, timeout) after its first try; None: the
    #: default of `api.retry.RetryPolicy`. `--max-tries` beats it.
    max_retries: Annotated[int, Field(ge=0)] | None = None

    def retry_policy(self) -> RetryPolicy:
        """How requests to this server are retried."""
        if self.max_retries is None:
            return RetryPolicy()
        return policy_for_retries(self.max_retries)


class Policy(_Strict):
    """Rules every spec must follow; `validate` reports a broken rule like any other error."""

    #: Glob patterns (fnmatch); a spec's model must match one of them.
    allowed_models: Annotated[list[str], Field(min_length=1)] | None = None
    #: Metadata keys every spec must set.
    required_metadata: list[str] = []
    #: A regular expression the spec's `name` must match (searched, as JSON Schema does).
    name_pattern: str | None = None
    max_temperature: (
        Annotated[float, Field(ge=limits.TEMPERATURE_MIN, le=limits.TEMPERATURE_MAX)] | None
    ) = None
    forbidden_tools: list[ToolType] = []
    #: Glob patterns of keys whose spec must set `lifecycle.prevent_destroy: true`.
    prevent_destroy: list[str] = []

    def merged_with(self, other: Policy | None) -> Policy:
        """This policy with each rule `other` sets replacing ours, rule by rule."""
        if other is None:
            return self
        return self.model_copy(update=other.model_dump(exclude_unset=True))


class Override(_Strict):
    """Values that differ in one environment, for the keys matching `keys` (globs)."""

    keys: str | Annotated[list[str], Field(min_length=1)] = "*"
    set: dict[str, Any]

    @property
    def patterns(self) -> list[str]:
        return [self.keys] if isinstance(self.keys, str) else list(self.keys)

    def applies_to(self, key: str) -> bool:
        return any(fnmatch.fnmatchcase(key, pattern) for pattern in self.patterns)


class Environment(_Strict):
    """One deployment: its server, state file, overrides and policy."""

    default: bool = False
    server: ServerConfig = ServerConfig()
    #: The state file, relative to the repository root (default `state/<name>.json`).
    state: Annotated[str, StringConstraints(min_length=1)] | None = None
    overrides: list[Override] = []
    policy: Policy | None = None


class ProjectConfig(_Strict):
    """The whole of assistform.yaml."""

    environments: dict[str, Environment] = {}
    policy: Policy = Policy()

    def default_environment(self) -> str | None:
        return next((name for name, env in self.environments.items() if env.default), None)

    def policy_for(self, env: str | None) -> Policy:
        """The global policy, with the rules the environment sets in its place."""
        if env is None:
            return self.policy
        return self.policy.merged_with(self.environments[env].policy)

    def state_path(self, env: str) -> Path:
        configured = self.environments[env].state
        return Path(configured) if configured is not None else Path("state") / f"{env}.json"


def check_config(document: YamlDocument) -> tuple[ProjectConfig | None, list[Diagnostic]]:
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        where = document.location(())
        return None, [
            Diagnostic(where, f"{CONFIG_FILE} must be a mapping, not a {type(data).__name__}")
        ]
    diagnostics = list(document.problems)
    try:
        config = ProjectConfig.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            target = locate(error, data, ProjectConfig)
            where = document.location(target.path, key=target.at_key)
            diagnostics.append(Diagnostic(where, message(error, target)))
        return None, diagnostics
    diagnostics.extend(_check_names(config, document))
    diagnostics.extend(_check_defaults(config, document))
    diagnostics.extend(_check_headers(config, document))
    diagnostics.extend(_check_patterns(config, document))
    return (None if diagnostics else config), diagnostics


def _check_names(config: ProjectConfig, document: YamlDocument) -> list[Diagnostic]:
    found = []
    for name in config.environments:
        where = document.location(("environments", name), key=True)
        if not ENV_NAME_PATTERN.match(name):
            found.append(
                Diagnostic(
                    where,
                    f"environment name '{name}' may only use letters, digits, '_' and '-' "
                    "(it becomes part of file names such as assistants/<key>.<env>.yaml)",
                )
            )
        elif len(name) > ENV_NAME_MAX:
            found.append(
                Diagnostic(
                    where,
                    f"environment name '{name[:20]}...' is longer than {ENV_NAME_MAX} "
                    "characters (it is part of the ownership tag in every assistant's metadata)",
                )
            )
    return found


def _check_defaults(config: ProjectConfig, document: YamlDocument) -> list[Diagnostic]:
    defaults = [name for name, env in config.environments.items() if env.default]
    return [
        Diagnostic(
            document.location(("environments", name, "default")),
            f"only one environment may be the default; '{defaults[0]}' already is",
        )
        for name in defaults[1:]
    ]


def _check_headers(config: ProjectConfig, document: YamlDocument) -> list[Diagnostic]:
    found = []
    for name, env in config.environments.items():
        for header in env.server.headers:
            if header.lower() in SECRET_HEADERS:
                found.append(
                    Diagnostic(
                        document.location(
                            ("environments", name, "server", "headers", header), key=True
                        ),
                        f"header '{header}' would put a credential in a committed file; "
                        "name the variable that holds the key in server.api_key_env instead",
                    )
                )
    return found


def _check_patterns(config: ProjectConfig, document: YamlDocument) -> list[Diagnostic]:
    policies: list[tuple[DataPath, Policy]] = [(("policy",), config.policy)]
    policies += [
        (("environments", name, "policy"), env.policy)
        for name, env in config.environments.items()
        if env.policy is not None
    ]
    found = []
    for path, policy in policies:
        if policy.name_pattern is None:
            continue
        try:
            re.compile(policy.name_pattern)
        except re.error as exc:
            found.append(
                Diagnostic(
                    document.location((*path, "name_pattern")),
                    f"name_pattern is not a valid regular expression: {exc}",
                )
            )
    return found
