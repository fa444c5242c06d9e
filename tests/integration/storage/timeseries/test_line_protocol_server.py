"""Our line-protocol encoder against InfluxDB's own parser: whatever we encode, the real 1.x
server stores exactly (names, tag values and string fields full of characters that need escaping)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from galfriday.storage.timeseries.influxql import quote_ident
from galfriday.storage.timeseries.line_protocol import encode_line

from ._influx_http import rows, write_lines

pytestmark = pytest.mark.influxdb

_example = itertools.count()
TS = 1_700_000_000_123_456_789  # inside the default (infinite) retention policy

# The characters line protocol escapes, plus quotes, unicode and letters; no newlines, and
# backslashes only in string fields (Point refuses them elsewhere).
_name = st.text(alphabet=" ,=\"'aZ9_-/ü✓", min_size=1, max_size=8).filter(
    lambda s: s != "time" and not s.startswith("#")
)
_string = st.text(alphabet=" ,=\"'\\aZü", max_size=8)
_value = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**63), 2**63 - 1), st.booleans(), _string
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    measurement=_name,
    tags=st.dictionaries(st.sampled_from(["t a", "t,b", "t=c", 't"d']), _name, max_size=3),
    fields=st.dictionaries(
        st.sampled_from(["f a", "f,b", "f=c", 'f"d', "plain"]), _value, min_size=1, max_size=4
    ),
)
def test_the_server_stores_exactly_what_we_encoded(
    influx_db: str, measurement: str, tags: dict[str, str], fields: dict[str, object]
) -> None:
    # A measurement of its own per example: InfluxDB remembers a field's type even after its series go.
    measurement = f"m{next(_example)} {measurement}"
    rows(f'CREATE DATABASE "{influx_db}"')
    status, body = write_lines(influx_db, encode_line(measurement, tags, fields, TS).encode())  # type: ignore[arg-type]
    assert status == 204, body
    [row] = rows(f"SELECT * FROM {quote_ident(measurement)}", influx_db)
    assert row.pop("time") == TS
    assert {k: v for k, v in row.items() if v is not None and k in tags} == tags
    assert {k for k, v in row.items() if v is not None} == tags.keys() | fields.keys()
    for key, value in fields.items():  # JSON sends a whole float as an int: compare as floats
        if isinstance(value, float):
            assert float(row[key]) == value
        else:
            assert (type(row[key]), row[key]) == (type(value), value)
