"""``GALFRIDAY__SECTION__KEY`` overrides on top of the file."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from galfriday.config import load_config
from galfriday.core.errors import ConfigError


def test_scalar_override_is_parsed_as_yaml() -> None:
    s = load_config(
        env={"GALFRIDAY__RISK__LOSS_STREAK_HALT": "4", "GALFRIDAY__EXCHANGE__REQUEST_TIMEOUT_S": "2.5"}
    )

    assert s.risk.loss_streak_halt == 4
    assert s.exchange.request_timeout_s == 2.5


def test_boolean_override() -> None:
    assert (
        load_config(env={"GALFRIDAY__STRATEGY__EXIT_ON_REVERSAL": "false"}).strategy.exit_on_reversal is False
    )


def test_list_override_for_top_level_key() -> None:
    assert load_config(env={"GALFRIDAY__PAIRS": '["XRP/USD"]'}).pairs == ("XRP/USD",)


def test_list_of_mappings_override() -> None:
    env = {"GALFRIDAY__STRATEGY__CONFIRMATIONS": '[{feature: rsi_14, op: "<", value: 70}]'}

    confirmation = load_config(env=env).strategy.confirmations[0]

    assert (confirmation.feature, confirmation.op, confirmation.value) == ("rsi_14", "<", 70.0)


def test_nested_override_three_levels_deep() -> None:
    env = {
        "GALFRIDAY__RISK__VOLATILITY_HALT__MAX_MOVE_PCT": "0.08",
        "GALFRIDAY__ALERTING__EMAIL__SMTP_PORT": "465",
    }

    s = load_config(env=env)

    assert s.risk.volatility_halt.max_move_pct == Decimal("0.08")
    assert s.alerting.email.smtp_port == 465


def test_override_beats_the_file_and_keeps_sibling_keys(write_config: Callable[[str], Path]) -> None:
    path = write_config("risk: {loss_streak_halt: 7, loss_streak_warn: 2}\n")

    s = load_config(path, env={"GALFRIDAY__RISK__LOSS_STREAK_HALT": "6"})

    assert s.risk.loss_streak_halt == 6
    assert s.risk.loss_streak_warn == 2


def test_override_fills_a_section_the_file_left_empty(write_config: Callable[[str], Path]) -> None:
    path = write_config("risk:\n")  # `risk: null`

    assert load_config(path, env={"GALFRIDAY__RISK__LOSS_STREAK_HALT": "6"}).risk.loss_streak_halt == 6


def test_section_mapping_override_merges_into_the_file(write_config: Callable[[str], Path]) -> None:
    path = write_config("risk: {loss_streak_halt: 7}\n")

    s = load_config(path, env={"GALFRIDAY__RISK": "{loss_streak_warn: 2}"})

    assert (s.risk.loss_streak_halt, s.risk.loss_streak_warn) == (7, 2)


def test_nested_mapping_override_merges_at_every_level(write_config: Callable[[str], Path]) -> None:
    path = write_config("alerting: {email: {smtp_host: smtp.example.com, smtp_port: 2525}}\n")

    s = load_config(path, env={"GALFRIDAY__ALERTING": "{email: {smtp_port: 465}}"})

    assert (s.alerting.email.smtp_host, s.alerting.email.smtp_port) == ("smtp.example.com", 465)


def test_section_and_key_are_case_insensitive() -> None:
    assert load_config(env={"galfriday__Risk__Loss_Streak_Halt": "4"}).risk.loss_streak_halt == 4


def test_text_fields_are_taken_verbatim() -> None:
    # As YAML these would become the integer 123, the boolean true and null.
    env = {
        "GALFRIDAY__EXCHANGE__API_KEY": "0123",
        "GALFRIDAY__EXCHANGE__API_SECRET": "yes",
        "GALFRIDAY__STRATEGY__ID": "null",
    }

    s = load_config(env=env)

    assert s.exchange.api_key is not None and s.exchange.api_key.get_secret_value() == "0123"
    assert s.exchange.api_secret is not None and s.exchange.api_secret.get_secret_value() == "yes"
    assert s.strategy.id == "null"


def test_path_fields_are_taken_verbatim() -> None:
    assert load_config(env={"GALFRIDAY__BACKTEST__REPORT_DIR": "out/2024"}).backtest.report_dir == Path(
        "out/2024"
    )


def test_variables_without_the_double_underscore_prefix_are_ignored() -> None:
    env = {"GALFRIDAY_SHARED_DATA": "/data", "GALFRIDAY_TEST_PG_HOST": "db", "PATH": "/bin"}

    assert load_config(env=env).risk.loss_streak_halt == 5


def test_unknown_key_is_an_error_naming_the_variable_and_a_suggestion() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(env={"GALFRIDAY__RISK__LOSS_STREAK_HAL": "4"})

    message = str(info.value)
    assert "risk.loss_streak_hal: unknown key (did you mean 'loss_streak_halt'?)" in message
    assert "GALFRIDAY__RISK__LOSS_STREAK_HAL" in message


def test_unknown_section_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"rsk: unknown key \(did you mean 'risk'\?\)"):
        load_config(env={"GALFRIDAY__RSK__LOSS_STREAK_HALT": "4"})


def test_sub_key_of_a_plain_value_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"risk\.loss_streak_halt has no sub-keys"):
        load_config(env={"GALFRIDAY__RISK__LOSS_STREAK_HALT__X": "4"})


def test_empty_key_part_is_an_error() -> None:
    with pytest.raises(ConfigError, match="empty part"):
        load_config(env={"GALFRIDAY__RISK____LOSS_STREAK_HALT": "4"})


def test_same_key_from_two_variables_is_an_error() -> None:
    env = {"GALFRIDAY__RISK__LOSS_STREAK_HALT": "4", "galfriday__risk__loss_streak_halt": "6"}

    with pytest.raises(ConfigError, match=r"risk\.loss_streak_halt: is set by both"):
        load_config(env=env)


def test_invalid_override_value_names_the_key_and_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(env={"GALFRIDAY__RISK__LOSS_STREAK_HALT": "many"})

    message = str(info.value)
    assert "risk.loss_streak_halt: Input should be a valid integer" in message
    assert "[set by GALFRIDAY__RISK__LOSS_STREAK_HALT]" in message
    assert "(got 'many')" in message


def test_list_entry_error_names_the_variable_that_set_the_list() -> None:
    with pytest.raises(
        ConfigError, match=r"pairs\[1\]: must be an upper-case pair .*\[set by GALFRIDAY__PAIRS\]"
    ):
        load_config(env={"GALFRIDAY__PAIRS": "[XRP/USD, doge-usd]"})


def test_unparseable_yaml_override_is_an_error() -> None:
    with pytest.raises(ConfigError, match="value of GALFRIDAY__PAIRS is not valid YAML"):
        load_config(env={"GALFRIDAY__PAIRS": "[XRP/USD"})


def test_override_problems_and_file_problems_are_reported_together(
    write_config: Callable[[str], Path],
) -> None:
    path = write_config("risk: {risk_per_trade_pct: 0.5}\n")

    with pytest.raises(ConfigError) as info:
        load_config(path, env={"GALFRIDAY__RISK__NOPE": "1"})

    message = str(info.value)
    assert "risk.nope: unknown key" in message
    assert "risk.risk_per_trade_pct:" in message


@given(st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("0.01"), places=4))
def test_decimal_override_is_exact(value: Decimal) -> None:
    s = load_config(env={"GALFRIDAY__RISK__RISK_PER_TRADE_PCT": str(value)})

    assert s.risk.risk_per_trade_pct == value


@given(st.decimals(min_value=Decimal("0.0101"), max_value=Decimal("10"), places=4))
def test_risk_per_trade_above_one_percent_is_always_refused(value: Decimal) -> None:
    with pytest.raises(
        ConfigError, match=r"risk\.risk_per_trade_pct: Input should be less than or equal to 0\.01"
    ):
        load_config(env={"GALFRIDAY__RISK__RISK_PER_TRADE_PCT": str(value)})
