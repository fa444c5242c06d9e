"""The shape comparer itself: it must find what differs and nothing else."""

from __future__ import annotations

from tests.unit.sim.server.shapes import shape_diff


def test_equal_shapes_with_different_values_agree() -> None:
    assert shape_diff({"a": "1", "b": [1, 2], "c": 0.5}, {"a": "x", "b": [7], "c": 1.25}) == []


def test_type_missing_and_extra_keys_are_reported() -> None:
    diff = shape_diff({"a": 1, "x": None}, {"a": "1", "b": 2})
    assert "$.a: int where the recording has str" in diff
    assert "$.b: missing" in diff
    assert "$.x: not in the recording" in diff


def test_int_and_float_differ_unless_numeric_text() -> None:
    assert shape_diff({"p": 1}, {"p": 1.5}) == ["$.p: int where the recording has float"]
    assert shape_diff({"t": "1705259439.563000"}, {"t": 1688583840.8648}, numeric_text=True) == []
    assert shape_diff({"t": "abc"}, {"t": 1.5}, numeric_text=True) != []


def test_id_keys_are_compared_against_the_first_recorded_id() -> None:
    recorded = {"XBTUSDT": [[1, "a"]], "last": 5}
    ours = {"XXRPZUSD": [[2, "b"], [3, "c"]], "last": 9}
    assert shape_diff(ours, recorded, ids={"$": {"last"}}) == []
    assert shape_diff({"XXRPZUSD": [[2, 3]], "last": 9}, recorded, ids={"$": {"last"}}) == [
        "$.*[][1]: int where the recording has str"
    ]
    assert shape_diff({"last": 9}, recorded, ids={"$": {"last"}}) == [
        "$: no id keys to compare (the recording has ['XBTUSDT'])"
    ]


def test_tuples_compare_by_position_and_length() -> None:
    row = ["1.0", "2.0", 1.5, "b", "m", "", 7]
    assert shape_diff(["3.0", "4.0", 2.5, "s", "l", "", 8], row) == []
    assert shape_diff(["3.0", "4.0", 2.5, "s", "l", ""], row) == ["$: 6 elements where the recording has 7"]


def test_ignored_paths_are_skipped() -> None:
    assert shape_diff({"d": {"order": "x"}}, {"d": {"order": "y", "pair": "z"}}, ignore={"$.d.pair"}) == []
