"""`AssistantsApi`: the small interface plan and apply use, and its implementation over the
official `openai` SDK. Nothing here assumes which server answers: ids are opaque, unknown
fields are kept raw, and every failure becomes one `ApiError` line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

from assistform.api.live import LiveAssistant, LiveSet
from assistform.errors import ApiError
from assistform.limits import LIST_LIMIT_MAX

if TYPE_CHECKING:
    import openai

MESSAGE_MAX = 200


class AssistantsApi(Protocol):
    def list_all(self) -> LiveSet: ...

    def create(self, body: dict[str, Any]) -> LiveAssistant: ...

    def update(self, assistant_id: str, body: dict[str, Any]) -> LiveAssistant: ...

    def delete(self, assistant_id: str) -> None: ...


class OpenAIAssistants:
    """`AssistantsApi` over `client.beta.assistants`."""

    def __init__(self, client: openai.OpenAI) -> None:
        self.client = client
        self.requests = 0

    @property
    def base_url(self) -> str:
        return str(self.client.base_url)

    def list_all(self) -> LiveSet:
        """Every assistant, 100 a page: ceil(N/100) requests, duplicates across pages dropped."""
        live = LiveSet()
        seen: set[str] = set()
        repeated = 0
        with self._errors("list assistants"):
            page = self.client.beta.assistants.list(limit=LIST_LIMIT_MAX, order="asc")
            live.requests += 1
            while True:
                for item in page.data:
                    raw = item.to_dict()
                    if item.id in seen:
                        repeated += 1
                        continue
                    seen.add(item.id)
                    live.assistants.append(LiveAssistant(item.id, raw))
                if not page.has_next_page():
                    break
                page = page.get_next_page()
                live.requests += 1
        self.requests += live.requests
        if repeated:
            live.warnings.append(
                f"the server repeated {repeated} assistant(s) across list pages; "
                "duplicates were dropped (its pagination is unstable)"
            )
        return live

    def create(self, body: dict[str, Any]) -> LiveAssistant:
        # No SDK retries: a retried POST whose first answer was lost makes a duplicate.
        # The caller looks the ownership tag up before it tries again.
        with self._errors("create assistant"):
            self.requests += 1
            created = self.client.with_options(max_retries=0).beta.assistants.create(**body)
        return LiveAssistant(created.id, created.to_dict())

    def update(self, assistant_id: str, body: dict[str, Any]) -> LiveAssistant:
        with self._errors(f"update assistant {assistant_id}"):
            self.requests += 1
            updated = self.client.with_options(max_retries=0).beta.assistants.update(
                assistant_id, **body
            )
        return LiveAssistant(updated.id, updated.to_dict())

    def delete(self, assistant_id: str) -> None:
        with self._errors(f"delete assistant {assistant_id}"):
            self.requests += 1
            self.client.with_options(max_retries=0).beta.assistants.delete(assistant_id)

    def _errors(self, what: str) -> _ErrorTranslator:
        return _ErrorTranslator(what, self.base_url)


class _ErrorTranslator:
    """Turns SDK exceptions into one-line `ApiError`s (never the echoed request body)."""

    def __init__(self, what: str, base_url: str) -> None:
        self.what = what
        self.base_url = base_url

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if exc is None:
            return
        import openai

        if isinstance(exc, openai.APITimeoutError):
            raise ApiError(
                f"{self.what}: no answer from {self.base_url} in time",
                url=self.base_url, transient=True, ambiguous=True,
            ) from None
        if isinstance(exc, openai.APIConnectionError):
            raise ApiError(
                f"{self.what}: cannot reach {self.base_url} ({_first_sentence(str(exc.__cause__ or exc))})",
                url=self.base_url, transient=True, ambiguous=True,
            ) from None
        if isinstance(exc, openai.APIStatusError):
            raise status_error(self.what, exc) from None


def status_error(what: str, exc: Any) -> ApiError:
    status = int(exc.status_code)
    message, code, param = _error_fields(exc)
    retry_after = _retry_after(exc.response.headers.get("retry-after"))
    parts = [f"{what}: HTTP {status}"]
    if code:
        parts.append(f"[{code}]")
    text = " ".join(parts) + f": {message}"
    if param:
        text += f" (param: {param})"
    transient = status in (408, 409, 429) or status >= 500
    return ApiError(
        text, status=status, code=code, param=param, transient=transient,
        ambiguous=status >= 500, retry_after=retry_after,
    )


def _error_fields(exc: Any) -> tuple[str, str | None, str | None]:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        code = body.get("code") or body.get("type")
        param = body.get("param")
        return _first_sentence(body["message"]), str(code) if code else None, (
            str(param) if param else None
        )
    if isinstance(body, dict) and isinstance(body.get("detail"), list) and body["detail"]:
        # pydantic-style 422 of other servers: keep the place and the complaint, never the
        # echoed input, which may be a whole 256 KB prompt.
        first = body["detail"][0]
        if isinstance(first, dict):
            loc = ".".join(str(p) for p in first.get("loc", []) if p != "body")
            return _first_sentence(str(first.get("msg", "invalid request"))), (
                str(first.get("type")) if first.get("type") else None
            ), loc or None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return _first_sentence(body["detail"]), None, None
    return _first_sentence(str(getattr(exc, "message", "") or "request failed")), None, None


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    return sentence if len(sentence) <= MESSAGE_MAX else sentence[: MESSAGE_MAX - 3] + "..."


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
