"""Private REST authentication, checked the way Kraken does and answered with its strings.

In order: the ``API-Key`` must name an account (``EAPI:Invalid key``); ``API-Sign`` must be the
HMAC-SHA512 of the exact body bytes (``kraken.auth.KrakenSigner.verify``, the code our client
signs with and that reproduces Kraken's official vector) (``EAPI:Invalid signature``); the
``nonce`` must exceed the key's last one (``EAPI:Invalid nonce``; a bad signature does not burn
a nonce); and the key's REST call counter must have room (``EAPI:Rate limit exceeded``; refused
calls still count, so hammering extends the lockout).
"""

from __future__ import annotations

from aiohttp import web

from galfriday.kraken.auth import KrakenSigner
from galfriday.sim.server import errors
from galfriday.sim.server.errors import ExchangeError
from galfriday.sim.server.exchange import Exchange
from galfriday.sim.server.http_common import Params, parse_body
from galfriday.sim.server.sim_account import SimAccount


class PrivateAuth:
    def __init__(self, exchange: Exchange) -> None:
        self.ex = exchange
        self._signers = {key: KrakenSigner(a.spec.secret) for key, a in exchange.accounts.items()}

    async def check(self, request: web.Request, method: str) -> tuple[SimAccount, Params]:
        body = await request.read()
        key = request.headers.get("API-Key", "")
        account = self.ex.account(key)
        if account is None:
            raise ExchangeError(errors.INVALID_KEY)
        params = parse_body(body, request.content_type)
        nonce_text = params.get("nonce", "")
        if not nonce_text.isdigit():
            raise ExchangeError(errors.INVALID_NONCE, "nonce missing or not an unsigned integer")
        if not self._signers[key].verify(request.path, body, nonce_text, request.headers.get("API-Sign", "")):
            raise ExchangeError(errors.INVALID_SIGNATURE)
        if not self.ex.accept_nonce(account, int(nonce_text)):
            raise ExchangeError(errors.INVALID_NONCE, f"{nonce_text} <= last {account.last_nonce}")
        if not account.rest_counter.admit(method):
            raise ExchangeError(errors.RATE_LIMIT, f"counter {account.rest_counter.level:.1f}")
        return account, params
