"""A feature set compiled for computation: one calculator instance per distinct definition.

MACD's line, signal and histogram are three features but one calculation; ``instances`` lists each
(calculator, input, parameters) once, in order of first use, and ``columns`` says which output of
which instance fills each feature. The streaming engine and the batch computation share this plan,
so they compute the same things in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

from galfriday.features.catalogue import Source, calculator
from galfriday.features.spec import FeatureSet, InstanceKey


@dataclass(frozen=True)
class FeaturePlan:
    feature_set: FeatureSet
    instances: tuple[InstanceKey, ...]
    columns: tuple[tuple[int, int], ...]  # per feature, in order: (instance index, output index)

    @classmethod
    def of(cls, feature_set: FeatureSet) -> FeaturePlan:
        index: dict[InstanceKey, int] = {}
        columns = []
        for spec in feature_set.features:
            key = spec.instance
            if key not in index:
                index[key] = len(index)
            columns.append((index[key], spec.output_index))
        return cls(feature_set, tuple(index), tuple(columns))

    def instances_of(self, source: Source) -> list[tuple[int, InstanceKey]]:
        return [
            (i, key) for i, key in enumerate(self.instances) if calculator(key.calculator).source is source
        ]
