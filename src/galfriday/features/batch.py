"""Batch feature computation for training: the same numbers as replaying bars through the engine.

``compute_features`` runs the vectorised twin of every streaming calculator over a candle table
(plus, optionally, trade prints and book snapshots) and applies the same imputation and scaling, so
row ``i`` equals the vector the ``FeatureEngine`` publishes for bar ``i`` — bit for bit, which the
tests check. Book and trade features are evaluated at each bar's close (open time + interval) from
what was stamped at or before it, exactly as the engine sees them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pyarrow as pa

from galfriday.features import bar_calculators, book_features
from galfriday.features.book_features import BookColumns
from galfriday.features.candles import CandleColumns, candle_columns
from galfriday.features.catalogue import Source
from galfriday.features.errors import FeatureInputError
from galfriday.features.indicators import TradePrints
from galfriday.features.plan import FeaturePlan
from galfriday.features.spec import FeatureSet
from galfriday.features.transforms import transform_column

NS_PER_S = 1_000_000_000


@dataclass(frozen=True)
class TradeColumns:
    """Trade prints: time (epoch ns), price and quantity (Decimal, str or float), taker side."""

    ts_ns: np.ndarray
    price: Sequence[Decimal | str | float]
    qty: Sequence[Decimal | str | float]
    is_buy: np.ndarray


@dataclass(frozen=True)
class BatchFeatures:
    """Feature columns in the set's order; ``skipped`` lists features left out for lack of data."""

    columns: dict[str, np.ndarray]
    skipped: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.columns)


def compute_features(
    candles: pa.Table | Mapping[str, Any] | CandleColumns,
    feature_set: FeatureSet,
    *,
    trades: TradeColumns | None = None,
    book: BookColumns | None = None,
    interval_s: int | None = None,
    skip_unavailable: bool = False,
) -> BatchFeatures:
    """Every feature of ``feature_set`` for every candle row.

    Book and trade features need ``book`` / ``trades`` and ``interval_s`` (the bar length, to find
    each bar's close). Without that data they raise FeatureInputError, or are left out and listed in
    ``skipped`` when ``skip_unavailable`` is set.
    """
    cols = candles if isinstance(candles, CandleColumns) else candle_columns(candles)
    available = {Source.BAR} | ({Source.BOOK} if book is not None else set())
    available |= {Source.TRADE} if trades is not None else set()
    missing = [f.name for f in feature_set.features if f.source not in available]
    if missing and not skip_unavailable:
        raise FeatureInputError(
            f"feature set {feature_set.id!r} needs order-book or trade data for {', '.join(missing)}; "
            "pass book=/trades=, use a bar-only set such as bars_v1, or skip them with skip_unavailable=True"
        )
    if (book is not None or trades is not None) and not interval_s:
        raise FeatureInputError(
            "interval_s (the bar length in seconds) is needed to align book and trade data"
        )
    used = feature_set.only(available)
    plan = FeaturePlan.of(used)
    close_ns = cols.open_time_ns + (interval_s or 0) * NS_PER_S
    outputs = _instance_outputs(plan, cols, close_ns, book, trades)
    columns = {
        spec.name: transform_column(outputs[i][j], spec)
        for spec, (i, j) in zip(used.features, plan.columns, strict=True)
    }
    return BatchFeatures(columns, tuple(missing))


def _instance_outputs(
    plan: FeaturePlan,
    cols: CandleColumns,
    close_ns: np.ndarray,
    book: BookColumns | None,
    trades: TradeColumns | None,
) -> list[tuple[np.ndarray, ...]]:
    outputs: list[tuple[np.ndarray, ...]] = [()] * len(plan.instances)
    for i, key in plan.instances_of(Source.BAR):
        outputs[i] = bar_calculators.batch(key, cols)
    book_keys = plan.instances_of(Source.BOOK)
    if book is not None and book_keys:
        rows, has_book = book.latest_at(close_ns)
        for i, key in book_keys:
            outputs[i] = book_features.evaluate_batch(key, rows, has_book)
    trade_keys = plan.instances_of(Source.TRADE)
    if trades is not None and trade_keys:
        prints = TradePrints(trades.ts_ns, trades.price, trades.qty, trades.is_buy)
        for i, key in trade_keys:
            outputs[i] = tuple(prints.flow(close_ns, key.param("window_s")))
    return outputs
