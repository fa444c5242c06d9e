"""``ModelBundle``: everything inference needs, saved as one artefact.

A bundle is the fitted estimator plus the contract it was trained under — feature set id,
fingerprint and ordered names, the scale-free rule, the label (its prediction target) — and the
drift reference. The artefact is a pickle; pickles can run code when loaded, so a bundle is only
ever unpickled after its bytes matched the SHA-256 the registry recorded (``artifacts``).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import numpy as np

from galfriday.prediction.drift import DriftReference
from galfriday.prediction.errors import ArtifactIntegrityError
from galfriday.prediction.estimators.base import Estimator
from galfriday.prediction.labels import LabelSpec
from galfriday.prediction.preprocess import ScaleFree

FORMAT_VERSION = 1


@dataclass(frozen=True)
class ModelBundle:
    model_type: str
    pair: str
    label: LabelSpec
    feature_set_id: str
    feature_fingerprint: str
    feature_names: tuple[str, ...]
    preprocessor: ScaleFree
    estimator: Estimator
    reference: DriftReference
    trained_at_ns: int
    format_version: int = FORMAT_VERSION

    @property
    def prediction_target(self) -> str:
        return self.label.target

    @property
    def sequence_length(self) -> int:
        return self.estimator.sequence_length

    def inputs(self, windows: np.ndarray) -> np.ndarray:
        """Raw feature windows as the model's (scale-free) inputs."""
        return self.preprocessor.transform(np.asarray(windows, dtype=np.float64))

    def predict(self, windows: np.ndarray) -> np.ndarray:
        """P(up) for raw feature windows ``(rows, sequence_length, features)``."""
        return self.estimator.predict_proba(self.inputs(windows))

    def to_bytes(self) -> bytes:
        return pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def from_bytes(data: bytes, where: str) -> ModelBundle:
        """Unpickle verified artefact bytes; ``where`` names the file in errors."""
        try:
            bundle = pickle.loads(data)
        except ModuleNotFoundError as exc:
            missing = exc.name or "a module"
            hint = " (an LSTM: `pip install torch==2.13.0`)" if missing.startswith("torch") else ""
            raise ArtifactIntegrityError(
                f"model artefact {where} needs {missing}, which is not installed{hint}"
            ) from None
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            raise ArtifactIntegrityError(
                f"model artefact {where} cannot be read by this version of Gal-Friday ({exc}); retrain it"
            ) from None
        if not isinstance(bundle, ModelBundle) or bundle.format_version != FORMAT_VERSION:
            raise ArtifactIntegrityError(
                f"model artefact {where} is not a Gal-Friday model of format {FORMAT_VERSION}; retrain it"
            )
        return bundle
