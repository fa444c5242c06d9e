"""KrakenPrivateClient over a real socket against a local Kraken-like server.

The server checks every request as Kraken does: the API key, the API-Sign (with
``kraken.auth.verify``) and a nonce strictly above the last one for the key (``NonceGuard``); it
keeps an order book of sorts so AddOrder / CancelOrder / OpenOrders / ClosedOrders agree, answers
read calls with the recorded samples in shared/data/nautilus_trader/kraken, and injects the
failures the client must handle: rate limits, throttling, 5xx, and AddOrder replies that never
arrive after the order was (or was not) placed.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from galfriday.config.sections.market import ExchangeSettings
from galfriday.core.errors import ConfigError
from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderStatus, OrderType, Side, TimeInForce
from galfriday.kraken.auth import verify
from galfriday.kraken.circuit_breaker import CircuitBreaker, CircuitOpenError
from galfriday.kraken.nonce import FileNonceSource, NonceGuard
from galfriday.kraken.orders_wire import AddOrderRequest, add_order_fields
from galfriday.kraken.rate_limit import RetryPolicy
from galfriday.kraken.rest_private import (
    KrakenInvalidKeyError,
    KrakenInvalidNonceError,
    KrakenInvalidSignatureError,
    KrakenNoResponseError,
    KrakenOrderRejectedError,
    KrakenPrivateClient,
    OrderOutcomeUnknownError,
    PlacementOutcome,
)
from galfriday.kraken.rest_public import KrakenAPIError
from galfriday.kraken.trading_limits import RestCallCounter, TierLimits, TradingLimits

KEY = "galfriday-test-api-key-3f9c"
SECRET = base64.b64encode(b"a private key that is only used by this test module, 64 bytes long!!").decode()
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.02, jitter=0.0)
# Kraken's limits, but draining fast enough that a test never waits noticeably.
FAST_LIMITS = TierLimits(
    rest_max=15, rest_decay_per_s=200.0, trading_threshold=60, trading_decay_per_s=200.0, max_open_orders=60
)
XRP = default_instruments()["XRP/USD"]
D = Decimal
_exact = msgspec.json.Decoder(float_hook=Decimal)
_encode = msgspec.json.Encoder(decimal_format="number")

Fault = Callable[[web.Request, dict[str, str]], Awaitable[web.StreamResponse | None]]


class FakeKraken:
    """Enough of Kraken's private API to exercise the client; ``faults[method]`` runs first."""

    def __init__(self, samples: Path) -> None:
        self.samples = samples
        self.guard = NonceGuard()
        self.requests: list[tuple[str, bytes]] = []  # (method, exact body) of every authentic call
        self.nonces: list[int] = []
        self.orders: dict[str, dict[str, Any]] = {}
        self.faults: dict[str, list[Fault]] = {}
        self._txids = itertools.count(1)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/0/private/{method}", self.handle)
        return app

    def calls(self, method: str) -> list[dict[str, str]]:
        return [dict(parse_qsl(body.decode())) for m, body in self.requests if m == method]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        body = await request.read()
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        nonce = int(form.get("nonce", "0"))
        if request.headers.get("API-Key") != KEY:
            return error("EAPI:Invalid key")
        if not verify(request.path, body, nonce, SECRET, request.headers.get("API-Sign", "")):
            return error("EAPI:Invalid signature")
        if not self.guard.accept(KEY, nonce):
            return error("EAPI:Invalid nonce")
        self.requests.append((method, body))
        self.nonces.append(nonce)
        if self.faults.get(method):
            response = await self.faults[method].pop(0)(request, form)
            if response is not None:
                return response
        return ok(self.answer(method, form))

    # -- endpoints ------------------------------------------------------------------------------

    def sample(self, name: str) -> Any:
        return _exact.decode((self.samples / name).read_bytes())["result"]

    def answer(self, method: str, form: dict[str, str]) -> Any:
        if method == "Balance":
            return self.sample("http_spot_balance.json")
        if method == "BalanceEx":
            return {"ZUSD": {"balance": "200000.00", "hold_trade": "150.5"}, "XXRP": {"balance": "10"}}
        if method == "TradeBalance":
            return self.sample("http_spot_trade_balance.json")
        if method == "TradeVolume":
            return {
                "currency": "ZUSD",
                "volume": "12000.5",
                "fees": {"XXRPZUSD": {"fee": "0.2400"}, "XDGUSD": {"fee": "0.2600"}},
                "fees_maker": {"XXRPZUSD": {"fee": "0.1400"}},
            }
        if method == "TradesHistory":
            return self.sample("http_trades_history.json")
        if method == "GetWebSocketsToken":
            return {"token": "ws-token-that-must-stay-secret", "expires": 900}
        if method == "OpenOrders":
            return {"open": self.select(form, open_=True)}
        if method == "ClosedOrders":
            closed = self.select(form, open_=False)
            return {"closed": closed, "count": len(closed)}
        if method == "QueryOrders":
            return {t: self.orders[t] for t in form["txid"].split(",") if t in self.orders}
        if method == "AddOrder":
            return self.place(form)
        if method == "CancelOrder":
            return {"count": self.cancel(form.get("txid") or form.get("cl_ord_id", ""))}
        if method == "CancelAll":
            return {"count": sum(self.cancel(t) for t in list(self.orders))}
        if method == "CancelAllOrdersAfter":
            trigger = "0" if form["timeout"] == "0" else "2026-01-01T00:01:00Z"
            return {"currentTime": "2026-01-01T00:00:00Z", "triggerTime": trigger}
        raise AssertionError(f"unexpected method {method}")

    def select(self, form: dict[str, str], *, open_: bool) -> dict[str, Any]:
        start = float(form.get("start", "0"))
        return {
            txid: entry
            for txid, entry in self.orders.items()
            if (entry["status"] == "open") == open_
            and form.get("cl_ord_id") in (None, entry.get("cl_ord_id"))
            and float(entry["opentm"]) > start
        }

    def place(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("validate") == "true":
            return {
                "descr": {"order": f"{form['type']} {form['volume']} {form['pair']} @ {form['ordertype']}"}
            }
        txid = f"OTEST{next(self._txids):02d}-AAAAA-BBBBBB"
        self.orders[txid] = {
            "status": "open",
            "opentm": f"{time.time():.4f}",
            "userref": form.get("userref", 0),
            "cl_ord_id": form.get("cl_ord_id"),
            "vol": form["volume"],
            "vol_exec": "0",
            "cost": "0",
            "fee": "0",
            "price": "0",
            "oflags": form.get("oflags", ""),
            "descr": {
                "pair": XRP.altname,
                "type": form["type"],
                "ordertype": form["ordertype"],
                "price": form.get("price", "0"),
                "price2": form.get("price2", "0"),
            },
        }
        return {"txid": [txid], "descr": {"order": f"{form['type']} {form['volume']} {form['pair']}"}}

    def cancel(self, key: str) -> int:
        for txid, entry in self.orders.items():
            if entry["status"] == "open" and key in (txid, entry.get("cl_ord_id")):
                entry["status"] = "canceled"
                return 1
        return 0


def ok(result: Any) -> web.Response:
    return web.Response(body=_encode.encode({"error": [], "result": result}), content_type="application/json")


def error(*errors: str) -> web.Response:
    return web.json_response({"error": list(errors)})


def respond(response: Callable[[], web.StreamResponse]) -> Fault:
    async def fault(request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        return response()

    return fault


class VirtualWall:
    """Wall clock + sleep for the client: waiting for an order's deadline takes no real time."""

    def __init__(self) -> None:
        self.now = time.time()
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def fake(shared_data: Path) -> FakeKraken:
    return FakeKraken(shared_data / "nautilus_trader" / "kraken")


@pytest.fixture
async def server(fake: FakeKraken) -> AsyncIterator[TestServer]:
    srv = TestServer(fake.app(), host="127.0.0.1", port=0)
    await srv.start_server()
    yield srv
    await srv.close()


@pytest.fixture
def wall() -> VirtualWall:
    return VirtualWall()


@pytest.fixture
async def make_client(
    server: TestServer, tmp_path: Path, wall: VirtualWall
) -> AsyncIterator[Callable[..., KrakenPrivateClient]]:
    clients: list[KrakenPrivateClient] = []
    sources: list[FileNonceSource] = []

    def make(**overrides: Any) -> KrakenPrivateClient:
        nonce_file = overrides.pop("nonce_file", tmp_path / "kraken.nonce")
        source = FileNonceSource(nonce_file, **overrides.pop("nonce_kwargs", {}))
        sources.append(source)
        kwargs: dict[str, Any] = {
            "rest_counter": RestCallCounter(FAST_LIMITS),
            "trading_limits": TradingLimits(FAST_LIMITS),
            "retry": FAST_RETRY,
            "order_deadline_s": 0.5,
            "clock_skew_s": 0.2,
            "wall_clock": wall,
            "sleep": wall.sleep,
            "timeout_s": 2.0,
        }
        kwargs.update(overrides)
        base = kwargs.pop("base_url", str(server.make_url("")))
        client = KrakenPrivateClient(
            base, kwargs.pop("api_key", KEY), kwargs.pop("api_secret", SECRET), source, **kwargs
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()
    for source in sources:
        source.close()


@pytest.fixture
def client(make_client: Callable[..., KrakenPrivateClient]) -> KrakenPrivateClient:
    return make_client()


def xrp(kind: OrderType, qty: str = "20", **kw: Any) -> AddOrderRequest:
    return AddOrderRequest(instrument=XRP, side=Side.BUY, order_type=kind, qty=D(qty), **kw)


def assert_nonces_strictly_increase(fake: FakeKraken) -> None:
    assert fake.nonces == sorted(set(fake.nonces)) and fake.nonces


# -------------------------------------------------------------------------------- reads


async def test_account_reads(client: KrakenPrivateClient, fake: FakeKraken) -> None:
    assert (await client.balance())["XXBT"] == D("0.5")
    balances = await client.balance_ex()
    assert balances["ZUSD"].available == D("199849.50")
    assert balances["XXRP"].hold_trade == 0
    assert (await client.trade_balance())["eb"] == D("198750.42")
    volume = await client.trade_volume(["XXRPZUSD", "XDGUSD"])
    assert (volume.volume, volume.fees["XXRPZUSD"].taker, volume.fees["XXRPZUSD"].maker) == (
        D("12000.5"),
        D("0.0024"),
        D("0.0014"),
    )
    assert volume.fees["XDGUSD"].maker == D("0.0026")  # no maker schedule: maker pays taker
    token = await client.get_websockets_token()
    assert token.expires_s == 900 and token.token not in repr(token)
    history = await client.trades_history(start=1699457638)
    assert {t.txid for t in history.trades} == {"TCCCTY-WJ6EO-4FP4VZ", "TDCVFQ-TPEG4-6X7LSZ"}
    assert fake.calls("TradeVolume")[0]["pair"] == "XXRPZUSD,XDGUSD"
    assert_nonces_strictly_increase(fake)


async def test_request_bodies_match_ccxts_recordings(
    client: KrakenPrivateClient, fake: FakeKraken, shared_data: Path
) -> None:
    """The same calls ccxt's tests record, byte for byte apart from the nonce's value.

    CancelAllOrdersAfter: ccxt puts ``nonce`` last, we always put it first; Kraken reads form fields
    by name, so the test compares fields there. BalanceEx: ccxt's ``type=spot`` is a ccxt option,
    not a Kraken parameter, and is not sent by us.
    """
    extract = json.loads((shared_data / "ccxt" / "kraken_static_extract.json").read_text())
    expected: dict[str, str] = {}
    for recorded in extract["requests"]:  # the first of each (CancelAllOrdersAfter: timeout=10)
        if "/private/" in recorded["url"]:
            expected.setdefault(recorded["url"].rsplit("/", 1)[1], recorded["output"])
    [trailing_stop] = [
        r for r in extract["responses"] if r["description"] == "fetch open trailing stop order"
    ]
    fake.orders.update(trailing_stop["httpResponse"]["result"]["open"])  # the order ccxt cancels
    await client.trades_history(start=1699457638)
    await client.open_orders()
    await client.closed_orders()
    await client.cancel_order(txid="OF7S76-H2IMS-N2ML4U")
    await client.cancel_all()
    await client.cancel_all_orders_after(10)
    for method, body in fake.requests:
        nonce = dict(parse_qsl(body.decode()))["nonce"]
        want = "&".join(p for p in expected[method].split("&") if not p.startswith("nonce="))
        want_body = f"nonce={nonce}&{want}" if want else f"nonce={nonce}"
        if method == "CancelAllOrdersAfter":
            assert parse_qsl(body.decode()) == sorted(parse_qsl(want_body), key=lambda kv: kv[0] != "nonce")
        else:
            assert body.decode() == want_body, method


async def test_order_queries(client: KrakenPrivateClient, fake: FakeKraken) -> None:
    first = await client.add_order_safely(xrp(OrderType.LIMIT, limit_price=D("0.5"), cl_ord_id="q-1"))
    await client.add_order_safely(xrp(OrderType.LIMIT, limit_price=D("0.4"), cl_ord_id="q-2"))
    assert {o.cl_ord_id for o in await client.open_orders()} == {"q-1", "q-2"}
    [by_cl] = await client.open_orders(cl_ord_id="q-2")
    assert by_cl.price == "0.4"
    [queried] = await client.query_orders([first.txid or ""])
    assert (queried.order_status, queried.qty, queried.cl_ord_id) == (OrderStatus.NEW, D(20), "q-1")
    await client.cancel_order(cl_ord_id="q-1")
    closed = await client.closed_orders(cl_ord_id="q-1", start=0)
    assert [o.status for o in closed.orders] == ["canceled"] and closed.count == 1
    with pytest.raises(ValueError, match="txids or a userref"):
        await client.query_orders()
    assert_nonces_strictly_increase(fake)


# ------------------------------------------------------------------------------- orders


ORDER_TYPES = [
    xrp(OrderType.MARKET, cl_ord_id="m-1"),
    xrp(OrderType.LIMIT, limit_price=D("0.5"), cl_ord_id="l-1"),
    xrp(OrderType.LIMIT, limit_price=D("0.5"), post_only=True, cl_ord_id="po-1"),
    xrp(OrderType.LIMIT, limit_price=D("0.5"), time_in_force=TimeInForce.IOC, cl_ord_id="ioc-1"),
    xrp(
        OrderType.LIMIT,
        limit_price=D("0.5"),
        time_in_force=TimeInForce.GTD,
        expire_time_s=1_900_000_000,
        cl_ord_id="gtd-1",
    ),
    xrp(OrderType.STOP_LOSS, trigger_price=D("0.45"), cl_ord_id="sl-1"),
    xrp(OrderType.TAKE_PROFIT, trigger_price=D("0.6"), cl_ord_id="tp-1"),
    xrp(OrderType.STOP_LOSS_LIMIT, trigger_price=D("0.45"), limit_price=D("0.44"), cl_ord_id="sll-1"),
    xrp(OrderType.TAKE_PROFIT_LIMIT, trigger_price=D("0.6"), limit_price=D("0.61"), cl_ord_id="tpl-1"),
]


@pytest.mark.parametrize("request_", ORDER_TYPES, ids=lambda r: r.cl_ord_id)
async def test_add_each_order_type_then_cancel(
    request_: AddOrderRequest, client: KrakenPrivateClient, fake: FakeKraken
) -> None:
    placement = await client.add_order_safely(request_)
    assert placement.outcome is PlacementOutcome.PLACED and not placement.resolved_by_lookup
    [sent] = fake.calls("AddOrder")
    deadline = sent.pop("deadline")
    assert deadline.endswith("Z")  # add_order_safely always sets one
    assert list(sent.items()) == [("nonce", sent["nonce"]), *add_order_fields(request_)]
    assert await client.cancel_order(txid=placement.txid) == 1
    assert fake.orders[placement.txid or ""]["status"] == "canceled"
    assert await client.cancel_order(cl_ord_id=request_.cl_ord_id) == 0  # already gone
    assert_nonces_strictly_increase(fake)


async def test_validate_userref_cancel_all_and_dead_man_switch(
    client: KrakenPrivateClient, fake: FakeKraken
) -> None:
    checked = await client.add_order(xrp(OrderType.MARKET, validate=True))
    assert checked.txids == () and "market" in checked.description
    assert not fake.orders
    await client.add_order(xrp(OrderType.LIMIT, limit_price=D("0.5"), userref=7))
    await client.add_order(xrp(OrderType.LIMIT, limit_price=D("0.5"), userref=7))
    assert await client.cancel_all() == 2
    armed = await client.cancel_all_orders_after(60)
    assert armed.trigger_time != "0"
    assert (await client.cancel_all_orders_after(0)).trigger_time == "0"


async def test_cancel_is_charged_on_the_pairs_trading_counter(
    make_client: Callable[..., KrakenPrivateClient],
) -> None:
    client = make_client(trading_limits=TradingLimits(TierLimits(15, 1.0, 60, 0.001, 60)))  # barely decays
    placed = await client.add_order_safely(xrp(OrderType.LIMIT, limit_price=D("0.5"), cl_ord_id="c-1"))
    counter = client.trading_limits.counter
    before = counter.level("XRP/USD")
    await client.cancel_order(txid=placed.txid)
    assert counter.level("XRP/USD") == pytest.approx(before + 8, abs=0.01)  # cancelled within 5 s: +8
    assert client.trading_limits.orders.open_count("XRP/USD") == 0


async def test_rejected_order_raises_and_is_not_looked_up(
    client: KrakenPrivateClient, fake: FakeKraken
) -> None:
    fake.faults["AddOrder"] = [respond(lambda: error("EOrder:Insufficient funds"))]
    with pytest.raises(KrakenOrderRejectedError, match="EOrder:Insufficient funds"):
        await client.add_order_safely(xrp(OrderType.MARKET, cl_ord_id="r-1"))
    assert [m for m, _ in fake.requests] == ["AddOrder"]


async def test_add_order_is_never_retried_even_when_rate_limited(
    client: KrakenPrivateClient, fake: FakeKraken
) -> None:
    fake.faults["AddOrder"] = [respond(lambda: error("EAPI:Rate limit exceeded"))]
    with pytest.raises(KrakenAPIError, match="Rate limit"):
        await client.add_order_safely(xrp(OrderType.MARKET, cl_ord_id="r-2"))
    assert [m for m, _ in fake.requests] == ["AddOrder"]


# ---------------------------------------------------------------- AddOrder with no reply


def place_then_drop(fake: FakeKraken) -> Fault:
    """Kraken takes the order, then the connection dies before the reply."""

    async def fault(request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        fake.place(form)
        assert request.transport is not None
        request.transport.close()
        return web.Response()  # never reaches the client

    return fault


async def test_accepted_then_dropped_resolves_to_placed(
    client: KrakenPrivateClient, fake: FakeKraken, wall: VirtualWall
) -> None:
    fake.faults["AddOrder"] = [place_then_drop(fake)]
    placement = await client.add_order_safely(xrp(OrderType.LIMIT, limit_price=D("0.5"), cl_ord_id="amb-1"))
    assert placement.outcome is PlacementOutcome.PLACED and placement.resolved_by_lookup
    [txid] = fake.orders
    assert placement.txid == txid and placement.order is not None and placement.order.cl_ord_id == "amb-1"
    assert len(fake.calls("AddOrder")) == 1 and len(fake.orders) == 1  # no second order
    assert fake.calls("OpenOrders")[0]["cl_ord_id"] == "amb-1"
    assert wall.slept == []  # found at once: no wait for the deadline
    assert client.trading_limits.orders.pair_of("amb-1") == "XRP/USD"


async def test_timeout_after_placing_resolves_to_placed(
    make_client: Callable[..., KrakenPrivateClient], fake: FakeKraken
) -> None:
    async def slow(request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        fake.place(form)
        await asyncio.sleep(1.0)
        return ok({})

    client = make_client(timeout_s=0.2)
    fake.faults["AddOrder"] = [slow]
    placement = await client.add_order_safely(xrp(OrderType.MARKET, cl_ord_id="amb-2"))
    assert placement.placed and placement.resolved_by_lookup and len(fake.orders) == 1


async def test_failed_before_placing_resolves_to_not_placed_after_the_deadline(
    client: KrakenPrivateClient, fake: FakeKraken, wall: VirtualWall
) -> None:
    fake.faults["AddOrder"] = [respond(lambda: web.Response(status=502, text="Bad Gateway"))]
    started = wall.now
    placement = await client.add_order_safely(xrp(OrderType.MARKET, cl_ord_id="amb-3"))
    assert placement.outcome is PlacementOutcome.NOT_PLACED and placement.resolved_by_lookup
    assert not fake.orders
    deadline_s = 0.5
    assert wall.now - started >= deadline_s + 0.2  # waited past the deadline plus the clock skew
    assert len(fake.calls("OpenOrders")) == 2 and len(fake.calls("ClosedOrders")) == 2  # before and after
    start = int(fake.calls("ClosedOrders")[0]["start"])
    assert started - 1.2 <= start <= started  # closed orders since the send, less the skew


async def test_order_that_lands_late_is_found_after_the_deadline(
    client: KrakenPrivateClient, fake: FakeKraken, wall: VirtualWall
) -> None:
    """Kraken's engine may process the order after the reply was lost: the second look finds it."""
    queued: list[dict[str, str]] = []

    async def queued_then_unavailable(request: web.Request, form: dict[str, str]) -> web.StreamResponse:
        queued.append(form)
        return error("EService:Unavailable")

    async def engine_catches_up(request: web.Request, form: dict[str, str]) -> None:
        fake.place(queued[0])
        return None  # then answer normally

    fake.faults["AddOrder"] = [queued_then_unavailable]
    fake.faults["OpenOrders"] = [respond(lambda: ok({"open": {}})), engine_catches_up]
    placement = await client.add_order_safely(xrp(OrderType.MARKET, cl_ord_id="amb-4"))
    assert placement.placed and wall.slept  # found only after waiting for the deadline
    assert len(fake.orders) == 1


async def test_unreachable_exchange_is_not_placed_at_once(
    make_client: Callable[..., KrakenPrivateClient], unused_tcp_port: int
) -> None:
    client = make_client(base_url=f"http://127.0.0.1:{unused_tcp_port}")
    placement = await client.add_order_safely(xrp(OrderType.MARKET, cl_ord_id="down-1"))
    assert placement.outcome is PlacementOutcome.NOT_PLACED and not placement.resolved_by_lookup
    assert "cannot connect" in placement.reason


async def test_failing_look_ups_raise_outcome_unknown(client: KrakenPrivateClient, fake: FakeKraken) -> None:
    fake.faults["AddOrder"] = [place_then_drop(fake)]
    fake.faults["OpenOrders"] = [respond(lambda: web.Response(status=503)) for _ in range(10)]
    with pytest.raises(OrderOutcomeUnknownError, match="do NOT resend"):
        await client.add_order_safely(xrp(OrderType.MARKET, cl_ord_id="amb-5"))
    assert len(fake.calls("AddOrder")) == 1


async def test_a_look_up_that_ignores_the_filter_cannot_claim_a_strangers_order(
    client: KrakenPrivateClient, fake: FakeKraken
) -> None:
    """An old Kraken or a proxy dropping ``cl_ord_id``: entries without it must still match us."""
    stranger = {
        "status": "open",
        "opentm": f"{time.time():.4f}",
        "vol": "999",
        "vol_exec": "0",
        "cost": "0",
        "fee": "0",
        "price": "0",
        "descr": {"pair": "XRPUSD", "type": "buy", "ordertype": "market"},
    }
    fake.faults["AddOrder"] = [respond(lambda: web.Response(status=500))]
    fake.faults["OpenOrders"] = [respond(lambda: ok({"open": {"OSTRANGER-1": stranger}}))] * 2
    placement = await client.add_order_safely(xrp(OrderType.MARKET, cl_ord_id="amb-6"))
    assert placement.outcome is PlacementOutcome.NOT_PLACED


# ------------------------------------------------------------------ errors, limits, breaker


async def test_auth_errors_are_typed_and_not_retried(
    make_client: Callable[..., KrakenPrivateClient], fake: FakeKraken, tmp_path: Path
) -> None:
    wrong_secret = make_client(api_secret=base64.b64encode(b"some other secret").decode())
    with pytest.raises(KrakenInvalidSignatureError):
        await wrong_secret.balance()
    wrong_key = make_client(api_key="not-the-key")
    with pytest.raises(KrakenInvalidKeyError):
        await wrong_key.balance()
    good = make_client()
    await good.balance()
    # A second program on the same key with its own nonce file and a clock an hour behind.
    behind = make_client(
        nonce_file=tmp_path / "other.nonce",
        nonce_kwargs={"now_us": lambda: time.time_ns() // 1000 - 3_600_000_000},
    )
    with pytest.raises(KrakenInvalidNonceError, match="EAPI:Invalid nonce"):
        await behind.balance()
    assert len(fake.requests) == 1  # only the good call was authentic; nothing was retried


async def test_read_backs_off_on_rate_limit_throttle_and_5xx(
    client: KrakenPrivateClient, fake: FakeKraken
) -> None:
    fake.faults["Balance"] = [
        respond(lambda: error("EAPI:Rate limit exceeded")),
        respond(lambda: error(f"EService: Throttled: {time.time() + 0.05:.3f}")),
        respond(lambda: web.Response(status=503)),
        respond(lambda: error("EService:Unavailable")),
    ]
    client.retry = RetryPolicy(max_attempts=5, base_delay_s=0.01, max_delay_s=0.02, jitter=0.0)
    started = time.monotonic()
    assert (await client.balance())["ZUSD"] == D("200000.00")
    assert len(fake.calls("Balance")) == 5
    assert time.monotonic() - started >= 0.05  # the throttle deadline was honoured
    assert_nonces_strictly_increase(fake)


async def test_read_gives_up_after_its_attempts(
    make_client: Callable[..., KrakenPrivateClient], fake: FakeKraken
) -> None:
    client = make_client(circuit_breaker=CircuitBreaker("patient", max_consecutive_failures=100))
    fake.faults["Balance"] = [respond(lambda: error("EService:Busy"))] * 4
    with pytest.raises(KrakenAPIError, match="still failing after all retries"):
        await client.balance()
    fake.faults["Balance"] = [respond(lambda: web.Response(status=500))] * 4
    with pytest.raises(KrakenNoResponseError, match="HTTP 500"):
        await client.balance()


async def test_rest_counter_makes_calls_wait_instead_of_sending(
    make_client: Callable[..., KrakenPrivateClient], fake: FakeKraken
) -> None:
    slow = TierLimits(
        rest_max=2, rest_decay_per_s=10.0, trading_threshold=60, trading_decay_per_s=1, max_open_orders=60
    )
    client = make_client(rest_counter=RestCallCounter(slow))
    started = time.monotonic()
    await client.balance()
    await client.balance()
    await client.trades_history()  # costs 2: waits for 2 points at 10/s
    assert time.monotonic() - started >= 0.19


async def test_circuit_breaker_fails_fast_without_sending(
    make_client: Callable[..., KrakenPrivateClient], fake: FakeKraken
) -> None:
    breaker = CircuitBreaker("kraken-test", max_consecutive_failures=3, cool_down_s=60)
    client = make_client(circuit_breaker=breaker, retry=RetryPolicy(max_attempts=1))
    fake.faults["Balance"] = [respond(lambda: web.Response(status=500))] * 3
    for _ in range(3):
        with pytest.raises(KrakenNoResponseError):
            await client.balance()
    with pytest.raises(CircuitOpenError, match="call not sent"):
        await client.balance()
    assert len(fake.calls("Balance")) == 3
    # A refused order is a healthy API: it does not count as a failure.
    healthy = CircuitBreaker("kraken-test-2", max_consecutive_failures=1)
    client2 = make_client(circuit_breaker=healthy)
    fake.faults["AddOrder"] = [respond(lambda: error("EOrder:Insufficient funds"))]
    with pytest.raises(KrakenOrderRejectedError):
        await client2.add_order(xrp(OrderType.MARKET))
    assert healthy.stats().total_failures == 0


async def test_secrets_never_reach_logs_exceptions_or_reprs(
    make_client: Callable[..., KrakenPrivateClient], fake: FakeKraken, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client()
    texts = [repr(client)]
    fake.faults["Balance"] = [respond(lambda: error("EAPI:Rate limit exceeded"))]
    await client.balance()
    fake.faults["AddOrder"] = [place_then_drop(fake)]
    await client.add_order_safely(xrp(OrderType.MARKET, cl_ord_id="s-1"))
    token = await client.get_websockets_token()
    texts.append(repr(token))
    for bad in (make_client(api_secret=base64.b64encode(b"x" * 32).decode()), make_client(api_key="k" * 20)):
        with pytest.raises(KrakenAPIError) as info:
            await bad.balance()
        texts.append(str(info.value))
    texts += [record.getMessage() for record in caplog.records]
    assert any("looking it up" in t for t in texts)  # the ambiguity was logged ...
    for text in texts:  # ... without any credential
        assert KEY not in text and SECRET not in text and token.token not in text


async def test_from_settings_needs_keys_and_uses_the_nonce_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="KRAKEN_API_KEY"):
        KrakenPrivateClient.from_settings(ExchangeSettings())
    settings = ExchangeSettings(
        api_key=KEY, api_secret=SECRET, api_tier="pro", nonce_file=tmp_path / "k.nonce"
    )
    client = KrakenPrivateClient.from_settings(settings)
    try:
        assert repr(client) == "KrakenPrivateClient('https://api.kraken.com', tier='pro')"
        assert client.rest_counter.bucket.capacity == 20 and client.rest_counter.bucket.leak_per_s == 1.0
        assert isinstance(client.nonce_source, FileNonceSource)
        assert client.nonce_source.path == tmp_path / "k.nonce"
    finally:
        client.nonce_source.close()
        await client.close()
