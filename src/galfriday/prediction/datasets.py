"""Training sets from stored candles, and walk-forward splits that cannot peek at the test period.

``build_dataset`` computes the feature set with the batch twins of the streaming indicators
(``features.compute_features``: row ``t`` equals what the live ``FeatureEngine`` publishes at the
close of bar ``t``, so it reads bars ``<= t``) and the labels of ``labels`` (bars ``t+1 … t+h``).
Rows still warming up or whose label window runs past the data end are not *usable*.

``walk_forward`` splits the usable rows into consecutive test windows, each trained on what came
before it minus an embargo of at least the label horizon: the last training label then ends before
the first test bar, so no training label overlaps a test label (López de Prado's purging).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from galfriday.features.batch import compute_features
from galfriday.features.candle_files import read_table
from galfriday.features.candles import CandleColumns, candle_columns
from galfriday.features.spec import FeatureSet
from galfriday.prediction.errors import DatasetError
from galfriday.prediction.labels import LabelSpec, make_labels

NS_PER_S = 1_000_000_000
MIN_TEST_ROWS = 20


@dataclass(frozen=True)
class Dataset:
    """Raw feature vectors and labels of every bar of one pair (NaN where there is none)."""

    pair: str
    interval_s: int
    feature_set: FeatureSet
    label: LabelSpec
    bars: CandleColumns
    features: np.ndarray  # (bars, features), in the feature set's order
    labels: np.ndarray  # (bars,): 1.0, 0.0 or NaN

    @property
    def names(self) -> tuple[str, ...]:
        return self.feature_set.names

    @property
    def bar_close_ns(self) -> np.ndarray:
        """When each row's features became known: the bar's close."""
        return self.bars.open_time_ns + self.interval_s * NS_PER_S

    def usable(self, sequence_length: int = 1) -> np.ndarray:
        """Bar indices with a label and finite features for the ``sequence_length`` bars ending there."""
        finite = np.isfinite(self.features).all(axis=1)
        ok = np.isfinite(self.labels) & finite
        for lag in range(1, sequence_length):
            ok[lag:] &= finite[:-lag]
            ok[:lag] = False
        return np.flatnonzero(ok)

    def windows(self, rows: np.ndarray, sequence_length: int = 1) -> np.ndarray:
        """Feature windows (rows, sequence_length, features) ending at each of ``rows``."""
        offsets = np.arange(1 - sequence_length, 1)
        return self.features[np.asarray(rows)[:, None] + offsets[None, :]]


def load_candles(path: Path) -> pa.Table:
    """A candle file (CSV, Parquet or Feather) as a table; read in place, never copied."""
    return read_table(Path(path))


def build_dataset(
    candles: pa.Table | Mapping[str, Any] | CandleColumns,
    feature_set: FeatureSet,
    label: LabelSpec,
    *,
    pair: str,
    interval_s: int | None = None,
) -> Dataset:
    """Features and labels for every candle row; ``interval_s`` defaults to the typical bar spacing."""
    bars = candles if isinstance(candles, CandleColumns) else candle_columns(candles)
    n = len(bars.close)
    if n <= label.horizon + 1:
        raise DatasetError(f"{n} candles cannot make labels {label.horizon} bars ahead; use more history")
    interval = interval_s or int(np.median(np.diff(bars.open_time_ns)) // NS_PER_S)
    if interval < 1:
        raise DatasetError("cannot tell the bar interval from the timestamps; pass interval_s")
    columns = compute_features(bars, feature_set).columns
    features = np.column_stack([columns[name] for name in feature_set.names])
    labels = make_labels(bars.open, bars.high, bars.low, bars.close, label)
    return Dataset(pair, interval, feature_set, label, bars, features, labels)


@dataclass(frozen=True)
class WalkForwardConfig:
    """``windows`` consecutive test windows after an initial training share of the usable rows."""

    windows: int = 4
    initial_train_share: float = 0.5
    embargo: int | None = None  # bars between training and test; None = the label horizon
    train_window: int | None = None  # rows of a rolling training window; None = expanding

    def __post_init__(self) -> None:
        if self.windows < 1:
            raise DatasetError(f"walk-forward needs at least one window, got {self.windows}")
        if not 0 < self.initial_train_share < 1:
            raise DatasetError(f"initial_train_share must be between 0 and 1, got {self.initial_train_share}")


@dataclass(frozen=True)
class Split:
    index: int
    train: np.ndarray  # bar indices
    test: np.ndarray  # bar indices, all after every training bar plus the embargo

    @cached_property
    def gap(self) -> int:
        """Bars strictly between the last training bar and the first test bar."""
        return int(self.test[0] - self.train[-1] - 1)


def walk_forward(rows: np.ndarray, config: WalkForwardConfig, horizon: int) -> list[Split]:
    """Split sorted usable bar indices into walk-forward windows with an embargo >= ``horizon``."""
    embargo = horizon if config.embargo is None else config.embargo
    if embargo < horizon:
        raise DatasetError(
            f"embargo {embargo} is shorter than the label horizon {horizon}: training labels would "
            "overlap the test period; use an embargo >= the horizon"
        )
    n = len(rows)
    first_test = int(n * config.initial_train_share)
    test_len = (n - first_test) // config.windows
    if test_len < MIN_TEST_ROWS:
        raise DatasetError(
            f"{n} usable rows leave {test_len} per test window (need >= {MIN_TEST_ROWS}); "
            "use more candles, fewer windows or a smaller initial_train_share"
        )
    splits = []
    for w in range(config.windows):
        start = first_test + w * test_len
        stop = n if w == config.windows - 1 else start + test_len
        test = rows[start:stop]
        train = rows[:start][rows[:start] < test[0] - embargo]
        if config.train_window is not None:
            train = train[-config.train_window :]
        if len(train) < MIN_TEST_ROWS:
            raise DatasetError(
                f"window {w} has only {len(train)} training rows after the embargo; use more candles"
            )
        splits.append(Split(w, train, test))
    return splits
