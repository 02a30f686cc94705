"""The one hierarchy of user-facing errors.

Every error a user can cause or fix derives from `AssistformError`. The CLI is the single
place that turns them into one-line messages and exit codes; nothing else prints them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

# The value types below are named tuples rather than frozen dataclasses: as immutable,
# hashable and ordered, and some ten times cheaper to define, which every hook run pays.


class SourceLocation(NamedTuple):
    """A position in a file: 1-based line and column, like a compiler's."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.col}"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Diagnostic(NamedTuple):
    """One finding of validation, reported as `path:line:col: severity: message`."""

    location: SourceLocation
    message: str
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.path, self.location.line, self.location.col, self.message)

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}: {self.message}"


class AssistformError(Exception):
    """Base of every error the user should see as one line, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str, location: SourceLocation | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is not None:
            return f"{self.location}: error: {self.message}"
        return f"error: {self.message}"


class UsageError(AssistformError):
    """The command line itself is wrong (exit 2, like click's own usage errors)."""

    exit_code = 2


class SpecError(AssistformError):
    """One or more specs are invalid; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        first = errors[0] if errors else diagnostics[0]
        super().__init__(first.message, first.location)
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


class ConfigError(AssistformError):
    """assistform.yaml (environments, policy) is invalid."""


class StateError(AssistformError):
    """The state file is unreadable, corrupt, or of an unknown format version."""


class LockError(AssistformError):
    """The state is locked by another run."""


class PlanError(AssistformError):
    """A plan cannot be made or carried out as asked (prevent_destroy, duplicates, ...)."""


class StalePlanError(PlanError):
    """A saved plan no longer matches the state or the live assistants."""


class ApiError(AssistformError):
    """The assistants API refused a request or could not be reached.

    `transient` errors may succeed if tried again (429, 408, 409, 5xx, network);
    `ambiguous` ones may have reached the server before failing (a write may have happened).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        url: str | None = None,
        transient: bool = False,
        ambiguous: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.param = param
        self.url = url
        self.transient = transient
        self.ambiguous = ambiguous
        self.retry_after = retry_after
