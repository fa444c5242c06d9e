"""Persistence: the relational database, the time-series store (DuckDB or InfluxDB) and Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from galfriday.config.base import (
    ConfigModel,
    HttpUrl,
    OptionalSecret,
    OptionalText,
    enforce,
    rule,
    url_with_scheme,
)

DatabaseUrl = Annotated[str, AfterValidator(url_with_scheme("sqlite+aiosqlite", "postgresql+asyncpg"))]
RedisUrl = Annotated[OptionalText, AfterValidator(url_with_scheme("redis", "rediss", "unix"))]


class DatabaseSettings(ConfigModel):
    """The relational store (SQLAlchemy async). SQLite is the embedded default, PostgreSQL production."""

    url: DatabaseUrl = Field(
        "sqlite+aiosqlite:///var/galfriday.db",
        description="Async SQLAlchemy URL; a password in it is masked wherever the config is shown.",
    )
    echo: bool = Field(False, description="Log every SQL statement (debugging only).")
    pool_size: int = Field(5, ge=1, le=100, description="Connection pool size (PostgreSQL).")


class InfluxRetention(ConfigModel):
    """How long each group of measurements is kept (deployment guide)."""

    market_data_days: int = Field(90, ge=1, description="market_data_l2, market_data_ohlcv.")
    predictions_days: int = Field(
        30, ge=1, description="predictions and features (derived data, recomputable from market history)."
    )
    metrics_days: int = Field(7, ge=1, description="portfolio_metrics, system_metrics.")


class InfluxDBSettings(ConfigModel):
    """InfluxDB over its HTTP line-protocol API: v2 (token, org, bucket) or 1.x (database, user)."""

    enabled: bool = Field(False, description="Write time series to InfluxDB.")
    url: HttpUrl = Field("http://localhost:8086", description="Server base URL.")
    api_version: Literal["v1", "v2"] = Field("v2", description="v2: /api/v2/write; v1: /write and /query.")
    token: OptionalSecret = Field(None, description="v2 API token; use ${INFLUXDB_TOKEN}.")
    org: OptionalText = Field(None, description="v2 organisation.")
    bucket: str = Field("galfriday", min_length=1, description="v2 bucket.")
    database: str = Field("galfriday", min_length=1, description="1.x database.")
    username: OptionalText = Field(None, description="1.x user, if authentication is on.")
    password: OptionalSecret = Field(None, description="1.x password; use ${INFLUXDB_PASSWORD}.")
    batch_size: int = Field(5000, ge=1, description="Points per write request.")
    flush_interval_s: float = Field(1.0, gt=0, description="Longest a point waits in the batch.")
    retention: InfluxRetention = Field(default_factory=InfluxRetention)

    @model_validator(mode="after")
    def _credentials(self) -> Self:
        v2 = self.enabled and self.api_version == "v2"
        enforce(
            rule(not v2 or self.token is not None, "token", "is required when enabled with api_version v2"),
            rule(not v2 or self.org is not None, "org", "is required when enabled with api_version v2"),
            rule(
                (self.username is None) == (self.password is None),
                "password" if self.password is None else "username",
                "username and password must be given together",
            ),
        )
        return self


class TimeseriesSettings(ConfigModel):
    """Which store receives the time-series measurements."""

    backend: Literal["duckdb", "influxdb"] = Field("duckdb", description="Embedded DuckDB, or InfluxDB.")
    duckdb_path: Path = Field(Path("var/timeseries.duckdb"), description="DuckDB database file.")


class RedisSettings(ConfigModel):
    """Optional shared cache and pub/sub; without a URL an in-process fallback is used."""

    url: RedisUrl = Field(None, description="redis://, rediss:// or unix:// URL; None = in-process fallback.")
    key_prefix: str = Field("galfriday:", min_length=1, description="Prefix of every key and channel.")
    prediction_cache_ttl_s: int = Field(60, ge=1, description="Lifetime of a cached prediction.")
