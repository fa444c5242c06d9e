"""Line-protocol encoding: exact bytes for the cases the InfluxDB reference spells out, and a
property test that every encoded line parses back to what was encoded."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from galfriday.storage.timeseries.line_protocol import encode_line, encode_points
from galfriday.storage.timeseries.point import INT64_MAX, INT64_MIN

from ._lp_parser import parse_line
from ._points import KRAKEN, features, system


def test_escaping_of_every_special_character() -> None:
    line = encode_line(
        "my meas,ure=ment",
        {"tag key,=": "va lue,=\"q'"},
        {"field key,=": 'say "hi" \\ now', "b": True, "i": -7, "f": 0.1},
        1_700_000_000_123_456_789,
    )
    assert line == (
        r"my\ meas\,ure=ment,tag\ key\,\==va\ lue\,\="
        "\"q' "
        r'field\ key\,\=="say \"hi\" \\ now",b=true,i=-7i,f=0.1'
        " 1700000000123456789"
    )


def test_tags_are_sorted_by_key() -> None:
    assert encode_line("m", {"z": "1", "a": "2"}, {"v": 1.0}, 0) == "m,a=2,z=1 v=1.0 0"


def test_floats_round_trip_exactly_and_ints_bools_keep_their_type() -> None:
    values = {"f": 0.1 + 0.2, "big": 1e16, "tiny": 5e-324, "neg": -0.0, "i": INT64_MAX, "t": True, "n": False}
    _, _, fields, _ = parse_line(encode_line("m", {}, values, 1))
    assert fields == values
    assert [type(v) for v in fields.values()] == [type(v) for v in values.values()]


def test_a_write_body_has_one_terminated_line_per_point_and_skips_empty_points() -> None:
    empty = features(3)
    object.__setattr__(empty, "fields", {})
    body = encode_points([system(1), empty, system(2)])
    lines = body.decode().split("\n")
    assert lines[-1] == "" and len(lines) == 3
    assert lines[0].startswith("system_metrics,host_id=host-1,module_id=risk ")
    assert encode_points([empty]) == b""


def test_pairs_with_slashes_need_no_escaping() -> None:
    assert (
        encode_line("features", KRAKEN, {"x": 1.0}, 5)
        == "features,exchange=kraken,trading_pair=XRP/USD x=1.0 5"
    )


_text = st.text(
    alphabet=st.characters(blacklist_characters="\n\r\\", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=12,
)
_value = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(INT64_MIN, INT64_MAX),
    st.booleans(),
    st.text(alphabet=st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=12),
)


@given(
    measurement=_text,
    tags=st.dictionaries(_text, _text, max_size=4),
    fields=st.dictionaries(_text, _value, min_size=1, max_size=5),
    ts=st.integers(INT64_MIN, INT64_MAX),
)
def test_encoded_lines_parse_back_to_the_input(
    measurement: str, tags: dict[str, str], fields: dict[str, object], ts: int
) -> None:
    parsed = parse_line(encode_line(measurement, tags, fields, ts))  # type: ignore[arg-type]
    assert parsed == (measurement, tags, fields, ts)
    for original, back in zip(fields.values(), parsed[2].values(), strict=True):
        assert type(original) is type(back)
        if isinstance(original, float):
            assert math.copysign(1, original) == math.copysign(1, back)
