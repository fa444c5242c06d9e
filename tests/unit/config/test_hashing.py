"""config_hash identifies a configuration: stable, sensitive to every value, blind to secrets' text."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.config import config_hash, load_config

_SECTIONS = {
    "risk": "risk: {loss_streak_halt: 6, risk_per_trade_pct: 0.004}",
    "strategy": "strategy: {buy_threshold: 0.7, id: trend}",
    "execution": "execution: {maker_fee: 0.0010, taker_fee: 0.0020}",
    "pairs": "pairs: [DOGE/USD]",
}


def test_hash_is_a_sha256_hex_digest() -> None:
    digest = config_hash(load_config(env={}))

    assert len(digest) == 64
    int(digest, 16)


@settings(max_examples=20, deadline=None)
@given(st.permutations(list(_SECTIONS)))
def test_hash_does_not_depend_on_key_order(
    tmp_path_factory: pytest.TempPathFactory, order: list[str]
) -> None:
    # Section order and key order inside a section are both irrelevant.
    first = load_config(_write(tmp_path_factory, "\n".join(_SECTIONS[name] for name in order)), env={})
    reordered = "risk: {risk_per_trade_pct: 0.004, loss_streak_halt: 6}\n" + "\n".join(
        _SECTIONS[name] for name in reversed(order) if name != "risk"
    )
    second = load_config(_write(tmp_path_factory, reordered), env={})

    assert config_hash(first) == config_hash(second)


def _write(tmp_path_factory: pytest.TempPathFactory, text: str) -> Path:
    path = tmp_path_factory.mktemp("cfg") / "c.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_equal_decimals_written_differently_hash_the_same(write_config: Callable[[str], Path]) -> None:
    a = load_config(write_config("risk: {max_exposure_per_asset_pct: 0.1}\n"), env={})
    b = load_config(write_config("risk: {max_exposure_per_asset_pct: 0.100}\n"), env={})

    assert config_hash(a) == config_hash(b) == config_hash(load_config(env={}))


def test_hash_is_stable_across_processes(write_config: Callable[[str], Path]) -> None:
    path = write_config("risk: {loss_streak_halt: 6}\nexchange: {api_key: abc}\n")
    code = (
        "import sys; from galfriday.config import config_hash, load_config; "
        "print(config_hash(load_config(sys.argv[1], env={})))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2", "random")
    }

    assert runs == {config_hash(load_config(path, env={}))}


def test_hash_changes_when_any_value_changes() -> None:
    base = config_hash(load_config(env={}))

    for variable, value in [
        ("GALFRIDAY__RISK__LOSS_STREAK_HALT", "6"),
        ("GALFRIDAY__RISK__VOLATILITY_HALT__ENABLED", "false"),
        ("GALFRIDAY__PAIRS", "[DOGE/USD, XRP/USD]"),  # order of pairs is meaningful data
        ("GALFRIDAY__EXECUTION__MAKER_FEE", "0.0015"),
        ("GALFRIDAY__LOGGING__JSON_FILE", "var/other.jsonl"),
    ]:
        assert config_hash(load_config(env={variable: value})) != base, variable


def test_secret_change_changes_the_hash_without_exposing_the_secret(secret: str) -> None:
    def digest(value: str) -> str:
        return config_hash(load_config(env={"GALFRIDAY__EXCHANGE__API_SECRET": value}))

    assert digest(secret) != digest(secret + "-rotated")
    assert digest(secret) == digest(secret)
    assert digest(secret) != config_hash(load_config(env={}))
    assert secret not in digest(secret)


def test_url_password_change_changes_the_hash() -> None:
    def digest(password: str) -> str:
        url = f"postgresql+asyncpg://gf:{password}@db/gf"
        return config_hash(load_config(env={"GALFRIDAY__DATABASE__URL": url}))

    assert digest("one") != digest("two")


def test_secret_values_lists_every_configured_secret_including_url_passwords() -> None:
    from galfriday.config import secret_values

    settings = load_config(
        None,
        env={
            "GALFRIDAY__EXCHANGE__API_KEY": "key-AAAA1111",
            "GALFRIDAY__EXCHANGE__API_SECRET": "secret-BBBB2222",
            "GALFRIDAY__DATABASE__URL": "postgresql+asyncpg://bot:pw-CCCC3333@db.example/galfriday",
        },
    )
    assert set(secret_values(settings)) >= {"key-AAAA1111", "secret-BBBB2222", "pw-CCCC3333"}
    assert secret_values(load_config(None, env={})) == []
