"""Kraken REST API-Sign: sign a private request (client) and verify one (exchange simulator).

The algorithm, from Kraken's docs (docs/kraken_protocol.md §3), reproduced against the official
vector in the tests::

    sha256  = SHA256(str(nonce) + post_body)
    API-Sign = base64(HMAC-SHA512(key=base64decode(secret), msg=url_path + sha256))

``post_body`` is the exact url-encoded body that goes on the wire (it contains ``nonce=...`` too):
sign the bytes you send, never a re-encoding of the same parameters.

The secret is decoded once per ``KrakenSigner``; the HMAC state keyed with it is precomputed and
copied per call, which is what makes signing cheap (see bench/bench_kraken_auth.py). Neither the
secret nor the key ever appears in a ``repr``, an exception or a log line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Protocol

from galfriday.kraken.rest_public import KrakenError


class InvalidApiSecretError(KrakenError):
    """The configured API secret is not the base64 text Kraken issues."""


class _SecretLike(Protocol):
    def get_secret_value(self) -> str: ...


SecretInput = str | _SecretLike


def reveal_secret(secret: SecretInput) -> str:
    return secret if isinstance(secret, str) else secret.get_secret_value()


def decode_secret(secret_b64: SecretInput) -> bytes:
    """The raw HMAC key; a malformed secret raises without repeating any of it."""
    text = reveal_secret(secret_b64).strip()
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not key:
        raise InvalidApiSecretError(
            f"the Kraken API secret is not valid base64 ({len(text)} characters given); copy the "
            "'Private key' exactly as Kraken shows it when the key is created (it ends in '==')"
        )
    return key


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


class KrakenSigner:
    """Signs requests with one API secret; the decoded key is kept inside and never shown."""

    __slots__ = ("_hmac",)

    def __init__(self, secret_b64: SecretInput) -> None:
        self._hmac = hmac.new(decode_secret(secret_b64), digestmod=hashlib.sha512)

    def sign(self, url_path: str, body: bytes | str, nonce: int | str) -> str:
        """API-Sign for ``body`` posted to ``url_path`` (e.g. ``/0/private/AddOrder``)."""
        digest = hashlib.sha256(str(nonce).encode("ascii") + _as_bytes(body)).digest()
        mac = self._hmac.copy()
        mac.update(url_path.encode("utf-8") + digest)
        return base64.b64encode(mac.digest()).decode("ascii")

    def verify(self, url_path: str, body: bytes | str, nonce: int | str, api_sign: str) -> bool:
        """Whether ``api_sign`` is this secret's signature of the request (constant-time compare)."""
        expected = self.sign(url_path, body, nonce)
        return hmac.compare_digest(expected.encode("ascii"), api_sign.encode("ascii", "replace"))

    def __repr__(self) -> str:
        return "KrakenSigner(secret=***)"


def sign(url_path: str, body: bytes | str, nonce: int | str, secret_b64: SecretInput) -> str:
    """API-Sign of one request, exactly as Kraken documents it."""
    return KrakenSigner(secret_b64).sign(url_path, body, nonce)


def verify(
    url_path: str, body: bytes | str, nonce: int | str, secret_b64: SecretInput, api_sign: str
) -> bool:
    """Server side: does ``api_sign`` match? The nonce must be the one inside ``body``."""
    return KrakenSigner(secret_b64).verify(url_path, body, nonce, api_sign)
