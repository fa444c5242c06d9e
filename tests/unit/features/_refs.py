"""Readers for the reference data in ../shared/data and comparison helpers for indicator tests."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow.feather as feather

from galfriday.core.events import BarClosed, MarketTradeReceived, OrderBookUpdated
from galfriday.core.types import Side
from galfriday.marketdata.book import OrderBook, Verdict

S = 1_000_000_000
FEATHERS = (
    "ETH_BTC-5m",
    "UNITTEST_BTC-1m",
    "UNITTEST_BTC-30m",
    "XRP_ETH-1m",
    "XRP_ETH-5m",
    "XRP_USDT_USDT-1h-futures",
    "XRP_USDT_USDT-5m-futures",
)
TALIB_CSVS = ("kraken_XBTUSDT_1m_talib.csv", "XRP_USDT_5m_talib.csv")


def read_csv_columns(path: Path) -> dict[str, np.ndarray]:
    """Every column of a CSV as float64 (empty cells are NaN); non-numeric columns are skipped."""
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    out = {}
    for name in rows[0]:
        try:
            out[name] = np.array([float(r[name]) if r[name] != "" else np.nan for r in rows])
        except ValueError:
            continue
    return out


def talib_reference(shared_data: Path, name: str) -> dict[str, np.ndarray]:
    return read_csv_columns(shared_data / "talib-reference" / name)


def feather_candles(shared_data: Path, name: str) -> dict[str, np.ndarray]:
    table = feather.read_table(shared_data / "freqtrade" / "ohlcv" / f"{name}.feather")
    cols = {
        k: table.column(k).to_numpy().astype(np.float64) for k in ("open", "high", "low", "close", "volume")
    }
    cols["timestamp"] = table.column("date").cast("int64").to_numpy()  # ns
    return cols


@dataclass(frozen=True)
class TulipVector:
    name: str
    options: tuple[float, ...]
    inputs: tuple[np.ndarray, ...]
    outputs: tuple[np.ndarray, ...]


TULIP_INPUTS = {"atr": 3, "tr": 3}  # everything else used here reads one series


def tulip_vectors(path: Path, name: str) -> list[TulipVector]:
    """The test vectors of indicator ``name`` in a tulipindicators test file."""
    found = []
    for block in path.read_text().split("\n\n"):
        lines = [ln.strip() for ln in block.strip().splitlines() if ln.strip() and not ln.startswith("#")]
        if not lines or lines[0].split()[0] != name:
            continue
        options = tuple(float(o) for o in lines[0].split()[1:])
        vectors = [np.array([float(v) for v in ln.strip("{}").split(",")]) for ln in lines[1:]]
        n_in = TULIP_INPUTS.get(name, 1)
        found.append(TulipVector(name, options, tuple(vectors[:n_in]), tuple(vectors[n_in:])))
    assert found, f"no {name} vectors in {path}"
    return found


def assert_matches_reference(
    ours: np.ndarray, ref: np.ndarray, *, rtol: float = 1e-9, price_level: float = 0.0
) -> None:
    """Same warm-up (NaN in the same rows), then |ours - ref| <= rtol·|ref| + 1e-12·price_level.

    The absolute term matters only for outputs that are differences of prices (MACD, momentum):
    they can be ~0 while the prices they come from are ~price_level, and no formula can be closer
    than a few ulps of those prices (1e-12 relative is thousands of ulps).
    """
    ours, ref = np.asarray(ours), np.asarray(ref)
    assert ours.shape == ref.shape
    warm = ~np.isnan(ref)
    np.testing.assert_array_equal(np.isnan(ours), ~warm, err_msg="warm-up differs from the reference")
    tolerance = rtol * np.abs(ref[warm]) + 1e-12 * price_level
    error = np.abs(ours[warm] - ref[warm])
    worst = int(np.argmax(error - tolerance)) if error.size else 0
    assert (error <= tolerance).all(), (
        f"row {np.flatnonzero(warm)[worst]}: {ours[warm][worst]} vs {ref[warm][worst]}"
    )


def assert_same(a: np.ndarray, b: np.ndarray) -> None:
    """Bit-identical floats (NaN where NaN)."""
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b), strict=True)


def bar_events(cols: dict[str, np.ndarray], pair: str, interval_s: int) -> list[BarClosed]:
    """BarClosed events for candle rows; Decimal(repr(x)) so float(Decimal) gives back x exactly."""
    out = []
    ts = cols["timestamp"]
    ts_ns = ts * S if ts.max() < 1e11 else ts
    for i, open_ns in enumerate(ts_ns.tolist()):
        close_ns = open_ns + interval_s * S
        o, h, lo, c, v = (
            Decimal(repr(float(cols[k][i]))) for k in ("open", "high", "low", "close", "volume")
        )
        out.append(
            BarClosed(
                ts_event=close_ns,
                ts_init=close_ns,
                pair=pair,
                interval_s=interval_s,
                open_time_ns=open_ns,
                open=o,
                high=h,
                low=lo,
                close=c,
                volume=v,
                vwap=c,
                trade_count=1,
            )
        )
    return out


def recorded_book_events(shared_data: Path, pair: str = "BTC/USD", depth: int = 10) -> list[OrderBookUpdated]:
    """The real Kraken WS v2 BTC/USD book recording, replayed through the market-data OrderBook
    (checksums verified) into the OrderBookUpdated events the engine receives."""
    doc = json.loads((shared_data / "python-kraken-sdk" / "orderbook-v2.json").read_text())
    book = OrderBook(pair, depth, price_decimals=1, qty_decimals=8)
    events = []
    messages = [doc["init"], *doc["updates"]]
    first_ts = _rfc3339_ns(doc["updates"][0]["data"][0]["timestamp"]) - 1_000_000
    for msg in messages:
        data = msg["data"][0]
        levels = [
            [(Decimal(repr(lv["price"])), Decimal(repr(lv["qty"]))) for lv in data[side]]
            for side in ("bids", "asks")
        ]
        snapshot = msg["type"] == "snapshot"
        verdict = book.apply_message(*levels, data["checksum"], snapshot=snapshot)
        assert verdict is Verdict.VERIFIED
        ts = first_ts if snapshot else _rfc3339_ns(data["timestamp"])
        bids, asks = book.top(depth)
        events.append(
            OrderBookUpdated(ts_event=ts, ts_init=ts, pair=pair, bids=bids, asks=asks, is_snapshot=snapshot)
        )
    return events


def _rfc3339_ns(text: str) -> int:
    dt = datetime.fromisoformat(text)
    return (int(dt.timestamp()) * 1_000_000 + dt.microsecond) * 1000


def recorded_trades(shared_data: Path, pair: str = "XBT/USDT") -> list[MarketTradeReceived]:
    """The real Kraken REST Trades capture (1000 XBTUSDT trades) as MarketTradeReceived events."""
    doc = json.loads((shared_data / "nautilus_trader" / "kraken" / "http_trades.json").read_text())
    out = []
    for price, qty, ts, side, ord_type, _misc, trade_id in doc["result"]["XBTUSDT"]:
        ts_ns = round(Decimal(repr(ts)) * 1_000_000_000)
        out.append(
            MarketTradeReceived(
                ts_event=ts_ns,
                ts_init=ts_ns,
                pair=pair,
                price=Decimal(price),
                qty=Decimal(qty),
                side=Side.BUY if side == "b" else Side.SELL,
                trade_id=str(trade_id),
                ord_type="limit" if ord_type == "l" else "market",
            )
        )
    return out
