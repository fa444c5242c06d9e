"""InfluxQL statements for reads and the decoding of /query answers (no server needed)."""

from __future__ import annotations

import pytest

from galfriday.core.errors import StorageError
from galfriday.storage.timeseries.influxql import (
    points_from_response,
    quote_ident,
    quote_string,
    select_statement,
)
from galfriday.storage.timeseries.point import Point
from galfriday.storage.timeseries.query_spec import QuerySpec


def test_select_with_every_filter() -> None:
    spec = QuerySpec.build(
        "system_metrics",
        tags={"module_id": "it's", "host_id": "h"},
        start_ns=10,
        end_ns=20,
        fields=["cpu_usage_pct"],
        limit=5,
        newest_first=True,
    )
    assert select_statement(spec, "gal friday", "metrics") == (
        'SELECT "cpu_usage_pct", "host_id", "module_id" FROM "gal friday"."metrics"."system_metrics" '
        "WHERE \"host_id\" = 'h' AND \"module_id\" = 'it\\'s' AND time >= 10 AND time < 20 "
        "ORDER BY time DESC LIMIT 5"
    )


def test_select_everything() -> None:
    spec = QuerySpec.build("features")
    assert (
        select_statement(spec, "db", "predictions")
        == 'SELECT * FROM "db"."predictions"."features" ORDER BY time ASC'
    )


def test_quoting() -> None:
    assert quote_ident('a"b\\') == '"a\\"b\\\\"'
    assert quote_string("a'b\\") == "'a\\'b\\\\'"


def test_answers_become_points_with_declared_kinds() -> None:
    spec = QuerySpec.build("system_metrics")
    columns = ["time", "api_call_latency_ms", "cpu_usage_pct", "event_queue_depth", "host_id", "module_id"]
    columns += ["websocket_connected", "someone_elses_field"]
    payload = {
        "results": [
            {
                "series": [
                    {
                        "name": "system_metrics",
                        "columns": columns,
                        "values": [
                            [5, 85, 12.5, 3, "h", None, True, 1],  # whole float sent as 85
                            [6, None, None, None, "h", "risk", None, 2],  # none of our fields
                        ],
                    }
                ]
            }
        ]
    }
    [point] = points_from_response(spec, payload)
    expected = {
        "api_call_latency_ms": 85.0,
        "cpu_usage_pct": 12.5,
        "event_queue_depth": 3,
        "websocket_connected": True,
    }
    assert point == Point("system_metrics", {"host_id": "h"}, expected, 5)
    assert type(point.fields["api_call_latency_ms"]) is float


def test_empty_answer_and_reported_errors() -> None:
    spec = QuerySpec.build("system_metrics")
    assert points_from_response(spec, {"results": [{"statement_id": 0}]}) == []
    with pytest.raises(StorageError, match="database not found"):
        points_from_response(spec, {"results": [{"error": "database not found: x"}]})
