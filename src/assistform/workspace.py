"""The imperative shell around the planner: read specs, state and the live set, then plan.

Commands (plan, apply, ...) share this so that a plan is always made the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistform import __version__
from assistform.api.client import AssistantsApi
from assistform.errors import SpecError
from assistform.plan.desired import DesiredAssistant, desired_from
from assistform.plan.model import Plan
from assistform.plan.planner import PlanOptions, make_plan
from assistform.spec.load import display, find_root, load_specs
from assistform.state import DEFAULT_STATE_PATH, StateFile


@dataclass(frozen=True)
class Workspace:
    root: Path
    state_file: StateFile

    @classmethod
    def discover(cls, start: Path, state_path: Path | None = None) -> Workspace:
        root = find_root(start)
        path = state_path if state_path is not None else root / DEFAULT_STATE_PATH
        return cls(root, StateFile(path))

    def desired(self) -> list[DesiredAssistant]:
        """Every spec, or a `SpecError` carrying all diagnostics if any is invalid."""
        result = load_specs(self.root)
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
        )
        return make_plan(desired, state, live, options, now=datetime.now(UTC))
