"""The rule strategies' indicators match TA-Lib on real candles and Tulip's published vectors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from galfriday.strategy.indicators import Sma, WilderAtr, WilderRsi

TULIP_CLOSES = [
    81.59,
    81.06,
    82.87,
    83.00,
    83.61,
    83.15,
    82.84,
    83.99,
    84.55,
    84.36,
    85.53,
    86.54,
    86.89,
    87.77,
    87.29,
]


def test_sma_and_rsi_match_tulip_vectors() -> None:
    sma, rsi = Sma(5), WilderRsi(5)
    smas = [v for v in (sma.update(c) for c in TULIP_CLOSES) if v is not None]
    rsis = [v for v in (rsi.update(c) for c in TULIP_CLOSES) if v is not None]
    assert smas == pytest.approx(
        [82.426, 82.738, 83.094, 83.318, 83.628, 83.778, 84.254, 84.994, 85.574, 86.218, 86.804], abs=5e-4
    )
    assert rsis == pytest.approx(
        [72.034, 64.927, 75.936, 79.796, 74.713, 83.033, 87.478, 88.755, 91.483, 78.498], abs=5e-4
    )


@pytest.mark.parametrize("name", ["XRP_USDT_5m_talib.csv", "kraken_XBTUSDT_1m_talib.csv"])
def test_rsi_atr_sma_match_talib_on_real_candles(shared_data: Path, name: str) -> None:
    rows = list(csv.DictReader((shared_data / "talib-reference" / name).open()))
    rsi, atr, sma = WilderRsi(14), WilderAtr(14), Sma(20)
    checked = 0
    for row in rows:
        high, low, close = float(row["high"]), float(row["low"]), float(row["close"])
        got = {
            "rsi_14": rsi.update(close),
            "atr_14": atr.update(high, low, close),
            "sma_20": sma.update(close),
        }
        for column, value in got.items():
            if row[column] == "":
                assert value is None, (column, row["time"])
            else:
                assert value == pytest.approx(float(row[column]), rel=1e-6, abs=1e-9), (column, row["time"])
                checked += 1
    assert checked > 3 * (len(rows) - 40)
