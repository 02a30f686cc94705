"""No secret in any artifact: the one place that knows what a credential looks like.

Two tools, used at every edge where text leaves the process (a plan, a state, an error, a
report, a log line):

- `mask_url` hides what a URL carries for authentication, whoever wrote it: the userinfo
  (`https://user:pw@host` -> `https://***@host`) and the values of query parameters whose
  name says they are credentials (`?key=...`, `&sig=...`, `X-Amz-Signature=...`). The rest
  (scheme, host, port, path, other parameters such as `api-version`) stays, so a reader
  still sees which server it is.
- `Redactor` also knows the secrets themselves (the API key, the credentials inside the
  configured base URL, the header values of assistform.yaml) and replaces each wherever it
  appears in a text, e.g. in an error message in which a server echoes what it was sent.

Masking is idempotent: masking a masked text changes nothing, so a text may pass several
edges safely.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, unquote_plus

MASK = "***"

#: A known secret shorter than this is not searched for in free text: no credential is
#: that short, and replacing e.g. a header value `42` or a test key `x` everywhere would
#: garble unrelated text. (Credentials found by their place in a URL are masked whatever
#: their length.)
SECRET_MIN = 8

#: Query parameter names (lower case, without `-`, `_` and `.`) that carry a credential.
#: `code` is an OAuth authorization code, `sig` an Azure SAS signature, `sas` a SAS token.
_CREDENTIAL_NAMES = frozenset(
    {"key", "sig", "sas", "code", "auth", "pass", "pwd", "passwd", "session", "sessionid"}
)
#: ... and any name ending in one of these: `api-key`, `apikey`, `subscription-key`,
#: `access_token`, `X-Amz-Security-Token`, `client_secret`, `X-Amz-Signature`,
#: `X-Goog-Credential`, `password`, `authorization`. Erring this way costs a hidden value
#: such as `monkey=***`; erring the other way leaks a key into a CI artifact.
_CREDENTIAL_SUFFIXES = (
    "key",
    "token",
    "secret",
    "signature",
    "password",
    "credential",
    "credentials",
    "auth",
    "authorization",
)

#: A URL inside free text: a scheme, `://`, and everything up to white space or a quote,
#: less a closing punctuation mark (`... at https://h/v1?key=K.` ends at K).
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>`]*[^\s\"'<>`.,;:!?)\]]")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_credential_parameter(name: str) -> bool:
    """Whether a query parameter of this name carries a credential (case-insensitive)."""
    plain = re.sub(r"[-_.\s]", "", unquote_plus(name)).lower()
    return plain in _CREDENTIAL_NAMES or plain.endswith(_CREDENTIAL_SUFFIXES)


def mask_url(url: str) -> str:
    """`url` with its userinfo and the values of its credential parameters as `***`.

    Parsed as RFC 3986 does (and httpx with it): the authority ends at the first `/`, `?`
    or `#`, and the userinfo at its last `@`. A text that is no URL comes back unchanged.
    """
    scheme = _SCHEME.match(url)
    if scheme is None:
        return _mask_parameters_of(url) if "?" in url else url
    start = scheme.end()
    end = next((i for i, c in enumerate(url[start:], start) if c in "/?#"), len(url))
    authority = url[start:end]
    userinfo, at, host = authority.rpartition("@")
    if at and userinfo:
        authority = f"{MASK}@{host}"
    return url[:start] + authority + _mask_parameters_of(url[end:])


def _mask_parameters_of(rest: str) -> str:
    """The path, query and fragment of a URL, the query's (and a `k=v` fragment's)
    credential values masked."""
    before, hash_sign, fragment = rest.partition("#")
    path, question, query = before.partition("?")
    if question:
        query = _mask_query(query)
    if hash_sign and "=" in fragment:
        # OAuth's implicit flow returns `#access_token=...`.
        fragment = _mask_query(fragment)
    return path + question + query + hash_sign + fragment


def _mask_query(query: str) -> str:
    parts = re.split(r"([&;])", query)
    for i in range(0, len(parts), 2):
        name, equals, value = parts[i].partition("=")
        if equals and value and is_credential_parameter(name):
            parts[i] = f"{name}={MASK}"
    return "".join(parts)


def mask_urls(text: str) -> str:
    """`text` with every URL in it masked as `mask_url` does."""
    return _URL_IN_TEXT.sub(lambda found: mask_url(found.group(0)), text)


def url_secrets(url: str | None) -> list[str]:
    """The credentials a URL carries (userinfo parts, credential parameter values), in
    every form they may take elsewhere: as written, decoded, and as HTTP basic auth."""
    if not url:
        return []
    found: list[str] = []
    scheme = _SCHEME.match(url)
    rest = url
    if scheme is not None:
        start = scheme.end()
        end = next((i for i, c in enumerate(url[start:], start) if c in "/?#"), len(url))
        userinfo, at, _ = url[start:end].rpartition("@")
        if at and userinfo:
            user, _, password = userinfo.partition(":")
            found += [userinfo, user, password, unquote(user), unquote(password)]
            # httpx sends the userinfo as basic auth; a server echoing its header says this.
            basic = f"{unquote(user)}:{unquote(password)}".encode()
            found.append(base64.b64encode(basic).decode("ascii"))
        rest = url[end:]
    before, _, fragment = rest.partition("#")
    for query in (before.partition("?")[2], fragment):
        for part in re.split(r"[&;]", query):
            name, equals, value = part.partition("=")
            if equals and is_credential_parameter(name):
                found += [value, unquote_plus(value)]
    return found


@dataclass(frozen=True)
class Redactor:
    """Replaces every known secret in a text by `***`, then masks every URL in it."""

    #: Longest first, so a secret containing another is replaced whole.
    secrets: tuple[str, ...] = ()

    @classmethod
    def of(cls, values: Iterable[str | None]) -> Redactor:
        forms: set[str] = set()
        for value in values:
            if value and len(value) >= SECRET_MIN and value != MASK:
                # Also as it reads inside a URL, where a server may echo it.
                forms.update({value, quote(value, safe=""), quote(value, safe="/")})
        forms = {form for form in forms if len(form) >= SECRET_MIN}
        return cls(tuple(sorted(forms, key=lambda s: (-len(s), s))))

    @classmethod
    def for_server(
        cls,
        api_key: str | None,
        base_url: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> Redactor:
        """The secrets of one connection: its key, its URL's credentials, its headers."""
        return cls.of([api_key, *url_secrets(base_url), *(headers or {}).values()])

    def including(self, other: Redactor) -> Redactor:
        merged = set(self.secrets) | set(other.secrets)
        return Redactor(tuple(sorted(merged, key=lambda s: (-len(s), s))))

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return mask_urls(text)


def known_secrets(start: Path, environ: Mapping[str, str] | None = None) -> Redactor:
    """Every secret a command run from `start` may have used, for the last line of defence:
    $OPENAI_API_KEY and $OPENAI_BASE_URL, and for each environment of assistform.yaml its
    key variable's value, its base URL's credentials and its header values. Never fails:
    an unreadable configuration only means fewer secrets known (URLs are masked anyway)."""
    env = os.environ if environ is None else environ
    values: list[str | None] = [env.get("OPENAI_API_KEY"), *url_secrets(env.get("OPENAI_BASE_URL"))]
    try:
        from assistform.configfile import read_config
        from assistform.spec.load import find_root

        config = read_config(find_root(start)).config
    except Exception:  # the error being reported may be this very one
        config = None
    if config is not None:
        for environment in config.environments.values():
            server = environment.server
            values += [env.get(server.api_key_env), *url_secrets(server.base_url)]
            values += list(server.headers.values())
    return Redactor.of(values)
