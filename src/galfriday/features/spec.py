"""What a feature is (``FeatureSpec``) and what a model is trained on (``FeatureSet``).

A feature is one named float column: a calculator, the series it reads, its parameters, which of the
calculator's outputs it is, a version, how a missing value is imputed and how the value is scaled.
A feature set is an ordered list of features under an id; its fingerprint is a SHA-256 of every
feature's definition in order, so a model can refuse vectors computed any other way, even under a
reused id or name.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from galfriday.features.catalogue import ParamValue, Source, calculator
from galfriday.features.errors import FeatureSetMismatchError


class ImputeMethod(enum.StrEnum):
    NONE = "none"  # NaN stays NaN
    FFILL = "ffill"  # the last finite value of this feature for this pair (NaN before the first)
    CONSTANT = "constant"


@dataclass(frozen=True)
class Imputation:
    method: ImputeMethod = ImputeMethod.NONE
    value: float = 0.0  # for CONSTANT

    def canonical(self) -> dict[str, Any]:
        if self.method is ImputeMethod.CONSTANT:
            return {"method": self.method.value, "value": self.value}
        return {"method": self.method.value}


@dataclass(frozen=True)
class Scaling:
    """``none``, or z-score with parameters stored at training time: (value - mean) / std."""

    zscore: bool = False
    mean: float = 0.0
    std: float = 1.0

    def canonical(self) -> dict[str, Any]:
        if self.zscore:
            return {"method": "zscore", "mean": self.mean, "std": self.std}
        return {"method": "none"}


@dataclass(frozen=True)
class InstanceKey:
    """Features sharing a key share one calculator instance (MACD's three outputs, say)."""

    calculator: str
    input: str | None
    params: tuple[tuple[str, ParamValue], ...]

    def param(self, name: str) -> Any:
        return dict(self.params)[name]


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    calculator: str
    params: tuple[tuple[str, ParamValue], ...]  # every parameter, defaults filled, sorted by name
    version: int
    input: str | None = None
    output: str = "value"
    imputation: Imputation = field(default_factory=Imputation)
    scaling: Scaling = field(default_factory=Scaling)

    @property
    def source(self) -> Source:
        return calculator(self.calculator).source

    @property
    def instance(self) -> InstanceKey:
        return InstanceKey(self.calculator, self.input, self.params)

    @property
    def output_index(self) -> int:
        return calculator(self.calculator).outputs.index(self.output)

    def canonical(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "calculator": self.calculator,
            "input": self.input,
            "output": self.output,
            "params": dict(self.params),
            "version": self.version,
            "imputation": self.imputation.canonical(),
            "scaling": self.scaling.canonical(),
        }


@dataclass(frozen=True)
class FeatureSet:
    id: str
    features: tuple[FeatureSpec, ...]
    description: str = ""

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    @cached_property
    def sources(self) -> frozenset[Source]:
        return frozenset(f.source for f in self.features)

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the features' definitions in order; the id and description are not part
        of it. Stable across processes, YAML layout, key order and ``2`` versus ``2.0``."""
        text = json.dumps(
            [f.canonical() for f in self.features], sort_keys=True, separators=(",", ":"), allow_nan=False
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def require_fingerprint(self, expected: str) -> None:
        """Raise unless this set is the one a model was trained on."""
        if expected != self.fingerprint:
            raise FeatureSetMismatchError(
                f"the model was trained on feature-set fingerprint {expected[:16]}…, but feature set "
                f"{self.id!r} has {self.fingerprint[:16]}…; configure features.feature_set to the set "
                "the model was trained on, or retrain the model on this one"
            )

    def only(self, sources: Iterable[Source]) -> FeatureSet:
        """The features that read one of ``sources``, in order (a different set: new fingerprint)."""
        keep = frozenset(sources)
        return FeatureSet(self.id, tuple(f for f in self.features if f.source in keep), self.description)
