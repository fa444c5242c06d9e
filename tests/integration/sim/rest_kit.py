"""Raw REST calls to the simulator, for tests that must control the exact bytes sent."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import aiohttp

from galfriday.kraken.auth import KrakenSigner
from galfriday.sim.server import AccountSpec, ExchangeSimulator


async def public(sim: ExchangeSimulator, method: str, **params: Any) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{sim.rest_url}/0/public/{method}", params=params) as r,
    ):
        return json.loads(await r.read())


async def private_body(
    sim: ExchangeSimulator,
    account: AccountSpec,
    method: str,
    body: str,
    nonce: int | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """POST ``body`` (form text; ``nonce=...`` is added first unless present) signed for ``account``."""
    if "nonce=" not in body:
        nonce = nonce if nonce is not None else time.time_ns() // 1000
        body = f"nonce={nonce}" + (f"&{body}" if body else "")
    nonce_text = body.split("nonce=", 1)[1].split("&", 1)[0]
    path = f"/0/private/{method}"
    sign = KrakenSigner(account.secret).sign(path, body, nonce_text)
    all_headers = {
        "API-Key": account.api_key,
        "API-Sign": sign,
        "Content-Type": "application/x-www-form-urlencoded",
        **(headers or {}),
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(sim.rest_url + path, data=body, headers=all_headers) as r,
    ):
        return json.loads(await r.read(), parse_float=Decimal)


async def private(sim: ExchangeSimulator, account: AccountSpec, method: str, **fields: Any) -> dict[str, Any]:
    return await private_body(sim, account, method, urlencode({k: str(v) for k, v in fields.items()}))
