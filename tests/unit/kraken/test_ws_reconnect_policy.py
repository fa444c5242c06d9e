"""Reconnect backoff: 1 s doubling to 60 s, jitter only ever shortens a delay."""

from __future__ import annotations

import pytest

from galfriday.kraken.ws_public import KrakenPublicWsClient, ReconnectPolicy


def test_doubling_capped_without_jitter() -> None:
    policy = ReconnectPolicy(jitter=0.0)
    assert [policy.delay(n, 0.5) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert policy.delay(10_000, 0.0) == 60


def test_jitter_bounds() -> None:
    policy = ReconnectPolicy(initial_s=1, max_s=60, jitter=0.2)
    assert policy.delay(3, 0.0) == 8
    assert policy.delay(3, 0.999999) == pytest.approx(6.4, abs=1e-5)


@pytest.mark.parametrize(
    "kwargs", [{"initial_s": 0}, {"initial_s": 5, "max_s": 1}, {"factor": 0.5}, {"jitter": 1.0}]
)
def test_invalid_policy(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="invalid reconnect policy"):
        ReconnectPolicy(**kwargs)


class _Null:
    def on_message(self, msg: object) -> None: ...

    def on_connection_lost(self, reason: str) -> None: ...

    def on_malformed(self, detail: str) -> None: ...


def test_client_validates_arguments() -> None:
    with pytest.raises(ValueError, match="depth 7"):
        KrakenPublicWsClient(["XRP/USD"], _Null(), book_depth=7)
    with pytest.raises(ValueError, match="at least one pair"):
        KrakenPublicWsClient([], _Null())
    client = KrakenPublicWsClient(["XRP/USD"], _Null())
    with pytest.raises(ValueError, match="not one of this client's pairs"):
        client.resubscribe_book("DOGE/USD")
