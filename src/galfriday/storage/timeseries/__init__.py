"""The time-series store (DESIGN §4): six measurements, DuckDB embedded or InfluxDB over HTTP.

- ``schema``: the measurements as data — tags, fields, field families, retention groups.
- ``point``: ``Point``, one validated row (NaN/inf fields dropped and counted).
- ``line_protocol``: InfluxDB line-protocol encoding.
- ``store``: the ``TimeSeriesStore`` protocol; ``query_spec``: validated read requests.
- ``duckdb_store``: ``DuckDBStore``, the embedded default (one table per measurement).
- ``influx_store`` / ``influxql``: ``InfluxStore`` for the 1.x and v2 HTTP APIs.
- ``writer``: ``BufferedTimeSeriesWriter``, which keeps writes off the trading path.
- ``factory``: build the configured store or writer from plain settings.
- ``errors``: what went wrong, split by whether a retry can help.
"""

from galfriday.storage.timeseries.duckdb_store import DuckDBStore
from galfriday.storage.timeseries.errors import SchemaError, StoreUnavailableError, WriteRejectedError
from galfriday.storage.timeseries.factory import create_timeseries_store, create_timeseries_writer
from galfriday.storage.timeseries.influx_store import InfluxStore
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.schema import MEASUREMENTS, RetentionGroup
from galfriday.storage.timeseries.store import TimeSeriesStore
from galfriday.storage.timeseries.writer import BufferedTimeSeriesWriter, WriterStats

__all__ = [
    "MEASUREMENTS",
    "BufferedTimeSeriesWriter",
    "DuckDBStore",
    "InfluxStore",
    "Point",
    "RetentionGroup",
    "SchemaError",
    "StoreUnavailableError",
    "TimeSeriesStore",
    "WriteRejectedError",
    "WriterStats",
    "create_timeseries_store",
    "create_timeseries_writer",
]
