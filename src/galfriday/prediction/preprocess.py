"""Make price-denominated features scale-free before a model sees them.

Feature sets such as ``bars_v1`` publish moving averages, bands and VWAPs as prices and MACD/ATR as
price differences. A model trained on raw prices learns the price *level* of its training period and
is lost the day the price leaves that range; walk-forward scores would flatter nothing but luck.
So every model divides them by a reference price from the same vector (the first price-level
feature, e.g. ``ema_12``): levels become ``x / ref - 1``, differences ``x / ref``. Ratios (RSI, ROC,
volatility, imbalance) and volumes pass through unchanged.

The rule is derived from the feature definitions alone (no fitted state), is stored with the
model, and is applied identically in training, inference and drift monitoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from galfriday.features.catalogue import PRICES
from galfriday.features.spec import FeatureSet, FeatureSpec

_LEVEL_CALCULATORS = frozenset({"sma", "ema", "bollinger"})  # in the units of their input series
_DIFF_CALCULATORS = frozenset({"macd", "momentum"})  # differences of their input series


@dataclass(frozen=True)
class ScaleFree:
    """Column indices to express relative to the ``reference`` column (None: nothing to do)."""

    reference: int | None
    levels: tuple[int, ...]
    diffs: tuple[int, ...]

    def transform(self, values: np.ndarray) -> np.ndarray:
        """The same array (any leading shape, features last) with prices made relative."""
        if self.reference is None:
            return values
        out = np.array(values, dtype=np.float64, copy=True)
        ref = out[..., self.reference].copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            for i in self.levels:
                out[..., i] = out[..., i] / ref - 1.0
            for i in self.diffs:
                out[..., i] = out[..., i] / ref
        return out


def scale_free(feature_set: FeatureSet) -> ScaleFree:
    levels = [i for i, f in enumerate(feature_set.features) if _is_level(f)]
    diffs = [i for i, f in enumerate(feature_set.features) if _is_diff(f)]
    if not levels:
        return ScaleFree(None, (), ())
    return ScaleFree(levels[0], tuple(levels), tuple(diffs))


def _is_level(spec: FeatureSpec) -> bool:
    if spec.calculator in _LEVEL_CALCULATORS:
        return spec.input in PRICES
    return (
        spec.calculator in ("vwap", "session_vwap")
        or (spec.calculator == "book_top" and spec.output in ("mid", "wap"))
        or (spec.calculator == "trade_flow" and spec.output == "vwap")
    )


def _is_diff(spec: FeatureSpec) -> bool:
    if spec.calculator in _DIFF_CALCULATORS:
        return spec.input in PRICES
    return spec.calculator == "atr" or (spec.calculator == "book_top" and spec.output == "spread_abs")
