"""Finding and reading `assistform.yaml`: what every command asks first, with or without one.

Kept apart from the file's models (`assistform.config`), which are imported only when there
is a file to check: a repository without assistform.yaml, the pre-commit hook's common case,
never pays for building them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from assistform.errors import ConfigError, Diagnostic, UsageError
from assistform.spec.discover import CONFIG_FILE, display
from assistform.spec.read import read_text
from assistform.spec.yamlsource import YamlDocument, YamlSyntaxError, parse_yaml

if TYPE_CHECKING:
    from assistform.config import ProjectConfig

__all__ = ["CONFIG_FILE", "ConfigResult", "read_config"]


class ConfigResult(NamedTuple):
    """What reading assistform.yaml gave: the config (None if absent or invalid) and why.

    A named tuple rather than a frozen dataclass: as immutable, and cheaper to define on
    every run.
    """

    path: Path
    config: ProjectConfig | None = None
    document: YamlDocument | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    #: Environment names, read even from an invalid file so overlays are still recognized.
    names: tuple[str, ...] = ()

    @property
    def exists(self) -> bool:
        return self.document is not None or bool(self.diagnostics)

    def require(self) -> ProjectConfig:
        """The config, or a `ConfigError` naming its first problem."""
        if self.diagnostics:
            first = self.diagnostics[0]
            more = len(self.diagnostics) - 1
            tail = f" (and {more} more; run `assistform validate`)" if more else ""
            raise ConfigError(first.message + tail, first.location)
        if self.config is not None:
            return self.config
        from assistform.config import ProjectConfig

        return ProjectConfig()

    def select(self, env: str | None) -> str | None:
        """The environment a command runs in: `env` if given, else the default, else None."""
        config = self.require()
        if env is None:
            return config.default_environment()
        if env not in config.environments:
            if not config.environments:
                raise UsageError(
                    f"--env {env}: no environments are declared "
                    f"(there is no {CONFIG_FILE} with an 'environments' section)"
                )
            from assistform.spec.messages import suggest

            names = ", ".join(sorted(config.environments))
            hint = suggest(env, sorted(config.environments))
            raise UsageError(f"unknown environment '{env}'{hint}; {CONFIG_FILE} declares: {names}")
        return env


def read_config(root: Path, shown: str | None = None) -> ConfigResult:
    """Read and check `root/assistform.yaml`; a missing file is an empty, valid config."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return ConfigResult(path)
    shown = shown or display(path)
    text, problem = read_text(path, shown)
    if problem is not None or text is None:
        return ConfigResult(path, diagnostics=(problem,) if problem else ())
    try:
        document = parse_yaml(text, shown)
    except YamlSyntaxError as exc:
        return ConfigResult(path, diagnostics=(exc.diagnostic,))
    from assistform.config import check_config  # the models, built only for a file to check

    config, diagnostics = check_config(document)
    return ConfigResult(
        path,
        config if not diagnostics else None,
        document,
        tuple(sorted(diagnostics, key=Diagnostic.sort_key)),
        _names(document.data),
    )


def _names(data: Any) -> tuple[str, ...]:
    environments = data.get("environments") if isinstance(data, dict) else None
    if not isinstance(environments, dict):
        return ()
    return tuple(name for name in environments if isinstance(name, str))
