"""The six measurements as declared, and retention overrides keyed like the configuration."""

from __future__ import annotations

import pytest

from galfriday.core.errors import ConfigError
from galfriday.storage.timeseries.errors import SchemaError
from galfriday.storage.timeseries.schema import MEASUREMENTS, RetentionGroup, measurement, retention_days


def test_six_measurements_with_their_retention_groups() -> None:
    assert {name: m.retention for name, m in MEASUREMENTS.items()} == {
        "market_data_l2": RetentionGroup.MARKET_DATA,
        "market_data_ohlcv": RetentionGroup.MARKET_DATA,
        "features": RetentionGroup.PREDICTIONS,
        "predictions": RetentionGroup.PREDICTIONS,
        "portfolio_metrics": RetentionGroup.METRICS,
        "system_metrics": RetentionGroup.METRICS,
    }


def test_default_retention_is_the_deployment_guides() -> None:
    assert retention_days() == {
        RetentionGroup.MARKET_DATA: 90,
        RetentionGroup.PREDICTIONS: 30,
        RetentionGroup.METRICS: 7,
    }


def test_retention_overrides_use_the_config_keys() -> None:
    days = retention_days({"metrics_days": 3, "market_data_days": 365})
    assert days[RetentionGroup.METRICS] == 3
    assert days[RetentionGroup.MARKET_DATA] == 365
    assert days[RetentionGroup.PREDICTIONS] == 30


@pytest.mark.parametrize("overrides", [{"metric_days": 3}, {"metrics_days": 0}, {"metrics_days": 1.5}])
def test_bad_retention_overrides_are_config_errors(overrides: dict) -> None:
    with pytest.raises(ConfigError):
        retention_days(overrides)


@pytest.mark.parametrize(
    ("name", "field", "kind"),
    [
        ("market_data_l2", "bid_price_level_0", float),
        ("market_data_l2", "ask_volume_level_24", float),
        ("market_data_l2", "imbalance_5", float),
        ("market_data_l2", "is_snapshot", bool),
        ("system_metrics", "event_queue_depth", int),
        ("system_metrics", "websocket_connected", bool),
        ("portfolio_metrics", "position_qty_XRP/USD", float),
        ("features", "rsi_14", float),
        ("features", "spread_pct", float),
    ],
)
def test_declared_and_family_fields(name: str, field: str, kind: type) -> None:
    assert measurement(name).field_kind(field) is kind


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("market_data_l2", "bid_price_level_01"),  # levels are plain numbers
        ("market_data_l2", "bid_price_level_x"),
        ("market_data_ohlcv", "vwap"),
        ("features", "time"),  # the timestamp column
        ("features", "exchange"),  # a tag of the measurement
        ("features", "_value"),  # InfluxDB v2 reserves leading underscores
        ("features", "has space"),
        ("portfolio_metrics", "position_qty_"),
    ],
)
def test_undeclared_fields(name: str, field: str) -> None:
    assert measurement(name).field_kind(field) is None


def test_unknown_measurement_names_the_known_ones() -> None:
    with pytest.raises(SchemaError, match="market_data_l2"):
        measurement("trades")
