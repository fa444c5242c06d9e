"""The whole configuration as one frozen, validated object.

Each section lives in ``galfriday.config.sections``; this module assembles them and checks the
rules that span sections (live mode needs API keys, take-profits must cover fees, …). Build a
``Settings`` through ``galfriday.config.load_config`` so files and environment overrides apply.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, Field, model_validator

from galfriday.config.base import ConfigModel, enforce, rule
from galfriday.config.sections.alerting import (
    AlertingSettings,
    DiscordChannel,
    EmailChannel,
    SlackChannel,
    SmsChannel,
    WebhookChannel,
)
from galfriday.config.sections.backtest import BacktestSettings
from galfriday.config.sections.market import (
    DEFAULT_PAIRS,
    ExchangeSettings,
    MarketDataSettings,
    Pair,
    check_unique_pairs,
)
from galfriday.config.sections.operations import DashboardSettings, LoggingSettings, MonitoringSettings
from galfriday.config.sections.risk import (
    ExecutionSettings,
    PortfolioSettings,
    RiskSettings,
    VolatilityHaltSettings,
)
from galfriday.config.sections.signal import (
    Confirmation,
    DriftSettings,
    FeaturesSettings,
    PredictionSettings,
    StrategySettings,
)
from galfriday.config.sections.storage import (
    DatabaseSettings,
    InfluxDBSettings,
    InfluxRetention,
    RedisSettings,
    TimeseriesSettings,
)

__all__ = [
    "AlertingSettings",
    "BacktestSettings",
    "Confirmation",
    "DashboardSettings",
    "DatabaseSettings",
    "DiscordChannel",
    "DriftSettings",
    "EmailChannel",
    "ExchangeSettings",
    "ExecutionSettings",
    "FeaturesSettings",
    "InfluxDBSettings",
    "InfluxRetention",
    "LoggingSettings",
    "MarketDataSettings",
    "MonitoringSettings",
    "PortfolioSettings",
    "PredictionSettings",
    "RedisSettings",
    "RiskSettings",
    "Settings",
    "SlackChannel",
    "SmsChannel",
    "StrategySettings",
    "TimeseriesSettings",
    "VolatilityHaltSettings",
    "WebhookChannel",
]

Pairs = Annotated[tuple[Pair, ...], AfterValidator(check_unique_pairs)]


class Settings(ConfigModel):
    """Every setting of Gal-Friday, with the defaults of DESIGN §7."""

    exchange: ExchangeSettings = Field(default_factory=ExchangeSettings)
    pairs: Pairs = Field(DEFAULT_PAIRS, min_length=1, description="Traded pairs in WS v2 form, e.g. XRP/USD.")
    market_data: MarketDataSettings = Field(default_factory=MarketDataSettings)
    features: FeaturesSettings = Field(default_factory=FeaturesSettings)
    prediction: PredictionSettings = Field(default_factory=PredictionSettings)
    strategy: StrategySettings = Field(default_factory=StrategySettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    portfolio: PortfolioSettings = Field(default_factory=PortfolioSettings)
    execution: ExecutionSettings = Field(default_factory=ExecutionSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    influxdb: InfluxDBSettings = Field(default_factory=InfluxDBSettings)
    timeseries: TimeseriesSettings = Field(default_factory=TimeseriesSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)
    alerting: AlertingSettings = Field(default_factory=AlertingSettings)
    backtest: BacktestSettings = Field(default_factory=BacktestSettings)

    @model_validator(mode="after")
    def _sections_agree(self) -> Self:
        live = self.execution.mode == "live"
        quote = self.portfolio.quote_currency
        foreign = [pair for pair in self.pairs if pair.split("/")[1] != quote]
        round_trip = 2 * self.execution.taker_fee
        take_profit = self.strategy.take_profit_fraction
        enforce(
            rule(
                not live or self.exchange.api_key is not None, "exchange.api_key", "is required in live mode"
            ),
            rule(
                not live or self.exchange.api_secret is not None,
                "exchange.api_secret",
                "is required in live mode",
            ),
            rule(
                not foreign,
                "pairs",
                f"every pair must be quoted in portfolio.quote_currency ({quote}); these are not",
                foreign,
            ),
            rule(
                take_profit is None or take_profit > round_trip,
                "strategy.tp_pct" if self.strategy.sl_tp_mode == "fixed_pct" else "strategy.reward_risk",
                f"the take-profit distance ({take_profit}) must exceed worst-case round-trip fees "
                f"(2 × taker_fee = {round_trip}) or every winning trade loses money",
                take_profit,
            ),
            rule(
                self.timeseries.backend != "influxdb" or self.influxdb.enabled,
                "influxdb.enabled",
                "must be true when timeseries.backend is 'influxdb'",
                self.influxdb.enabled,
            ),
        )
        return self
