"""Accounts and API keys of the simulated exchange, loaded from a YAML or JSON file.

File format (YAML shown; the same structure in JSON works)::

    accounts:
      - name: paper                 # optional, for logs
        api_key: "sim-key-1"        # what clients send as API-Key
        secret: "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
        tier: starter               # starter | intermediate | pro: rate limits and open-order caps
        balances: {USD: "10000", XRP: "0", DOGE: "0"}   # common or Kraken codes (ZUSD, XXRP, XXDG)

Amounts are decimal strings (or integers); floats are refused because they are not money. The
secret is the base64 "private key" Kraken issues; it is checked at load so a typo fails at start,
not at the first signed request.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import msgspec
import yaml

from galfriday.kraken.auth import InvalidApiSecretError, decode_secret
from galfriday.kraken.trading_limits import TIER_LIMITS
from galfriday.sim.errors import SimError
from galfriday.sim.server.assets import common_asset


class AccountSpec(msgspec.Struct, frozen=True, kw_only=True):
    """One API key and the account behind it (see the module docstring for the file format)."""

    api_key: str
    secret: str
    tier: str = "starter"
    balances: dict[str, Decimal] = msgspec.field(default_factory=dict)
    name: str = ""

    def __repr__(self) -> str:  # never show the secret
        return f"AccountSpec(name={self.name!r}, api_key={self.api_key!r}, tier={self.tier!r})"


def demo_account(seed: int = 0) -> AccountSpec:
    """The account used when no accounts file is given: a key and secret derived from the seed,
    funded for trading both default pairs. The CLI prints both, so any client can use them."""
    secret = base64.b64encode(hashlib.sha512(f"galfriday-sim:{seed}".encode()).digest()).decode()
    return AccountSpec(
        name="demo",
        api_key=f"galfriday-sim-demo-{seed}",
        secret=secret,
        tier="pro",
        balances={"USD": Decimal(100_000), "XRP": Decimal(50_000), "DOGE": Decimal(400_000)},
    )


def _amount(value: Any, where: str) -> Decimal:
    if isinstance(value, bool | float):
        raise SimError(f'{where}: {value!r} is not an exact amount; write it as a string, e.g. "100.5"')
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise SimError(f"{where}: {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise SimError(f"{where}: balances must be finite and >= 0, got {value!r}")
    return amount


def parse_account(entry: Mapping[str, Any], index: int) -> AccountSpec:
    where = f"accounts[{index}]"
    if not isinstance(entry, Mapping):
        raise SimError(f"{where} must be a mapping with api_key, secret, tier and balances")
    unknown = set(entry) - {"api_key", "secret", "tier", "balances", "name"}
    if unknown:
        raise SimError(
            f"{where}: unknown field(s) {sorted(unknown)}; allowed: api_key, secret, tier, balances, name"
        )
    key, secret = entry.get("api_key"), entry.get("secret")
    if not isinstance(key, str) or not key or not isinstance(secret, str):
        raise SimError(f"{where}: api_key and secret must be non-empty strings")
    try:
        decode_secret(secret)
    except InvalidApiSecretError as exc:
        raise SimError(f"{where} ({key}): {exc}") from None
    tier = str(entry.get("tier", "starter")).lower()
    if tier not in TIER_LIMITS:
        raise SimError(f"{where} ({key}): tier {tier!r} is not one of {sorted(TIER_LIMITS)}")
    balances_in = entry.get("balances") or {}
    if not isinstance(balances_in, Mapping):
        raise SimError(f'{where} ({key}): balances must map asset -> amount, e.g. {{USD: "1000"}}')
    balances = {common_asset(str(a)): _amount(v, f"{where}.balances.{a}") for a, v in balances_in.items()}
    return AccountSpec(
        api_key=key, secret=secret, tier=tier, balances=balances, name=str(entry.get("name", ""))
    )


def load_accounts(path: Path) -> tuple[AccountSpec, ...]:
    """Accounts from a YAML (``.yaml``/``.yml``) or JSON file; raises ``SimError`` saying what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SimError(f"cannot read the accounts file {path}: {exc.strerror}") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SimError(f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from None
    entries = data.get("accounts") if isinstance(data, Mapping) else data
    if not isinstance(entries, list) or not entries:
        raise SimError(f"{path}: expected a non-empty list under 'accounts' (see sim.server.accounts)")
    specs = tuple(parse_account(entry, i) for i, entry in enumerate(entries))
    keys = [s.api_key for s in specs]
    if len(set(keys)) != len(keys):
        raise SimError(f"{path}: api_key values must be unique, got {keys}")
    return specs
