"""API-Sign against Kraken's official vector; verification; secret hygiene."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from galfriday.kraken.auth import InvalidApiSecretError, KrakenSigner, sign, verify


@pytest.fixture(scope="module")
def vector(shared_data: Path) -> dict[str, Any]:
    vectors = json.loads((shared_data / "kraken-docs" / "official_test_vectors.json").read_text())
    result: dict[str, Any] = vectors["rest_api_sign"]
    return result


def test_official_vector_is_reproduced(vector: dict[str, Any]) -> None:
    path, body, nonce, secret = (
        vector["uri_path"],
        vector["encoded_payload"],
        vector["nonce"],
        vector["private_key"],
    )
    assert sign(path, body, nonce, secret) == vector["expected_api_sign"]
    # Same answer for an int nonce, a bytes body and a SecretStr secret.
    assert sign(path, body.encode(), int(nonce), SecretStr(secret)) == vector["expected_api_sign"]


def test_verify_accepts_the_vector_and_rejects_any_tampering(vector: dict[str, Any]) -> None:
    path, body, nonce, secret, api_sign = (
        vector["uri_path"],
        vector["encoded_payload"],
        vector["nonce"],
        vector["private_key"],
        vector["expected_api_sign"],
    )
    assert verify(path, body, nonce, secret, api_sign)
    assert not verify(path, body.replace("volume=1.25", "volume=1.26"), nonce, secret, api_sign)
    assert not verify(path, body, int(nonce) + 1, secret, api_sign)
    assert not verify("/0/private/CancelOrder", body, nonce, secret, api_sign)
    assert not verify(path, body, nonce, base64.b64encode(b"another key").decode(), api_sign)
    assert not verify(path, body, nonce, secret, api_sign[:-4] + "AAA=")
    assert not verify(path, body, nonce, secret, "not even base64 é")


@pytest.mark.parametrize("bad", ["kQH5HW/8p1uGOVjbgWA7F*unAmGO8ls!", "abc", "", "   "])
def test_malformed_secret_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(InvalidApiSecretError, match="not valid base64") as info:
        KrakenSigner(bad)
    if bad.strip():
        assert bad not in str(info.value)


def test_signer_repr_hides_the_secret(vector: dict[str, Any]) -> None:
    signer = KrakenSigner(vector["private_key"])
    assert repr(signer) == "KrakenSigner(secret=***)"
    assert vector["private_key"] not in repr(signer)


@given(body=st.binary(max_size=200), nonce=st.integers(min_value=1, max_value=2**64 - 1))
def test_sign_verify_round_trip(body: bytes, nonce: int) -> None:
    secret = base64.b64encode(b"k" * 64).decode()
    signature = sign("/0/private/Balance", body, nonce, secret)
    assert verify("/0/private/Balance", body, nonce, secret, signature)
    assert not verify("/0/private/Balance", body + b"&", nonce, secret, signature)
