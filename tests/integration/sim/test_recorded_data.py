"""``--data``: recorded Parquet trades and candles replayed through the same exchange and engine."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from galfriday.sim.server import DataFile
from tests.integration.sim.conftest import ALICE, StartSim
from tests.integration.sim.rest_kit import private, public

S = 1_000_000_000


def _write(tmp_path: Path, start_s: float) -> tuple[Path, Path]:
    n = 60
    trades = tmp_path / "xrp_trades.parquet"
    pq.write_table(
        pa.table(
            {
                "timestamp": [int((start_s + i * 0.05) * S) for i in range(n)],
                "price": [f"0.{50000 + i % 7:05d}" for i in range(n)],
                "qty": ["25.5"] * n,
                "side": ["buy" if i % 2 else "sell" for i in range(n)],
            }
        ),
        trades,
    )
    candles = tmp_path / "doge_1s.parquet"
    pq.write_table(
        pa.table(
            {
                "timestamp": [int((start_s + i) * S) for i in range(4)],
                "open": ["0.1200000"] * 4,
                "high": ["0.1210000"] * 4,
                "low": ["0.1190000"] * 4,
                "close": ["0.1205000"] * 4,
                "volume": ["500000"] * 4,
            }
        ),
        candles,
    )
    return trades, candles


async def test_trades_and_candles_replay_and_fill_orders(start_sim: StartSim, tmp_path: Path) -> None:
    trades, candles = _write(tmp_path, time.time())
    sim = await start_sim(data=(DataFile("XRP/USD", trades), DataFile("DOGE/USD", candles)), speed=4.0)
    xrp = await private(sim, ALICE, "AddOrder", pair="XRPUSD", type="buy", ordertype="market", volume="20")
    doge = await private(sim, ALICE, "AddOrder", pair="XDGUSD", type="buy", ordertype="market", volume="1000")
    await asyncio.sleep(1.2)  # 4 s of recorded data at 4x
    tape = await public(sim, "Trades", pair="XRPUSD")
    ohlc = await public(sim, "OHLC", pair="XDGUSD", interval=1)
    depth = await public(sim, "Depth", pair="XDGUSD", count=2)
    orders = await private(
        sim, ALICE, "QueryOrders", txid=f"{xrp['result']['txid'][0]},{doge['result']['txid'][0]}"
    )
    assert len(tape["result"]["XXRPZUSD"]) == 60
    assert tape["result"]["XXRPZUSD"][0][1] == "25.50000000"
    assert ohlc["result"]["XDGUSD"][-1][4] == "0.1205000"  # close of the replayed candle
    assert depth["result"]["XDGUSD"]["bids"][0][0] == "0.1204999"  # synthetic book around the last close
    assert {o["status"] for o in orders["result"].values()} == {"closed"}
    doge_fill = orders["result"][doge["result"]["txid"][0]]
    assert Decimal(doge_fill["price"]) > Decimal("0.1200000")  # filled on a bar, with slippage
