"""Imputation, then scaling, of each feature column — streaming per pair and in batch, identically.

Imputation fills a missing (non-finite) value: ``ffill`` with the last finite value of the same
feature for the same pair (NaN before there is one), ``constant`` with a number; ``none`` leaves it.
Scaling ``zscore`` then maps v to (v - mean) / std with the parameters stored at training time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from galfriday.features.spec import FeatureSpec, ImputeMethod

_isfinite = math.isfinite


class VectorTransform:
    """The streaming half: remembers the last finite value of each forward-filled column."""

    __slots__ = ("_constant", "_ffill", "_last", "_scale")

    def __init__(self, specs: Sequence[FeatureSpec]) -> None:
        self._ffill = [i for i, s in enumerate(specs) if s.imputation.method is ImputeMethod.FFILL]
        self._constant = [
            (i, s.imputation.value)
            for i, s in enumerate(specs)
            if s.imputation.method is ImputeMethod.CONSTANT
        ]
        self._scale = [(i, s.scaling.mean, s.scaling.std) for i, s in enumerate(specs) if s.scaling.zscore]
        self._last = [math.nan] * len(specs)

    def apply(self, values: list[float]) -> list[float]:
        """Transform ``values`` (one vector, in feature order) in place and return it."""
        last = self._last
        for i in self._ffill:
            v = values[i]
            if _isfinite(v):
                last[i] = v
            else:
                values[i] = last[i]
        for i, constant in self._constant:
            if not _isfinite(values[i]):
                values[i] = constant
        for i, mean, std in self._scale:
            values[i] = (values[i] - mean) / std
        return values


def transform_column(values: np.ndarray, spec: FeatureSpec) -> np.ndarray:
    """The batch half, for one feature's column in row order."""
    out = np.asarray(values, dtype=np.float64).copy()
    finite = np.isfinite(out)
    method = spec.imputation.method
    if method is ImputeMethod.FFILL:
        last = np.maximum.accumulate(np.where(finite, np.arange(len(out)), -1))
        out = np.where(last >= 0, out[np.maximum(last, 0)], np.nan)
    elif method is ImputeMethod.CONSTANT:
        out[~finite] = spec.imputation.value
    if spec.scaling.zscore:
        out = (out - spec.scaling.mean) / spec.scaling.std
    return out
