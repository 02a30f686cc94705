"""Test doubles of servers: the sandbox's service, bent to answer what it never would."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assistform.sandbox import AssistantsService, LoggedRequest, Response
from assistform.sandbox.profiles import LenientProfile
from assistform.sandbox.validation import ListQuery, validate_list_query


class ScriptedService(AssistantsService):
    """Answers every request with one status and JSON body (and logs it like the sandbox)."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.authorizations: list[str] = []

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        self.authorizations.append(lowered.get("authorization", ""))
        self.stats.record(LoggedRequest(method, path, "scripted", self.status))
        content = json.dumps(self.body).encode("utf-8")
        return Response(self.status, {"content-type": "application/json", **self.headers}, content)


class EchoesTheKey(AssistantsService):
    """A server whose error messages repeat the Authorization header they were sent."""

    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        response = super().handle(method, path, query, headers, body)
        if response.status < 400:
            return response
        auth = {k.lower(): v for k, v in (headers or {}).items()}.get("authorization", "")
        payload = {"error": {"message": f"Refused for {auth}.", "param": "temperature"}}
        return dataclasses.replace(response, body=json.dumps(payload).encode())


class RisingIds(LenientProfile):
    """A self-hosted server whose ids rise with creation, like MongoDB ObjectIds (a fixed
    machine part, then a counter), and whose `created_at` is whole seconds."""

    def __init__(self) -> None:
        self.machine = secrets.token_hex(8)
        self.counter = itertools.count(1)

    def new_id(self) -> str:
        return f"{self.machine}{next(self.counter):08x}"

    def timestamp(self, now: float) -> float:
        return int(now)


class SecondsSortIdCursor(AssistantsService):
    """Issue 12's failure 4: the list sorts by whole-second `created_at` alone (a stable
    sort, so items of one second keep their creation order whichever the direction), while
    `after=X` keeps the items whose id is beyond X's (below it newest first, above it
    oldest first). Oldest first the two orders agree, ids rising with creation; newest
    first, items of the cursor's second listed after it are skipped when their id is higher
    and those listed before it repeated when lower."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        super().__init__(profile=RisingIds(), clock=clock)

    @classmethod
    def holding(cls, others: int) -> SecondsSortIdCursor:
        """One holding `others` assistants made 5 s before anything else; its clock stands
        still after, so whatever a test makes shares one second."""
        now = 1_790_000_000.0
        service = cls(clock=lambda: now + 5)
        for i in range(others):
            fields = service.profile.new_fields({"model": "gpt-4o", "name": f"other-{i}"})
            service.store.add(service.profile.new_id(), service.profile.timestamp(now), fields)
        return service

    def _list(self, query: Mapping[str, str]) -> Response:
        parsed = validate_list_query(query)
        assert isinstance(parsed, ListQuery), parsed
        records = sorted(
            self.store.ordered(), key=lambda r: int(r.created_at), reverse=parsed.descending
        )
        if parsed.after is not None:
            after = parsed.after
            records = [r for r in records if (r.id < after if parsed.descending else r.id > after)]
        data = [self.profile.render(r) for r in records[: parsed.limit]]
        return self._ok(
            {
                "object": "list",
                "data": data,
                "first_id": data[0]["id"] if data else None,
                "last_id": data[-1]["id"] if data else None,
                "has_more": len(records) > parsed.limit,
            }
        )


class BrokenList(AssistantsService):
    """A server whose list breaks the contract (issue 12, failure 5): `thin`, its list body
    is only `{"data": [...]}` (no `object`, `has_more`, `first_id`, `last_id`); `stuck`, it
    ignores `after`, so its cursor never advances. Everything else is the sandbox's."""

    def __init__(self, *, thin: bool = False, stuck: bool = False) -> None:
        super().__init__()
        self.thin = thin
        self.stuck = stuck

    def _list(self, query: Mapping[str, str]) -> Response:
        if self.stuck:
            query = {name: value for name, value in query.items() if name != "after"}
        response = super()._list(query)
        return self._ok({"data": response.json()["data"]}) if self.thin else response


class LaggingList(AssistantsService):
    """A server whose list lags behind its writes, as a read replica does: assistants made
    in the last `lag` seconds are not listed yet (though a GET finds them)."""

    def __init__(self, lag: float = 60.0) -> None:
        super().__init__()
        self.lag = lag

    def _list(self, query: Mapping[str, str]) -> Response:
        body = super()._list(query).json()
        cutoff = self.clock() - self.lag
        body["data"] = [item for item in body["data"] if item["created_at"] <= cutoff]
        body["first_id"] = body["data"][0]["id"] if body["data"] else None
        body["last_id"] = body["data"][-1]["id"] if body["data"] else None
        return self._ok(body)


class Killed(BaseException):
    """A kill, where the test puts one."""


@contextmanager
def killed_before_removing(path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Inside the block, removing `path` (while it exists) is a kill: the moment between
    writing a state file and removing its journal."""
    unlink = Path.unlink

    def killed(target: Path, missing_ok: bool = False) -> None:
        if target == path and target.exists():
            raise Killed
        unlink(target, missing_ok=missing_ok)

    with monkeypatch.context() as patch:
        patch.setattr(Path, "unlink", killed)
        yield


def fake_gh_env(folder: Path, script: str) -> dict[str, str]:
    """The environment of a process that finds `script` as `gh` first on its PATH, with its
    database in `folder` (FAKE_GH_DB) and a token, as a workflow step has them."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(script)
    gh.chmod(0o755)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_GH_DB": str(folder / "github.json"),
        "GH_TOKEN": "ghs_test",
    }
