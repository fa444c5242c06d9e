"""Text and value redaction: the credential patterns and the registry of exact secret values."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from galfriday.monitoring import MASK, Redactor

_KRAKEN_SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("api_key=AbC123xyz next", "api_key=*** next"),
        ("GET /0/private/Balance?api_key=abc&nonce=1", "GET /0/private/Balance?api_key=***&nonce=1"),
        ('{"api_secret": "s3cr3t==", "pair": "XRP/USD"}', '{"api_secret": "***", "pair": "XRP/USD"}'),
        ("{'password': 'hunter2'}", "{'password': '***'}"),
        ("password: hunter2 retrying", "password: *** retrying"),
        ("db_passwd=hunter2", "db_passwd=***"),
        ("passphrase = correct-horse", "passphrase = ***"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig", "Authorization: Bearer ***"),
        ("authorization=Basic dXNlcjpwYXNz", "authorization=Basic ***"),
        ("sent with bearer abcdef0123456789", "sent with bearer ***"),
        ("API-Key: 4/Tz1ZqZ8bMn", "API-Key: ***"),
        ("API-Sign: " + _KRAKEN_SECRET, "API-Sign: ***"),
        ("{'API-Key': 'k1', 'API-Sign': 's1'}", "{'API-Key': '***', 'API-Sign': '***'}"),
        ("ws token=WW91ciBhdXRoZW50aWNhdGlvbiB0b2tlbg", "ws token=***"),
        ('signature="abc def"', 'signature="***"'),
        ('{\\"password\\": \\"x y\\"}', '{\\"password\\": \\"***\\"}'),
        ("postgresql://galfriday:pa55@db.local:5432/gf", "postgresql://galfriday:***@db.local:5432/gf"),
        ("postgresql+asyncpg://u:p@ss@host/db", "postgresql+asyncpg://u:***@host/db"),
        ("redis://:hunter2@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0"),
        ("loaded secret " + _KRAKEN_SECRET + " ok", "loaded secret *** ok"),
        ("API secret -> " + _KRAKEN_SECRET, "API secret -> ***"),
    ],
)
def test_credential_patterns(text: str, expected: str) -> None:
    assert Redactor().redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "filled 30 XRP/USD at 0.51230",
        "http://localhost:8080/health",
        "token bucket refill rate 0.33/s",
        "token bucket_refill_rate_limit",
        "https://api.kraken.com/0/public/Ticker?pair=XRPUSD",
    ],
)
def test_ordinary_text_is_untouched(text: str) -> None:
    assert Redactor().redact_text(text) == text


def test_redaction_is_idempotent() -> None:
    redactor = Redactor()
    once = redactor.redact_text("api_key=abc password: x Authorization: Bearer abcdefghij u://a:b@h")
    assert redactor.redact_text(once) == once


def test_registered_secret_is_masked_anywhere_in_any_text() -> None:
    redactor = Redactor()
    assert redactor.register("hunter2-but-longer")
    assert redactor.redact_text("xx hunter2-but-longeryy") == f"xx {MASK}yy"


def test_registered_secret_is_masked_in_its_escaped_forms() -> None:
    redactor = Redactor()
    secret = 'a"b\\c/d e\n'
    redactor.register(secret)
    assert redactor.mask_secrets(json.dumps(secret)) == f'"{MASK}"'
    assert redactor.mask_secrets(repr(secret)) == f"'{MASK}'"
    assert redactor.mask_secrets(f"https://x/?p={quote(secret, safe='')}") == f"https://x/?p={MASK}"
    assert redactor.mask_secrets(f"p={quote_plus(secret)}") == f"p={MASK}"


def test_longer_secret_containing_a_shorter_one_is_masked_whole() -> None:
    redactor = Redactor()
    redactor.register("abcd")
    redactor.register("abcdefgh")
    assert redactor.mask_secrets("-abcdefgh-") == f"-{MASK}-"


def test_masking_that_recreates_a_secret_is_repeated_until_none_is_left() -> None:
    redactor = Redactor()
    redactor.register("a***b")
    # Masking the inner occurrence produces "a***b" again; it must be masked too.
    assert "a***b" not in redactor.mask_secrets("aa***bb")


@pytest.mark.parametrize("value", ["", "abc", "    ", "\n\t\n\t"])
def test_blank_and_very_short_values_are_not_registered(value: str) -> None:
    redactor = Redactor()
    assert not redactor.register(value)
    assert redactor.mask_secrets("abc def") == "abc def"


def test_clear_forgets_registered_secrets() -> None:
    redactor = Redactor()
    redactor.register("hunter2-secret")
    redactor.clear()
    assert redactor.mask_secrets("hunter2-secret") == "hunter2-secret"


def test_values_under_sensitive_keys_are_masked_at_any_depth() -> None:
    value = {
        "pair": "XRP/USD",
        "API_Key": "k",
        "headers": {"API-Sign": "s", "Authorization": "Bearer t", "accept": "json"},
        "accounts": [{"passphrase": "p", "name": "main"}, {"refresh_token": {"nested": "t"}}],
        "SecretValue": 12,
        "note": "password=hunter2",
    }
    assert Redactor().redact_value(value) == {
        "pair": "XRP/USD",
        "API_Key": MASK,
        "headers": {"API-Sign": MASK, "Authorization": MASK, "accept": "json"},
        "accounts": [{"passphrase": MASK, "name": "main"}, {"refresh_token": MASK}],
        "SecretValue": MASK,
        "note": "password=***",
    }
