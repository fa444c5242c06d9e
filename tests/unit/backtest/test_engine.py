"""The engine on small synthetic markets: when orders fill, what they cost, how time moves."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_UP, Decimal
from typing import Any

import pytest

from galfriday.backtest import BacktestEngine, BacktestError, DataKind, Feed, StrategyKind, StrategySpec
from galfriday.backtest.instruments import backtest_instruments
from galfriday.core.clock import Clock
from galfriday.core.events import BarClosed
from galfriday.sim.market.generator import DEFAULT_START_NS, MarketGenerator
from galfriday.sim.market.profile import default_profiles
from galfriday.strategy import SmaCrossRule
from tests.unit.backtest._kit import MINUTE, NS, T0, bars, cross_up_then_down, permissive, run

CLOSES = cross_up_then_down()  # SMA(2) crosses SMA(4) up at bar 5's close, down at bar 12's
XRP = bars("XRP/USD", CLOSES)


def fee(qty: Decimal, price: Decimal) -> Decimal:
    return (qty * price * Decimal("0.0026")).quantize(Decimal("0.00001"), ROUND_UP)


def test_a_market_order_sent_at_a_close_fills_at_the_next_open_with_latency_zero() -> None:
    (trade,) = run(permissive(), XRP).trades
    assert trade.entry_time_ns == XRP[6].ts_event and trade.avg_entry_price == XRP[6].open
    assert trade.exit_time_ns == XRP[13].ts_event and trade.avg_exit_price == XRP[13].open
    assert trade.exit_reason == "REVERSAL"


def test_with_latency_it_first_meets_the_bar_after_next() -> None:
    (trade,) = run(permissive(backtest={"latency_ms": 100}), XRP).trades
    assert trade.avg_entry_price == XRP[7].open and trade.entry_time_ns == XRP[7].ts_event
    assert trade.avg_exit_price == XRP[14].open


def test_fees_are_charged_on_both_legs_and_the_pnl_is_net_of_them() -> None:
    result = run(permissive(), XRP)
    (trade,) = result.trades
    entry_fee, exit_fee = fee(trade.qty, trade.avg_entry_price), fee(trade.qty, trade.avg_exit_price)
    assert [f.fee for f in result.fills] == [entry_fee, exit_fee]
    assert trade.fees == entry_fee + exit_fee == result.metrics.fees_paid
    gross = (trade.avg_exit_price - trade.avg_entry_price) * trade.qty
    assert trade.realized_pnl == gross - trade.fees
    assert result.metrics.final_equity == result.metrics.start_equity + trade.realized_pnl


def test_slippage_moves_taker_fills_against_the_trader_rounded_to_the_tick() -> None:
    (trade,) = run(permissive(backtest={"slippage_bps": 10}), XRP).trades
    tick = Decimal("0.00001")
    assert trade.avg_entry_price == (XRP[6].open * Decimal("1.001")).quantize(tick, ROUND_CEILING)
    assert trade.avg_exit_price == (XRP[13].open * Decimal("0.999")).quantize(tick, ROUND_FLOOR)


def test_a_volume_cap_splits_an_order_into_partial_fills_over_bars() -> None:
    thin = bars("XRP/USD", CLOSES, volume="50000")  # 0.2 % of 50,000 = 100 XRP per bar
    result = run(permissive(backtest={"max_bar_volume_share": 0.002}), thin)
    entry = result.orders[0]
    fills = [f for f in result.fills if f.client_order_id == entry.client_order_id]
    assert len(fills) == 2 and fills[0].qty == Decimal(100)
    assert sum(f.qty for f in fills) == entry.qty == entry.filled_qty and entry.status == "FILLED"
    assert [f.ts_ns for f in fills] == [thin[6].ts_event, thin[7].ts_event]


def test_timers_fire_between_bars_at_their_own_time() -> None:
    result = run(permissive(strategy={"max_holding_s": 150}), XRP)
    trade = result.trades[0]
    exit_order = next(o for o in result.orders if o.purpose == "exit")
    assert trade.exit_reason == "TIME_EXIT"
    assert exit_order.submitted_ns == trade.entry_time_ns + 150 * NS  # between two bar closes
    assert trade.avg_exit_price == XRP[10].open  # the first bar that opened after the order was sent


def test_the_clock_reads_each_event_time_when_it_is_published() -> None:
    seen: list[tuple[int, int]] = []

    def watcher(bus: Any, clock: Clock) -> object:
        bus.subscribe(BarClosed, lambda bar: seen.append((clock.timestamp_ns(), bar.ts_event)))
        return watcher

    settings = permissive()
    instruments = backtest_instruments(settings, settings.pairs)
    engine = BacktestEngine(settings, instruments, StrategySpec(), predictor=watcher)
    engine.run(Feed((XRP,), DataKind.BARS, 60))
    assert seen and all(now == ts for now, ts in seen)


def test_pairs_are_merged_in_time_order_and_share_one_account() -> None:
    settings = permissive(pairs=["XRP/USD", "DOGE/USD"])
    # half a bar later; prices ÷ 8 keep the flat start exact in binary, so the float SMAs start level
    doge = bars("DOGE/USD", [round(c / 8, 7) for c in CLOSES], start_ns=T0 + 30 * NS)
    result = run(settings, XRP, doge)
    assert Counter(t.pair for t in result.trades) == {"XRP/USD": 1, "DOGE/USD": 1}
    merged = sorted((ts, pair) for pair, points in result.closes.items() for ts, _ in points)
    assert [ts for ts, _ in merged] == sorted(b.ts_event for b in XRP + doge)
    # one equity point per minute of the grid, not per event
    assert len(result.equity) == len({(ts - 1) // MINUTE for ts, _ in merged}) + 1
    assert result.meta.events == len(XRP) + len(doge)


def test_the_equity_curve_includes_unrealised_pnl_of_an_open_position() -> None:
    rising = bars("XRP/USD", [1.0] * 5 + [1.0 + 0.01 * i for i in range(1, 8)])
    result = run(permissive(), rising)
    (position,) = result.open_positions
    assert result.trades == () and position.mark == rising[-1].close
    cash_after_entry = (
        result.metrics.start_equity - position.qty * position.avg_price - result.metrics.fees_paid
    )
    assert result.equity[-1][1] == cash_after_entry + position.qty * rising[-1].close


def test_a_handler_that_raises_makes_the_result_untrusted() -> None:
    def broken(bus: Any, clock: Clock) -> object:
        bus.subscribe(BarClosed, lambda bar: 1 / 0, name="broken")
        return broken

    settings = permissive()
    engine = BacktestEngine(
        settings, backtest_instruments(settings, settings.pairs), StrategySpec(), predictor=broken
    )
    result = engine.run(Feed((XRP,), DataKind.BARS, 60))
    assert len(result.failures) == len(XRP) and "ZeroDivisionError" in result.failures[0]


def test_same_inputs_and_seed_give_equal_results() -> None:
    first, second = run(permissive(), XRP, seed=5), run(permissive(), XRP, seed=5)
    assert first.fingerprint == second.fingerprint and first.trades == second.trades
    assert first.orders == second.orders and first.fills == second.fills and first.equity == second.equity
    other_seed = run(permissive(), XRP, seed=6)
    assert other_seed.fingerprint == first.fingerprint  # the seed names ids; it does not move prices
    assert other_seed.orders[0].client_order_id != first.orders[0].client_order_id


def test_inputs_the_engine_cannot_run_are_refused_with_the_fix() -> None:
    settings = permissive()
    instruments = backtest_instruments(settings, settings.pairs)
    with pytest.raises(BacktestError, match="needs a prediction component"):
        BacktestEngine(settings, instruments, StrategySpec(StrategyKind.MODEL))
    engine = BacktestEngine(settings, instruments, StrategySpec(StrategyKind.SMA, sma=SmaCrossRule(2, 4)))
    with pytest.raises(BacktestError, match="widen --from/--to"):
        engine.run(Feed((XRP,), DataKind.BARS, 60, start_ns=T0 + 3600 * NS))


def test_a_long_run_keeps_a_bounded_number_of_evenly_spaced_snapshots() -> None:
    long = bars("XRP/USD", [1.0 + 0.001 * (i % 7) for i in range(1000)])
    snapshots = run(permissive(portfolio={"snapshot_interval_s": 60}), long).snapshots
    assert 200 <= len(snapshots) < 400  # engine.MAX_SNAPSHOTS = 200
    spacing = {b.ts_event - a.ts_event for a, b in itertools.pairwise(snapshots)}
    assert spacing == {4 * MINUTE}  # thinned twice: every 1, 2, then 4 minutes
    assert snapshots[0].ts_event == T0 + MINUTE and snapshots[0].equity == Decimal(10_000)


def test_a_tick_feed_fills_on_the_book_and_strategies_get_bars_built_from_trades() -> None:
    """L2 books and trade prints (the seeded generator): the venue walks the book, the strategy
    trades on 1-minute bars the BarAggregator builds from the prints."""
    profiles = [dataclasses.replace(p, garch_omega=4e-10) for p in default_profiles()[:1]]
    events = list(MarketGenerator(profiles, seed=4).events(until_ns=DEFAULT_START_NS + 90 * MINUTE))
    settings = permissive(
        strategy={"entry_order_type": "LIMIT", "entry_timeout_s": 30, "on_entry_timeout": "market",
                  "sl_pct": "0.004", "tp_pct": "0.008", "max_holding_s": 900},
        backtest={"fill_model": "book", "latency_ms": 100},
    )  # fmt: skip
    engine = BacktestEngine(
        settings, backtest_instruments(settings, settings.pairs), StrategySpec(sma=SmaCrossRule(3, 8))
    )
    result = engine.run(Feed((events,), DataKind.TICKS, 60))
    assert result.meta.data_kind == "ticks" and len(result.closes["XRP/USD"]) >= 85  # one bar a minute
    assert len(result.trades) >= 3 and not result.failures
    assert {f.liquidity for f in result.fills} == {"MAKER", "TAKER"}  # resting limits and market orders
    fills_per_order = Counter(f.client_order_id for f in result.fills)
    assert max(fills_per_order.values()) > 1  # an order walked several book levels or updates
    # the start (the grid point before the first event), one per minute, the last event (off the grid)
    assert len(result.equity) == 1 + 90 + 1 and result.equity[-1][0] == result.meta.last_event_ns
