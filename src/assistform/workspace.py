"""The imperative shell around the planner: read specs, state and the live set, then plan.

Commands (plan, apply, ...) share this so that a plan is always made the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistform import __version__
from assistform.api.client import AssistantsApi
from assistform.api.connect import SANDBOX_DATA, ServerOptions
from assistform.config import ServerConfig
from assistform.configfile import read_config
from assistform.errors import SpecError
from assistform.plan.desired import DesiredAssistant, desired_from
from assistform.plan.model import Plan
from assistform.plan.planner import PlanOptions, make_plan
from assistform.spec.load import display, find_root, load_specs
from assistform.state import DEFAULT_STATE_PATH, StateFile

SANDBOX_STATE_PATH = Path(".assistform/state.json")


@dataclass(frozen=True)
class Workspace:
    root: Path
    state_file: StateFile
    #: The environment of assistform.yaml this run works in, if any.
    env: str | None = None
    #: How assistform.yaml says to reach that environment's server.
    server: ServerConfig | None = None

    @classmethod
    def discover(
        cls,
        start: Path,
        state_path: Path | None = None,
        *,
        sandbox: bool = False,
        env: str | None = None,
    ) -> Workspace:
        """The workspace around `start`, in environment `env` (default: the one assistform.yaml
        marks `default: true`, if any). A sandbox run keeps its own state under .assistform/,
        so trying the tool never touches the state a team commits."""
        root = find_root(start)
        config = read_config(root)
        name = config.select(env)
        project = config.require()
        if state_path is not None:
            path = state_path
        elif sandbox:
            path = root / _per_env(SANDBOX_STATE_PATH, name)
        elif name is not None:
            path = root / project.state_path(name)
        else:
            path = root / DEFAULT_STATE_PATH
        server = project.environments[name].server if name is not None else None
        return cls(root, StateFile(path), name, server)

    def server_options(self, *, sandbox: bool, base_url: str | None) -> ServerOptions:
        """How to reach the server: the flags first, then the environment's settings."""
        if sandbox:
            return ServerOptions(sandbox=True, sandbox_data=_per_env(SANDBOX_DATA, self.env))
        server = self.server or ServerConfig()
        return ServerOptions(
            base_url=base_url or server.base_url,
            api_key_env=server.api_key_env,
            organization=server.organization,
            project=server.project,
            headers=dict(server.headers),
            timeout=server.timeout,
            retry=server.retry_policy(),
        )

    def desired(self) -> list[DesiredAssistant]:
        """Every spec, or a `SpecError` carrying all diagnostics if any is invalid."""
        result = load_specs(self.root, env=self.env)
        if result.errors:
            raise SpecError(result.diagnostics)
        return desired_from(result.specs)

    def plan(
        self,
        api: AssistantsApi | None,
        *,
        targets: tuple[str, ...] = (),
        replace: tuple[str, ...] = (),
    ) -> Plan:
        """A fresh plan; `api` None plans from the state alone (--no-refresh)."""
        desired = self.desired()
        state = self.state_file.load()
        live = api.list_all() if api is not None else None
        options = PlanOptions(
            state_path=display(self.state_file.path),
            tool_version=__version__,
            targets=targets,
            replace=replace,
            env=self.env,
            server=api.server_label if api is not None else None,
        )
        return make_plan(desired, state, live, options, now=datetime.now(UTC))


def _per_env(path: Path, env: str | None) -> Path:
    """`.assistform/sandbox.json` -> `.assistform/sandbox-<env>.json`: one sandbox per env."""
    return path if env is None else path.with_name(f"{path.stem}-{env}{path.suffix}")
