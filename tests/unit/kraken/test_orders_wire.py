"""AddOrder encoding against ccxt's recorded request bodies; parsing Kraken's recorded responses.

Data: shared/data/ccxt/kraken_static_extract.json (request bodies ccxt's tests expect, and real
2024 responses) and shared/data/nautilus_trader/kraken/http_*.json (hand-written private-response
samples with Kraken's schema, some numbers as JSON numbers rather than strings).
"""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from galfriday.core.errors import GalFridayError
from galfriday.core.events import SubmitOrder
from galfriday.core.instruments import Instrument, default_instruments
from galfriday.core.types import LiquiditySide, OrderStatus, OrderType, Side, TimeInForce
from galfriday.kraken.orders_wire import (
    AddOrderRequest,
    InvalidOrderError,
    add_order_fields,
    check_cl_ord_id,
    decode_executions,
    format_deadline,
    format_decimal,
    parse_add_order,
    parse_closed_orders,
    parse_open_orders,
    parse_order,
    parse_orders,
    parse_trades_history,
)
from galfriday.kraken.rest_private import encode_body
from galfriday.kraken.rest_public import parse_ohlc, parse_trades
from galfriday.kraken.ws_schemas import MalformedMessage

_exact = msgspec.json.Decoder(float_hook=Decimal)

# The markets of ccxt's fixtures, with Kraken's AssetPairs precisions for them.
LTC_USDT = Instrument(
    symbol="LTC/USDT",
    base="LTC",
    quote="USDT",
    price_decimals=2,
    lot_decimals=8,
    rest_pair_id="LTCUSDT",
    altname="LTCUSDT",
)
BTC_USD = Instrument(
    symbol="BTC/USD",
    base="BTC",
    quote="USD",
    price_decimals=1,
    lot_decimals=8,
    rest_pair_id="XXBTZUSD",
    altname="XBTUSD",
)
XRP_USD = default_instruments()["XRP/USD"]
DOGE_USD = default_instruments()["DOGE/USD"]
D = Decimal


def order(inst: Instrument, side: Side, kind: OrderType, qty: str, **kw: Any) -> AddOrderRequest:
    return AddOrderRequest(instrument=inst, side=side, order_type=kind, qty=D(qty), **kw)


# ccxt description -> our equivalent order, plus margin fields ccxt adds that we deliberately omit.
CCXT_EQUIVALENTS: dict[str, tuple[AddOrderRequest, str]] = {
    "Spot market buy": (order(LTC_USDT, Side.BUY, OrderType.MARKET, "0.1"), ""),
    "Spot market sell": (order(LTC_USDT, Side.SELL, OrderType.MARKET, "0.1"), ""),
    "Margin stopLossPrice order (type 2)": (
        order(
            BTC_USD,
            Side.SELL,
            OrderType.STOP_LOSS_LIMIT,
            "0.00012",
            trigger_price=D(35000),
            limit_price=D(34000),
        ),
        "&reduce_only=true&leverage=5",
    ),
    "Margin takeProfitPrice order (type 2)": (
        order(
            BTC_USD,
            Side.SELL,
            OrderType.TAKE_PROFIT_LIMIT,
            "0.0001",
            trigger_price=D(45000),
            limit_price=D(46000),
        ),
        "&reduce_only=true&leverage=5",
    ),
    "Stop loss market order (type 2)": (
        order(LTC_USDT, Side.SELL, OrderType.STOP_LOSS, "0.1", trigger_price=D(55)),
        "",
    ),
    "Stop loss limit order (type 2)": (
        order(LTC_USDT, Side.SELL, OrderType.STOP_LOSS_LIMIT, "0.1", trigger_price=D(55), limit_price=D(54)),
        "",
    ),
    "take profit limit order": (
        order(
            LTC_USDT, Side.SELL, OrderType.TAKE_PROFIT_LIMIT, "0.1", trigger_price=D(120), limit_price=D(110)
        ),
        "",
    ),
    "take profit market order (type 2)": (
        order(LTC_USDT, Side.SELL, OrderType.TAKE_PROFIT, "0.1", trigger_price=D(120)),
        "",
    ),
    "order with multiple oflags combined": (
        order(
            LTC_USDT, Side.BUY, OrderType.LIMIT, "0.1", limit_price=D(50), post_only=True, fee_currency="base"
        ),
        "",
    ),
}
# What ccxt encodes that we deliberately do not, and why.
NOT_OURS = {
    "Margin trailing order": "trailing stops are not among our order types (core.types.OrderType)",
    "Margin trailing limit order": "trailing stops are not among our order types (core.types.OrderType)",
    "market buy order": "viqc (volume in quote currency): our sizing is always a base quantity on the lot",
    "usdt order": "viqc (volume in quote currency): our sizing is always a base quantity on the lot",
}


