"""WS tokens: usable within 15 minutes of issue, and for good once used."""

from __future__ import annotations

from galfriday.sim.server.tokens import TokenRegistry

MIN = 60 * 1_000_000_000


def test_token_lifetime() -> None:
    now = [0]
    tokens = TokenRegistry(900, lambda: now[0])
    used, unused = tokens.issue("alice"), tokens.issue("bob")
    assert tokens.use(used) == "alice"
    now[0] = 16 * MIN
    assert tokens.use(unused) is None  # never used within 15 minutes: expired
    assert tokens.use(used) == "alice"  # in use on a connection: does not expire
    assert tokens.use("made-up") is None
