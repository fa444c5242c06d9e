"""The feature registry: the packaged ``feature_sets.yaml`` plus an optional file of your own.

Every entry is checked against the calculator catalogue when it is loaded; an error names the file,
the entry and the key, and says what is allowed. A name defined twice — in one mapping, or in both
files — is an error, never "last one wins". The built-in sets are append-only: change a feature and
you must give it (and the set) a new name or version, which changes the fingerprint that trained
models check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import ConstructorError

from galfriday.features.catalogue import CALCULATORS, Calculator, ParamValue
from galfriday.features.errors import RegistryError
from galfriday.features.spec import FeatureSet, FeatureSpec, Imputation, ImputeMethod, Scaling

if TYPE_CHECKING:
    from galfriday.config.schema import FeaturesSettings

BUILTIN = "feature_sets.yaml"
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
RESERVED = frozenset(
    {
        "timestamp",
        "time",
        "date",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "exchange",
        "trading_pair",
        "feature_set_id",
    }
)
"""Input columns of candle files and tags of the ``features`` measurement."""
_TOP_KEYS = {"features", "feature_sets"}
_FEATURE_KEYS = {"calculator", "params", "input", "output", "version", "imputation", "scaling"}
_SET_KEYS = {"features", "description"}


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key]})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class FeatureRegistry:
    """Validated features and feature sets, by name."""

    features: Mapping[str, FeatureSpec]
    sets: Mapping[str, FeatureSet]

    @property
    def set_ids(self) -> tuple[str, ...]:
        return tuple(self.sets)

    def feature_set(self, set_id: str) -> FeatureSet:
        try:
            return self.sets[set_id]
        except KeyError:
            raise RegistryError(
                f"unknown feature set {set_id!r}; defined sets: {', '.join(self.sets) or 'none'}"
            ) from None

    @classmethod
    def load(cls, extra: Path | None = None) -> FeatureRegistry:
        """The built-in registry, plus the features and sets of ``extra`` when given."""
        text = resources.files("galfriday.features").joinpath(BUILTIN).read_text(encoding="utf-8")
        documents = [(BUILTIN, text)]
        if extra is not None:
            try:
                documents.append((str(extra), Path(extra).read_text(encoding="utf-8")))
            except OSError as exc:
                raise RegistryError(f"cannot read feature registry {extra}: {exc.strerror or exc}") from None
        return cls.from_yaml(*documents)

    @classmethod
    def from_yaml(cls, *documents: tuple[str, str]) -> FeatureRegistry:
        """Parse (source name, YAML text) documents in order; later ones may use earlier features."""
        features: dict[str, FeatureSpec] = {}
        sets: dict[str, FeatureSet] = {}
        origin: dict[str, str] = {}
        for source, text in documents:
            doc = _parse(source, text)
            for name, body in _mapping(source, "features", doc.get("features", {})).items():
                where = f"{source}: features.{name}"
                _check_new(where, source, name, origin, "feature")
                features[name] = _feature(where, name, body)
            for set_id, body in _mapping(source, "feature_sets", doc.get("feature_sets", {})).items():
                where = f"{source}: feature_sets.{set_id}"
                _check_new(where, source, f"set:{set_id}", origin, "feature set")
                sets[set_id] = _feature_set(where, set_id, body, features)
        return cls(features, sets)


def load_feature_set(settings: FeaturesSettings) -> FeatureSet:
    """The feature set the configuration names, from the built-in registry and ``registry_path``."""
    return FeatureRegistry.load(settings.registry_path).feature_set(settings.feature_set)


def _parse(source: str, text: str) -> dict[str, Any]:
    try:
        doc = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise RegistryError(f"{source}: {where}{getattr(exc, 'problem', None) or exc}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise RegistryError(f"{source}: the top level must be a mapping with 'features' and 'feature_sets'")
    _keys(source, doc, _TOP_KEYS)
    return doc


def _mapping(source: str, key: str, value: Any) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise RegistryError(f"{source}: '{key}' must be a mapping of name -> definition")
    return value


def _keys(where: str, body: dict[Any, Any], allowed: set[str]) -> None:
    unknown = sorted(str(k) for k in body if k not in allowed)
    if unknown:
        raise RegistryError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _check_new(where: str, source: str, key: str, origin: dict[str, str], what: str) -> None:
    if key in origin:
        raise RegistryError(
            f"{where}: {what} already defined in {origin[key]}; give it a new name (e.g. a _v2 suffix)"
        )
    origin[key] = source


def _feature(where: str, name: Any, body: Any) -> FeatureSpec:
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise RegistryError(
            f"{where}: feature names are a letter then letters, digits or '_' (at most 64), got {name!r}"
        )
    if name in RESERVED:
        raise RegistryError(f"{where}: {name!r} is reserved (an input column or storage tag); rename it")
    if not isinstance(body, dict):
        raise RegistryError(f"{where}: must be a mapping with calculator, params, version, ...")
    _keys(where, body, _FEATURE_KEYS)
    calc_name = body.get("calculator")
    if calc_name not in CALCULATORS:
        raise RegistryError(
            f"{where}: unknown calculator {calc_name!r}; use one of {', '.join(sorted(CALCULATORS))}"
        )
    calc = CALCULATORS[calc_name]
    version = body.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RegistryError(
            f"{where}.version: must be an integer >= 1 (bump it when the meaning changes), got {version!r}"
        )
    return FeatureSpec(
        name=name,
        calculator=calc.name,
        params=_params(f"{where}.params", calc, body.get("params")),
        version=version,
        input=_input(f"{where}.input", calc, body.get("input")),
        output=_output(f"{where}.output", calc, body.get("output")),
        imputation=_imputation(f"{where}.imputation", body.get("imputation", "none")),
        scaling=_scaling(f"{where}.scaling", body.get("scaling", "none")),
    )


def _params(where: str, calc: Calculator, given: Any) -> tuple[tuple[str, ParamValue], ...]:
    given = {} if given is None else given
    if not isinstance(given, dict):
        raise RegistryError(f"{where}: must be a mapping of parameter -> number")
    unknown = sorted(str(k) for k in given if k not in calc.params)
    if unknown:
        allowed = ", ".join(calc.params) or "none"
        raise RegistryError(
            f"{where}: {calc.name} has no parameter {', '.join(unknown)}; its parameters: {allowed}"
        )
    values: dict[str, ParamValue] = {}
    for key, param in calc.params.items():
        if key not in given:
            if param.default is None:
                raise RegistryError(f"{where}.{key}: required by {calc.name} ({param.describe()})")
            values[key] = param.default
            continue
        value = param.coerce(given[key])
        if value is None:
            raise RegistryError(f"{where}.{key}: must be {param.describe()}, got {given[key]!r}")
        values[key] = value
    if calc.check is not None:
        try:
            calc.check(values)
        except ValueError as exc:
            raise RegistryError(f"{where}: {exc}") from None
    return tuple(sorted(values.items()))


def _input(where: str, calc: Calculator, given: Any) -> str | None:
    if given is None:
        return calc.default_input
    if not calc.inputs:
        raise RegistryError(f"{where}: {calc.name} has fixed inputs ({calc.summary}); remove 'input'")
    if given not in calc.inputs:
        raise RegistryError(f"{where}: {calc.name} reads one of {', '.join(calc.inputs)}, got {given!r}")
    return str(given)


def _output(where: str, calc: Calculator, given: Any) -> str:
    if given is None and len(calc.outputs) == 1:
        return calc.outputs[0]
    if given not in calc.outputs:
        raise RegistryError(f"{where}: {calc.name} outputs one of {', '.join(calc.outputs)}; got {given!r}")
    return str(given)


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RegistryError(f"{where}: must be a finite number, got {value!r}")
    return float(value)


def _imputation(where: str, given: Any) -> Imputation:
    if given in ("none", "ffill"):
        return Imputation(ImputeMethod(given))
    if isinstance(given, dict) and list(given) == ["constant"]:
        return Imputation(ImputeMethod.CONSTANT, _number(f"{where}.constant", given["constant"]))
    raise RegistryError(f"{where}: use none, ffill or {{constant: <number>}}, got {given!r}")


def _scaling(where: str, given: Any) -> Scaling:
    if given == "none":
        return Scaling()
    if isinstance(given, dict) and list(given) == ["zscore"] and isinstance(given["zscore"], dict):
        stats = given["zscore"]
        _keys(f"{where}.zscore", stats, {"mean", "std"})
        if "mean" not in stats or "std" not in stats:
            raise RegistryError(f"{where}.zscore: needs both mean and std (stored from the training data)")
        std = _number(f"{where}.zscore.std", stats["std"])
        if std <= 0:
            raise RegistryError(f"{where}.zscore.std: must be > 0, got {std}")
        return Scaling(True, _number(f"{where}.zscore.mean", stats["mean"]), std)
    raise RegistryError(f"{where}: use none or {{zscore: {{mean: <number>, std: <number>}}}}, got {given!r}")


def _feature_set(where: str, set_id: Any, body: Any, features: Mapping[str, FeatureSpec]) -> FeatureSet:
    if not isinstance(set_id, str) or not NAME.fullmatch(set_id):
        raise RegistryError(f"{where}: set ids are a letter then letters, digits or '_', got {set_id!r}")
    if not isinstance(body, dict):
        raise RegistryError(f"{where}: must be a mapping with 'features' (a list of names)")
    _keys(where, body, _SET_KEYS)
    names = body.get("features")
    if not isinstance(names, list) or not names:
        raise RegistryError(f"{where}.features: must be a non-empty list of feature names")
    seen: set[str] = set()
    specs = []
    for name in names:
        if name in seen:
            raise RegistryError(f"{where}.features: {name!r} is listed twice")
        seen.add(name)
        if name not in features:
            raise RegistryError(
                f"{where}.features: unknown feature {name!r}; define it under 'features:' first"
            )
        specs.append(features[name])
    description = body.get("description", "")
    if not isinstance(description, str):
        raise RegistryError(f"{where}.description: must be text")
    return FeatureSet(set_id, tuple(specs), description)
