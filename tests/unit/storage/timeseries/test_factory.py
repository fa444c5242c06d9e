"""Building the configured store or writer from plain settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from galfriday.core.errors import ConfigError
from galfriday.storage.timeseries.duckdb_store import DuckDBStore
from galfriday.storage.timeseries.factory import create_timeseries_store, create_timeseries_writer
from galfriday.storage.timeseries.influx_store import InfluxStore
from galfriday.storage.timeseries.schema import RetentionGroup
from galfriday.storage.timeseries.writer import BufferedTimeSeriesWriter


async def test_duckdb_store_at_the_configured_path(tmp_path: Path) -> None:
    path = tmp_path / "ts" / "x.duckdb"
    store = create_timeseries_store("duckdb", duckdb_path=path, retention={"metrics_days": 2})
    assert isinstance(store, DuckDBStore) and path.exists()
    assert store.retention_days[RetentionGroup.METRICS] == 2
    await store.close()


async def test_influxdb_v2_store_from_the_config_keys() -> None:
    store = create_timeseries_store(
        "influxdb", url="http://influx:8086/", api_version="v2", token="t", org="o", bucket="b"
    )
    assert isinstance(store, InfluxStore)
    assert (store.url, store.api_version, store.org, store.bucket) == ("http://influx:8086", "v2", "o", "b")
    await store.close()


async def test_writer_takes_its_own_settings_out() -> None:
    writer = create_timeseries_writer(
        "influxdb", url="http://localhost:8086", database="db", batch_size=200, flush_interval_s=0.5
    )
    assert isinstance(writer, BufferedTimeSeriesWriter) and isinstance(writer.store, InfluxStore)
    assert (writer.batch_size, writer.flush_interval_s, writer.store.database) == (200, 0.5, "db")
    await writer.close()


@pytest.mark.parametrize(
    ("backend", "settings", "match"),
    [
        ("sqlite", {}, "timeseries.backend"),
        ("duckdb", {"duckdb_pth": "x"}, "duckdb_pth"),
        ("influxdb", {"api_version": "v3"}, "api_version"),
        ("influxdb", {"api_version": "v2", "org": "o"}, "token"),
        ("influxdb", {"username": "u"}, "together"),
    ],
)
def test_misconfiguration_is_a_config_error(backend: str, settings: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        create_timeseries_store(backend, **settings)
