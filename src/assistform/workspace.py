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
from assistform.errors import PlanError, SpecError
from assistform.knowledge.api import KnowledgeApi
from assistform.knowledge.desired import DesiredKnowledge
from assistform.knowledge.hashing import hash_knowledge
from assistform.knowledge.live import LiveVectorStore
from assistform.knowledge.refs import has_refs
from assistform.location import locate, per_env
from assistform.plan.desired import (
    DesiredAssistant,
    desired_from,
    literal_ids,
    with_knowledge_ids,
)
from assistform.plan.knowledge import (
    KnowledgeOptions,
    KnowledgePlan,
    plan_knowledge,
    uses_knowledge,
)
from assistform.plan.model import Plan
from assistform.plan.planner import PlanOptions, make_plan, targeted
from assistform.spec.knowledge import knowledge_from
from assistform.spec.load import LoadResult, display, load_specs
from assistform.state import State, StateFile


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
        where = locate(start, state_path, sandbox=sandbox, env=env)
        project = where.config.require()
        server = project.environments[where.env].server if where.env is not None else None
        return cls(where.root, StateFile(where.state_path), where.env, server)

    def server_options(self, *, sandbox: bool, base_url: str | None) -> ServerOptions:
        """How to reach the server: the flags first, then the environment's settings."""
        if sandbox:
            return ServerOptions(sandbox=True, sandbox_data=per_env(SANDBOX_DATA, self.env))
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

    def load(self) -> LoadResult:
        """Every spec, or a `SpecError` carrying all diagnostics if any is invalid."""
        result = load_specs(self.root, env=self.env)
        if result.errors:
            raise SpecError(result.diagnostics)
        return result

    def desired(self) -> list[DesiredAssistant]:
        return desired_from(self.load().specs)

    def plan(
        self,
        api: AssistantsApi | None,
        *,
        targets: tuple[str, ...] = (),
        replace: tuple[str, ...] = (),
        knowledge_api: KnowledgeApi | None = None,
    ) -> Plan:
        """A fresh plan; `api` None plans from the state alone (--no-refresh). Files and
        vector stores are planned first (their ids go into the assistants' requests), and
        only when the repository declares some or the state records some: a repository
        with neither reads no file and makes no request for them. `knowledge_api` defaults
        to `api`'s own (`OpenAIAssistants.knowledge`)."""
        loaded = self.load()
        desired = desired_from(loaded.specs)
        state = self.state_file.load()
        live = api.list_all() if api is not None else None
        server = api.server_label if api is not None else None
        knowledge = knowledge_from(loaded)
        planned = KnowledgePlan()
        if uses_knowledge(knowledge, state):
            reach = (knowledge_api or _knowledge_of(api)) if api is not None else None
            planned = self._plan_knowledge(knowledge, desired, state, reach, server)
            desired = with_knowledge_ids(desired, knowledge, planned.ids)
            _refuse_leaving_out_assistants_of_new_ids(desired, state, targets)
        options = PlanOptions(
            state_path=display(self.state_file.path),
            tool_version=__version__,
            targets=targets,
            replace=replace,
            env=self.env,
            server=server,
        )
        plan = make_plan(desired, state, live, options, now=datetime.now(UTC))
        if planned.ref is None:
            return plan
        return plan.model_copy(
            update={
                "file_changes": planned.file_changes,
                "vector_store_changes": planned.vector_store_changes,
                "knowledge": planned.ref,
                "warnings": [*plan.warnings, *planned.warnings],
            }
        )

    def _plan_knowledge(
        self,
        knowledge: DesiredKnowledge,
        desired: list[DesiredAssistant],
        state: State,
        api: KnowledgeApi | None,
        server: str | None,
    ) -> KnowledgePlan:
        """Hash the repository's files (from the state's cache where unchanged), list the
        server's files and stores (`api` None: --no-refresh), and plan them."""
        hashed = hash_knowledge(knowledge, state.files)
        recorded = {r.id for r in state.vector_stores.values()}
        lineage, env = state.lineage, self.env

        def managed(store: LiveVectorStore) -> bool:
            # Any lineage of this environment: a lost state adopts its stores with their
            # files (`plan.knowledge`); another repository's are rare, and only listed.
            tag = store.tag
            return (tag is not None and tag.of_env(env)) or store.id in recorded

        live = api.list_knowledge(managed) if api is not None else None
        options = KnowledgeOptions(
            lineage=lineage,
            env=env,
            server=server,
            in_use=literal_ids(desired),
            bytes_hashed=hashed.bytes_read,
        )
        return plan_knowledge(hashed.knowledge, state, live, options)


def _refuse_leaving_out_assistants_of_new_ids(
    desired: list[DesiredAssistant], state: State, targets: tuple[str, ...]
) -> None:
    """A store or file made anew gets a new id, and its old one is deleted once the
    assistants have moved to the new one: an assistant --target leaves out would keep
    naming the deleted one."""
    if not targets:
        return
    left = [
        d.key
        for d in desired
        if d.key in state.resources and not targeted(d.key, targets) and has_refs(d.request)
    ]
    if left:
        shown = ", ".join(left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
        raise PlanError(
            f"--target leaves out {shown}, whose vector store or files this plan makes anew: "
            "left out, they would keep naming the ids it deletes; add them to --target, or "
            "plan without it"
        )


def _knowledge_of(api: AssistantsApi) -> KnowledgeApi:
    """The files and vector stores client of an assistants client that has one."""
    make = getattr(api, "knowledge", None)
    if not callable(make):
        raise PlanError(
            f"this plan needs files and vector stores, and the client of {api.server_label} "
            "has no knowledge API"
        )
    client: KnowledgeApi = make()
    return client
