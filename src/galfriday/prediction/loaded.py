"""``LoadedModel``: a verified bundle ready to predict, with the registry facts the service needs.

``check_contract`` is the gate between an artefact and live vectors: the artefact must carry the
feature names and fingerprint the registry recorded for it, and those must be the features the
running ``FeatureEngine`` publishes — same names, same order, same definitions (fingerprint).
Anything else would feed a model numbers it was not trained on, so it is refused by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from galfriday.features.errors import FeatureSetMismatchError
from galfriday.features.spec import FeatureSet
from galfriday.prediction.bundle import ModelBundle
from galfriday.prediction.errors import FeatureContractError


@dataclass(frozen=True)
class LoadedModel:
    model_id: str
    pair: str
    bundle: ModelBundle
    artifact_path: Path
    artifact_sha256: str
    weight: float = 1.0  # for the 'weighted' ensemble
    critical: bool = False

    @property
    def prediction_target(self) -> str:
        return self.bundle.prediction_target

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.bundle.feature_names

    @property
    def sequence_length(self) -> int:
        return self.bundle.sequence_length

    def predict(self, windows: np.ndarray) -> np.ndarray:
        return self.bundle.predict(windows)


def check_contract(
    bundle: ModelBundle,
    *,
    model_id: str,
    feature_names: Sequence[str],
    fingerprint: str,
    feature_set: FeatureSet | None,
) -> None:
    """Raise FeatureContractError unless the artefact, the registry and ``feature_set`` agree."""
    if tuple(bundle.feature_names) != tuple(feature_names) or bundle.feature_fingerprint != fingerprint:
        raise FeatureContractError(
            f"the artefact of model {model_id} was trained on other features than the registry recorded "
            f"(artefact fingerprint {bundle.feature_fingerprint[:16]}…, registry {fingerprint[:16]}…); "
            "the registry entry and the file do not belong together: archive the model and retrain"
        )
    if feature_set is None:
        return
    if feature_set.names != bundle.feature_names:
        raise FeatureContractError(
            f"model {model_id} expects the features {', '.join(bundle.feature_names)} in this order, but "
            f"feature set {feature_set.id!r} publishes {', '.join(feature_set.names)}; configure "
            f"features.feature_set = {bundle.feature_set_id} or retrain the model on {feature_set.id}"
        )
    try:
        feature_set.require_fingerprint(bundle.feature_fingerprint)
    except FeatureSetMismatchError as exc:
        raise FeatureContractError(f"model {model_id}: {exc}") from None
