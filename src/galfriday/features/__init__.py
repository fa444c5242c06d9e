"""Features: streaming indicators, order-book and trade features, the registry, the engine, batch twins.

Public API:
- ``FeatureRegistry.load(extra)`` / ``load_feature_set(settings)`` -> ``FeatureSet`` (names, fingerprint);
- ``FeatureEngine(bus, clock, feature_set, ...)``: publishes ``FeatureVectorComputed`` per closed bar;
- ``compute_features(candles, feature_set, ...)``: the same vectors in batch, for training;
- ``galfriday.features.indicators``: the streaming indicators and their batch twins;
- ``galfriday.features.cli.register(app)``: ``galfriday features compute | sets``.
"""

from galfriday.features.batch import BatchFeatures, TradeColumns, compute_features
from galfriday.features.book_features import BookColumns
from galfriday.features.catalogue import CALCULATORS, Source
from galfriday.features.engine import FeatureEngine
from galfriday.features.errors import FeatureError, FeatureInputError, FeatureSetMismatchError, RegistryError
from galfriday.features.registry import FeatureRegistry, load_feature_set
from galfriday.features.spec import FeatureSet, FeatureSpec, Imputation, ImputeMethod, Scaling

__all__ = [
    "CALCULATORS",
    "BatchFeatures",
    "BookColumns",
    "FeatureEngine",
    "FeatureError",
    "FeatureInputError",
    "FeatureRegistry",
    "FeatureSet",
    "FeatureSetMismatchError",
    "FeatureSpec",
    "Imputation",
    "ImputeMethod",
    "RegistryError",
    "Scaling",
    "Source",
    "TradeColumns",
    "compute_features",
    "load_feature_set",
]
