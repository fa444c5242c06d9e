"""Streaming indicators (O(1) per update, ``warm``/``value``) and their batch numpy twins.

Every streaming class has a batch function that returns the same floats, bit for bit, on the same
data: same formula, same seeding, same warm-up (NaN in batch where the class says None).
"""

from galfriday.features.indicators.atr import ATR, atr
from galfriday.features.indicators.bollinger import BandsValue, BollingerBands, bollinger
from galfriday.features.indicators.book import (
    NO_TOP,
    BookFloats,
    TopOfBook,
    depth,
    depth_batch,
    imbalance,
    imbalance_batch,
    top_of_book,
    top_of_book_batch,
)
from galfriday.features.indicators.macd import MACD, MacdValue, macd
from galfriday.features.indicators.moving_average import EMA, SMA, ema, sma
from galfriday.features.indicators.roc import ROC, Momentum, momentum, roc
from galfriday.features.indicators.rsi import RSI, rsi
from galfriday.features.indicators.trade_flow import FlowValue, TradeFlow, TradePrints
from galfriday.features.indicators.volatility import LogReturnStd, log_return_std
from galfriday.features.indicators.vwap import (
    RollingVwap,
    SessionVwap,
    rolling_vwap,
    session_vwap,
    typical_price,
    typical_prices,
)
from galfriday.features.indicators.window_sums import WindowSums, window_sums

__all__ = [
    "ATR",
    "EMA",
    "MACD",
    "NO_TOP",
    "ROC",
    "RSI",
    "SMA",
    "BandsValue",
    "BollingerBands",
    "BookFloats",
    "FlowValue",
    "LogReturnStd",
    "MacdValue",
    "Momentum",
    "RollingVwap",
    "SessionVwap",
    "TopOfBook",
    "TradeFlow",
    "TradePrints",
    "WindowSums",
    "atr",
    "bollinger",
    "depth",
    "depth_batch",
    "ema",
    "imbalance",
    "imbalance_batch",
    "log_return_std",
    "macd",
    "momentum",
    "roc",
    "rolling_vwap",
    "rsi",
    "session_vwap",
    "sma",
    "top_of_book",
    "top_of_book_batch",
    "typical_price",
    "typical_prices",
    "window_sums",
]
