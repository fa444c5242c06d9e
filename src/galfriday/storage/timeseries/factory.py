"""Build the configured time-series store from plain settings (the config's ``timeseries`` and
``influxdb`` sections, passed as keyword arguments, so this module does not depend on the schema).

    create_timeseries_store("duckdb", duckdb_path="var/timeseries.duckdb")
    create_timeseries_writer("influxdb", url=..., api_version="v2", token=..., org=..., bucket=...,
                             batch_size=5000, flush_interval_s=1.0)

Unknown settings are an error, so a typo in the configuration cannot silently fall back to a default.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from galfriday.core.errors import ConfigError
from galfriday.storage.timeseries.duckdb_store import DEFAULT_PATH, DuckDBStore
from galfriday.storage.timeseries.influx_store import InfluxStore
from galfriday.storage.timeseries.store import TimeSeriesStore
from galfriday.storage.timeseries.writer import BufferedTimeSeriesWriter


def _duckdb(
    *, duckdb_path: str | Path = DEFAULT_PATH, retention: Mapping[str, int] | None = None
) -> DuckDBStore:
    return DuckDBStore(duckdb_path, retention=retention)


_BACKENDS: dict[str, Callable[..., TimeSeriesStore]] = {"duckdb": _duckdb, "influxdb": InfluxStore}
_WRITER_SETTINGS = ("batch_size", "flush_interval_s", "max_buffered", "close_timeout_s")


def create_timeseries_store(backend: str, **settings: Any) -> TimeSeriesStore:
    """The store for ``backend`` ("duckdb" or "influxdb"), writing directly (no buffering)."""
    try:
        factory = _BACKENDS[backend]
    except KeyError:
        raise ConfigError(f"timeseries.backend must be one of {sorted(_BACKENDS)}, got {backend!r}") from None
    accepted = set(inspect.signature(factory).parameters)
    unknown = sorted(set(settings) - accepted)
    if unknown:
        raise ConfigError(f"unknown {backend} time-series setting(s) {unknown}; accepted: {sorted(accepted)}")
    return factory(**settings)


def create_timeseries_writer(backend: str, **settings: Any) -> BufferedTimeSeriesWriter:
    """A ``BufferedTimeSeriesWriter`` around ``create_timeseries_store(backend, …)``; the writer's
    settings (batch_size, flush_interval_s, max_buffered, close_timeout_s) are taken out first."""
    writer_settings = {k: settings.pop(k) for k in _WRITER_SETTINGS if k in settings}
    return BufferedTimeSeriesWriter(create_timeseries_store(backend, **settings), **writer_settings)
