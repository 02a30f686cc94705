"""`AssistantsApi`: the small interface plan and apply use, and its implementation over the
official `openai` SDK. Nothing here assumes which server answers: ids are opaque, unknown
fields are kept raw, and every failure becomes one `ApiError` line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar
from urllib.parse import urlencode

from assistform.api.paging import page_query, read_all
from assistform.api.retry import Budget, Clock, RetryPolicy
from assistform.errors import ApiError
from assistform.limits import LIST_LIMIT_MAX
from assistform.plan.live import LiveAssistant, LiveSet
from assistform.redact import Redactor, mask_url

if TYPE_CHECKING:
    import openai
    from openai.pagination import SyncCursorPage
    from openai.types.beta import Assistant

    from assistform.api.knowledge import OpenAIKnowledge

MESSAGE_MAX = 200
#: Masks the URLs in a text, and knows no secret of its own.
_NO_SECRETS = Redactor()

T = TypeVar("T")


class AssistantsApi(Protocol):
    @property
    def server_label(self) -> str: ...

    def list_all(self) -> LiveSet: ...

    def get(self, assistant_id: str) -> LiveAssistant: ...

    def create(self, body: dict[str, Any]) -> LiveAssistant: ...

    def update(self, assistant_id: str, body: dict[str, Any]) -> LiveAssistant: ...

    def delete(self, assistant_id: str) -> None: ...


class OpenAIAssistants:
    """`AssistantsApi` over `client.beta.assistants`.

    The SDK's own retries are off for every call (whatever `client` was made with);
    `policy` retries each request instead, once: each page of a listing, a get, an update,
    a delete. A create is sent once: see `create`.
    """

    def __init__(
        self,
        client: openai.OpenAI,
        *,
        policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        redact: Redactor | None = None,
    ) -> None:
        self.client = client
        self.policy = policy if policy is not None else RetryPolicy()
        self.clock = clock if clock is not None else Clock()
        self.requests = 0
        #: Masks this connection's secrets (key, URL credentials, headers) in any text.
        self.redact = Redactor.for_server(client.api_key, self.base_url).including(
            redact or Redactor()
        )

    @property
    def base_url(self) -> str:
        return str(self.client.base_url)

    @property
    def server_label(self) -> str:
        """Which server this is, for a plan to name: its base URL with every credential
        masked (a plan is an artifact CI uploads), or `sandbox`.

        Credentials say who is asking, not where: two URLs that differ only in them are
        the same server. No hash of the full URL is kept either, since a hash of a
        password beside the rest of its URL can be tested against guesses offline.
        """
        from assistform.sandbox.inprocess import BASE_URL as SANDBOX_URL

        url = self.base_url.rstrip("/")
        if url == SANDBOX_URL.rstrip("/"):
            return "sandbox"
        query = self.client.default_query
        if query:
            url += "?" + urlencode({k: str(v) for k, v in query.items()})
        return mask_url(url)

    def knowledge(self) -> OpenAIKnowledge:
        """The server's files and vector stores (`knowledge.api.KnowledgeApi`), on this
        connection: the same SDK client, retry policy, clock and secrets to mask."""
        from assistform.api.knowledge import OpenAIKnowledge

        return OpenAIKnowledge(self)

    def list_all(self) -> LiveSet:
        """Every assistant, 100 a page: ceil(N/100) requests, duplicates across pages dropped.

        A listing always ends: with `has_more: false`, with a page shorter than the limit
        from a server that says nothing of `has_more`, or with a page that brings nothing
        new. When it cannot be sure it saw everything (a full page, and the next one brings
        nothing new: a cursor that does not advance), the `LiveSet` says so (`complete`
        false, `gap`), and the planner refuses to create or delete on the strength of it.

        A server that repeats items across pages resolves `after` imprecisely (e.g. by the
        second of `created_at`), and such a server may as well skip items; a skipped
        assistant would be planned as a create, a duplicate. So when a listing repeats, or
        stops short, it is walked once more newest first, whose pages break elsewhere, and
        anything new it finds is kept. One warning says so.
        """
        live = LiveSet()
        listing = read_all(
            lambda order, after: self._page(live, order, after),
            noun="assistant",
            limit=LIST_LIMIT_MAX,
        )
        live.assistants = [LiveAssistant(item.id, raw_dict(item)) for item in listing.items]
        live.warnings.extend(listing.warnings())
        if not listing.complete:
            live.complete = False
            live.gap = listing.gap
        return live

    def _page(
        self, live: LiveSet, order: Literal["asc", "desc"], after: str | None
    ) -> SyncCursorPage[Assistant]:
        query = page_query(LIST_LIMIT_MAX, order, after)

        def send() -> SyncCursorPage[Assistant]:
            live.requests += 1
            return self.sdk().beta.assistants.list(**query)

        return self.send("list assistants", send)

    def get(self, assistant_id: str) -> LiveAssistant:
        """One assistant by id (retried: a GET changes nothing)."""
        found = self.send(
            f"get assistant {assistant_id}",
            lambda: self.sdk().beta.assistants.retrieve(assistant_id),
        )
        return LiveAssistant(found.id, raw_dict(found))

    def create(self, body: dict[str, Any]) -> LiveAssistant:
        """Sent once, never retried here: a retried POST whose first answer was lost makes a
        duplicate. The caller (`apply.creates.safe_create`) looks the ownership tag up
        before it tries again."""
        created = self.send(
            "create assistant",
            lambda: self.sdk().beta.assistants.create(**body),
            retry=False,
        )
        return LiveAssistant(created.id, raw_dict(created))

    def update(self, assistant_id: str, body: dict[str, Any]) -> LiveAssistant:
        """Retried: sending the same modify again after a lost answer changes nothing more."""
        updated = self.send(
            f"update assistant {assistant_id}",
            lambda: self.sdk().beta.assistants.update(assistant_id, **body),
        )
        return LiveAssistant(updated.id, raw_dict(updated))

    def delete(self, assistant_id: str) -> None:
        """Retried: a delete whose answer was lost meets a 404 (or a 403) when sent again,
        which the caller takes as done (see `apply.creates.delete_if_present`)."""
        self.send(
            f"delete assistant {assistant_id}",
            lambda: self.sdk().beta.assistants.delete(assistant_id),
        )

    def send(self, what: str, request: Callable[[], T], *, retry: bool = True) -> T:
        """`request()` as one `ApiError`-raising call, under one budget of the policy (or
        sent once, `retry=False`). Every request of this connection goes through here,
        the knowledge client's (`api.knowledge`) too."""

        def attempt() -> T:
            with self._errors(what):
                self.requests += 1
                return request()

        if not retry:
            return attempt()
        return Budget(self.policy, self.clock).call(attempt)

    def sdk(self) -> openai.OpenAI:
        # Our policy is the only one: SDK retries under it would multiply the tries (and
        # retry a create blindly).
        return self.client.with_options(max_retries=0)

    def _errors(self, what: str) -> _ErrorTranslator:
        return _ErrorTranslator(what, self.base_url, self.redact)

    # Raw answers, for a caller that studies the server rather than uses it (the doctor):
    # each request is sent once (a retried create whose answer was lost would leave an
    # assistant behind), and any HTTP answer, a refusal included, comes back as it was sent.
    # Only a request that got no answer raises (an `ApiError`).

    def create_raw(
        self, body: Mapping[str, Any], *, extra_body: Mapping[str, Any] | None = None
    ) -> RawAnswer:
        """Create an assistant from `body` (plus `extra_body`, sent as is)."""
        extra = None if extra_body is None else dict(extra_body)
        return self.raw(
            "create assistant",
            lambda sdk: sdk.beta.assistants.with_raw_response.create(**body, extra_body=extra),
        )

    def get_raw(self, assistant_id: str) -> RawAnswer:
        """Retrieve one assistant."""
        return self.raw(
            "get assistant",
            lambda sdk: sdk.beta.assistants.with_raw_response.retrieve(assistant_id),
        )

    def list_page_raw(
        self, *, limit: int, order: Literal["asc", "desc"], after: str | None = None
    ) -> RawAnswer:
        """One page of the listing (the SDK's model would hide keys it does not know)."""

        return self.raw(
            "list assistants",
            lambda sdk: sdk.beta.assistants.with_raw_response.list(
                **page_query(limit, order, after)
            ),
        )

    def raw(self, what: str, request: Callable[[openai.OpenAI], Any]) -> RawAnswer:
        import openai

        with self._errors(what):
            self.requests += 1
            try:
                answer = request(self.sdk())
                # A resource's raw answer wraps the HTTP response; a bare `sdk.get` is one.
                http = getattr(answer, "http_response", answer)
            except openai.APIStatusError as exc:
                return RawAnswer(
                    exc.status_code,
                    exc.response.headers,
                    exc.response.text,
                    _json_or_none(exc.response),
                    status_error(what, exc, self.redact),
                )
        return RawAnswer(http.status_code, http.headers, http.text, _json_or_none(http), None)


