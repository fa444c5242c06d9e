"""``${VAR}``, ``${VAR:-default}`` and ``$${`` in string values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from galfriday.config import load_config
from galfriday.core.errors import ConfigError


def test_variable_is_substituted(write_config: Callable[[str], Path]) -> None:
    path = write_config("strategy: {id: '${STRATEGY_ID}'}\n")

    assert load_config(path, env={"STRATEGY_ID": "momentum_v2"}).strategy.id == "momentum_v2"


def test_variable_inside_a_longer_string(write_config: Callable[[str], Path]) -> None:
    path = write_config("database: {url: 'postgresql+asyncpg://gf:${PGPASS}@${PGHOST}:5432/gf'}\n")

    s = load_config(path, env={"PGPASS": "pw", "PGHOST": "db.internal"})

    assert s.database.url == "postgresql+asyncpg://gf:pw@db.internal:5432/gf"


def test_substituted_text_is_converted_to_the_field_type(write_config: Callable[[str], Path]) -> None:
    path = write_config("risk: {loss_streak_halt: '${HALT_AFTER}', risk_per_trade_pct: '${RISK}'}\n")

    s = load_config(path, env={"HALT_AFTER": "4", "RISK": "0.0075"})

    assert s.risk.loss_streak_halt == 4
    assert str(s.risk.risk_per_trade_pct) == "0.0075"


def test_default_is_used_when_variable_is_unset(write_config: Callable[[str], Path]) -> None:
    path = write_config("strategy: {id: '${STRATEGY_ID:-fallback_id}'}\n")

    assert load_config(path, env={}).strategy.id == "fallback_id"


def test_default_is_used_when_variable_is_empty(write_config: Callable[[str], Path]) -> None:
    path = write_config("strategy: {id: '${STRATEGY_ID:-fallback_id}'}\n")

    assert load_config(path, env={"STRATEGY_ID": ""}).strategy.id == "fallback_id"


def test_set_variable_wins_over_default(write_config: Callable[[str], Path]) -> None:
    path = write_config("strategy: {id: '${STRATEGY_ID:-fallback_id}'}\n")

    assert load_config(path, env={"STRATEGY_ID": "real"}).strategy.id == "real"


def test_empty_default_leaves_an_optional_secret_unset(write_config: Callable[[str], Path]) -> None:
    path = write_config("exchange: {api_key: '${KRAKEN_API_KEY:-}'}\n")

    assert load_config(path, env={}).exchange.api_key is None


def test_double_dollar_escapes_a_literal_placeholder(write_config: Callable[[str], Path]) -> None:
    path = write_config("strategy: {id: 'cost$${NOT_A_VAR}x'}\n")

    assert load_config(path, env={"NOT_A_VAR": "oops"}).strategy.id == "cost${NOT_A_VAR}x"


def test_substituted_value_is_not_scanned_again(write_config: Callable[[str], Path]) -> None:
    path = write_config("strategy: {id: '${A}'}\n")

    assert load_config(path, env={"A": "${B}", "B": "nested"}).strategy.id == "${B}"


def test_lone_dollar_is_left_alone(write_config: Callable[[str], Path]) -> None:
    path = write_config("strategy: {id: 'price$5'}\n")

    assert load_config(path, env={}).strategy.id == "price$5"


def test_unset_variable_names_the_variable_and_the_key_path(write_config: Callable[[str], Path]) -> None:
    path = write_config("exchange:\n  api_key: ${KRAKEN_API_KEY}\n")

    with pytest.raises(ConfigError) as info:
        load_config(path, env={})

    message = str(info.value)
    assert "exchange.api_key: environment variable KRAKEN_API_KEY is not set" in message
    assert "${KRAKEN_API_KEY:-default}" in message  # tells how to give a default


def test_unset_variable_in_a_list_names_the_index(write_config: Callable[[str], Path]) -> None:
    path = write_config(
        """
        alerting:
          webhooks:
            - {url: "https://a.example.com/hook"}
            - {url: "https://b.example.com/hook", secret: "${HOOK_SECRET}"}
        """
    )

    with pytest.raises(
        ConfigError, match=r"alerting\.webhooks\[1\]\.secret: environment variable HOOK_SECRET"
    ):
        load_config(path, env={})


def test_every_unset_variable_is_reported_at_once(write_config: Callable[[str], Path]) -> None:
    path = write_config("exchange: {api_key: '${K1}', api_secret: '${K2}'}\n")

    with pytest.raises(ConfigError) as info:
        load_config(path, env={})

    message = str(info.value)
    assert "exchange.api_key: environment variable K1" in message
    assert "exchange.api_secret: environment variable K2" in message
    assert "2 problems" in message


def test_unset_variable_is_not_reported_twice_by_validation(write_config: Callable[[str], Path]) -> None:
    # The unresolved placeholder is no integer either; only the root cause is worth reading.
    path = write_config("risk: {loss_streak_halt: '${HALT_AFTER}'}\n")

    with pytest.raises(ConfigError) as info:
        load_config(path, env={})

    assert str(info.value).count("risk.loss_streak_halt") == 1
    assert "1 problem" in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${}", "has an invalid placeholder"),
        ("${1ABC}", "has an invalid placeholder"),
        ("${A B}", "has an invalid placeholder"),
        ("${UNCLOSED", "has '\\$\\{' without a closing"),
    ],
)
def test_malformed_placeholders_are_errors(
    write_config: Callable[[str], Path], text: str, expected: str
) -> None:
    path = write_config(f"strategy: {{id: '{text}'}}\n")

    with pytest.raises(ConfigError, match=f"strategy.id: {expected}"):
        load_config(path, env={})


def test_keys_and_non_string_values_are_not_interpolated(write_config: Callable[[str], Path]) -> None:
    path = write_config("risk: {loss_streak_halt: 6}\n")

    assert load_config(path, env={}).risk.loss_streak_halt == 6
