"""Combining the predictions of several models of one pair into the one the strategy acts on.

- ``average``: the mean P(up);
- ``weighted``: the mean weighted by each model's validation AUC edge over 0.5 (``registry.weight_of``);
- ``vote``: each model votes up when its P(up) > 0.5; P(up) is the share of up votes.

Confidence is how far the combined P(up) is from a coin flip, ``|2·p − 1|`` (for ``vote``: how
unanimous the vote was). A combination below the confidence floor is not published.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

EnsembleMethod = Literal["average", "weighted", "vote"]
METHODS: tuple[EnsembleMethod, ...] = ("average", "weighted", "vote")


def combine(p_up: Sequence[float], weights: Sequence[float], method: EnsembleMethod) -> tuple[float, float]:
    """(P(up), confidence) of the members' predictions."""
    if len(p_up) == 1 and method == "average":  # the usual case, once a bar: no array needed
        value = float(p_up[0]) + 0.0  # what the mean of one gives (numpy's sum starts at +0.0)
        return value, abs(2 * value - 1)
    p = np.asarray(p_up, dtype=np.float64)
    if len(p) == 0:
        raise ValueError("nothing to combine")
    if method == "average":
        value = float(p.mean())
    elif method == "weighted":
        value = float(np.average(p, weights=np.asarray(weights, dtype=np.float64)))
    elif method == "vote":
        value = float((p > 0.5).mean())
    else:
        raise ValueError(f"unknown ensemble method {method!r}; use one of {', '.join(METHODS)}")
    return value, abs(2 * value - 1)