@pytest.fixture(scope="module")
def ccxt(shared_data: Path) -> dict[str, Any]:
    extract: dict[str, Any] = _exact.decode(
        (shared_data / "ccxt" / "kraken_static_extract.json").read_bytes()
    )
    return extract


@pytest.fixture(scope="module")
def nautilus(shared_data: Path) -> Path:
    return shared_data / "nautilus_trader" / "kraken"


def _result(path: Path) -> Any:
    return _exact.decode(path.read_bytes())["result"]


def test_every_ccxt_add_order_body_is_reproduced_byte_for_byte(ccxt: dict[str, Any]) -> None:
    """Margin fields (leverage, reduce_only) are cut from ccxt's body: Gal-Friday trades spot only."""
    add_orders = [r for r in ccxt["requests"] if r["url"].endswith("/0/private/AddOrder")]
    assert len(add_orders) == 13
    covered = set()
    for recorded in add_orders:
        description = recorded["description"]
        if description in NOT_OURS:
            continue
        request, margin_suffix = CCXT_EQUIVALENTS[description]
        expected: str = recorded["output"]
        nonce = int(dict(parse_qsl(expected))["nonce"])
        assert expected.endswith(margin_suffix)
        expected_spot = expected.removesuffix(margin_suffix) if margin_suffix else expected
        assert encode_body(nonce, add_order_fields(request)) == expected_spot.encode(), description
        covered.add(description)
    assert covered | set(NOT_OURS) == {r["description"] for r in add_orders}


def test_every_recorded_ccxt_response_we_have_a_parser_for_parses(ccxt: dict[str, Any]) -> None:
    """Ticker (we take prices from the WS feed) and OpenPositions (margin) have no parser here."""
    parsed = []
    for recorded in ccxt["responses"]:
        result = recorded["httpResponse"]["result"]
        endpoint = recorded["kraken_endpoint"]
        if endpoint == "POST /0/private/AddOrder":
            add = parse_add_order(result)
            assert (add.txid, add.description) == ("OL7LNO-R4SAD-6UINEU", "buy 0.10000000 LTCUSDT @ market")
        elif endpoint == "POST /0/private/QueryOrders":
            assert len(parse_orders(result)) == 1
        elif endpoint == "POST /0/private/OpenOrders":
            assert len(parse_open_orders(result)) == 1
        elif endpoint == "GET /0/public/OHLC":
            assert len(parse_ohlc(result).candles) == 6
        elif endpoint == "GET /0/public/Trades":
            assert parse_trades(result).trades[0].trade_id == 6324366
        else:
            assert endpoint in ("GET /0/public/Ticker", "POST /0/private/OpenPositions")
            continue
        parsed.append(endpoint)
    assert len(parsed) == 8


def test_ccxt_orders_parse_to_exact_values(ccxt: dict[str, Any]) -> None:
    by_description = {r["description"]: r["httpResponse"]["result"] for r in ccxt["responses"]}
    [open_limit] = parse_orders(by_description["fetch spot limit order"])
    assert (open_limit.txid, open_limit.status, open_limit.order_status) == (
        "OR6EGN-KQSEG-AMI6CL",
        "open",
        OrderStatus.NEW,
    )
    assert (open_limit.pair, open_limit.side, open_limit.order_type) == ("LTCUSDT", Side.BUY, OrderType.LIMIT)
    assert (open_limit.qty, open_limit.price, open_limit.oflags) == (
        D("0.10000000"),
        "50.00000",
        ("post", "fciq"),
    )
    assert (open_limit.userref, open_limit.cl_ord_id, open_limit.close_ns) == (0, None, None)
    assert open_limit.open_ns == 1_705_259_439_563_000_000

    [closed] = parse_orders(by_description["closed market order"])
    assert closed.order_status is OrderStatus.FILLED and not closed.is_open
    assert (closed.filled_qty, closed.cost, closed.fee, closed.avg_price) == (
        D("0.10000000"),
        D("7.105741"),
        D("0.018475"),
        D("71.05741"),
    )
    assert closed.trades == ("TWA6QJ-ZO4EM-6QIHQJ",)
    assert closed.close_ns == 1_705_260_547_472_865_800  # 7 decimals, exact

    [trailing] = parse_open_orders(by_description["fetch open trailing stop order"])
    assert (trailing.kraken_type, trailing.order_type, trailing.price) == ("trailing-stop", None, "+50.0000%")
    [stop_limit] = parse_open_orders(by_description["open stop-loss-limit order"])
    assert (stop_limit.order_type, stop_limit.price, stop_limit.price2) == (
        OrderType.STOP_LOSS_LIMIT,
        "55.00000",
        "54.00000",
    )


