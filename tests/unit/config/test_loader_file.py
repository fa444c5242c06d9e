"""Reading the YAML file: overrides, exact decimals and every way a file can be unusable."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from galfriday.config import Settings, load_config
from galfriday.core.errors import ConfigError


def test_file_values_override_defaults_and_the_rest_stay_default(write_config: Callable[[str], Path]) -> None:
    path = write_config(
        """
        pairs: [XRP/USD]
        risk:
          loss_streak_halt: 7
          halt_behaviour: maintain
        strategy:
          confirmations:
            - {feature: rsi_14, op: "<", value: 70}
        """
    )

    s = load_config(path, env={})

    assert s.pairs == ("XRP/USD",)
    assert s.risk.loss_streak_halt == 7
    assert s.risk.halt_behaviour == "maintain"
    assert s.strategy.confirmations[0].feature == "rsi_14"
    assert s.strategy.confirmations[0].op == "<"
    assert s.risk.loss_streak_warn == 3
    assert s.market_data == Settings().market_data


def test_str_path_is_accepted(write_config: Callable[[str], Path]) -> None:
    path = write_config("risk: {loss_streak_halt: 6}\n")

    assert load_config(str(path), env={}).risk.loss_streak_halt == 6


def test_decimals_in_the_file_are_exact(write_config: Callable[[str], Path]) -> None:
    # 0.0016 as a binary float is 0.00160000000000000003...; money must not drift.
    path = write_config(
        "execution: {maker_fee: 0.0016, taker_fee: 0.0026}\nportfolio: {initial_cash: 1234.57}\n"
    )

    s = load_config(path, env={})

    assert s.execution.maker_fee == Decimal("0.0016")
    assert s.portfolio.initial_cash == Decimal("1234.57")
    assert str(s.portfolio.initial_cash) == "1234.57"


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_file_means_defaults(write_config: Callable[[str], Path], text: str) -> None:
    assert load_config(write_config(text), env={}) == Settings()


def test_missing_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"

    with pytest.raises(ConfigError, match="not found") as info:
        load_config(path, env={})

    assert str(path) in str(info.value)
    assert "hint:" in str(info.value)


def test_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="directory"):
        load_config(tmp_path, env={})


def test_unreadable_file_is_a_config_error(
    write_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config("pairs: [XRP/USD]\n")

    def refuse(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    # chmod does not stop root (the CI container user), so the OS refusal is simulated.
    monkeypatch.setattr(Path, "read_text", refuse)

    with pytest.raises(ConfigError, match="not readable") as info:
        load_config(path, env={})
    assert str(path) in str(info.value)


def test_non_utf8_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("strategy: {id: caf\xe9}\n".encode("latin-1"))

    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(path, env={})


def test_yaml_syntax_error_reports_the_line(write_config: Callable[[str], Path]) -> None:
    path = write_config(
        """\
        risk:
          loss_streak_halt: 5
          loss_streak_warn: [3
        execution:
          mode: paper
        """
    )

    with pytest.raises(ConfigError) as info:
        load_config(path, env={})

    message = str(info.value)
    assert "YAML error" in message
    assert "line 4" in message  # where the parser gave up
    assert "started on line 3" in message  # where the unclosed list began
    assert str(path) in message


def test_tab_indentation_reports_the_line(write_config: Callable[[str], Path]) -> None:
    path = write_config("risk:\n\tloss_streak_halt: 5\n")

    with pytest.raises(ConfigError, match="line 2"):
        load_config(path, env={})


def test_duplicate_key_is_an_error_not_last_one_wins(write_config: Callable[[str], Path]) -> None:
    path = write_config(
        """\
        risk:
          risk_per_trade_pct: 0.005
          loss_streak_halt: 5
          risk_per_trade_pct: 0.01
        """
    )

    with pytest.raises(ConfigError) as info:
        load_config(path, env={})

    message = str(info.value)
    assert "duplicate key 'risk_per_trade_pct'" in message
    assert "line 4" in message and "first given on line 2" in message


@pytest.mark.parametrize("text", ["- XRP/USD\n", "just a string\n", "42\n"])
def test_top_level_must_be_a_mapping(write_config: Callable[[str], Path], text: str) -> None:
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(write_config(text), env={})


def test_python_tags_are_refused(write_config: Callable[[str], Path]) -> None:
    path = write_config("strategy:\n  id: !!python/object/apply:os.system ['true']\n")

    with pytest.raises(ConfigError, match="YAML error"):
        load_config(path, env={})


def test_loading_does_not_read_the_process_environment_when_env_is_given(
    write_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GALFRIDAY__RISK__LOSS_STREAK_HALT", "9")

    assert load_config(env={}).risk.loss_streak_halt == 5
    assert load_config().risk.loss_streak_halt == 9
