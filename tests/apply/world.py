"""A world to apply plans in: a real loopback server, the real SDK, a real state file.

Plans are made from `DesiredAssistant`s directly (no spec files), through the real
planner, so these tests exercise apply exactly as the CLI drives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assistform.api.client import OpenAIAssistants
from assistform.apply.retry import RetryPolicy
from assistform.apply.run import ApplyResult, ApplySettings, apply_plan, state_for
from assistform.ownership import tag_of
from assistform.plan.desired import DesiredAssistant
from assistform.plan.live import LiveAssistant
from assistform.plan.model import Plan
from assistform.plan.planner import PlanOptions, make_plan
from assistform.sandbox import Faults, SandboxServer
from assistform.state import StateFile

#: Quick retries, so fault tests take fractions of a second, but as many as in production.
FAST_RETRIES = RetryPolicy(max_tries=6, max_seconds=20.0, base_delay=0.01, max_delay=0.05)


def spec(key: str, **fields: Any) -> DesiredAssistant:
    request: dict[str, Any] = {
        "model": "gpt-4o",
        "name": f"Bot {key}",
        "instructions": f"You are {key}.",
    }
    request.update(fields)
    lifecycle: dict[str, Any] = request.pop("lifecycle", {})
    return DesiredAssistant(key=key, request=request, lifecycle=lifecycle, source=f"{key}.yaml")


def specs(count: int, prefix: str = "team/bot") -> list[DesiredAssistant]:
    return [spec(f"{prefix}{i:03d}") for i in range(count)]


@dataclass
class World:
    server: SandboxServer
    api: OpenAIAssistants
    state_file: StateFile
    settings: ApplySettings = field(
        default_factory=lambda: ApplySettings(parallelism=8, policy=FAST_RETRIES)
    )

    def plan(
        self,
        desired: list[DesiredAssistant],
        *,
        replace: tuple[str, ...] = (),
        env: str | None = None,
    ) -> Plan:
        options = PlanOptions(
            state_path="state.json", tool_version="test", replace=replace, env=env
        )
        live = self.api.list_all()
        return make_plan(desired, self.state_file.load(), live, options, now=datetime.now(UTC))

    def apply_plan(self, plan: Plan) -> ApplyResult:
        state = state_for(plan, self.state_file)
        return apply_plan(plan, self.api, self.state_file, state, self.settings)

    def apply(self, desired: list[DesiredAssistant], **kwargs: Any) -> ApplyResult:
        return self.apply_plan(self.plan(desired, **kwargs))

    def live(self) -> list[LiveAssistant]:
        """What the server holds now, read past any faults."""
        faults, self.server.faults = self.server.faults, Faults()
        try:
            return self.api.list_all().assistants
        finally:
            self.server.faults = faults

    def assert_converged(self, desired: list[DesiredAssistant]) -> None:
        """One live assistant per key, the state names exactly those, the plan is clean."""
        live = self.live()
        tags = [tag_of(a.raw.get("metadata")) for a in live]
        assert None not in tags, "no untagged leftovers"
        keys = sorted(t.key for t in tags if t is not None)
        assert keys == sorted(d.key for d in desired), "one live assistant per spec"
        state = self.state_file.load()
        assert {k: r.id for k, r in state.resources.items()} == {
            t.key: a.id for t, a in zip(tags, live, strict=True) if t is not None
        }, "the state names exactly the live assistants"
        self.server.faults, faults = Faults(), self.server.faults
        try:
            plan = self.plan(desired)
        finally:
            self.server.faults = faults
        assert not plan.has_changes and not plan.writes_state, [
            (c.key, c.action.value) for c in plan.resource_changes if c.writes_state
        ]