def test_nautilus_private_samples_parse(nautilus: Path) -> None:
    add = parse_add_order(_result(nautilus / "http_add_order_spot.json"))
    assert add.txids == ("OUF4EM-FRGI2-MQMWZD",)
    opened = {o.txid: o for o in parse_open_orders(_result(nautilus / "http_open_orders.json"))}
    assert opened["OYEQF4-FDE4C-NMUYUI"].userref == 123456  # a JSON number here, a string in ccxt's
    assert opened["O26VBY-ISGAE-JP5TLU"].open_ns == 1_688_583_840_864_800_000  # JSON float, exact
    closed = parse_closed_orders(_result(nautilus / "http_closed_orders.json"))
    assert closed.count == 2
    assert {o.reason for o in closed.orders} == {"User requested"}
    history = parse_trades_history(_result(nautilus / "http_trades_history.json"))
    trades = {t.txid: t for t in history.trades}
    maker = trades["TCCCTY-WJ6EO-4FP4VZ"]
    assert (maker.order_txid, maker.liquidity, maker.price, maker.fee, maker.trade_id) == (
        "O26VBY-ISGAE-JP5TLU",
        LiquiditySide.MAKER,
        D("29500.50"),
        D("23.60"),
        1001,
    )
    assert trades["TDCVFQ-TPEG4-6X7LSZ"].liquidity is LiquiditySide.TAKER
    assert history.count == 2


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            order(XRP_USD, Side.BUY, OrderType.LIMIT, "20", limit_price=D("0.52340")),
            "pair=XXRPZUSD&type=buy&ordertype=limit&volume=20&price=0.5234",
        ),
        (
            order(
                DOGE_USD,
                Side.SELL,
                OrderType.LIMIT,
                "50.00000001",
                limit_price=D("0.0000001"),
                time_in_force=TimeInForce.IOC,
            ),
            "pair=XDGUSD&type=sell&ordertype=limit&volume=50.00000001&price=0.0000001&timeinforce=IOC",
        ),
        (
            order(
                XRP_USD,
                Side.BUY,
                OrderType.LIMIT,
                "1E+2",
                limit_price=D("1E+0"),
                time_in_force=TimeInForce.GTD,
                expire_time_s=1_800_000_000,
                cl_ord_id="q-000123",
            ),
            "pair=XXRPZUSD&type=buy&ordertype=limit&volume=100&price=1&timeinforce=GTD&expiretm=1800000000"
            "&cl_ord_id=q-000123",
        ),
        (
            order(
                XRP_USD,
                Side.SELL,
                OrderType.MARKET,
                "10",
                userref=-42,
                validate=True,
                deadline_ns=1_700_000_000_123_456_789,
            ),
            "pair=XXRPZUSD&type=sell&ordertype=market&volume=10&userref=-42"
            "&deadline=2023-11-14T22%3A13%3A20.123Z&validate=true",
        ),
        (
            order(
                XRP_USD,
                Side.BUY,
                OrderType.LIMIT,
                "10",
                limit_price=D("0.5"),
                post_only=True,
                fee_currency="quote",
            ),
            "pair=XXRPZUSD&type=buy&ordertype=limit&volume=10&price=0.5&oflags=fciq%2Cpost",
        ),
    ],
)
def test_our_fields(request_: AddOrderRequest, expected: str) -> None:
    assert encode_body(1, add_order_fields(request_)) == f"nonce=1&{expected}".encode()


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            order(XRP_USD, Side.BUY, OrderType.LIMIT, "20", limit_price=D("0.523401")),
            "not a multiple of the tick",
        ),
        (order(XRP_USD, Side.BUY, OrderType.LIMIT, "20.000000001", limit_price=D("0.5")), "lot"),
        (order(XRP_USD, Side.BUY, OrderType.MARKET, "0"), "volume must be positive"),
        (order(XRP_USD, Side.BUY, OrderType.STOP_LOSS, "20", trigger_price=D("-1")), "must be positive"),
        (order(XRP_USD, Side.BUY, OrderType.MARKET, "20", limit_price=D("0.5")), "takes no limit_price"),
        (
            order(XRP_USD, Side.BUY, OrderType.STOP_LOSS_LIMIT, "20", limit_price=D("0.5")),
            "needs trigger_price",
        ),
        (order(XRP_USD, Side.BUY, OrderType.MARKET, "20", post_only=True), "post_only"),
        (order(XRP_USD, Side.BUY, OrderType.MARKET, "20", time_in_force=TimeInForce.IOC), "MARKET"),
        (
            order(XRP_USD, Side.BUY, OrderType.LIMIT, "20", limit_price=D(1), time_in_force=TimeInForce.GTD),
            "GTD",
        ),
        (order(XRP_USD, Side.BUY, OrderType.MARKET, "20", cl_ord_id="a", userref=1), "mutually exclusive"),
        (order(XRP_USD, Side.BUY, OrderType.MARKET, "20", userref=2**31), "32-bit"),
        (order(XRP_USD, Side.BUY, OrderType.MARKET, "20", cl_ord_id="x" * 19), "18 printable"),
    ],
)
def test_invalid_orders_are_refused_before_sending(request_: AddOrderRequest, message: str) -> None:
    with pytest.raises(InvalidOrderError, match=message):
        add_order_fields(request_)


