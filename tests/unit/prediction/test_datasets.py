"""Datasets from real candles, and walk-forward splits with an embargo of at least the horizon."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from galfriday.prediction.datasets import WalkForwardConfig, build_dataset, walk_forward
from galfriday.prediction.errors import DatasetError
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.preprocess import scale_free
from tests.unit.prediction import stubs


def test_a_dataset_from_real_candles(xrp_5m: pa.Table) -> None:
    ds = build_dataset(xrp_5m, stubs.bars_v1(), LabelSpec(horizon=12), pair="XRP/USDT")
    assert ds.interval_s == 300 and ds.features.shape == (1999, 14)
    rows = ds.usable()
    assert rows[0] == 33  # MACD's signal line is the last feature to warm up
    assert rows[-1] == 1999 - 12 - 1  # the last 12 bars have no complete label window
    assert np.isfinite(ds.features[rows]).all() and set(np.unique(ds.labels[rows])) == {0.0, 1.0}
    # cost-aware: far fewer "up" bars than bars that merely closed higher 12 bars later
    closed_higher = (ds.bars.close[12:] > ds.bars.open[1:-11])[rows].mean()
    assert ds.labels[rows].mean() < closed_higher - 0.15
    assert ds.windows(rows[:5], 3).shape == (5, 3, 14)
    assert len(ds.usable(16)) == len(rows) - 15


def test_walk_forward_embargo_separates_training_labels_from_test_bars() -> None:
    rows = np.arange(40, 1040)
    splits = walk_forward(rows, WalkForwardConfig(windows=4, initial_train_share=0.5), horizon=12)
    assert len(splits) == 4
    tested = np.concatenate([s.test for s in splits])
    np.testing.assert_array_equal(tested, rows[500:])  # every later row is tested exactly once
    for split in splits:
        assert split.gap >= 12
        assert split.train[-1] + 12 < split.test[0]  # the last training label ends before testing
        assert split.train[0] == 40  # expanding window
    rolling = walk_forward(rows, WalkForwardConfig(windows=2, train_window=100, embargo=20), horizon=12)
    assert all(len(s.train) == 100 and s.gap >= 20 for s in rolling)


def test_walk_forward_refuses_a_short_embargo_and_tiny_windows() -> None:
    with pytest.raises(DatasetError, match="embargo 5 is shorter than the label horizon 12"):
        walk_forward(np.arange(1000), WalkForwardConfig(embargo=5), horizon=12)
    with pytest.raises(DatasetError, match="per test window"):
        walk_forward(np.arange(100), WalkForwardConfig(windows=4), horizon=12)


def test_scale_free_inputs_do_not_depend_on_the_price_level(xrp_5m: pa.Table) -> None:
    fs = stubs.bars_v1()
    ds = build_dataset(xrp_5m, fs, LabelSpec(), pair="XRP/USDT")
    scaled = {
        k: xrp_5m.column(k).to_numpy() * (10.0 if k != "volume" else 1.0)
        for k in ("open", "high", "low", "close", "volume")
    }
    scaled["date"] = xrp_5m.column("date")
    ten_x = build_dataset(scaled, fs, LabelSpec(), pair="XRP/USDT")
    rows = ds.usable()
    pre = scale_free(fs)
    np.testing.assert_allclose(
        pre.transform(ds.features[rows]), pre.transform(ten_x.features[rows]), atol=1e-9
    )
    assert not np.allclose(ds.features[rows], ten_x.features[rows])
    assert np.array_equal(ds.labels, ten_x.labels, equal_nan=True)
