"""The simulator's state file: orders, fills, balances, nonces and dead-man switches per account.

Why: crash tests of the trading process need an exchange that remembers, and the simulator
itself may be restarted mid-test. The state is written atomically (temp file, fsync, rename) by
a background flush every ``state_flush_s`` while anything changed, and on shutdown; a killed
simulator loses at most that window. On start it is read back: balances and records as they
were, open orders re-submitted to fresh engines, each key's last nonce (so an old nonce is still
refused), and ``generation`` + 1, which keeps new order and trade ids from repeating old ones.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import msgspec

from galfriday.sim.errors import SimError
from galfriday.sim.server.orders import FillRecord, OrderRecord

FORMAT = "galfriday-exchange-sim/1"


class AccountState(msgspec.Struct, kw_only=True):
    api_key: str
    balances: dict[str, Decimal]
    last_nonce: int = 0
    orders: list[OrderRecord] = msgspec.field(default_factory=list)
    fills: list[FillRecord] = msgspec.field(default_factory=list)
    deadman_at_ns: int | None = None


class SimState(msgspec.Struct, kw_only=True):
    format: str = FORMAT
    generation: int = 0
    accounts: list[AccountState] = msgspec.field(default_factory=list)


_decoder = msgspec.json.Decoder(SimState)
_encoder = msgspec.json.Encoder()


class StateFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> SimState | None:
        """The saved state, None on a first start; a corrupt file stops the start (``SimError``)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SimError(f"cannot read the state file {self.path}: {exc.strerror}") from None
        try:
            state = _decoder.decode(raw)
        except msgspec.DecodeError as exc:
            raise SimError(
                f"the state file {self.path} is not a simulator state ({exc}); move it away to start fresh"
            ) from None
        if state.format != FORMAT:
            raise SimError(f"{self.path}: state format {state.format!r}, this simulator writes {FORMAT!r}")
        return state

    def save(self, state: SimState) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.tmp.{os.getpid()}")
        with open(tmp, "wb") as f:
            f.write(_encoder.encode(state))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
