"""Valid points of every measurement, shared by the unit and integration tests."""

from __future__ import annotations

from galfriday.storage.timeseries.point import Point

KRAKEN = {"exchange": "kraken", "trading_pair": "XRP/USD"}


def l2(ts_ns: int, depth: int = 10, i: int = 0) -> Point:
    fields: dict[str, float | bool] = {"is_snapshot": i == 0}
    for n in range(depth):
        fields[f"bid_price_level_{n}"] = 0.5213 - n * 0.0001 + i * 1e-6
        fields[f"bid_volume_level_{n}"] = 1000.0 + n + 0.1
        fields[f"ask_price_level_{n}"] = 0.5215 + n * 0.0001 + i * 1e-6
        fields[f"ask_volume_level_{n}"] = 900.25 + n
        fields[f"imbalance_{n}"] = (n + 1) / (depth + 3)
    fields.update(spread=0.0002, mid_price=0.5214 + i * 1e-6, wap=0.52141234567891, imbalance_0=0.1 + 0.2)
    return Point("market_data_l2", KRAKEN, fields, ts_ns)


def ohlcv(ts_ns: int, i: int = 0) -> Point:
    o = 0.52 + i * 1e-4
    fields = {"open": o, "high": o + 0.003, "low": o - 0.001, "close": o + 0.001, "volume": 12345.678 + i}
    return Point("market_data_ohlcv", {**KRAKEN, "interval": "1m"}, fields, ts_ns)


def features(ts_ns: int, i: int = 0) -> Point:
    fields = {"rsi_14": 55.5 + i, "spread_pct": 0.0383, "book_imbalance_5": -0.25, "ema_ratio_12_26": 1.0}
    return Point("features", {**KRAKEN, "feature_set_id": "fs-v1"}, fields, ts_ns)


def prediction(ts_ns: int, i: int = 0, confidence: bool = True) -> Point:
    fields = {"prediction_value": 0.71 - i * 1e-3, **({"confidence": 0.9} if confidence else {})}
    tags = {**KRAKEN, "model_id": "xgb-2024-05", "prediction_target": "up_0.5pct_5m"}
    return Point("predictions", tags, fields, ts_ns)


def portfolio(ts_ns: int, i: int = 0) -> Point:
    fields = {
        "total_equity": 10_000.0 + i,
        "available_balance": 7_500.5,
        "unrealized_pnl": -12.25,
        "realized_pnl_session": 40.0,
        "total_exposure_pct": 0.25,
        "daily_drawdown_pct": 0.001,
        "weekly_drawdown_pct": 0.004,
        "total_drawdown_pct": 0.02,
        "position_qty_XRP/USD": 4000.0,
        "position_value_XRP/USD": 2085.6,
        "position_qty_DOGE/USD": 0.0,
        "position_value_DOGE/USD": 0.0,
    }
    return Point("portfolio_metrics", {"account_id": "main"}, fields, ts_ns)


def system(ts_ns: int, i: int = 0, module: str | None = "risk") -> Point:
    fields = {
        "cpu_usage_pct": 12.5,
        "memory_usage_mb": 512.0,
        "event_queue_depth": 3 + i,
        "api_call_latency_ms": 85.25,
        "prediction_latency_ms": 4.5,
        "end_to_end_latency_ms": 120.0,
        "websocket_connected": True,
        "api_error_rate": 0.0,
    }
    tags = {"host_id": "host-1", **({"module_id": module} if module else {})}
    return Point("system_metrics", tags, fields, ts_ns)


def every_measurement(ts_ns: int) -> list[Point]:
    """At least one point of each of the six measurements, with optional tags and fields both ways."""
    return [
        l2(ts_ns),
        ohlcv(ts_ns),
        features(ts_ns),
        prediction(ts_ns),
        prediction(ts_ns + 1, confidence=False),
        portfolio(ts_ns),
        system(ts_ns),
        system(ts_ns + 1, module=None),
    ]
