"""Fault injection: make the simulated exchange misbehave the ways the real one does.

Faults are JSON objects with a ``kind``; pass a list (or one) to ``--faults`` (inline JSON or a
file) or POST it to ``/admin/faults``. Every fault takes ``times``: how often it applies before
it retires itself (omit it to keep the fault until ``DELETE /admin/faults``).

======================  =====================================================================
kind                    fields (defaults)
======================  =====================================================================
``ws_drop``             ``target`` public|private|any (any); ``after`` N: close a connection
                        once it has sent N messages; or ``probability`` p: close with chance p
                        per message (seeded by ``--seed``). ``times`` counts closed connections.
``ws_delay``            ``target``; ``ms``: hold every outgoing message this long (order kept);
                        ``channel`` to delay one channel only (book, trade, executions, ...)
``stall``               ``target``; ``channel`` (book, trade, ticker, instrument, heartbeat,
                        executions, balances, response, pong, status or ``*``); ``symbol``:
                        stop sending it, the socket stays open
``corrupt_checksum``    ``symbol`` (any): the next book messages carry a wrong checksum
``rest_error``          ``method`` (``*``, shell-style pattern on the method name, e.g.
                        ``Balance`` or ``*Orders``); ``error`` (EService:Unavailable) or
                        ``http_status`` (e.g. 503, body not JSON)
``reject_order``        ``error`` (EOrder:Insufficient funds); ``symbol`` (any)
``accept_then_drop``    ``via`` rest|ws|any: place the order, then drop the connection before
                        the reply (the client cannot tell whether it was placed)
======================  =====================================================================

Example: ``[{"kind": "rest_error", "method": "Balance", "times": 2},
{"kind": "ws_drop", "target": "public", "after": 500, "times": 1}]``
"""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import msgspec

from galfriday.sim.errors import SimError
from galfriday.sim.matching import reasons
from galfriday.sim.server import errors

Target = Literal["public", "private", "any"]


class Fault(msgspec.Struct, tag_field="kind", forbid_unknown_fields=True, kw_only=True):
    times: int | None = None  # applications left; None: until removed

    def __post_init__(self) -> None:
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1 (omit it for a fault that stays)")


class WsDrop(Fault, tag="ws_drop"):
    target: Target = "any"
    after: int | None = None
    probability: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if (self.after is None) == (self.probability == 0.0) or not 0 <= self.probability <= 1:
            raise ValueError("ws_drop needs either after (messages) or probability (0 < p <= 1)")


class WsDelay(Fault, tag="ws_delay"):
    ms: float
    target: Target = "any"
    channel: str | None = None


class Stall(Fault, tag="stall"):
    channel: str
    target: Target = "any"
    symbol: str | None = None


class CorruptChecksum(Fault, tag="corrupt_checksum"):
    symbol: str | None = None


class RestError(Fault, tag="rest_error"):
    method: str = "*"
    error: str = errors.SERVICE_UNAVAILABLE
    http_status: int | None = None


class RejectOrder(Fault, tag="reject_order"):
    error: str = reasons.INSUFFICIENT_FUNDS
    symbol: str | None = None


class AcceptThenDrop(Fault, tag="accept_then_drop"):
    via: Literal["rest", "ws", "any"] = "any"


AnyFault = WsDrop | WsDelay | Stall | CorruptChecksum | RestError | RejectOrder | AcceptThenDrop
_decoder = msgspec.json.Decoder(list[AnyFault] | AnyFault)
_encoder = msgspec.json.Encoder()


def parse_faults(text: str) -> list[AnyFault]:
    """Faults from JSON text (one object or a list); ``SimError`` says what is wrong."""
    if not text.strip():
        return []
    try:
        decoded = _decoder.decode(text)
    except msgspec.DecodeError as exc:
        raise SimError(f"faults: {exc}; see sim.server.faults for the kinds and their fields") from None
    return list(decoded) if isinstance(decoded, list) else [decoded]


def faults_argument(text: str) -> str:
    """The ``--faults`` value as JSON: inline JSON as is, anything else is read as a file path."""
    raw = text.strip()
    if not raw or raw[0] in "[{":
        return raw
    try:
        return Path(raw).read_text(encoding="utf-8")
    except OSError as exc:
        raise SimError(f"--faults {text!r}: neither JSON nor a readable file ({exc.strerror})") from None


def encode_faults(faults: Iterable[AnyFault]) -> bytes:
    return _encoder.encode(list(faults))


def _hits(target: Target, where: str) -> bool:
    return target == "any" or target == where


class FaultInjector:
    """The active faults and the questions the transports ask them."""

    def __init__(self, seed: int = 0) -> None:
        self._faults: list[AnyFault] = []
        self._rng = random.Random(f"faults:{seed}")

    def add(self, faults: Iterable[AnyFault]) -> None:
        self._faults.extend(faults)

    def clear(self) -> None:
        self._faults.clear()

    def active(self) -> list[AnyFault]:
        return list(self._faults)

    def _use(self, fault: AnyFault) -> None:
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)

    # -- REST and order entry ----------------------------------------------------------------------

    def rest_error(self, method: str) -> RestError | None:
        for f in self._faults:
            if isinstance(f, RestError) and fnmatch.fnmatchcase(method, f.method):
                self._use(f)
                return f
        return None

    def order_rejection(self, symbol: str) -> str | None:
        for f in self._faults:
            if isinstance(f, RejectOrder) and f.symbol in (None, symbol):
                self._use(f)
                return f.error
        return None

    def accept_then_drop(self, via: Literal["rest", "ws"]) -> bool:
        for f in self._faults:
            if isinstance(f, AcceptThenDrop) and f.via in ("any", via):
                self._use(f)
                return True
        return False

    # -- WebSocket ------------------------------------------------------------------------------------

    def corrupt_checksum(self, symbol: str) -> bool:
        for f in self._faults:
            if isinstance(f, CorruptChecksum) and f.symbol in (None, symbol):
                self._use(f)
                return True
        return False

    def stalled(self, where: str, channel: str, symbol: str | None) -> bool:
        return any(
            isinstance(f, Stall)
            and _hits(f.target, where)
            and f.channel in ("*", channel)
            and (f.symbol is None or f.symbol == symbol)
            for f in self._faults
        )

    def delay_s(self, where: str, channel: str) -> float:
        return max(
            (
                f.ms / 1000
                for f in self._faults
                if isinstance(f, WsDelay) and _hits(f.target, where) and f.channel in (None, channel)
            ),
            default=0.0,
        )

    def drop(self, where: str, sent: int) -> bool:
        """Should a connection that has now sent ``sent`` messages be closed?"""
        for f in self._faults:
            if not isinstance(f, WsDrop) or not _hits(f.target, where):
                continue
            if (f.after is not None and sent >= f.after) or (
                f.probability and self._rng.random() < f.probability
            ):
                self._use(f)
                return True
        return False
