"""Where a run works: the repository root, its environment of assistform.yaml and its state
file.

Kept apart from `Workspace` so that a command that only reads the state (`output`) finds
it without importing the HTTP stack; `Workspace.discover` is built on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistform.configfile import ConfigResult, read_config
from assistform.spec.discover import find_root
from assistform.state import DEFAULT_STATE_PATH

SANDBOX_STATE_PATH = Path(".assistform/state.json")


@dataclass(frozen=True)
class Location:
    root: Path
    #: The environment of assistform.yaml this run works in, if any.
    env: str | None
    state_path: Path
    config: ConfigResult


def locate(
    start: Path,
    state_path: Path | None = None,
    *,
    sandbox: bool = False,
    env: str | None = None,
) -> Location:
    """The repository around `start`, in environment `env` (default: the one assistform.yaml
    marks `default: true`, if any), and its state file: `state_path` if given, else the
    sandbox's own under .assistform/ (so trying the tool never touches the state a team
    commits), else the environment's, else state/assistform.json."""
    root = find_root(start)
    config = read_config(root)
    name = config.select(env)
    project = config.require()
    if state_path is not None:
        path = state_path
    elif sandbox:
        path = root / per_env(SANDBOX_STATE_PATH, name)
    elif name is not None:
        path = root / project.state_path(name)
    else:
        path = root / DEFAULT_STATE_PATH
    return Location(root, name, path, config)


def per_env(path: Path, env: str | None) -> Path:
    """`.assistform/sandbox.json` -> `.assistform/sandbox-<env>.json`: one sandbox per env."""
    return path if env is None else path.with_name(f"{path.stem}-{env}{path.suffix}")
