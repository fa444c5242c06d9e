"""The admin API: change faults while the simulator runs, and look at its state.

Only mounted when ``--admin-token`` is given; every call needs ``Authorization: Bearer <token>``.

- ``GET /admin/faults`` — the active faults (with the ``times`` they have left)
- ``POST /admin/faults`` — add faults: a JSON fault or list (format: ``sim.server.faults``)
- ``DELETE /admin/faults`` — remove every fault
- ``GET /admin/status`` — market events processed, market time, per account open orders and balances
"""

from __future__ import annotations

import hmac

from aiohttp import web

from galfriday.sim.errors import SimError
from galfriday.sim.server import wire
from galfriday.sim.server.exchange import Exchange
from galfriday.sim.server.faults import encode_faults, parse_faults


class AdminApi:
    def __init__(self, exchange: Exchange, token: str) -> None:
        self.ex = exchange
        self._token = token.encode()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/admin/faults", self.list_faults),
            web.post("/admin/faults", self.add_faults),
            web.delete("/admin/faults", self.clear_faults),
            web.get("/admin/status", self.status),
        ]

    def _check(self, request: web.Request) -> None:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip().encode()
        if not hmac.compare_digest(given, self._token):
            raise web.HTTPUnauthorized(
                text="admin token missing or wrong: send 'Authorization: Bearer <token>'"
            )

    def _faults(self) -> web.Response:
        return web.Response(body=encode_faults(self.ex.faults.active()), content_type="application/json")

    async def list_faults(self, request: web.Request) -> web.Response:
        self._check(request)
        return self._faults()

    async def add_faults(self, request: web.Request) -> web.Response:
        self._check(request)
        try:
            self.ex.faults.add(parse_faults((await request.read()).decode("utf-8", "replace") or "[]"))
        except SimError as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None
        return self._faults()

    async def clear_faults(self, request: web.Request) -> web.Response:
        self._check(request)
        self.ex.faults.clear()
        return self._faults()

    async def status(self, request: web.Request) -> web.Response:
        self._check(request)
        body = {
            "events": self.ex.events,
            "market_ns": self.ex.clock.market_now_ns(),
            "generation": self.ex.generation,
            "accounts": {
                key: {
                    "open_orders": sum(1 for _ in a.ledger.open_orders()),
                    "balances": {k: str(v) for k, v in a.account.balances().items()},
                }
                for key, a in self.ex.accounts.items()
            },
        }
        return web.Response(body=wire.encode(body), content_type="application/json")
