"""Feature confirmations: every operator, and missing or NaN features never confirm."""

from __future__ import annotations

import math

import pytest

from galfriday.config.sections.signal import Confirmation
from galfriday.strategy.confirmations import unconfirmed


@pytest.mark.parametrize(
    ("op", "value", "holds"),
    [
        ("<", 70, True),
        ("<=", 60, True),
        (">", 60, False),
        (">=", 60, True),
        ("==", 60, True),
        ("!=", 60, False),
    ],
)
def test_operators(op: str, value: float, holds: bool) -> None:
    rule = Confirmation(feature="rsi_14", op=op, value=value)  # type: ignore[arg-type]
    assert (unconfirmed([rule], {"rsi_14": 60.0}) == []) is holds


def test_missing_and_nan_features_do_not_confirm() -> None:
    rule = Confirmation(feature="rsi_14", op="<", value=70)
    assert unconfirmed([rule], None) == ["rsi_14 < 70.0: feature not available"]
    assert unconfirmed([rule], {"other": 1.0}) == ["rsi_14 < 70.0: feature not available"]
    assert unconfirmed([rule], {"rsi_14": math.nan}) == ["rsi_14 < 70.0: feature not available"]
    assert unconfirmed([rule], {"rsi_14": 75.0}) == ["rsi_14 < 70.0: is 75"]
