"""Cost-aware labels: thresholds, triple-barrier first touch and pessimistic ties, no look-ahead."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.prediction.datasets import build_dataset
from galfriday.prediction.errors import DatasetError
from galfriday.prediction.labels import LabelKind, LabelSpec, make_labels
from tests.unit.prediction import stubs
from tests.unit.prediction.synthetic import candles_from


def bars(opens, highs, lows, closes):
    return tuple(np.asarray(x, dtype=float) for x in (opens, highs, lows, closes))


def test_forward_label_must_beat_round_trip_fees_plus_margin() -> None:
    spec = LabelSpec(horizon=2, fee_rate=0.0026, margin=0.001)  # up means > 0.62 % after entry
    assert spec.threshold == pytest.approx(0.0062)
    # entry is the NEXT bar's open (100); the exit the close two bars after the signal bar
    o, h, lo, c = bars([99, 100, 100, 100], [101] * 4, [98] * 4, [99, 100, 100.64, 100.60])
    assert make_labels(o, h, lo, c, spec)[:2].tolist() == [1.0, 0.0]
    # a 0.3 % move clears the seed design's 0.1 % but not the fees: not up
    o, h, lo, c = bars([100] * 3, [101] * 3, [99] * 3, [100, 100, 100.3])
    assert make_labels(o, h, lo, c, LabelSpec(horizon=2))[0] == 0.0


def test_the_last_horizon_bars_have_no_label() -> None:
    n, h = 10, 3
    o = h_ = lo = c = np.linspace(1, 2, n)
    for kind in LabelKind:
        labels = make_labels(o, h_, lo, c, LabelSpec(kind=kind, horizon=h))
        assert np.isnan(labels[-h:]).all() and np.isfinite(labels[:-h]).all()


TB = LabelSpec(kind=LabelKind.TRIPLE_BARRIER, horizon=3, take_profit=0.04, stop_loss=0.02)


@pytest.mark.parametrize(
    ("highs", "lows", "closes", "expected", "why"),
    [
        ([101, 105, 101, 101], [99, 99.5, 99, 99], [100, 100, 100, 100], 1.0, "target first"),
        ([101, 101, 105, 101], [99, 97.9, 99, 99], [100, 100, 100, 100], 0.0, "stop first, target later"),
        ([101, 104.1, 101, 101], [99, 97.9, 99, 99], [100, 100, 100, 100], 0.0, "both in one bar: stop"),
        ([101, 101, 101, 101], [99, 99, 99, 99], [100, 100, 100, 101], 1.0, "time barrier, +1 % net"),
        ([101, 101, 101, 101], [99, 99, 99, 99], [100, 100, 100, 100.5], 0.0, "time barrier, +0.5 % < fees"),
    ],
)
def test_triple_barrier_first_touch(highs, lows, closes, expected, why) -> None:
    o, h, lo, c = bars([100] * 4, highs, lows, closes)  # entry at open[1] = 100
    assert make_labels(o, h, lo, c, TB)[0] == expected, why


def test_a_take_profit_inside_the_fees_is_refused() -> None:
    with pytest.raises(DatasetError, match="does not beat round-trip fees"):
        LabelSpec(kind=LabelKind.TRIPLE_BARRIER, take_profit=0.005)
    with pytest.raises(DatasetError, match="horizon"):
        LabelSpec(horizon=0)


def test_the_target_names_the_label() -> None:
    assert LabelSpec().target == "up_h12_fee52_m10"
    assert TB.target == "tb_h3_tp400_sl200_fee52_m10"
    assert LabelSpec.from_dict(TB.to_dict()) == TB


prices = st.lists(st.floats(0.5, 2.0), min_size=30, max_size=60)


@settings(max_examples=40, deadline=None)
@given(prices, st.integers(1, 8), st.sampled_from(list(LabelKind)), st.data())
def test_labels_never_read_past_their_window(closes, horizon, kind, data) -> None:
    """Changing any bar after t+h changes no label at or before t."""
    spec = LabelSpec(kind=kind, horizon=horizon)
    c = candles_from(closes, 1)
    n = len(closes)
    t = data.draw(st.integers(0, n - horizon - 2))
    before = make_labels(c["open"], c["high"], c["low"], c["close"], spec)
    changed = {k: v.copy() for k, v in c.items()}
    for key in ("open", "high", "low", "close"):
        changed[key][t + horizon + 1 :] *= data.draw(st.floats(0.5, 2.0))
    after = make_labels(changed["open"], changed["high"], changed["low"], changed["close"], spec)
    np.testing.assert_array_equal(before[: t + 1], after[: t + 1])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.5, 2.0), min_size=50, max_size=80), st.data())
def test_features_never_read_the_future(closes, data) -> None:
    """Changing any bar after t changes no feature at or before t."""
    fs = stubs.bars_v1()
    c = candles_from(closes, 2)
    t = data.draw(st.integers(0, len(closes) - 2))
    before = build_dataset(c, fs, LabelSpec(horizon=1), pair="X/Y").features
    changed = {k: v.copy() for k, v in c.items()}
    factor = data.draw(st.floats(0.5, 2.0))
    for key in ("open", "high", "low", "close", "volume"):
        changed[key][t + 1 :] *= factor
    after = build_dataset(changed, fs, LabelSpec(horizon=1), pair="X/Y").features
    np.testing.assert_array_equal(before[: t + 1], after[: t + 1])
