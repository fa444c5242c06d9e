"""DuckDBStore: every measurement round-trips, filters, dynamic columns, retention, big batches."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from galfriday.core.errors import StorageError
from galfriday.storage.timeseries.duckdb_store import NS_PER_DAY, DuckDBStore
from galfriday.storage.timeseries.errors import SchemaError, WriteRejectedError
from galfriday.storage.timeseries.point import Point

from ._points import KRAKEN, every_measurement, features, l2, ohlcv, prediction, system

T0 = 1_714_564_800_123_456_789  # 2024-05-01T12:00:00.123456789Z


@pytest.fixture
async def store():
    s = DuckDBStore(":memory:")
    yield s
    await s.close()


async def test_every_measurement_round_trips_exactly(store: DuckDBStore) -> None:
    points = every_measurement(T0)
    await store.write_many(points)
    for name in {p.measurement for p in points}:
        assert await store.query(name) == [p for p in points if p.measurement == name]


async def test_tag_time_range_limit_and_order_filters(store: DuckDBStore) -> None:
    doge = {**KRAKEN, "trading_pair": "DOGE/USD"}
    xrp = [ohlcv(T0 + i * 60 * 10**9, i) for i in range(10)]
    await store.write_many([*xrp, Point("market_data_ohlcv", {**doge, "interval": "1m"}, {"open": 0.1}, T0)])
    assert await store.query("market_data_ohlcv", tags={"trading_pair": "XRP/USD"}) == xrp
    window = await store.query("market_data_ohlcv", tags=KRAKEN, start_ns=xrp[2].ts_ns, end_ns=xrp[5].ts_ns)
    assert window == xrp[2:5]
    assert await store.query("market_data_ohlcv", tags=KRAKEN, limit=2, newest_first=True) == xrp[:-3:-1]


async def test_selected_fields_and_rows_without_them(store: DuckDBStore) -> None:
    await store.write_many([prediction(T0), prediction(T0 + 1, confidence=False)])
    rows = await store.query("predictions", fields=["confidence"])
    assert [(r.ts_ns, r.fields) for r in rows] == [(T0, {"confidence": 0.9})]
    assert rows[0].tags == prediction(T0).tags


async def test_dynamic_feature_fields_get_columns_on_demand(store: DuckDBStore) -> None:
    tags = {**KRAKEN, "feature_set_id": "fs-v2"}
    await store.write(features(T0))
    await store.write(Point("features", tags, {"rsi_14": 40.0, "obv_slope_20": 1.25e-3}, T0 + 1))
    rows = await store.query("features", tags={"feature_set_id": "fs-v2"})
    assert rows == [Point("features", tags, {"rsi_14": 40.0, "obv_slope_20": 1.25e-3}, T0 + 1)]
    only_new = await store.query("features", fields=["obv_slope_20"])
    assert [(r.ts_ns, r.fields) for r in only_new] == [(T0 + 1, {"obv_slope_20": 1.25e-3})]
    assert await store.query("features", fields=["never_written"]) == []


async def test_deeper_books_add_level_columns(store: DuckDBStore) -> None:
    deep = l2(T0, depth=25)
    await store.write(deep)
    assert await store.query("market_data_l2") == [deep]


async def test_nan_fields_are_not_written_and_all_nan_points_are_skipped(store: DuckDBStore) -> None:
    tags = {**KRAKEN, "feature_set_id": "v1"}
    await store.write_many(
        [
            Point("features", tags, {"rsi_14": math.nan, "spread_pct": 0.5}, T0),
            Point("features", tags, {"rsi_14": math.nan}, T0 + 1),
        ]
    )
    assert await store.query("features") == [Point("features", tags, {"spread_pct": 0.5}, T0)]
    assert await store.query("features", fields=["rsi_14"]) == []


async def test_a_30k_point_batch_round_trips(store: DuckDBStore) -> None:
    points = [l2(T0 + i * 1000, depth=10, i=i) for i in range(30_000)]
    await store.write_many(points)
    assert await store.query("market_data_l2") == points


async def test_retention_deletes_what_each_group_expired(store: DuckDBStore) -> None:
    now = T0 + 100 * NS_PER_DAY
    ages_days = {"market_data_ohlcv": (91, 89), "predictions": (31, 29), "system_metrics": (8, 6)}
    makers = {"market_data_ohlcv": ohlcv, "predictions": prediction, "system_metrics": system}
    for name, ages in ages_days.items():
        await store.write_many([makers[name](now - age * NS_PER_DAY) for age in ages])
    deleted = await store.apply_retention(now)
    assert deleted == {
        "market_data_l2": 0,
        "market_data_ohlcv": 1,
        "features": 0,
        "predictions": 1,
        "portfolio_metrics": 0,
        "system_metrics": 1,
    }
    for name, (_, kept_age) in ages_days.items():
        assert [p.ts_ns for p in await store.query(name)] == [now - kept_age * NS_PER_DAY]


async def test_configured_retention_is_used() -> None:
    store = DuckDBStore(":memory:", retention={"metrics_days": 1})
    await store.write(system(T0 - 2 * NS_PER_DAY))
    assert (await store.apply_retention(T0))["system_metrics"] == 1
    await store.close()


async def test_data_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "ts.duckdb"
    first = DuckDBStore(path)
    await first.write_many([features(T0), l2(T0, depth=12)])
    await first.close()
    second = DuckDBStore(path)
    assert await second.query("features") == [features(T0)]
    assert await second.query("market_data_l2") == [l2(T0, depth=12)]
    await second.close()


async def test_a_failed_batch_leaves_nothing_and_can_be_retried(
    store: DuckDBStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = store._insert_group
    calls = 0

    def fail_second_group(con, schema, group):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 2:
            raise duckdb.ConstraintException("simulated")
        real(con, schema, group)

    monkeypatch.setattr(store, "_insert_group", fail_second_group)
    batch = [
        features(T0),
        Point("features", {**KRAKEN, "feature_set_id": "x"}, {"new_one": 1.0}, T0),
        ohlcv(T0),
    ]
    with pytest.raises(WriteRejectedError, match="simulated"):
        await store.write_many(batch)
    assert await store.query("features") == []
    monkeypatch.setattr(store, "_insert_group", real)
    await store.write_many(batch)
    assert len(await store.query("features")) == 2


async def test_bad_queries_say_what_is_wrong(store: DuckDBStore) -> None:
    with pytest.raises(SchemaError, match="unknown tag"):
        await store.query("features", tags={"pair": "XRP/USD"})
    with pytest.raises(SchemaError, match="declared fields"):
        await store.query("market_data_ohlcv", fields=["vwap"])
    with pytest.raises(SchemaError, match="limit"):
        await store.query("market_data_ohlcv", limit=0)


async def test_a_closed_store_refuses_work() -> None:
    store = DuckDBStore(":memory:")
    await store.close()
    await store.close()  # idempotent
    with pytest.raises(StorageError, match="closed"):
        await store.write(features(T0))
