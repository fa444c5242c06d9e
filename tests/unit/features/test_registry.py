"""Feature registry: the packaged YAML, validation errors that say what to fix, fingerprints."""

from __future__ import annotations

from pathlib import Path

import pytest

from galfriday.config.schema import FeaturesSettings
from galfriday.features import CALCULATORS, FeatureRegistry, FeatureSetMismatchError, RegistryError, Source
from galfriday.features.registry import load_feature_set
from galfriday.features.spec import ImputeMethod

DEFAULT_V1_FINGERPRINT = "0cd96229e4a6b0b8c7cecec58ec937252c6806d2c01fc81d7c1e4698b8da47f1"


def _load(text: str) -> FeatureRegistry:
    return FeatureRegistry.from_yaml(("test.yaml", text))


def test_default_set_has_the_documented_features_in_order() -> None:
    fs = FeatureRegistry.load().feature_set("default_v1")
    assert fs.names[:11] == (
        "rsi_14",
        "roc_5",
        "ema_12",
        "sma_20",
        "macd_12_26_9",
        "macd_signal_12_26_9",
        "macd_hist_12_26_9",
        "bb_upper_20_2",
        "bb_middle_20_2",
        "bb_lower_20_2",
        "atr_14",
    )
    assert {
        "logret_std_20",
        "vwap_20",
        "vwap_session",
        "spread_pct",
        "book_imbalance_5",
        "depth_bid_10",
        "depth_ask_10",
        "volume_delta_60s",
        "trade_vwap_60s",
    } <= set(fs.names)
    assert fs.sources == {Source.BAR, Source.BOOK, Source.TRADE}
    assert FeatureRegistry.load().feature_set("bars_v1").sources == {Source.BAR}


def test_default_v1_fingerprint_never_changes() -> None:
    """A trained model refuses vectors whose fingerprint differs. If this fails, default_v1 was
    edited: revert it and add default_v2 instead."""
    assert FeatureRegistry.load().feature_set("default_v1").fingerprint == DEFAULT_V1_FINGERPRINT


def test_fingerprint_ignores_layout_but_not_meaning() -> None:
    base = """
features:
  a: {calculator: bollinger, params: {period: 20, k: 2}, output: upper, version: 1}
  b: {calculator: rsi, params: {period: 14}, version: 1}
feature_sets:
  s: {features: [a, b]}
"""
    same = """
feature_sets:
  other_id: {description: renamed and reordered keys, features: [a, b]}
features:
  b: {version: 1, calculator: rsi}
  a:
    version: 1
    output: upper
    calculator: bollinger
    params: {k: 2.0}
"""
    fp = _load(base).feature_set("s").fingerprint
    assert _load(same).feature_set("other_id").fingerprint == fp
    changed = [
        base.replace("period: 14", "period: 15"),
        base.replace("k: 2", "k: 2.5"),
        base.replace("rsi, params: {period: 14}, version: 1", "rsi, params: {period: 14}, version: 2"),
        base.replace("[a, b]", "[b, a]"),
        base.replace("version: 1}\n  b", "version: 1, imputation: ffill}\n  b"),
        base.replace("output: upper", "output: lower"),
        base.replace("{period: 14}, version: 1", "{period: 14}, input: typical, version: 1"),
        base.replace(
            "{period: 14}, version: 1", "{period: 14}, version: 1, scaling: {zscore: {mean: 50, std: 10}}"
        ),
    ]
    prints = {_load(text).feature_set("s").fingerprint for text in changed}
    assert fp not in prints and len(prints) == len(changed)


