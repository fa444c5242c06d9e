"""Batch computation: candle inputs in their many shapes, clear errors, transforms, no look-ahead."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.features import (
    BookColumns,
    FeatureInputError,
    FeatureRegistry,
    FeatureSet,
    TradeColumns,
    compute_features,
)
from galfriday.features.candles import candle_columns, to_epoch_ns
from galfriday.features.spec import FeatureSpec, Imputation, ImputeMethod, Scaling
from galfriday.features.transforms import VectorTransform, transform_column

from ._markets import markets
from ._refs import S, assert_same, talib_reference

BARS = FeatureRegistry.load().feature_set("bars_v1")
DEFAULT = FeatureRegistry.load().feature_set("default_v1")


@pytest.fixture(scope="module")
def xrp(shared_data: Path) -> dict[str, np.ndarray]:
    cols = talib_reference(shared_data, "XRP_USDT_5m_talib.csv")
    cols["timestamp"] = cols.pop("time").astype(np.int64)
    return {k: cols[k] for k in ("timestamp", "open", "high", "low", "close", "volume")}


def _matrix(result) -> np.ndarray:
    return np.column_stack(list(result.columns.values()))


def test_timestamps_in_any_unit_or_type_give_the_same_features(xrp: dict[str, np.ndarray]) -> None:
    expected = _matrix(compute_features(xrp, BARS))
    seconds = xrp["timestamp"]
    iso = [np.datetime_as_string(np.datetime64(int(s), "s")) + "Z" for s in seconds.tolist()]
    variants = [
        {**xrp, "timestamp": seconds * 1000},
        {**xrp, "timestamp": seconds * S},
        {**xrp, "timestamp": seconds.astype(float)},
        {**xrp, "timestamp": iso},
        pa.table(
            {
                **{k: v for k, v in xrp.items() if k != "timestamp"},
                "date": pa.array(seconds * S, pa.timestamp("ns", tz="UTC")),
            }
        ),
        pa.table({**xrp, "timestamp": pa.array(iso)}),
        {("TIME" if k == "timestamp" else k): v for k, v in xrp.items()},
    ]
    for candles in variants:
        assert_same(_matrix(compute_features(candles, BARS)), expected)


def test_to_epoch_ns_units() -> None:
    ns = 1_700_000_000 * S
    for value in (1_700_000_000, 1_700_000_000_000, 1_700_000_000_000_000, ns):
        assert to_epoch_ns(np.array([value])).tolist() == [ns]
    assert to_epoch_ns(["2023-11-14T22:13:20+00:00", "2023-11-14 22:13:20"]).tolist() == [ns, ns]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.pop("volume"), "candles lack column\\(s\\) volume"),
        (lambda c: c.pop("timestamp"), "lack column\\(s\\) timestamp"),
        (
            lambda c: c.update(timestamp=c["timestamp"][::-1].copy()),
            "timestamps must strictly increase; row 1",
        ),
        (
            lambda c: c["close"].__setitem__(7, np.nan),
            "'close' has 1 empty or non-finite value\\(s\\), first at row 7",
        ),
        (
            lambda c: c.update(timestamp=np.array(["yesterday"] * len(c["close"]))),
            "neither epoch digits nor ISO",
        ),
        (lambda c: c.update(open=np.array(["x"] * len(c["close"]))), "'open' is not numeric"),
    ],
)
def test_bad_candles_say_what_to_fix(xrp: dict[str, np.ndarray], change, message: str) -> None:
    candles = {k: v.copy() for k, v in xrp.items()}
    change(candles)
    with pytest.raises(FeatureInputError, match=message):
        candle_columns(candles)


def test_book_and_trade_features_need_their_data(xrp: dict[str, np.ndarray]) -> None:
    with pytest.raises(FeatureInputError, match="needs order-book or trade data for spread_abs"):
        compute_features(xrp, DEFAULT)
    skipped = compute_features(xrp, DEFAULT, skip_unavailable=True)
    assert skipped.names == BARS.names
    assert skipped.skipped == tuple(n for n in DEFAULT.names if n not in BARS.names)
    empty_book = BookColumns(
        np.zeros(0), np.zeros((0, 1)), np.zeros((0, 1)), np.zeros((0, 1)), np.zeros((0, 1))
    )
    with pytest.raises(FeatureInputError, match="interval_s"):
        compute_features(xrp, DEFAULT, book=empty_book, skip_unavailable=True)
    partial = compute_features(xrp, DEFAULT, book=empty_book, interval_s=300, skip_unavailable=True)
    assert np.isnan(partial.columns["spread_pct"]).all()
    assert "volume_delta_60s" in partial.skipped


def _spec(imputation: Imputation, scaling: Scaling) -> FeatureSpec:
    return FeatureSpec("x", "rsi", (("period", 14),), 1, "close", "value", imputation, scaling)


@given(
    st.lists(st.one_of(st.just(float("nan")), st.floats(-1e6, 1e6)), max_size=40),
    st.sampled_from([Imputation(), Imputation(ImputeMethod.FFILL), Imputation(ImputeMethod.CONSTANT, -1.5)]),
    st.sampled_from([Scaling(), Scaling(True, 50.0, 12.5)]),
)
def test_transforms_streaming_equals_batch(
    values: list[float], imputation: Imputation, scaling: Scaling
) -> None:
    spec = _spec(imputation, scaling)
    stream = VectorTransform([spec])
    streamed = [stream.apply([v])[0] for v in values]
    assert_same(np.array(streamed, dtype=float), transform_column(np.array(values, dtype=float), spec))


def test_imputation_semantics() -> None:
    v = np.array([np.nan, 1.0, np.nan, np.nan, 4.0])
    ffill = transform_column(v, _spec(Imputation(ImputeMethod.FFILL), Scaling()))
    assert_same(ffill, np.array([np.nan, 1.0, 1.0, 1.0, 4.0]))
    constant = transform_column(v, _spec(Imputation(ImputeMethod.CONSTANT, 0.0), Scaling()))
    assert_same(constant, np.array([0.0, 1.0, 0.0, 0.0, 4.0]))
    scaled = transform_column(v, _spec(Imputation(ImputeMethod.FFILL), Scaling(True, 1.0, 2.0)))
    assert_same(scaled, np.array([np.nan, 0.0, 0.0, 0.0, 1.5]))


@settings(max_examples=30, deadline=None)
@given(markets(), st.data())
def test_no_look_ahead(data: tuple, draw: st.DataObject) -> None:
    """Changing anything stamped after bar t's close (candles after t, later trades and book
    updates) never changes a feature at or before t."""
    candles, trades, book = data
    n = len(candles["close"])
    t = draw.draw(st.integers(0, n - 2))
    close_t = candles["timestamp"][t] + 60 * S
    base = _matrix(compute_features(candles, DEFAULT, trades=trades, book=book, interval_s=60))

    changed = {k: v.copy() for k, v in candles.items()}
    changed["close"][t + 1 :] *= 1.5
    changed["high"][t + 1 :] *= 1.6
    changed["volume"][t + 1 :] += 99.0
    later = trades.ts_ns > close_t
    trades2 = TradeColumns(
        trades.ts_ns,
        [p * 2 if late else p for p, late in zip(trades.price, later, strict=True)],
        trades.qty,
        np.where(later, ~trades.is_buy, trades.is_buy),
    )
    late_book = book.ts_ns > close_t
    book2 = BookColumns(
        book.ts_ns,
        np.where(late_book[:, None], book.bid_px * 0.5, book.bid_px),
        np.where(late_book[:, None], 1.0, book.bid_qty),
        book.ask_px,
        book.ask_qty,
    )
    after = _matrix(compute_features(changed, DEFAULT, trades=trades2, book=book2, interval_s=60))
    assert_same(after[: t + 1], base[: t + 1])
    assert not np.array_equal(after[t + 1 :], base[t + 1 :], equal_nan=True)  # the change did land


def test_feature_set_subset_keeps_order() -> None:
    only = DEFAULT.only([next(iter(BARS.sources))])
    assert isinstance(only, FeatureSet) and only.names == BARS.names
    assert only.fingerprint == BARS.fingerprint
