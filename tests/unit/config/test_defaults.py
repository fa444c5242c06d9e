"""The built-in defaults are those of DESIGN §7, and example.yaml documents them truthfully."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel, ValidationError

import galfriday.config
from galfriday.config import Settings, load_config
from galfriday.config.introspect import section_model

EXAMPLE = Path(galfriday.config.__file__).with_name("example.yaml")


def test_load_without_file_gives_design_section_7_defaults() -> None:
    s = load_config(env={})

    assert s == Settings()
    assert s.pairs == ("XRP/USD", "DOGE/USD")
    # drawdown HALT: total 15 %, daily 2 %, weekly 5 %
    assert s.risk.max_total_drawdown_pct == Decimal("0.15")
    assert s.risk.max_daily_drawdown_pct == Decimal("0.02")
    assert s.risk.max_weekly_drawdown_pct == Decimal("0.05")
    # risk per trade 0.5 %, exposure caps, order value limits, fat-finger
    assert s.risk.risk_per_trade_pct == Decimal("0.005")
    assert s.risk.max_exposure_per_asset_pct == Decimal("0.10")
    assert s.risk.max_total_exposure_pct == Decimal("0.25")
    assert s.risk.max_order_value_usd == Decimal("10000")
    assert s.risk.min_order_value_usd == Decimal("10")
    assert s.risk.fat_finger_pct == Decimal("0.05")
    # loss streak, API errors, HALT behaviour
    assert (s.risk.loss_streak_halt, s.risk.loss_streak_warn) == (5, 3)
    assert s.risk.max_consecutive_order_failures == 3
    assert (s.risk.max_api_errors, s.risk.api_error_window_s) == (5, 60)
    assert s.risk.halt_behaviour == "close"
    # stale market data 60 s; book depth 10; 1 m bars; backoff 1 s → 60 s; heartbeat 15 s
    assert s.market_data.stale_after_s == 60
    assert s.market_data.book_depth == 10
    assert s.market_data.bar_interval_s == 60
    assert (s.market_data.reconnect_initial_s, s.market_data.reconnect_max_s) == (1, 60)
    assert s.market_data.heartbeat_timeout_s == 15
    # strategy
    assert (s.strategy.buy_threshold, s.strategy.sell_threshold) == (0.65, 0.35)
    assert (s.strategy.sl_pct, s.strategy.tp_pct) == (Decimal("0.02"), Decimal("0.04"))
    assert s.strategy.entry_order_type == "LIMIT"
    assert s.strategy.entry_timeout_s == 15
    assert s.strategy.on_entry_timeout == "cancel"
    assert s.strategy.exit_on_reversal is True
    # fees
    assert (s.execution.maker_fee, s.execution.taker_fee) == (Decimal("0.0016"), Decimal("0.0026"))
    # reconciliation at start and every 60 min
    assert s.portfolio.reconcile_at_start is True
    assert s.portfolio.reconcile_interval_s == 3600
    # safe operating defaults
    assert s.execution.mode == "paper"
    assert s.portfolio.initial_cash == Decimal("10000")


def test_other_documented_defaults() -> None:
    s = Settings()

    assert s.exchange.rest_url == "https://api.kraken.com"
    assert s.exchange.ws_public_url == "wss://ws.kraken.com/v2"
    assert s.exchange.ws_private_url == "wss://ws-auth.kraken.com/v2"
    assert s.exchange.api_key is None and s.exchange.api_secret is None
    drift = s.prediction.drift
    assert (drift.psi_warn, drift.psi_alert, drift.psi_retrain) == (0.1, 0.15, 0.2)
    assert drift.performance_decay_max == 0.05
    assert s.database.url == "sqlite+aiosqlite:///var/galfriday.db"
    assert s.database.echo is False
    assert s.logging.max_bytes == 10 * 1024 * 1024 and s.logging.backup_count == 5
    assert s.influxdb.enabled is False
    retention = s.influxdb.retention
    assert (retention.market_data_days, retention.predictions_days, retention.metrics_days) == (90, 30, 7)
    assert s.timeseries.backend == "duckdb"
    assert s.timeseries.duckdb_path == Path("var/timeseries.duckdb")
    assert s.redis.url is None
    assert (s.dashboard.host, s.dashboard.port) == ("127.0.0.1", 8080)
    assert s.backtest.report_dir == Path("reports")


def test_money_and_percentages_are_decimal_not_float() -> None:
    s = Settings()

    for value in (
        s.risk.risk_per_trade_pct,
        s.risk.max_order_value_usd,
        s.portfolio.initial_cash,
        s.backtest.initial_cash,
        s.execution.maker_fee,
        s.strategy.sl_pct,
    ):
        assert type(value) is Decimal


def test_settings_are_frozen() -> None:
    s = Settings()

    with pytest.raises(ValidationError):
        s.risk.risk_per_trade_pct = Decimal("0.01")  # type: ignore[misc]
    with pytest.raises(ValidationError):
        s.pairs = ("XRP/USD",)  # type: ignore[misc]
    assert isinstance(s.pairs, tuple)  # no in-place append either


def test_example_yaml_loads_to_exactly_the_defaults() -> None:
    # With none of its ${VAR}s set, the example must say what the code does.
    assert load_config(EXAMPLE, env={}) == Settings()


def _schema_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, field in model.model_fields.items():
        path = (*prefix, name)
        paths.append(path)
        nested = section_model(field.annotation)
        if nested is not None:
            paths += _schema_paths(nested, path)
    return paths


def test_example_yaml_documents_every_key() -> None:
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    missing = []
    for path in _schema_paths(Settings):
        node = raw
        for key in path:
            if not isinstance(node, dict) or key not in node:
                missing.append(".".join(path))
                break
            node = node[key]

    assert missing == []


def test_example_yaml_takes_secrets_from_the_environment() -> None:
    env = {"KRAKEN_API_KEY": "key-from-env", "KRAKEN_API_SECRET": "secret-from-env"}

    s = load_config(EXAMPLE, env=env)

    assert s.exchange.api_key is not None
    assert s.exchange.api_key.get_secret_value() == "key-from-env"
    assert s.exchange.api_secret is not None
    assert s.exchange.api_secret.get_secret_value() == "secret-from-env"
