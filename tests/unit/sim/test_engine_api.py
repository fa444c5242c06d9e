"""The engine's public surface: routing, dispatch, open orders, cancels, commands, misuse."""

from __future__ import annotations

import msgspec
import pytest

from galfriday.core.events import SubmitOrder, TimeEvent
from galfriday.core.types import OrderStatus, OrderType, Side, TimeInForce
from galfriday.sim.errors import SimError, UnknownOrderError
from galfriday.sim.matching import ExecType, FillModelConfig, OrderRequest
from tests.unit.sim._kit import D, bar, book, engine, kinds, limit, market, std_book, trade


def test_on_event_dispatches_market_data() -> None:
    e = engine()
    e.submit(market(Side.BUY, "10"), 1)
    assert kinds(e.on_event(std_book(2))) == [ExecType.NEW, ExecType.TRADE]
    assert e.on_event(trade(3, "0.5", "1", Side.BUY)) == []
    with pytest.raises(SimError, match="not market data"):
        e.on_event(TimeEvent(ts_event=4, ts_init=4, name="t"))


def test_data_of_another_pair_is_refused() -> None:
    e = engine()
    doge_book = msgspec.structs.replace(book(1, [], []), pair="DOGE/USD")
    with pytest.raises(SimError, match="route market data by pair"):
        e.on_book(doge_book)


def test_bars_and_ticks_do_not_mix_in_one_engine() -> None:
    e = engine()
    e.on_book(std_book(1))
    with pytest.raises(SimError, match="one engine per kind of data"):
        e.on_bar(bar(0, "0.5", "0.5", "0.5", "0.5", "1"))


def test_open_orders_are_status_snapshots_oldest_first() -> None:
    e = engine(latency_ns=7)
    assert e.instrument.symbol == "XRP/USD" and e.config.latency_ns == 7
    e.submit(limit(Side.BUY, "10", "0.4", client_order_id="a"), 1)
    e.submit(limit(Side.SELL, "10", "0.6", client_order_id="b"), 2)
    snapshots = e.open_orders()
    assert [s.client_order_id for s in snapshots] == ["a", "b"]
    assert all(s.exec_type is ExecType.STATUS and s.status is OrderStatus.PENDING_NEW for s in snapshots)


def test_cancel_all_and_unknown_orders() -> None:
    e = engine()
    e.submit(limit(Side.BUY, "10", "0.4"), 1)
    e.submit(limit(Side.SELL, "10", "0.6"), 1)
    assert kinds(e.cancel_all(2)) == [ExecType.CANCELED, ExecType.CANCELED]
    with pytest.raises(UnknownOrderError, match="EOrder:Unknown order") as info:
        e.cancel(3, order_id="OXXXXX-XXXXX-XXXXXX")
    assert info.value.kraken_error == "EOrder:Unknown order"


def test_request_from_a_submit_order_command() -> None:
    command = SubmitOrder(
        ts_event=1, ts_init=1, client_order_id="c-1", pair="XRP/USD", side=Side.SELL,
        order_type=OrderType.STOP_LOSS_LIMIT, qty=D("20"), limit_price=D("0.45"),
        trigger_price=D("0.46"), time_in_force=TimeInForce.GTD, expire_time_ns=99,
    )
    request = OrderRequest.from_command(command)
    assert request == OrderRequest(
        side=Side.SELL, order_type=OrderType.STOP_LOSS_LIMIT, qty=D("20"), limit_price=D("0.45"),
        trigger_price=D("0.46"), time_in_force=TimeInForce.GTD, expire_time_ns=99, client_order_id="c-1",
    )


def test_reports_carry_kraken_style_ids_and_both_timestamps() -> None:
    e = engine()
    (accepted,) = e.submit(market(Side.BUY, "10"), 1)
    assert accepted.order_id.startswith("O") and [len(p) for p in accepted.order_id.split("-")] == [6, 5, 6]
    e.advance_to(5)
    (_, fill) = e.on_book(std_book(7))
    assert fill.trade_id.startswith("T") and fill.ts_event == fill.ts_init == 7


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"latency_ns": -1}, "latency"),
        ({"slippage_bps": D("-1")}, "slippage_bps"),
        ({"slippage_bps": 5.0}, "Decimal"),
        ({"max_bar_volume_share": D("0")}, "max_bar_volume_share"),
        ({"fee_decimals": -1}, "fee_decimals"),
    ],
)
def test_config_refuses_nonsense(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(SimError, match=match):
        FillModelConfig(**kwargs)  # type: ignore[arg-type]
