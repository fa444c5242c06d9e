"""Errors of the prediction package; each message says what to do next."""

from __future__ import annotations

from galfriday.core.errors import GalFridayError


class PredictionError(GalFridayError):
    """Base class of every deliberate error raised by ``galfriday.prediction``."""


class DatasetError(PredictionError):
    """Candles or a label specification cannot make a training set (too short, bad horizon, ...)."""


class ModelUnavailableError(PredictionError):
    """A model type needs a package that is not installed (the LSTM needs PyTorch)."""


class ArtifactIntegrityError(PredictionError):
    """A model artefact is missing, unreadable, or its SHA-256 is not the one the registry recorded."""


class FeatureContractError(PredictionError):
    """A model was trained on other features (names, order or fingerprint) than it is offered."""


class ModelLoadError(PredictionError):
    """A critical production model could not be loaded, so the service refuses to start."""