def test_floats_never_reach_the_wire() -> None:
    with_float = msgspec.structs.replace(order(XRP_USD, Side.BUY, OrderType.MARKET, "1"), qty=20.5)
    with pytest.raises(GalFridayError, match="float"):
        add_order_fields(with_float)


@pytest.mark.parametrize(
    "good", ["d15708c1-dbb6-465d-b77d-47258319cc90", "d15708c1dbb6465db77d47258319cc90", "q-000123", "x" * 18]
)
def test_cl_ord_id_formats(good: str) -> None:
    assert check_cl_ord_id(good) == good


def test_submit_order_command_maps_to_the_request() -> None:
    command = SubmitOrder(
        client_order_id="e-1",
        pair="XRP/USD",
        side=Side.SELL,
        order_type=OrderType.STOP_LOSS_LIMIT,
        qty=D("30"),
        limit_price=D("0.49"),
        trigger_price=D("0.5"),
        time_in_force=TimeInForce.GTD,
        expire_time_ns=1_800_000_000_999_999_999,
        ts_event=0,
        ts_init=0,
    )
    fields = dict(add_order_fields(AddOrderRequest.from_submit_order(command, XRP_USD)))
    assert fields == {
        "pair": "XXRPZUSD",
        "type": "sell",
        "ordertype": "stop-loss-limit",
        "volume": "30",
        "price": "0.5",
        "price2": "0.49",
        "timeinforce": "GTD",
        "expiretm": "1800000000",
        "cl_ord_id": "e-1",
    }
    with pytest.raises(InvalidOrderError, match="DOGE/USD"):
        AddOrderRequest.from_submit_order(command, DOGE_USD)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("0E-8", "0"),
        ("-0", "0"),
        ("0.10000000", "0.1"),
        ("1E+2", "100"),
        ("1E-8", "0.00000001"),
        ("25", "25"),
    ],
)
def test_format_decimal_examples(value: str, text: str) -> None:
    assert format_decimal(D(value)) == text


def test_deadline_format() -> None:
    assert format_deadline(1_700_000_000_999_999_999) == "2023-11-14T22:13:20.999Z"


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=D("1E-12"), max_value=D("1E+12")))
def test_format_decimal_is_plain_and_exact(value: Decimal) -> None:
    text = format_decimal(value)
    assert "E" not in text and "e" not in text
    assert D(text) == value


# ---------------------------------------------------------------------------- executions

