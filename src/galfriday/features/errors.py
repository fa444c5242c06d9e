"""Errors of the feature package; each message says what to change."""

from __future__ import annotations

from galfriday.core.errors import GalFridayError


class FeatureError(GalFridayError):
    """Base class of every deliberate error raised by ``galfriday.features``."""


class RegistryError(FeatureError):
    """A feature registry YAML file (or a feature set id) is invalid."""


class FeatureInputError(FeatureError):
    """Input data cannot be turned into features (missing columns, unsorted timestamps, ...)."""


class FeatureSetMismatchError(FeatureError):
    """A model trained on one feature set was offered vectors of another (fingerprints differ)."""
