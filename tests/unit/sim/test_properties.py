"""Property tests over random order flow and market data, on tick data and on bars.

Whatever happens: no quantity is created or lost (fills add up to cum_qty <= order qty; the
account's base and quote move by exactly the fills and fees), balances never go negative, every
fill is on the tick and the lot, and once every order has ended nothing stays held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from galfriday.core.types import OrderType, Side, TimeInForce
from galfriday.sim.matching import ExecType, ExecutionReport, MatchingEngine, OrderRequest, RemainderPolicy
from tests.unit.sim._kit import MIN, XRP, D, bar, book, engine, trade

TICK, LOT = XRP.tick, XRP.lot
MID = 50_000  # 0.50000 in ticks
STEP = MIN  # time between actions: one bar, longer than any latency tried

ticks = st.integers(min_value=MID - 40, max_value=MID + 40)
qtys = st.integers(min_value=10 * 10**8, max_value=400 * 10**8).map(lambda n: Decimal(n) * LOT)


def px(n: int) -> Decimal:
    return Decimal(n) * TICK


@st.composite
def requests(draw: st.DrawFn, kinds: tuple[OrderType, ...] = tuple(OrderType)) -> OrderRequest:
    kind = draw(st.sampled_from(kinds))
    side = draw(st.sampled_from(list(Side)))
    tif = draw(st.sampled_from([TimeInForce.GTC, TimeInForce.IOC, TimeInForce.GTD]))
    return OrderRequest(
        side=side, order_type=kind, qty=draw(qtys),
        limit_price=px(draw(ticks)) if kind.has_limit_price else None,
        trigger_price=px(draw(ticks)) if kind.has_trigger_price else None,
        time_in_force=tif,
        expire_time_ns=draw(st.integers(1, 40)) * STEP if tif is TimeInForce.GTD else None,
        post_only=kind is OrderType.LIMIT and tif is not TimeInForce.IOC and draw(st.booleans()),
    )


@st.composite
def books(draw: st.DrawFn) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    best_bid = draw(ticks)
    best_ask = best_bid + draw(st.integers(1, 5))
    n_bids, n_asks = draw(st.integers(0, 6)), draw(st.integers(0, 6))
    bid_ticks = sorted({best_bid - draw(st.integers(0, 30)) for _ in range(n_bids)}, reverse=True)
    ask_ticks = sorted({best_ask + draw(st.integers(0, 30)) for _ in range(n_asks)})
    return (
        [(str(px(t)), str(draw(qtys))) for t in bid_ticks],
        [(str(px(t)), str(draw(qtys))) for t in ask_ticks],
    )


_submit = st.tuples(st.just("submit"), requests())
_data = st.tuples(st.just("market"), st.data())
_cancel = st.tuples(st.just("cancel"), st.integers(0, 30))
actions = st.lists(st.one_of(_submit, _submit, _data, _data, _data, _cancel), min_size=8, max_size=40)
# limits only, no cancels, mostly data: orders rest and get crossed later (maker fills)
_limit = st.tuples(st.just("submit"), requests((OrderType.LIMIT,)))
resting_actions = st.lists(st.one_of(_limit, _data, _data), min_size=8, max_size=40)


def _check_balances(e: MatchingEngine) -> None:
    for asset in ("USD", "XRP"):
        assert e.account.total(asset) >= e.account.held(asset) >= 0


def _check_reports(e: MatchingEngine, reports: list[ExecutionReport], start: dict[str, Decimal]) -> None:
    by_order: dict[str, list[ExecutionReport]] = defaultdict(list)
    for r in reports:
        if r.order_id:
            by_order[r.order_id].append(r)
    base = quote = Decimal(0)
    for rs in by_order.values():
        fills = [r for r in rs if r.exec_type is ExecType.TRADE]
        last = rs[-1]
        assert sum((f.last_qty for f in fills), Decimal(0)) == last.cum_qty <= last.order_qty
        assert sum((f.last_qty * f.last_price for f in fills), Decimal(0)) == last.cum_cost
        assert sum((f.fee for f in fills), Decimal(0)) == last.cum_fee
        for f in fills:
            assert f.last_qty > 0 and f.last_qty % LOT == 0 and f.last_price % TICK == 0
            assert 0 <= f.fee <= f.last_qty * f.last_price
            sign = 1 if f.side is Side.BUY else -1
            base += sign * f.last_qty
            quote -= sign * f.last_qty * f.last_price + f.fee
        for r in rs:
            assert r.cum_qty + r.leaves_qty == r.order_qty or r.status.is_terminal
    assert e.account.total("XRP") == start["XRP"] + base
    assert e.account.total("USD") == start["USD"] + quote


MarketStep = Callable[[MatchingEngine, int, st.DataObject], list[ExecutionReport]]


def _run(e: MatchingEngine, steps: list[tuple[str, Any]], on_market: MarketStep) -> list[ExecutionReport]:
    reports: list[ExecutionReport] = []
    t = 0
    for kind, arg in steps:
        t += STEP
        if kind == "submit":
            reports += e.submit(arg, t)
        elif kind == "cancel":
            open_ids = [r.order_id for r in e.open_orders()]
            if open_ids:
                reports += e.cancel(t, order_id=open_ids[arg % len(open_ids)])
        else:
            reports += on_market(e, t, arg)
        _check_balances(e)
    reports += e.cancel_all(t + 1)
    reports += e.advance_to(t + 10**12)
    return reports


def _tick_data(e: MatchingEngine, t: int, data: st.DataObject) -> list[ExecutionReport]:
    if data.draw(st.booleans()):
        bids, asks = data.draw(books())
        return e.on_book(book(t, bids, asks))
    side = data.draw(st.sampled_from(list(Side)))
    return e.on_trade(trade(t, str(px(data.draw(ticks))), str(data.draw(qtys)), side))


def _bar_data(e: MatchingEngine, t: int, data: st.DataObject) -> list[ExecutionReport]:
    o, a, b, c = (data.draw(ticks) for _ in range(4))
    hi, lo = max(o, a, b, c), min(o, a, b, c)
    volume = data.draw(st.sampled_from(["0", "100", "5000", "100000"]))
    return e.on_bar(bar(t, str(px(o)), str(px(hi)), str(px(lo)), str(px(c)), volume))


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUNDS = st.sampled_from([("50", "40"), ("2000", "1000"), ("1000000", "1000000")])


@SETTINGS
@given(steps=actions, funds=FUNDS, keep=st.booleans(), latency=st.sampled_from([0, 10**9 // 2, 30 * 10**9]))
def test_tick_data_conserves_quantity_and_money(
    steps: list[tuple[str, Any]], funds: tuple[str, str], keep: bool, latency: int
) -> None:
    policy = RemainderPolicy.KEEP if keep else RemainderPolicy.CANCEL
    e = engine(usd=funds[0], xrp=funds[1], latency_ns=latency, market_remainder=policy)
    start = e.account.balances()
    reports = _run(e, steps, _tick_data)
    _check_reports(e, reports, start)
    assert e.account.held("USD") == e.account.held("XRP") == 0 and e.open_orders() == []


@SETTINGS
@given(steps=actions, funds=FUNDS, touch=st.booleans())
def test_bars_conserve_quantity_and_money(
    steps: list[tuple[str, Any]], funds: tuple[str, str], touch: bool
) -> None:
    e = engine(usd=funds[0], xrp=funds[1], limit_fill_on_touch=touch, slippage_bps=D("7"))
    start = e.account.balances()
    reports = _run(e, steps, _bar_data)
    _check_reports(e, reports, start)
    assert e.account.held("USD") == e.account.held("XRP") == 0 and e.open_orders() == []


@SETTINGS
@given(steps=resting_actions, funds=FUNDS, bars=st.booleans())
def test_resting_limits_conserve_quantity_and_money(
    steps: list[tuple[str, Any]], funds: tuple[str, str], bars: bool
) -> None:
    e = engine(usd=funds[0], xrp=funds[1], latency_ns=10**9)
    start = e.account.balances()
    reports = _run(e, steps, _bar_data if bars else _tick_data)
    _check_reports(e, reports, start)
    assert e.account.held("USD") == e.account.held("XRP") == 0 and e.open_orders() == []