DOC_TRADE = {
    "exec_type": "trade",
    "order_id": "OAAAAA-BBBBB-CCCCCC",
    "cl_ord_id": "q-000123",
    "symbol": "XRP/USD",
    "side": "buy",
    "order_type": "limit",
    "order_qty": 100,
    "limit_price": 0.5,
    "order_status": "partially_filled",
    "exec_id": "TAAAAA-BBBBB-CCCCCC",
    "trade_id": 123456,
    "last_qty": 40,
    "last_price": 0.5,
    "cost": 20,
    "liquidity_ind": "m",
    "fees": [{"asset": "USD", "qty": 0.032}],
    "fee_usd_equiv": 0.032,
    "cum_qty": 40,
    "cum_cost": 20,
    "avg_price": 0.5,
    "timestamp": "2026-01-01T00:00:00.000000Z",
}


def frame(kind: str, *reports: dict[str, Any]) -> bytes:
    return json.dumps({"channel": "executions", "type": kind, "data": list(reports), "sequence": 7}).encode()


def test_doc_trade_report() -> None:
    message = decode_executions(frame("update", DOC_TRADE))
    assert (message.is_snapshot, message.sequence) == (False, 7)
    [report] = message.reports
    assert (report.exec_type, report.order_status, report.cl_ord_id, report.side) == (
        "trade",
        OrderStatus.PARTIALLY_FILLED,
        "q-000123",
        Side.BUY,
    )
    assert (report.exec_id, report.trade_id, report.last_qty, report.last_price) == (
        "TAAAAA-BBBBB-CCCCCC",
        123456,
        D(40),
        D("0.5"),
    )
    assert report.liquidity is LiquiditySide.MAKER
    assert report.fees[0].asset == "USD" and report.fees[0].qty == D("0.032")  # exact, not 0.0320000000001
    assert (report.cum_qty, report.avg_price, report.ts_ns) == (D(40), D("0.5"), 1_767_225_600_000_000_000)


def test_life_of_an_order() -> None:
    base = {"order_id": "OAAAAA-BBBBB-CCCCCC", "cl_ord_id": "q-1", "timestamp": "2026-01-01T00:00:01.5Z"}
    snapshot = decode_executions(
        frame(
            "snapshot",
            {
                **base,
                "exec_type": "new",
                "order_status": "new",
                "symbol": "XRP/USD",
                "order_qty": 100,
                "post_only": True,
                "time_in_force": "gtc",
            },
        )
    )
    assert snapshot.is_snapshot and snapshot.reports[0].post_only is True
    filled = decode_executions(
        frame(
            "update",
            {
                **base,
                "exec_type": "filled",
                "order_status": "filled",
                "cum_qty": "100.00000000",
                "avg_price": "0.50010",
            },
        )
    )
    assert filled.reports[0].order_status is OrderStatus.FILLED
    assert filled.reports[0].cum_qty == D("100.00000000")
    canceled = decode_executions(
        frame(
            "update",
            {
                **base,
                "exec_type": "canceled",
                "order_status": "canceled",
                "reason": "User requested",
                "liquidity_ind": "t",
            },
        )
    )
    assert (canceled.reports[0].reason, canceled.reports[0].liquidity) == (
        "User requested",
        LiquiditySide.TAKER,
    )
    assert canceled.reports[0].ts_ns == 1_767_225_601_500_000_000


@pytest.mark.parametrize(
    "bad",
    [
        b"not json",
        frame("update", {**DOC_TRADE, "timestamp": "yesterday"}),
        frame("update", {k: v for k, v in DOC_TRADE.items() if k != "order_id"}),
        frame("update", {**DOC_TRADE, "exec_type": "exploded"}),
        frame("update", {**DOC_TRADE, "liquidity_ind": "x"}),
        frame("delta", DOC_TRADE),
        json.dumps({"channel": "book", "type": "update", "data": []}).encode(),
    ],
)
def test_malformed_executions_are_refused(bad: bytes) -> None:
    with pytest.raises(MalformedMessage):
        decode_executions(bad)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=6,
)


@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_executions_fuzz_only_malformed_or_parsed(raw: bytes) -> None:
    with contextlib.suppress(MalformedMessage):
        decode_executions(raw)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            k: json_values
            for k in (
                "status",
                "descr",
                "vol",
                "vol_exec",
                "cost",
                "fee",
                "price",
                "opentm",
                "userref",
                "oflags",
                "trades",
                "closetm",
                "cl_ord_id",
            )
        },
    )
)
def test_order_entry_fuzz_only_malformed_or_parsed(entry: dict[str, Any]) -> None:
    with contextlib.suppress(MalformedMessage):
        parse_order("OFUZZ", entry)
