"""AddOrder parameters (REST form, WS JSON) -> OrderIntent, and the refusals with Kraken's strings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from galfriday.core.instruments import default_instruments
from galfriday.core.types import OrderType, Side, TimeInForce
from galfriday.kraken.orders_wire import AddOrderRequest, add_order_fields
from galfriday.sim.server.assets import PairDirectory
from galfriday.sim.server.errors import ExchangeError
from galfriday.sim.server.order_params import parse_rest_order, parse_ws_order

PAIRS = PairDirectory(default_instruments().values())
XRP = default_instruments()["XRP/USD"]
NOW = 1_700_000_000 * 10**9


def rest(**fields: str):  # type: ignore[no-untyped-def]
    return parse_rest_order({"pair": "XRPUSD", "type": "buy", "volume": "50", **fields}, PAIRS, NOW)


def refusal(**fields: str) -> str:
    with pytest.raises(ExchangeError) as refused:
        rest(**fields)
    return refused.value.error


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (AddOrderRequest(instrument=XRP, side=Side.BUY, order_type=OrderType.MARKET, qty=Decimal("50")), {}),
        (
            AddOrderRequest(
                instrument=XRP,
                side=Side.SELL,
                order_type=OrderType.LIMIT,
                qty=Decimal("50"),
                limit_price=Decimal("0.5"),
                post_only=True,
                cl_ord_id="abc",
            ),
            {"limit_price": Decimal("0.5"), "post_only": True, "cl_ord_id": "abc"},
        ),
        (
            AddOrderRequest(
                instrument=XRP,
                side=Side.SELL,
                order_type=OrderType.STOP_LOSS_LIMIT,
                qty=Decimal("50"),
                trigger_price=Decimal("0.4"),
                limit_price=Decimal("0.39"),
                userref=7,
            ),
            {"trigger_price": Decimal("0.4"), "limit_price": Decimal("0.39"), "userref": 7},
        ),
        (
            AddOrderRequest(
                instrument=XRP,
                side=Side.BUY,
                order_type=OrderType.LIMIT,
                qty=Decimal("50"),
                limit_price=Decimal("0.5"),
                time_in_force=TimeInForce.GTD,
                expire_time_s=1_700_000_060,
            ),
            {"time_in_force": TimeInForce.GTD, "expire_wall_ns": 1_700_000_060 * 10**9},
        ),
        (
            AddOrderRequest(
                instrument=XRP,
                side=Side.BUY,
                order_type=OrderType.LIMIT,
                qty=Decimal("50"),
                limit_price=Decimal("0.5"),
                time_in_force=TimeInForce.IOC,
                validate=True,
            ),
            {"time_in_force": TimeInForce.IOC, "validate": True},
        ),
    ],
)
def test_our_clients_fields_round_trip(order: AddOrderRequest, expected: dict) -> None:
    intent = parse_rest_order(dict(add_order_fields(order)), PAIRS, NOW)
    assert (intent.instrument, intent.side, intent.order_type, intent.qty) == (
        XRP,
        order.side,
        order.order_type,
        order.qty,
    )
    for name, value in expected.items():
        assert getattr(intent, name) == value


def test_relative_and_default_values() -> None:
    assert rest(ordertype="limit", price="0.5", expiretm="+30").expire_wall_ns == NOW + 30 * 10**9
    assert rest(ordertype="limit", price="0.5", expiretm="+30").time_in_force is TimeInForce.GTD
    assert rest(ordertype="market", starttm="0", stptype="cancel-newest", validate="False").validate is False
    viqc = rest(ordertype="market", oflags="viqc")
    assert (viqc.qty, viqc.quote_qty) == (None, Decimal(50))
    assert rest(ordertype="market", pair="XXRPZUSD").instrument == XRP
    assert rest(ordertype="market", pair="XRP/USD").instrument == XRP


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"ordertype": "trailing-stop", "price": "+1"}, "EGeneral:Invalid arguments:ordertype"),
        ({"ordertype": "limit"}, "EGeneral:Invalid arguments:price"),
        ({"ordertype": "limit", "price": "+5%"}, "EGeneral:Invalid arguments:price"),
        ({"ordertype": "stop-loss-limit", "price": "0.4"}, "EGeneral:Invalid arguments:price2"),
        ({"ordertype": "limit", "price": "abc"}, "EGeneral:Invalid arguments:price"),
        ({"ordertype": "market", "volume": "-1"}, "EGeneral:Invalid arguments:volume"),
        ({"ordertype": "market", "oflags": "post,bogus"}, "EGeneral:Invalid arguments:oflags"),
        ({"ordertype": "market", "leverage": "5"}, "EGeneral:Invalid arguments:leverage"),
        ({"ordertype": "market", "reduce_only": "true"}, "EGeneral:Invalid arguments:reduce_only"),
        ({"ordertype": "market", "starttm": "+60"}, "EGeneral:Invalid arguments:starttm"),
        ({"ordertype": "market", "cl_ord_id": "x" * 19}, "EGeneral:Invalid arguments:cl_ord_id"),
        ({"ordertype": "market", "cl_ord_id": "a", "userref": "1"}, "EGeneral:Invalid arguments:cl_ord_id"),
        ({"ordertype": "market", "userref": "99999999999"}, "EGeneral:Invalid arguments:userref"),
        ({"ordertype": "market", "deadline": "2030-01-01T00:00:00Z"}, "EGeneral:Invalid arguments:deadline"),
        ({"ordertype": "market", "pair": "XBTUSD"}, "EQuery:Unknown asset pair"),
        ({"ordertype": "market", "type": "short"}, "EGeneral:Invalid arguments:type"),
    ],
)
def test_refusals_use_krakens_strings(fields: dict, error: str) -> None:
    assert refusal(**fields) == error


def test_ws_params() -> None:
    intent = parse_ws_order(
        {
            "order_type": "take-profit-limit",
            "side": "sell",
            "symbol": "DOGE/USD",
            "order_qty": Decimal("100"),
            "limit_price": Decimal("0.2"),
            "triggers": {"price": Decimal("0.21")},
            "time_in_force": "gtd",
            "expire_time": "2023-11-14T22:14:20Z",
            "order_userref": 3,
            "post_only": False,
        },
        PAIRS,
        NOW,
    )
    assert (intent.order_type, intent.trigger_price, intent.limit_price) == (
        OrderType.TAKE_PROFIT_LIMIT,
        Decimal("0.21"),
        Decimal("0.2"),
    )
    assert (intent.time_in_force, intent.expire_wall_ns, intent.userref) == (
        TimeInForce.GTD,
        1_700_000_060 * 10**9,
        3,
    )
    cash = parse_ws_order(
        {"order_type": "market", "side": "buy", "symbol": "XRP/USD", "cash_order_qty": 20}, PAIRS, NOW
    )
    assert (cash.qty, cash.quote_qty) == (None, Decimal(20))
    with pytest.raises(ExchangeError) as refused:
        parse_ws_order(
            {
                "order_type": "stop-loss",
                "side": "sell",
                "symbol": "XRP/USD",
                "order_qty": 10,
                "triggers": {"price": 5, "price_type": "pct"},
            },
            PAIRS,
            NOW,
        )
    assert refused.value.error == "EGeneral:Invalid arguments:triggers"
