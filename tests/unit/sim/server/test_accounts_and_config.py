"""The accounts file, the CLI's value parsers and the demo account."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest

from galfriday.kraken.auth import decode_secret
from galfriday.sim.errors import SimError
from galfriday.sim.server import DataFile, SimulatorConfig, load_accounts, parse_speed
from galfriday.sim.server.accounts import demo_account

SECRET = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="


def test_yaml_and_json_accounts(tmp_path: Path) -> None:
    yaml_file = tmp_path / "accounts.yaml"
    yaml_file.write_text(f"""
accounts:
  - name: paper
    api_key: key-1
    secret: "{SECRET}"
    tier: Intermediate
    balances: {{ZUSD: "1000.50", XRP: 20}}
""")
    (spec,) = load_accounts(yaml_file)
    assert (spec.api_key, spec.tier, spec.balances) == (
        "key-1",
        "intermediate",
        {"USD": Decimal("1000.50"), "XRP": Decimal(20)},
    )
    assert SECRET not in repr(spec)
    json_file = tmp_path / "accounts.json"
    json_file.write_text(json.dumps([{"api_key": "k", "secret": SECRET}]))
    assert load_accounts(json_file)[0].tier == "starter"


@pytest.mark.parametrize(
    ("entry", "hint"),
    [
        ({"api_key": "k", "secret": "not base64!"}, "base64"),
        ({"api_key": "k", "secret": SECRET, "tier": "gold"}, "tier"),
        ({"api_key": "k", "secret": SECRET, "balances": {"USD": 1.5}}, "exact amount"),
        ({"api_key": "k", "secret": SECRET, "balances": {"USD": "-1"}}, ">= 0"),
        ({"api_key": "k", "secret": SECRET, "colour": "red"}, "unknown field"),
        ({"secret": SECRET}, "api_key"),
    ],
)
def test_bad_accounts_say_what_is_wrong(tmp_path: Path, entry: dict, hint: str) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps({"accounts": [entry]}))
    with pytest.raises(SimError, match=hint):
        load_accounts(path)


def test_duplicate_keys_and_empty_files(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps([{"api_key": "k", "secret": SECRET}] * 2))
    with pytest.raises(SimError, match="unique"):
        load_accounts(path)
    path.write_text("[]")
    with pytest.raises(SimError, match="non-empty"):
        load_accounts(path)


def test_demo_account_is_deterministic_and_usable() -> None:
    assert demo_account(3) == demo_account(3) and demo_account(3).secret != demo_account(4).secret
    assert decode_secret(demo_account(3).secret)


def test_speed_and_data_arguments() -> None:
    assert parse_speed("1") == 1.0 and parse_speed("10x") == 10.0 and math.isinf(parse_speed("max"))
    with pytest.raises(SimError, match="--speed"):
        parse_speed("0")
    assert DataFile.parse("XRP/USD=a/b.parquet") == DataFile("XRP/USD", Path("a/b.parquet"))
    with pytest.raises(SimError, match="PAIR=FILE"):
        DataFile.parse("a.parquet")
    with pytest.raises(SimError, match="trades"):
        SimulatorConfig(data=(DataFile("BTC/USD", Path("x")),))