def test_require_fingerprint() -> None:
    fs = FeatureRegistry.load().feature_set("bars_v1")
    fs.require_fingerprint(fs.fingerprint)
    with pytest.raises(FeatureSetMismatchError, match="retrain"):
        fs.require_fingerprint(DEFAULT_V1_FINGERPRINT)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "features:\n  x: {calculator: kama, version: 1}",
            "unknown calculator 'kama'; use one of atr, bollinger",
        ),
        (
            "features:\n  x: {calculator: rsi, params: {period: 1}, version: 1}",
            r"period: must be an integer >= 2, got 1",
        ),
        ("features:\n  x: {calculator: rsi, params: {period: 14.5}, version: 1}", "must be an integer"),
        ("features:\n  x: {calculator: rsi, params: {period: true}, version: 1}", "must be an integer"),
        ("features:\n  x: {calculator: sma, version: 1}", r"params.period: required by sma"),
        ("features:\n  x: {calculator: rsi, params: {length: 3}, version: 1}", "rsi has no parameter length"),
        (
            "features:\n  x: {calculator: macd, params: {fast: 26, slow: 12}, output: macd, version: 1}",
            "fast < slow",
        ),
        (
            "features:\n  x: {calculator: bollinger, params: {k: 0}, output: upper, version: 1}",
            "must be a number > 0",
        ),
        ("features:\n  x: {calculator: macd, version: 1}", "macd outputs one of macd, signal, hist"),
        ("features:\n  x: {calculator: atr, input: close, version: 1}", "fixed inputs"),
        ("features:\n  x: {calculator: rsi, input: vwap, version: 1}", "reads one of close, open"),
        ("features:\n  x: {calculator: rsi}", "version: must be an integer >= 1"),
        ("features:\n  x: {calculator: rsi, version: 1, imputation: bfill}", "use none, ffill or {constant"),
        (
            "features:\n  x: {calculator: rsi, version: 1, scaling: {zscore: {mean: 1}}}",
            "needs both mean and std",
        ),
        (
            "features:\n  x: {calculator: rsi, version: 1, scaling: {zscore: {mean: 1, std: 0}}}",
            "std: must be > 0",
        ),
        ("features:\n  x: {calculator: rsi, version: 1, colour: red}", r"unknown key\(s\) colour"),
        ("features:\n  close: {calculator: rsi, version: 1}", "'close' is reserved"),
        ("features:\n  9x: {calculator: rsi, version: 1}", "feature names are a letter"),
        (
            "features:\n  x: {calculator: rsi, version: 1}\n  x: {calculator: roc, version: 1}",
            "duplicate key 'x' \\(first on line 2\\)",
        ),
        ("feature_sets:\n  s: {features: [nope]}", "unknown feature 'nope'"),
        (
            "features:\n  x: {calculator: rsi, version: 1}\nfeature_sets:\n  s: {features: [x, x]}",
            "listed twice",
        ),
        ("feature_sets:\n  s: {features: []}", "non-empty list"),
        ("featurez: {}", "unknown key\\(s\\) featurez"),
        ("features: [rsi_14]", "'features' must be a mapping"),
        ("features:\n  x: {calculator: rsi\n", "test.yaml: line 3"),
    ],
)
def test_yaml_errors_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        _load(text)


def test_errors_name_the_file_and_the_entry() -> None:
    with pytest.raises(RegistryError, match=r"^test.yaml: features.x.params.period: "):
        _load("features:\n  x: {calculator: rsi, params: {period: 0}, version: 1}")


def test_extra_registry_adds_features_and_sets_but_cannot_redefine(tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "features:\n"
        "  rsi_7_typical: {calculator: rsi, params: {period: 7}, input: typical, version: 1,"
        " scaling: {zscore: {mean: 50, std: 12.5}}}\n"
        "  spread_pct_or_0: {calculator: book_top, output: spread_pct, version: 1,"
        " imputation: {constant: 0}}\n"
        "feature_sets:\n"
        "  mine_v1: {features: [rsi_14, rsi_7_typical, spread_pct_or_0]}\n"
    )
    fs = load_feature_set(FeaturesSettings(registry_path=extra, feature_set="mine_v1"))
    assert fs.names == ("rsi_14", "rsi_7_typical", "spread_pct_or_0")
    assert fs.features[1].scaling.zscore and fs.features[1].input == "typical"
    assert fs.features[2].imputation.method is ImputeMethod.CONSTANT
    extra.write_text("features:\n  rsi_14: {calculator: rsi, params: {period: 14}, version: 2}\n")
    with pytest.raises(
        RegistryError, match=r"mine.yaml: features.rsi_14: feature already defined in feature_sets.yaml"
    ):
        FeatureRegistry.load(extra)
    with pytest.raises(RegistryError, match="cannot read feature registry"):
        FeatureRegistry.load(tmp_path / "missing.yaml")


def test_unknown_set_lists_the_known_ones() -> None:
    with pytest.raises(
        RegistryError, match="unknown feature set 'default_v9'; defined sets: default_v1, bars_v1"
    ):
        FeatureRegistry.load().feature_set("default_v9")


def test_every_calculator_is_usable_from_yaml() -> None:
    """A feature per calculator and output, with defaults: the catalogue and the YAML agree."""
    lines, names = ["features:"], []
    for calc in CALCULATORS.values():
        for output in calc.outputs:
            name = f"{calc.name}_{output}"
            params = "{window_s: 5}" if calc.name == "trade_flow" else "{}"
            params = (
                "{period: 3}" if "period" in calc.params and calc.params["period"].default is None else params
            )
            lines.append(
                f"  {name}: {{calculator: {calc.name}, params: {params}, output: {output}, version: 1}}"
            )
            names.append(name)
    lines += ["feature_sets:", f"  all: {{features: [{', '.join(names)}]}}"]
    assert _load("\n".join(lines)).feature_set("all").names == tuple(names)
