"""FeatureEngine.precompute: the vectors of a whole bar feed at once equal streaming's, bit for bit.

Backtests over bars compute every vector up front with the batch twins and publish each when its
bar arrives; nothing a subscriber sees may differ from bar-by-bar streaming — values (NaN included,
by their bits), order, stamps, ignored bars, the ``warm`` flag.
"""

from __future__ import annotations

import struct
from pathlib import Path

import msgspec
import pytest

from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import BarClosed, FeatureVectorComputed
from galfriday.features import FeatureEngine, FeatureInputError, FeatureRegistry, FeatureSet
from galfriday.features.catalogue import CALCULATORS, Source

from ._refs import bar_events, feather_candles

PAIR = "XRP/USD"


def _every_bar_feature() -> FeatureSet:
    """Every bar calculator and output, on every input series, with each imputation and a z-score."""
    lines, names = ["features:"], []
    inputs = ["close", "open", "high", "low", "typical", "volume"]
    one_series = ("sma", "ema", "rsi", "roc")
    extras = [
        ", imputation: ffill",
        ", imputation: {constant: -1.5}",
        ", scaling: {zscore: {mean: 0.5, std: 2}}",
    ]
    for n, calc in enumerate(c for c in CALCULATORS.values() if c.source is Source.BAR):
        for output in calc.outputs:
            name = f"{calc.name}_{output}"
            params = "{period: 5}" if "period" in calc.params else "{}"
            series = f", input: {inputs[n % len(inputs)]}" if calc.name in one_series else ""
            lines.append(
                f"  {name}: {{calculator: {calc.name}, params: {params}, output: {output}, version: 1"
                f"{series}{extras[len(names) % 3]}}}"
            )
            names.append(name)
    lines += ["feature_sets:", f"  all_bars: {{features: [{', '.join(names)}]}}"]
    return FeatureRegistry.from_yaml(("t.yaml", "\n".join(lines))).feature_set("all_bars")


SETS = {"bars_v1": FeatureRegistry.load().feature_set("bars_v1"), "all_bars": _every_bar_feature()}


def _bits(values: tuple[float | None, ...]) -> tuple[bytes, ...]:
    return tuple(struct.pack("<d", v) for v in values)  # NaN payloads too


def _publish(bars: list[BarClosed], feature_set: FeatureSet, interval_s: int, *, up_front: bool):
    bus = SyncBus()
    vectors: list[FeatureVectorComputed] = []
    bus.subscribe(FeatureVectorComputed, vectors.append)
    engine = FeatureEngine(bus, SimClock(0), feature_set, interval_s=interval_s)
    engine.start()
    if up_front:
        engine.precompute(bars)
    warm = []
    for bar in bars:
        bus.publish(bar)
        warm.append(engine.warm(bar.pair))
    return vectors, warm


def _same(streamed, batched) -> None:
    (a, warm_a), (b, warm_b) = streamed, batched
    assert len(a) == len(b) and warm_a == warm_b
    for x, y in zip(a, b, strict=True):
        assert (x.ts_event, x.pair, x.names) == (y.ts_event, y.pair, y.names)
        assert x.correlation_id == y.correlation_id
        assert _bits(x.values) == _bits(y.values)


@pytest.mark.parametrize("set_id", sorted(SETS))
@pytest.mark.parametrize(
    ("candles", "interval_s"),
    [("XRP_USDT_USDT-5m-futures", 300), ("XRP_ETH-1m", 60), ("UNITTEST_BTC-30m", 1800)],
)
def test_precomputed_vectors_equal_streamed_ones_on_real_candles(
    shared_data: Path, set_id: str, candles: str, interval_s: int
) -> None:
    bars = bar_events(feather_candles(shared_data, candles), PAIR, interval_s)
    feature_set = SETS[set_id]
    streamed = _publish(bars, feature_set, interval_s, up_front=False)
    assert len(streamed[0]) == len(bars)
    _same(streamed, _publish(bars, feature_set, interval_s, up_front=True))


def test_the_bars_streaming_ignores_are_ignored_up_front_too(shared_data: Path) -> None:
    bars = bar_events(feather_candles(shared_data, "XRP_USDT_USDT-5m-futures"), PAIR, 300)[:400]
    other = [msgspec.structs.replace(b, pair="DOGE/USD") for b in bars[:300]]
    feed = [*bars[:100], bars[50], bars[99], msgspec.structs.replace(bars[100], interval_s=60), *bars[100:]]
    feed = sorted([*feed, *other], key=lambda b: b.ts_event)  # two pairs, duplicates, a foreign interval
    streamed = _publish(feed, SETS["bars_v1"], 300, up_front=False)
    assert len(streamed[0]) == 400 + 300
    _same(streamed, _publish(feed, SETS["bars_v1"], 300, up_front=True))


def test_a_bar_that_was_not_precomputed_is_refused(shared_data: Path) -> None:
    bars = bar_events(feather_candles(shared_data, "XRP_USDT_USDT-5m-futures"), PAIR, 300)[:50]
    engine = FeatureEngine(SyncBus(), SimClock(0), SETS["bars_v1"], interval_s=300)
    engine.precompute(bars[:40])
    for bar in bars[:40]:
        engine.on_bar(bar)
    with pytest.raises(FeatureInputError, match="not the next precomputed one"):
        engine.on_bar(bars[41])  # bar 40 skipped, and 41 was never computed


def test_book_and_trade_features_cannot_be_precomputed(shared_data: Path) -> None:
    engine = FeatureEngine(SyncBus(), SimClock(0), FeatureRegistry.load().feature_set("default_v1"))
    with pytest.raises(FeatureInputError, match="needs order-book or trade data"):
        engine.precompute([])