@dataclass(frozen=True)
class RawAnswer:
    """An HTTP answer as the server sent it, refusals included."""

    status: int
    headers: Mapping[str, str]
    text: str
    #: The body as JSON, or None when it is not JSON.
    body: Any
    #: For a refusal, the `ApiError` assistform shows for it (secrets masked); else None.
    error: ApiError | None


def _json_or_none(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def raw_dict(item: Any) -> dict[str, Any]:
    # warnings=False: servers that send e.g. a float created_at would print a pydantic
    # warning per assistant; the raw fields are all the planner wants.
    raw: dict[str, Any] = item.to_dict(warnings=False)
    return raw


class _ErrorTranslator:
    """Turns SDK exceptions into one-line `ApiError`s (never the echoed request body, never
    a secret: the URL is named masked, and a key or header value a server echoes is hidden)."""

    def __init__(
        self, what: str, base_url: str, redact: Callable[[str], str] = _NO_SECRETS
    ) -> None:
        self.what = what
        self.base_url = mask_url(base_url)
        self.redact = redact

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        if exc is None:
            return
        if isinstance(exc, ApiError):
            # Raised inside the block by our own code: masked on its way out all the same.
            _redact_error(exc, self.redact)
            return
        try:
            self._translate(exc)
        except ApiError as error:
            _redact_error(error, self.redact)
            raise error from None

    def _translate(self, exc: BaseException) -> None:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            raise ApiError(
                f"{self.what}: no answer from {self.base_url} in time",
                url=self.base_url,
                transient=True,
                ambiguous=True,
            ) from None
        if isinstance(exc, openai.APIConnectionError):
            raise ApiError(
                f"{self.what}: cannot reach {self.base_url} ({_first_sentence(str(exc.__cause__ or exc), self.redact)})",
                url=self.base_url,
                transient=True,
                ambiguous=True,
            ) from None
        if isinstance(exc, openai.APIStatusError):
            raise status_error(self.what, exc, self.redact) from None


def _redact_error(error: ApiError, redact: Callable[[str], str]) -> None:
    error.message = redact(error.message)
    error.args = (error.message,)
    if error.url is not None:
        error.url = mask_url(error.url)


def status_error(what: str, exc: Any, redact: Callable[[str], str] = _NO_SECRETS) -> ApiError:
    """The `ApiError` for a refusal, every secret `redact` knows masked."""
    status = int(exc.status_code)
    message, code, param = _error_fields(exc, redact)
    headers = exc.response.headers
    # Like the SDK: the millisecond header, when a server sends it, is the precise one.
    retry_after_ms = _retry_after(headers.get("retry-after-ms"))
    retry_after = (
        retry_after_ms / 1000
        if retry_after_ms is not None
        else _retry_after(headers.get("retry-after"))
    )
    parts = [f"{what}: HTTP {status}"]
    if code:
        parts.append(f"[{code}]")
    text = " ".join(parts) + f": {message}"
    if param:
        text += f" (param: {param})"
    transient = status in (408, 409, 429) or status >= 500
    return ApiError(
        redact(text),
        status=status,
        code=code,
        param=param,
        transient=transient,
        ambiguous=status >= 500,
        retry_after=retry_after,
    )


def _error_fields(exc: Any, redact: Callable[[str], str]) -> tuple[str, str | None, str | None]:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        code = body.get("code") or body.get("type")
        param = body.get("param")
        return (
            _first_sentence(body["message"], redact),
            str(code) if code else None,
            (str(param) if param else None),
        )
    if isinstance(body, dict) and isinstance(body.get("detail"), list) and body["detail"]:
        # pydantic-style 422 of other servers: keep the place and the complaint, never the
        # echoed input, which may be a whole 256 KB prompt.
        first = body["detail"][0]
        if isinstance(first, dict):
            parts = list(first.get("loc") or [])
            if parts and parts[0] in ("body", "query", "path", "header"):
                parts = parts[1:]  # where FastAPI found it, not part of the name
            loc = ".".join(str(p) for p in parts)
            return (
                _first_sentence(str(first.get("msg", "invalid request")), redact),
                (str(first.get("type")) if first.get("type") else None),
                loc or None,
            )
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return _first_sentence(body["detail"], redact), None, None
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        # {"errors": [{"message": ...}]}, as many web frameworks answer.
        first = body["errors"][0]
        text = (first.get("message") or first.get("msg")) if isinstance(first, dict) else first
        if isinstance(text, str) and text:
            return _first_sentence(text, redact), None, None
    if isinstance(body, str) and body.strip() and not body.lstrip().startswith("<"):
        # Plain text, or {"error": "<text>"} (the SDK unwraps "error"); an HTML page of a
        # proxy says nothing a line could hold, so it falls through to the status phrase.
        return _first_sentence(body, redact), None, None
    reason = getattr(exc.response, "reason_phrase", "") or "request failed"
    return _first_sentence(str(reason), redact), None, None


def _first_sentence(text: str, redact: Callable[[str], str] = _NO_SECRETS) -> str:
    # Masked before it is cut: a cut must not leave half a secret behind.
    text = " ".join(redact(text).split())
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
