"""Extra conditions on features that must all hold before an entry (``strategy.confirmations``).

Evaluated against the latest ``FeatureVectorComputed`` of the pair. A feature that is missing,
or NaN (still warming up), does not confirm: an entry is never made on a condition nobody could
check.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence

from galfriday.config.sections.signal import Confirmation

_OPS: Mapping[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def unconfirmed(rules: Sequence[Confirmation], features: Mapping[str, float] | None) -> list[str]:
    """The rules that do not hold, as readable text (empty when every rule holds)."""
    failures: list[str] = []
    for rule in rules:
        value = None if features is None else features.get(rule.feature)
        if value is None or math.isnan(value):
            failures.append(f"{rule.feature} {rule.op} {rule.value}: feature not available")
        elif not _OPS[rule.op](value, rule.value):
            failures.append(f"{rule.feature} {rule.op} {rule.value}: is {value:.6g}")
    return failures
