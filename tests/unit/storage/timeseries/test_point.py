"""Point validation: what the stores may trust about every point they receive."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from galfriday.storage.timeseries.errors import SchemaError
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.schema import MEASUREMENTS, Measurement, RetentionGroup

from ._points import KRAKEN, system

OHLCV_TAGS = {**KRAKEN, "interval": "1m"}


def test_non_finite_floats_are_dropped_and_counted() -> None:
    p = Point("features", {**KRAKEN, "feature_set_id": "v1"}, {"a": math.nan, "b": math.inf, "c": 1.5}, 1)
    assert p.fields == {"c": 1.5}
    assert p.non_finite_dropped == 2


def test_a_point_of_only_non_finite_fields_is_kept_empty() -> None:
    p = Point("features", {**KRAKEN, "feature_set_id": "v1"}, {"rsi_14": -math.inf}, 1)
    assert p.fields == {}
    assert p.non_finite_dropped == 1


def test_ints_given_for_float_fields_become_floats() -> None:
    p = Point("market_data_ohlcv", OHLCV_TAGS, {"open": 1, "volume": 0}, 1)
    assert p.fields == {"open": 1.0, "volume": 0.0}
    assert all(type(v) is float for v in p.fields.values())


def test_equality_ignores_the_drop_count() -> None:
    tags = {**KRAKEN, "feature_set_id": "v1"}
    assert Point("features", tags, {"a": 1.0, "b": math.nan}, 5) == Point("features", tags, {"a": 1.0}, 5)


def test_optional_tags_may_be_left_out() -> None:
    assert "module_id" not in system(1, module=None).tags


@pytest.mark.parametrize(
    ("measurement", "tags", "fields", "ts", "match"),
    [
        ("trades", KRAKEN, {"x": 1.0}, 1, "unknown measurement"),
        ("market_data_ohlcv", KRAKEN, {"open": 1.0}, 1, "missing required tag"),
        ("market_data_ohlcv", {**OHLCV_TAGS, "venue": "x"}, {"open": 1.0}, 1, "unknown tag"),
        ("market_data_ohlcv", {**OHLCV_TAGS, "interval": ""}, {"open": 1.0}, 1, "non-empty"),
        ("market_data_ohlcv", {**OHLCV_TAGS, "interval": "1\nm"}, {"open": 1.0}, 1, "newline"),
        ("market_data_ohlcv", {**OHLCV_TAGS, "interval": "1\\m"}, {"open": 1.0}, 1, "backslash"),
        ("market_data_ohlcv", OHLCV_TAGS, {}, 1, "at least one field"),
        ("market_data_ohlcv", OHLCV_TAGS, {"vwap": 1.0}, 1, "not declared"),
        ("market_data_ohlcv", OHLCV_TAGS, {"open": True}, 1, "must be float"),
        ("market_data_ohlcv", OHLCV_TAGS, {"open": "1.0"}, 1, "must be float"),
        ("market_data_ohlcv", OHLCV_TAGS, {"open": Decimal("1")}, 1, r"float\(\)"),
        ("system_metrics", {"host_id": "h"}, {"event_queue_depth": 1.0}, 1, "must be int"),
        ("system_metrics", {"host_id": "h"}, {"event_queue_depth": 2**63}, 1, "int64"),
        ("system_metrics", {"host_id": "h"}, {"websocket_connected": 1}, 1, "must be bool"),
        ("market_data_ohlcv", OHLCV_TAGS, {"open": 1.0}, 1.5, "ts_ns"),
        ("market_data_ohlcv", OHLCV_TAGS, {"open": 1.0}, 2**63, "ts_ns"),
    ],
)
def test_invalid_points_are_refused_with_the_reason(
    measurement: str, tags: dict, fields: dict, ts: object, match: str
) -> None:
    with pytest.raises(SchemaError, match=match):
        Point(measurement, tags, fields, ts)  # type: ignore[arg-type]


def test_string_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    """No measurement of the schema has a string field yet; the point type supports them."""
    notes = Measurement("notes", ("host_id",), RetentionGroup.METRICS, fields={"text": str})
    monkeypatch.setitem(MEASUREMENTS, "notes", notes)  # type: ignore[index]
    assert Point("notes", {"host_id": "h"}, {"text": 'say "hi" \\ ok'}, 1).fields == {
        "text": 'say "hi" \\ ok'
    }
    with pytest.raises(SchemaError, match="newline"):
        Point("notes", {"host_id": "h"}, {"text": "two\nlines"}, 1)


def test_numpy_scalars_become_plain_python_values() -> None:
    import numpy as np

    p = Point(
        "system_metrics",
        {"host_id": "h"},
        {
            "cpu_usage_pct": np.float32(12.5),
            "event_queue_depth": np.int64(3),
            "api_error_rate": np.float64("nan"),
        },
        1,
    )
    assert p.fields == {"cpu_usage_pct": 12.5, "event_queue_depth": 3}
    assert [type(v) for v in p.fields.values()] == [float, int]
    assert p.non_finite_dropped == 1
