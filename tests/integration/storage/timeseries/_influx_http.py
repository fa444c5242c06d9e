"""Plain-HTTP access to the InfluxDB 1.x server that does not go through the code under test."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

INFLUX_URL = "http://127.0.0.1:8086"


def influxql(statement: str, db: str = "") -> dict[str, Any]:
    data = urllib.parse.urlencode({"q": statement, "db": db, "epoch": "ns"}).encode()
    with urllib.request.urlopen(f"{INFLUX_URL}/query", data=data, timeout=10) as response:
        return json.loads(response.read())


def rows(statement: str, db: str = "") -> list[dict[str, Any]]:
    """Every row of every series of the answer, as column -> value."""
    result = influxql(statement, db)["results"][0]
    assert "error" not in result, result["error"]
    return [
        dict(zip(series["columns"], values, strict=True))
        for series in result.get("series", ())
        for values in series["values"]
    ]


def count(db: str, rp: str, measurement: str, field: str) -> int:
    found = rows(f'SELECT COUNT("{field}") FROM "{db}"."{rp}"."{measurement}"', db)
    return found[0]["count"] if found else 0


def write_lines(db: str, body: bytes) -> tuple[int, str]:
    request = urllib.request.Request(f"{INFLUX_URL}/write?db={db}&precision=ns", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
