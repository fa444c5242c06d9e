"""Invalid values are refused with messages naming the key path, the problem and the value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from galfriday.config import load_config
from galfriday.core.errors import ConfigError


def _problems(write_config: Callable[[str], Path], text: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(text), env=env or {})
    return str(info.value)


def test_risk_per_trade_above_one_percent_is_refused(write_config: Callable[[str], Path]) -> None:
    message = _problems(write_config, "risk: {risk_per_trade_pct: 0.02}\n")

    assert "risk.risk_per_trade_pct: Input should be less than or equal to 0.01 (got 0.02)" in message


def test_message_has_header_problem_lines_and_ends_with_a_hint(write_config: Callable[[str], Path]) -> None:
    path = write_config("risk: {risk_per_trade_pct: 0.02}\n")

    with pytest.raises(ConfigError) as info:
        load_config(path, env={})

    lines = str(info.value).splitlines()
    assert lines[0] == f"invalid configuration ({path}): 1 problem"
    assert lines[1].startswith("  risk.risk_per_trade_pct: ")
    assert lines[-1].startswith("hint: ")
    assert "example.yaml" in lines[-1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("risk: {loss_streak_halt: five}", "risk.loss_streak_halt: Input should be a valid integer"),
        ("risk: {loss_streak_halt: 2.5}", "risk.loss_streak_halt: Input should be a valid integer"),
        ("strategy: {exit_on_reversal: maybe}", "strategy.exit_on_reversal: Input should be a valid boolean"),
        ("portfolio: {initial_cash: lots}", "portfolio.initial_cash: Input should be a valid decimal"),
        ("pairs: XRP/USD", "pairs: Input should be a valid tuple"),
        ("risk: [1, 2]", "risk: must be a mapping of keys"),
    ],
)
def test_wrong_types_name_the_key(write_config: Callable[[str], Path], text: str, expected: str) -> None:
    assert expected in _problems(write_config, text + "\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("risk: {max_total_drawdown_pct: 1.5}", "risk.max_total_drawdown_pct: Input should be less than 1"),
        ("risk: {max_order_value_usd: 0}", "risk.max_order_value_usd: Input should be greater than 0"),
        ("risk: {loss_streak_halt: 0}", "risk.loss_streak_halt: Input should be greater than or equal to 1"),
        ("strategy: {buy_threshold: 1.2}", "strategy.buy_threshold: Input should be less than or equal to 1"),
        (
            "strategy: {sell_threshold: -0.1}",
            "strategy.sell_threshold: Input should be greater than or equal",
        ),
        ("execution: {taker_fee: 0.26}", "execution.taker_fee: Input should be less than or equal to 0.01"),
        ("market_data: {book_depth: 50}", "market_data.book_depth: Input should be 10, 25, 100, 500 or 1000"),
        ("execution: {mode: lve}", "execution.mode: Input should be 'paper' or 'live' (got 'lve')"),
        ("dashboard: {port: 70000}", "dashboard.port: Input should be less than or equal to 65535"),
        ("risk: {fat_finger_pct: .nan}", "risk.fat_finger_pct: Input should be a finite number"),
        ("market_data: {stale_after_s: .inf}", "market_data.stale_after_s: Input should be a finite number"),
    ],
)
def test_out_of_range_values_name_the_key(
    write_config: Callable[[str], Path], text: str, expected: str
) -> None:
    assert expected in _problems(write_config, text + "\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "strategy: {buy_threshold: 0.4, sell_threshold: 0.6}",
            "strategy.buy_threshold: must be greater than sell_threshold (0.6) (got 0.4)",
        ),
        (
            "risk: {max_daily_drawdown_pct: 0.06}",
            "risk.max_daily_drawdown_pct: must not exceed max_weekly_drawdown_pct (0.05) (got 0.06)",
        ),
        (
            "risk: {max_weekly_drawdown_pct: 0.2}",
            "risk.max_weekly_drawdown_pct: must not exceed max_total_drawdown_pct (0.15) (got 0.2)",
        ),
        ("risk: {loss_streak_warn: 5}", "risk.loss_streak_warn: must be less than loss_streak_halt (5)"),
        (
            "risk: {max_exposure_per_asset_pct: 0.3}",
            "risk.max_exposure_per_asset_pct: must not exceed max_total_exposure_pct (0.25)",
        ),
        (
            "risk: {min_order_value_usd: 20000}",
            "risk.min_order_value_usd: must be less than max_order_value_usd",
        ),
        ("market_data: {reconnect_initial_s: 90}", "market_data.reconnect_initial_s: must not exceed"),
        ("market_data: {bar_interval_s: 7}", "market_data.bar_interval_s: must divide 86400"),
        ("prediction: {drift: {psi_warn: 0.3}}", "prediction.drift.psi_warn: must be less than psi_alert"),
    ],
)
def test_cross_field_rules_name_the_offending_key(
    write_config: Callable[[str], Path], text: str, expected: str
) -> None:
    assert expected in _problems(write_config, text + "\n")


def test_several_cross_field_violations_are_reported_together(write_config: Callable[[str], Path]) -> None:
    message = _problems(write_config, "risk: {max_daily_drawdown_pct: 0.06, loss_streak_warn: 9}\n")

    assert "risk.max_daily_drawdown_pct:" in message
    assert "risk.loss_streak_warn:" in message
    assert "2 problems" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "risk: {risk_per_trade: 0.01}",
            "risk.risk_per_trade: unknown key (did you mean 'risk_per_trade_pct'?)",
        ),
        ("riks: {loss_streak_halt: 3}", "riks: unknown key (did you mean 'risk'?)"),
        (
            "risk: {volatility_halt: {windw_s: 3}}",
            "risk.volatility_halt.windw_s: unknown key (did you mean 'window_s'?)",
        ),
        (
            "strategy: {confirmations: [{feature: rsi, op: '<', value: 1, vlaue: 2}]}",
            "strategy.confirmations[0].vlaue: unknown key (did you mean 'value'?)",
        ),
        ("risk: {zzz: 1}", "risk.zzz: unknown key\n"),
    ],
)
def test_unknown_keys_are_refused(write_config: Callable[[str], Path], text: str, expected: str) -> None:
    assert expected in _problems(write_config, text + "\n")


def test_missing_required_key_in_a_list_entry(write_config: Callable[[str], Path]) -> None:
    message = _problems(write_config, "strategy: {confirmations: [{feature: rsi_14, value: 70}]}\n")

    assert "strategy.confirmations[0].op: is required" in message


def test_every_problem_in_the_file_is_listed(write_config: Callable[[str], Path]) -> None:
    message = _problems(
        write_config,
        """
        risk: {risk_per_trade_pct: 0.5, typo_key: 1}
        execution: {mode: real}
        pairs: [XRP/USD, XRP/USD]
        """,
    )

    assert "4 problems" in message
    for path in ("risk.risk_per_trade_pct", "risk.typo_key", "execution.mode", "pairs"):
        assert f"  {path}:" in message


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ("[xrp/usd]", "pairs[0]: must be an upper-case pair in WS v2 form BASE/QUOTE"),
        ("[XRPUSD]", "pairs[0]: must be an upper-case pair"),
        ("[XXRPZUSD]", "pairs[0]: must be an upper-case pair"),
        ("[XRP/USD, DOGE/USD, XRP/USD]", "pairs: lists XRP/USD more than once"),
        ("[]", "pairs: Tuple should have at least 1 item"),
        ("[XRP/EUR]", "pairs: every pair must be quoted in portfolio.quote_currency (USD)"),
    ],
)
def test_pairs_are_validated(write_config: Callable[[str], Path], pairs: str, expected: str) -> None:
    assert expected in _problems(write_config, f"pairs: {pairs}\n")


def test_pairs_in_another_quote_currency_are_fine_when_the_portfolio_uses_it(
    write_config: Callable[[str], Path],
) -> None:
    path = write_config("pairs: [XRP/EUR]\nportfolio: {quote_currency: EUR}\n")

    assert load_config(path, env={}).pairs == ("XRP/EUR",)


def test_live_mode_requires_api_credentials(write_config: Callable[[str], Path]) -> None:
    message = _problems(write_config, "execution: {mode: live}\n")

    assert "exchange.api_key: is required in live mode" in message
    assert "exchange.api_secret: is required in live mode" in message


def test_live_mode_with_credentials_loads(write_config: Callable[[str], Path]) -> None:
    path = write_config("execution: {mode: live}\nexchange: {api_key: '${K}', api_secret: '${S}'}\n")

    assert load_config(path, env={"K": "key", "S": "c2VjcmV0"}).execution.mode == "live"


def test_take_profit_must_cover_round_trip_fees(write_config: Callable[[str], Path]) -> None:
    message = _problems(write_config, "strategy: {tp_pct: 0.005}\n")

    assert (
        "strategy.tp_pct: the take-profit distance (0.005) must exceed worst-case round-trip fees" in message
    )


def test_reward_risk_take_profit_must_cover_fees(write_config: Callable[[str], Path]) -> None:
    message = _problems(write_config, "strategy: {sl_tp_mode: reward_risk, sl_pct: 0.002, reward_risk: 2}\n")

    assert "strategy.reward_risk: the take-profit distance (0.004) must exceed" in message


def test_dashboard_on_a_public_address_requires_an_api_key(write_config: Callable[[str], Path]) -> None:
    assert (
        "dashboard.api_key: is required when the dashboard listens on a non-loopback address (0.0.0.0)"
        in (_problems(write_config, "dashboard: {host: 0.0.0.0}\n"))
    )
    path = write_config("dashboard: {host: 0.0.0.0, api_key: '${DASH}'}\n")
    assert load_config(path, env={"DASH": "k"}).dashboard.host == "0.0.0.0"


def test_influxdb_v2_requires_token_and_org(write_config: Callable[[str], Path]) -> None:
    message = _problems(write_config, "influxdb: {enabled: true}\n")

    assert "influxdb.token: is required when enabled with api_version v2" in message
    assert "influxdb.org: is required when enabled with api_version v2" in message


def test_influxdb_backend_requires_influxdb_enabled(write_config: Callable[[str], Path]) -> None:
    message = _problems(write_config, "timeseries: {backend: influxdb}\n")

    assert "influxdb.enabled: must be true when timeseries.backend is 'influxdb'" in message


def test_enabled_alert_channel_must_be_complete(write_config: Callable[[str], Path]) -> None:
    message = _problems(write_config, "alerting: {email: {enabled: true, smtp_host: smtp.example.com}}\n")

    assert "alerting.email.from_address: is required when the channel is enabled" in message
    assert "alerting.email.to_addresses: is required when the channel is enabled" in message
    assert "smtp_host" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("database: {url: 'mysql://h/db'}", "database.url: must be a URL starting with sqlite+aiosqlite://"),
        ("redis: {url: 'http://h:6379'}", "redis.url: must be a URL starting with redis://"),
        (
            "exchange: {ws_public_url: 'https://ws.kraken.com'}",
            "exchange.ws_public_url: must be a URL starting",
        ),
        ("alerting: {sms: {to_numbers: ['555-1234']}}", "alerting.sms.to_numbers[0]: must be an E.164"),
        ("alerting: {email: {to_addresses: ['ops']}}", "alerting.email.to_addresses[0]: must be an e-mail"),
        ("portfolio: {quote_currency: usd}", "portfolio.quote_currency: must be an upper-case currency code"),
    ],
)
def test_formats_are_checked(write_config: Callable[[str], Path], text: str, expected: str) -> None:
    assert expected in _problems(write_config, text + "\n")


def test_log_level_is_case_insensitive(write_config: Callable[[str], Path]) -> None:
    assert load_config(write_config("logging: {level: debug}\n"), env={}).logging.level == "DEBUG"
