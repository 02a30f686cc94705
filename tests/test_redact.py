"""`assistform.redact`: what a URL carries for authentication is masked, nothing else; known
secrets are masked wherever they appear; masking twice changes nothing."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from assistform.redact import (
    MASK,
    Redactor,
    is_credential_parameter,
    known_secrets,
    mask_url,
    mask_urls,
    url_secrets,
)

URLS = [
    # (written, shown)
    ("https://gateway.example/v1", "https://gateway.example/v1"),
    ("https://user:secret@gateway.example/v1", "https://***@gateway.example/v1"),
    ("https://token-only@gateway.example/v1", "https://***@gateway.example/v1"),
    ("https://user:@gateway.example/v1", "https://***@gateway.example/v1"),
    ("http://u:p@127.0.0.1:8080/v1/", "http://***@127.0.0.1:8080/v1/"),
    ("http://u:p@[::1]:8080/v1", "http://***@[::1]:8080/v1"),
    ("http://[2001:db8::1]/v1?key=k", "http://[2001:db8::1]/v1?key=***"),
    # An unencoded '@' in the password: the userinfo ends at the last '@' (as httpx reads it).
    ("https://user:p@ss@host/v1", "https://***@host/v1"),
    ("https://u%40corp:p%3A%2F@host/v1", "https://***@host/v1"),
    # An '@' after the authority is no userinfo.
    ("https://host/v1/users/me@example.com", "https://host/v1/users/me@example.com"),
    ("https://h/v1?api-version=2024-05-01", "https://h/v1?api-version=2024-05-01"),
    ("https://h/v1?key=K&api-version=1", "https://h/v1?key=***&api-version=1"),
    ("https://h/v1?api-key=K", "https://h/v1?api-key=***"),
    ("https://h/v1?api_key=K", "https://h/v1?api_key=***"),
    ("https://h/v1?APIKEY=K", "https://h/v1?APIKEY=***"),
    ("https://h/v1?subscription-key=K", "https://h/v1?subscription-key=***"),
    ("https://h/v1?token=K", "https://h/v1?token=***"),
    ("https://h/v1?access_token=K", "https://h/v1?access_token=***"),
    ("https://h/v1?code=K&state=s", "https://h/v1?code=***&state=s"),
    ("https://h/v1?client_secret=K", "https://h/v1?client_secret=***"),
    ("https://h/v1?password=K&user=me", "https://h/v1?password=***&user=me"),
    ("https://h/v1?Auth=K", "https://h/v1?Auth=***"),
    ("https://h/v1?sv=2022&se=2030&sig=K%2Bx%3D", "https://h/v1?sv=2022&se=2030&sig=***"),
    (
        "https://b.s3.amazonaws.com/o?X-Amz-Credential=AKIA%2F1&X-Amz-Date=20240101"
        "&X-Amz-Security-Token=T&X-Amz-Signature=S",
        "https://b.s3.amazonaws.com/o?X-Amz-Credential=***&X-Amz-Date=20240101"
        "&X-Amz-Security-Token=***&X-Amz-Signature=***",
    ),
    ("https://h/v1?key=K;token=T", "https://h/v1?key=***;token=***"),
    ("https://h/v1?a%2Dkey=K", "https://h/v1?a%2Dkey=***"),  # an encoded name
    ("https://h/v1?key=", "https://h/v1?key="),  # nothing to hide
    ("https://h/v1?debug", "https://h/v1?debug"),
    ("https://h/v1?key=K#top", "https://h/v1?key=***#top"),
    (
        "https://h/cb#access_token=K&expires_in=3600",
        "https://h/cb#access_token=***&expires_in=3600",
    ),
    ("https://u:p@h/v1?key=K#token=T", "https://***@h/v1?key=***#token=***"),
    ("sandbox", "sandbox"),
    ("", ""),
    ("not a url at all", "not a url at all"),
]


@pytest.mark.parametrize(("written", "shown"), URLS, ids=[u for u, _ in URLS])
def test_mask_url(written: str, shown: str) -> None:
    assert mask_url(written) == shown
    assert mask_url(shown) == shown, "masking twice changes nothing"


@pytest.mark.parametrize(
    "name",
    [
        "key",
        "KEY",
        "api-key",
        "Api_Key",
        "x-api-key",
        "token",
        "id_token",
        "sig",
        "signature",
        "X-Goog-Signature",
        "secret",
        "password",
        "passwd",
        "pwd",
        "auth",
        "code",
        "sas",
    ],
)
def test_credential_parameters(name: str) -> None:
    assert is_credential_parameter(name)


@pytest.mark.parametrize(
    "name", ["api-version", "state", "user", "limit", "order", "after", "expires_in", "sv"]
)
def test_other_parameters_stay(name: str) -> None:
    assert not is_credential_parameter(name)


def test_every_url_in_a_text_is_masked_and_the_sentence_kept() -> None:
    text = "cannot reach http://u:p@h:1/v1 (refused); also see https://h/v1?key=K."
    assert (
        mask_urls(text)
        == "cannot reach http://***@h:1/v1 (refused); also see https://h/v1?key=***."
    )


def test_url_secrets_knows_every_form_a_credential_takes() -> None:
    found = url_secrets("https://al%40ice:pa%3Ass@h/v1?token=t%2Bk&limit=5")
    basic = base64.b64encode(b"al@ice:pa:ss").decode()
    assert {"al%40ice", "pa%3Ass", "al@ice", "pa:ss", basic, "t%2Bk", "t+k"} <= set(found)
    assert "5" not in found and "h" not in found
    assert url_secrets(None) == url_secrets("") == url_secrets("https://h/v1") == []


KEY = "sk-proj-0123456789abcdef"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"Incorrect API key provided: {KEY}.", "Incorrect API key provided: ***."),
        (f"Bearer {KEY}", "Bearer ***"),
        (f"prefix{KEY}suffix", "prefix***suffix"),
        (f"{KEY} twice {KEY}", "*** twice ***"),
        ("sk-proj-0123456789abcde", "sk-proj-0123456789abcde"),  # not the key: one short
    ],
)
def test_a_known_key_is_masked_inside_a_longer_string(text: str, shown: str) -> None:
    assert Redactor.of([KEY])(text) == shown


def test_a_secret_containing_another_is_masked_whole() -> None:
    redact = Redactor.of(["abcdefgh", "abcdefgh-longer-one"])
    assert redact("x abcdefgh-longer-one y") == "x *** y"


def test_an_empty_or_short_secret_masks_nothing() -> None:
    text = "Plan: 1 to create, 0 to update. x y z"
    assert Redactor.of(["", None, "x", "1", "0", " ", MASK])(text) == text
    assert Redactor.for_server("", None, {"X-Tenant": "42"})(text) == text


def test_for_server_knows_key_url_credentials_and_header_values() -> None:
    redact = Redactor.for_server(
        "sk-the-api-key-123",
        "https://gateway-user:gateway-pass@h/v1?key=query-secret-1",
        {"X-Gateway-Token": "header-secret-1"},
    )
    basic = base64.b64encode(b"gateway-user:gateway-pass").decode()
    echoed = (
        f"refused sk-the-api-key-123, Basic {basic}, query-secret-1, header-secret-1, "
        "gateway-pass at https://gateway-user:gateway-pass@h/v1?key=query-secret-1"
    )
    assert redact(echoed) == "refused ***, Basic ***, ***, ***, *** at https://***@h/v1?key=***"


def test_known_secrets_reads_the_environment_and_assistform_yaml(tmp_path: Path) -> None:
    (tmp_path / "assistform.yaml").write_text(
        "environments:\n"
        "  prod:\n"
        "    server:\n"
        "      base_url: https://prod-user:prod-password@h/v1\n"
        "      api_key_env: PROD_KEY\n"
        "      headers: {X-Gateway-Token: header-secret-2}\n",
        encoding="utf-8",
    )
    environ = {
        "PROD_KEY": "sk-prod-key-0001",
        "OPENAI_API_KEY": "sk-default-key-0002",
        "OPENAI_BASE_URL": "https://h/v1?token=env-url-token-3",
    }
    redact = known_secrets(tmp_path, environ)
    text = "sk-prod-key-0001 sk-default-key-0002 env-url-token-3 header-secret-2 prod-password"
    assert redact(text) == "*** *** *** *** ***"


def test_known_secrets_survives_an_invalid_assistform_yaml(tmp_path: Path) -> None:
    (tmp_path / "assistform.yaml").write_text("environments: [\n", encoding="utf-8")
    redact = known_secrets(tmp_path, {"OPENAI_API_KEY": "sk-default-key-0002"})
    assert redact("x sk-default-key-0002 https://u:p@h") == "x *** https://***@h"
