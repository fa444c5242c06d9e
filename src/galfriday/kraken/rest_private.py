"""Async client for Kraken's private REST endpoints: account data, orders, dead-man switch, WS token.

Every call is signed (``kraken.auth``) over the exact form-encoded bytes that are sent, with a
fresh nonce from the shared ``NonceSource``; it first waits on the REST call counter of the
account tier (``kraken.trading_limits.RestCallCounter``) instead of sending into a rate limit, and
passes a ``CircuitBreaker`` that fails fast while the API keeps failing.

Retries. Read calls and the idempotent CancelAll / CancelAllOrdersAfter are retried with backoff
on network errors, HTTP 5xx/429, ``EAPI:Rate limit exceeded``, ``EService:Throttled: <ts>``
(waits until ts), ``EService:Unavailable`` / ``Busy``. Order entry (AddOrder, CancelOrder) is
**never** retried: a retry after a lost reply can double an order.

AddOrder with a lost reply. ``add_order`` sends once and, when the request may have reached Kraken
without an answer coming back (timeout, dropped connection, 5xx, a garbled body, an
``EService``/internal error), raises ``OrderOutcomeAmbiguousError``. ``add_order_safely`` resolves
that before returning, so the caller only ever sees "placed" (with the txid) or "not placed":

1. It requires a ``cl_ord_id`` and sets a ``deadline`` (now + ``order_deadline_s``): Kraken's
   engine rejects the order if it cannot process it by then, so after the deadline an order that
   is not on the books never will be.
2. On ambiguity it looks the order up by ``cl_ord_id`` with OpenOrders and ClosedOrders (Kraken's
   ``cl_ord_id`` filter; QueryOrders only takes txids/userref). ClosedOrders is bounded with
   ``start`` = send time - ``clock_skew_s`` since ``cl_ord_id`` is only unique among *open* orders.
   A match must also have our pair, side, order type and volume, so an unfiltered answer cannot
   pass a stranger's order off as ours. Found -> PLACED.
3. Not found: wait until deadline + ``clock_skew_s`` (our clock may run ahead of Kraken's) and look
   again. Still not found -> NOT_PLACED, and only now may the caller send it again.
4. If the look-ups themselves keep failing, or more than one order matches, it raises
   ``OrderOutcomeUnknownError``: do not resend; reconcile by ``cl_ord_id`` when Kraken answers.

A connection that could not even be opened (nothing was sent) is NOT_PLACED at once. Kraken's
definite rejections (``EOrder:...``, ``EAPI:Invalid nonce``, ...) raise typed ``KrakenAPIError``s.

The API key and secret never appear in a log line, an exception or a ``repr``; nor does the
WebSocket token.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp
import msgspec

from galfriday.core.errors import ConfigError
from galfriday.kraken.auth import KrakenSigner, SecretInput, reveal_secret
from galfriday.kraken.circuit_breaker import CircuitBreaker
from galfriday.kraken.http_session import HttpSessionOwner
from galfriday.kraken.nonce import FileNonceSource, NonceSource
from galfriday.kraken.orders_wire import (
    AddOrderRequest,
    AddOrderResult,
    ClosedOrdersPage,
    InvalidOrderError,
    KrakenOrder,
    TradesHistoryPage,
    add_order_fields,
    check_cl_ord_id,
    parse_add_order,
    parse_closed_orders,
    parse_open_orders,
    parse_orders,
    parse_trades_history,
)
from galfriday.kraken.rate_limit import RetryPolicy, classify_errors, normalise_error, throttle_wait_s
from galfriday.kraken.rest_public import (
    KrakenAPIError,
    KrakenError,
    KrakenTransportError,
)
from galfriday.kraken.trading_limits import (
    AccountTier,
    RestCallCounter,
    TradeAction,
    TradingLimits,
    tier_limits,
)
from galfriday.kraken.ws_schemas import MalformedMessage

if TYPE_CHECKING:
    from galfriday.config.sections.market import ExchangeSettings

logger = logging.getLogger(__name__)

_FORM = "application/x-www-form-urlencoded"
_decoder = msgspec.json.Decoder(float_hook=Decimal)
_PERCENT = Decimal(100)

# ------------------------------------------------------------------------------- errors


class KrakenInvalidNonceError(KrakenAPIError):
    """``EAPI:Invalid nonce``: another program uses this key, or the nonce file was reset."""


class KrakenInvalidSignatureError(KrakenAPIError):
    """``EAPI:Invalid signature``: the API secret does not belong to the key."""


class KrakenInvalidKeyError(KrakenAPIError):
    """``EAPI:Invalid key``: wrong or revoked key. Repeating it ends in a temporary lockout."""


class KrakenPermissionDeniedError(KrakenAPIError):
    """``EGeneral:Permission denied``: the key lacks the permission this call needs."""


class KrakenLockoutError(KrakenAPIError):
    """``EGeneral:Temporary lockout``: too many failed calls; wait before calling again."""


class KrakenOrderRejectedError(KrakenAPIError):
    """An ``EOrder:...`` error: the order was refused and is not on the books."""


class KrakenOrderRateLimitError(KrakenOrderRejectedError):
    """``EOrder:Rate limit exceeded``: the pair's matching-engine counter is over the threshold."""


_TYPED_ERRORS: tuple[tuple[str, type[KrakenAPIError]], ...] = (
    ("EAPI:Invalid nonce", KrakenInvalidNonceError),
    ("EAPI:Invalid signature", KrakenInvalidSignatureError),
    ("EAPI:Invalid key", KrakenInvalidKeyError),
    ("EGeneral:Permission denied", KrakenPermissionDeniedError),
    ("EGeneral:Temporary lockout", KrakenLockoutError),
    ("EOrder:Rate limit exceeded", KrakenOrderRateLimitError),
    ("EOrder:", KrakenOrderRejectedError),
)
# Errors that say the request was understood and refused: the API itself is healthy.
_CALLER_ERROR_PREFIXES = ("EOrder:", "EQuery:", "EFunding:", "EGeneral:Invalid arguments")
# AddOrder errors after which the order is certainly not on the books.
_NOT_PLACED_PREFIXES = (*_CALLER_ERROR_PREFIXES, "EAPI:", "EGeneral:Permission denied", "EGeneral:Temporary")


def api_error(method: str, errors: Sequence[str], *, retries_exhausted: bool = False) -> KrakenAPIError:
    """The most specific ``KrakenAPIError`` for Kraken's ``error`` strings."""
    normalised = [normalise_error(e) for e in errors]
    for prefix, cls in _TYPED_ERRORS:
        if any(e.startswith(prefix) for e in normalised):
            return cls(method, errors, retries_exhausted=retries_exhausted)
    return KrakenAPIError(method, errors, retries_exhausted=retries_exhausted)


def _all_start_with(errors: Sequence[str], prefixes: tuple[str, ...]) -> bool:
    return all(normalise_error(e).startswith(prefixes) for e in errors)


class KrakenRequestNotSentError(KrakenTransportError):
    """The connection could not be opened: nothing reached Kraken."""


class KrakenNoResponseError(KrakenTransportError):
    """The request may have reached Kraken, but no usable answer came back."""


class OrderOutcomeAmbiguousError(KrakenTransportError):
    """AddOrder may or may not have placed the order; resolve by ``cl_ord_id`` before resending."""

    def __init__(self, cl_ord_id: str | None, reason: str) -> None:
        self.cl_ord_id = cl_ord_id
        self.reason = reason
        super().__init__(
            f"AddOrder cl_ord_id={cl_ord_id}: the order may or may not be placed ({reason}); do not "
            "resend it before looking it up (add_order_safely does this)"
        )


class OrderOutcomeUnknownError(KrakenError):
    """Whether the order was placed could not be established; never resend it blindly."""

    def __init__(self, cl_ord_id: str, reason: str) -> None:
        self.cl_ord_id = cl_ord_id
        super().__init__(
            f"AddOrder cl_ord_id={cl_ord_id}: could not establish whether the order was placed "
            f"({reason}); do NOT resend it. Treat it as possibly live and reconcile by cl_ord_id "
            "(OpenOrders / ClosedOrders / WS executions) once Kraken answers"
        )


# ------------------------------------------------------------------------------ results


class PlacementOutcome(StrEnum):
    PLACED = "placed"
    NOT_PLACED = "not_placed"


class OrderPlacement(msgspec.Struct, frozen=True, kw_only=True):
    """The settled outcome of ``add_order_safely``.

    ``resolved_by_lookup`` says the reply was lost and the outcome came from looking the order up;
    ``order`` is then what Kraken reported for it (possibly already filled or cancelled).
    """

    outcome: PlacementOutcome
    cl_ord_id: str
    txid: str | None = None
    description: str = ""
    resolved_by_lookup: bool = False
    order: KrakenOrder | None = None
    reason: str = ""

    @property
    def placed(self) -> bool:
        return self.outcome is PlacementOutcome.PLACED


class AssetBalance(msgspec.Struct, frozen=True):
    balance: Decimal
    hold_trade: Decimal  # reserved by open orders

    @property
    def available(self) -> Decimal:
        return self.balance - self.hold_trade


class PairFees(msgspec.Struct, frozen=True):
    """Fees as fractions (0.0026 = 0.26 %), the unit ``Instrument`` uses."""

    taker: Decimal
    maker: Decimal


class TradeVolume(msgspec.Struct, frozen=True):
    currency: str
    volume: Decimal  # 30-day volume that sets the fee tier
    fees: dict[str, PairFees]


class CancelAfterStatus(msgspec.Struct, frozen=True):
    current_time: str
    trigger_time: str  # "0" when the switch is off


@dataclass(frozen=True, slots=True)
class WebSocketToken:
    """Authenticates one private WS connection; connect within ``expires_s`` seconds."""

    token: str = field(repr=False)
    expires_s: int


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def parse_trade_volume(result: Mapping[str, Any]) -> TradeVolume:
    """TradeVolume: Kraken gives fees in percent; pairs without a maker schedule pay taker for both."""
    taker = result.get("fees") or {}
    maker = result.get("fees_maker") or {}
    fees = {
        pair: PairFees(
            taker=_dec(info["fee"]) / _PERCENT,
            maker=_dec(maker.get(pair, info)["fee"]) / _PERCENT,
        )
        for pair, info in taker.items()
    }
    return TradeVolume(
        currency=str(result.get("currency", "")), volume=_dec(result.get("volume", 0)), fees=fees
    )


# ------------------------------------------------------------------------------- client


class KrakenPrivateClient(HttpSessionOwner):
    """Kraken private REST for one API key. Use as ``async with KrakenPrivateClient(...) as c``.

    One ``nonce_source`` per key and process (it is shared by every client of the key). Pass shared
    ``rest_counter`` / ``trading_limits`` / ``circuit_breaker`` when several clients use the key.
    ``wall_clock`` (unix s) and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        base_url: str,
        api_key: SecretInput,
        api_secret: SecretInput,
        nonce_source: NonceSource,
        *,
        tier: AccountTier | str = "starter",
        rest_counter: RestCallCounter | None = None,
        trading_limits: TradingLimits | None = None,
        circuit_breaker: CircuitBreaker | None = None,
        retry: RetryPolicy | None = None,
        timeout_s: float = 10.0,
        session: aiohttp.ClientSession | None = None,
        user_agent: str = "galfriday",
        max_trading_wait_s: float = 5.0,
        order_deadline_s: float = 5.0,
        clock_skew_s: float = 2.0,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        if not 0.5 <= order_deadline_s <= 60:
            raise ValueError("order_deadline_s must be within Kraken's 0.5..60 s deadline window")
        limits = tier_limits(tier)
        self.base_url = base_url.rstrip("/")
        self.tier = tier
        self.nonce_source = nonce_source
        self.rest_counter = rest_counter if rest_counter is not None else RestCallCounter(limits)
        self.trading_limits = trading_limits if trading_limits is not None else TradingLimits(limits)
        self.breaker = circuit_breaker if circuit_breaker is not None else CircuitBreaker("kraken-private")
        self.retry = retry if retry is not None else RetryPolicy()
        self.max_trading_wait_s = max_trading_wait_s
        self.order_deadline_s = order_deadline_s
        self.clock_skew_s = clock_skew_s
        self._wall = wall_clock
        self._sleep = sleep
        self._signer = KrakenSigner(api_secret)
        self._auth_headers = {"API-Key": reveal_secret(api_key), "User-Agent": user_agent}
        super().__init__(session, timeout_s=timeout_s)

    @classmethod
    def from_settings(cls, exchange: ExchangeSettings, **kwargs: Any) -> KrakenPrivateClient:
        """From ``config.sections.market.ExchangeSettings``; refuses to start without keys."""
        if exchange.api_key is None or exchange.api_secret is None:
            raise ConfigError(
                "exchange.api_key and exchange.api_secret are required for Kraken private calls; "
                "set ${KRAKEN_API_KEY} and ${KRAKEN_API_SECRET}"
            )
        return cls(
            exchange.rest_url,
            exchange.api_key,
            exchange.api_secret,
            FileNonceSource(exchange.nonce_file),
            tier=exchange.api_tier,
            timeout_s=exchange.request_timeout_s,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"KrakenPrivateClient({self.base_url!r}, tier={self.tier!r})"


    # -- the one request path ------------------------------------------------------------------

    async def private(
        self,
        method: str,
        params: Sequence[tuple[str, str]] = (),
        *,
        retry: bool = True,
        use_breaker: bool = True,
    ) -> Any:
        """POST ``/0/private/<method>`` signed; returns ``result`` or raises a typed error.

        ``retry=False`` sends exactly once (order entry). ``use_breaker=False`` is for the
        look-ups that settle an ambiguous AddOrder, which must run even while the breaker is open.
        """
        path = f"/0/private/{method}"
        attempts = self.retry.max_attempts if retry else 1
        for attempt in range(1, attempts + 1):
            last_attempt = attempt == attempts
            if use_breaker:
                self.breaker.before_call()
            try:
                answer = await self._attempt(method, path, params)
            except BaseException:
                if use_breaker:
                    self.breaker.call_abandoned()
                raise
            if isinstance(answer, KrakenTransportError):
                self._record(use_breaker, ok=False)
                if last_attempt:
                    raise answer
                await self._back_off(method, attempt, str(answer))
                continue
            errors, result = answer
            if not errors:
                self._record(use_breaker, ok=True)
                return result
            self._record(use_breaker, ok=_all_start_with(errors, _CALLER_ERROR_PREFIXES))
            verdict = classify_errors(errors)
            if not retry or not verdict.retryable:
                raise api_error(method, errors)
            if last_attempt:
                raise api_error(method, errors, retries_exhausted=True)
            await self._wait_after_error(method, attempt, errors)
        raise AssertionError("unreachable: the last attempt always returns or raises")

    async def _attempt(
        self, method: str, path: str, params: Sequence[tuple[str, str]]
    ) -> tuple[list[str], Any] | KrakenTransportError:
        """One signed POST: Kraken's (errors, result), or why there is no usable answer."""
        try:
            status, body = await self._send(method, path, params)
        except aiohttp.ClientConnectorError as exc:
            return KrakenRequestNotSentError(
                f"Kraken {method}: cannot connect ({type(exc).__name__}: {exc}); check the network "
                f"and {self.base_url}"
            )
        except (TimeoutError, aiohttp.ClientError) as exc:
            return KrakenNoResponseError(f"Kraken {method}: {type(exc).__name__}: {exc or 'no answer'}")
        if status >= 500 or status == 429:
            return KrakenNoResponseError(f"Kraken {method}: HTTP {status}")
        try:
            payload = _decoder.decode(body)
        except msgspec.DecodeError:
            return KrakenNoResponseError(f"Kraken {method}: HTTP {status} with a body that is not JSON")
        errors = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
            return KrakenNoResponseError(f"Kraken {method}: HTTP {status} without an 'error' list")
        return errors, payload.get("result")

    async def _send(self, method: str, path: str, params: Sequence[tuple[str, str]]) -> tuple[int, bytes]:
        await self.rest_counter.acquire(method)
        nonce = await self.nonce_source.next_nonce()
        body = encode_body(nonce, params)
        headers = {
            **self._auth_headers,
            "API-Sign": self._signer.sign(path, body, nonce),
            "Content-Type": _FORM,
        }
        async with self._get_session().post(self.base_url + path, data=body, headers=headers) as resp:
            return resp.status, await resp.read()

    def _record(self, use_breaker: bool, *, ok: bool) -> None:
        if not use_breaker:
            return
        if ok:
            self.breaker.record_success()
        else:
            self.breaker.record_failure()

    async def _wait_after_error(self, method: str, attempt: int, errors: Sequence[str]) -> None:
        verdict = classify_errors(errors)
        if verdict.retry_at_unix_s is not None:
            wait = throttle_wait_s(verdict.retry_at_unix_s, self.retry, self._wall())
            logger.warning("Kraken %s throttled: %s; waiting %.1f s", method, list(errors), wait)
            self.rest_counter.pause_for(wait)
            return
        if verdict.rate_limited:
            # Kraken's counter is full: make our model agree, so the next call waits for room.
            self.rest_counter.saturate()
        await self._back_off(method, attempt, ", ".join(errors), rate_limited=verdict.rate_limited)

    async def _back_off(self, method: str, attempt: int, reason: str, *, rate_limited: bool = False) -> None:
        delay = self.retry.backoff_s(attempt)
        logger.warning("Kraken %s failed (%s); retry %d in %.2f s", method, reason, attempt, delay)
        if rate_limited:
            self.rest_counter.pause_for(delay)  # everyone sharing the key slows down
        else:
            await self._sleep(delay)

    # -- account -------------------------------------------------------------------------------

    async def balance(self) -> dict[str, Decimal]:
        """Total balance per asset (Kraken's asset codes: ZUSD, XXRP, XXDG, ...)."""
        result = await self.private("Balance")
        return {asset: _dec(amount) for asset, amount in result.items()}

    async def balance_ex(self) -> dict[str, AssetBalance]:
        """Balance and the part held by open orders, per asset."""
        result = await self.private("BalanceEx")
        return {
            asset: AssetBalance(_dec(info.get("balance", 0)), _dec(info.get("hold_trade", 0)))
            for asset, info in result.items()
        }

    async def trade_balance(self, asset: str = "ZUSD") -> dict[str, Decimal]:
        """Kraken's short keys: eb (equivalent balance), tb (trade balance), e (equity), ..."""
        result = await self.private("TradeBalance", [("asset", asset)])
        return {key: _dec(value) for key, value in result.items()}

    async def trade_volume(self, pairs: Sequence[str]) -> TradeVolume:
        """30-day volume and this account's maker/taker fees for ``pairs`` (REST names)."""
        return parse_trade_volume(await self.private("TradeVolume", [("pair", ",".join(pairs))]))

    async def get_websockets_token(self) -> WebSocketToken:
        result = await self.private("GetWebSocketsToken")
        return WebSocketToken(token=str(result["token"]), expires_s=int(result["expires"]))

    # -- orders: reading -----------------------------------------------------------------------

    async def open_orders(
        self, *, cl_ord_id: str | None = None, userref: int | None = None, trades: bool = False
    ) -> tuple[KrakenOrder, ...]:
        return parse_open_orders(await self.private("OpenOrders", _order_filters(cl_ord_id, userref, trades)))

    async def closed_orders(
        self,
        *,
        cl_ord_id: str | None = None,
        userref: int | None = None,
        start: int | str | None = None,
        end: int | str | None = None,
        ofs: int | None = None,
        closetime: str | None = None,
        trades: bool = False,
    ) -> ClosedOrdersPage:
        """Up to 50 closed orders, newest first; ``start``/``end`` are unix s or an order txid."""
        params = _order_filters(cl_ord_id, userref, trades)
        params += _optional(start=start, end=end, ofs=ofs, closetime=closetime)
        return parse_closed_orders(await self.private("ClosedOrders", params))

    async def query_orders(
        self, txids: Sequence[str] = (), *, userref: int | None = None, trades: bool = False
    ) -> tuple[KrakenOrder, ...]:
        """Orders by txid (up to 50) or by userref. For a ``cl_ord_id`` use open/closed_orders."""
        if not txids and userref is None:
            raise ValueError("query_orders needs txids or a userref")
        params = [("txid", ",".join(txids))] if txids else []
        params += _order_filters(None, userref, trades)
        return parse_orders(await self.private("QueryOrders", params))

    async def trades_history(
        self, *, start: int | str | None = None, end: int | str | None = None, ofs: int | None = None
    ) -> TradesHistoryPage:
        """Up to 50 of our fills, newest first (costs 2 on the REST counter)."""
        return parse_trades_history(
            await self.private("TradesHistory", _optional(start=start, end=end, ofs=ofs))
        )

    # -- orders: writing -----------------------------------------------------------------------

    async def add_order(self, request: AddOrderRequest) -> AddOrderResult:
        """Send AddOrder exactly once. Raises ``OrderOutcomeAmbiguousError`` if the reply is lost.

        Prefer ``add_order_safely``. The pair's matching-engine counter is charged first; if it
        needs more than ``max_trading_wait_s`` to make room, ``TradingRateLimitError`` is raised
        and nothing is sent.
        """
        fields = add_order_fields(request)
        symbol = request.instrument.symbol
        await self.trading_limits.counter.acquire(
            symbol, self.trading_limits.cost_of(TradeAction.ADD), max_wait_s=self.max_trading_wait_s
        )
        try:
            result = parse_add_order(await self.private("AddOrder", fields, retry=False))
        except KrakenNoResponseError as exc:
            raise OrderOutcomeAmbiguousError(request.cl_ord_id, str(exc)) from exc
        except MalformedMessage as exc:
            raise OrderOutcomeAmbiguousError(request.cl_ord_id, f"unreadable result: {exc}") from exc
        except KrakenAPIError as exc:
            if _all_start_with(exc.errors, _NOT_PLACED_PREFIXES):
                raise
            raise OrderOutcomeAmbiguousError(request.cl_ord_id, ", ".join(exc.errors)) from exc
        if result.txid is not None:
            self.trading_limits.orders.opened(symbol, result.txid, request.cl_ord_id)
        return result

    async def add_order_safely(self, request: AddOrderRequest) -> OrderPlacement:
        """Place an order and settle its outcome: PLACED (txid) or NOT_PLACED (safe to resend).

        See the module docstring for the resolution steps. Raises ``KrakenAPIError`` when Kraken
        refuses the order, ``OrderOutcomeUnknownError`` when the outcome cannot be established, and,
        with nothing sent, ``InvalidOrderError``, ``TradingRateLimitError`` or ``CircuitOpenError``.
        """
        if request.cl_ord_id is None:
            raise InvalidOrderError("add_order_safely needs a cl_ord_id: it is how a lost reply is resolved")
        if request.validate:
            raise InvalidOrderError("validate=true places nothing; use add_order to validate an order")
        if request.deadline_ns is None:
            deadline_ns = int((self._wall() + self.order_deadline_s) * 1e9)
            request = msgspec.structs.replace(request, deadline_ns=deadline_ns)
        sent_at_s = self._wall()
        try:
            result = await self.add_order(request)
        except KrakenRequestNotSentError as exc:
            return OrderPlacement(
                outcome=PlacementOutcome.NOT_PLACED, cl_ord_id=request.cl_ord_id, reason=str(exc)
            )
        except OrderOutcomeAmbiguousError as exc:
            logger.warning("AddOrder cl_ord_id=%s: %s; looking it up", request.cl_ord_id, exc.reason)
            return await self.resolve_order(request, sent_at_s=sent_at_s)
        return OrderPlacement(
            outcome=PlacementOutcome.PLACED,
            cl_ord_id=request.cl_ord_id,
            txid=result.txid,
            description=result.description,
        )

    async def resolve_order(self, request: AddOrderRequest, *, sent_at_s: float) -> OrderPlacement:
        """Whether ``request`` (sent at ``sent_at_s``, with cl_ord_id and deadline) is on Kraken."""
        cl_ord_id = request.cl_ord_id
        if cl_ord_id is None or request.deadline_ns is None:
            raise InvalidOrderError("resolving an order needs its cl_ord_id and deadline")
        settle_at_s = request.deadline_ns / 1e9 + self.clock_skew_s
        while True:
            final = self._wall() >= settle_at_s
            order = await self._find_order(request, since_s=int(sent_at_s - self.clock_skew_s))
            if order is not None:
                logger.warning("AddOrder cl_ord_id=%s was placed: txid %s", cl_ord_id, order.txid)
                if order.is_open:
                    self.trading_limits.orders.opened(request.instrument.symbol, order.txid, cl_ord_id)
                return OrderPlacement(
                    outcome=PlacementOutcome.PLACED,
                    cl_ord_id=cl_ord_id,
                    txid=order.txid,
                    resolved_by_lookup=True,
                    order=order,
                )
            if final:
                logger.warning("AddOrder cl_ord_id=%s was not placed (absent after its deadline)", cl_ord_id)
                return OrderPlacement(
                    outcome=PlacementOutcome.NOT_PLACED,
                    cl_ord_id=cl_ord_id,
                    resolved_by_lookup=True,
                    reason="not on Kraken after the order's deadline",
                )
            await self._sleep(max(0.0, settle_at_s - self._wall()))

    async def _find_order(self, request: AddOrderRequest, *, since_s: int) -> KrakenOrder | None:
        cl_ord_id = check_cl_ord_id(request.cl_ord_id or "")
        filters = [("cl_ord_id", cl_ord_id)]
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                open_ = parse_open_orders(
                    await self.private("OpenOrders", filters, retry=False, use_breaker=False)
                )
                closed = parse_closed_orders(
                    await self.private(
                        "ClosedOrders", [*filters, ("start", str(since_s))], retry=False, use_breaker=False
                    )
                )
            except (KrakenError, MalformedMessage) as exc:
                if attempt == self.retry.max_attempts:
                    raise OrderOutcomeUnknownError(cl_ord_id, f"look-ups failed: {exc}") from exc
                await self._back_off("AddOrder look-up", attempt, str(exc))
                continue
            matches = [o for o in (*open_, *closed.orders) if _is_our_order(o, request)]
            if len(matches) > 1:
                raise OrderOutcomeUnknownError(cl_ord_id, f"{len(matches)} orders match it")
            return matches[0] if matches else None
        raise AssertionError("unreachable: the last attempt always returns or raises")

    async def cancel_order(self, *, txid: str | None = None, cl_ord_id: str | None = None) -> int:
        """Cancel one open order by txid or cl_ord_id; sent once. Returns how many were cancelled."""
        if (txid is None) == (cl_ord_id is None):
            raise ValueError("cancel_order takes exactly one of txid and cl_ord_id")
        key = txid if txid is not None else check_cl_ord_id(cl_ord_id or "")
        pair = self.trading_limits.orders.pair_of(key)
        if pair is not None:
            cost = self.trading_limits.cost_of(TradeAction.CANCEL, key)
            await self.trading_limits.counter.acquire(pair, cost, max_wait_s=self.max_trading_wait_s)
        params = [("txid", key)] if txid is not None else [("cl_ord_id", key)]
        count = int((await self.private("CancelOrder", params, retry=False))["count"])
        if count:
            self.trading_limits.orders.closed(key)
        return count

    async def cancel_all(self) -> int:
        """Cancel every open order (idempotent, so retried like a read)."""
        return int((await self.private("CancelAll"))["count"])

    async def cancel_all_orders_after(self, timeout_s: int) -> CancelAfterStatus:
        """Dead-man switch: cancel everything unless called again within ``timeout_s`` (0 = off)."""
        if timeout_s < 0:
            raise ValueError("timeout_s must be >= 0 (0 disables the switch)")
        result = await self.private("CancelAllOrdersAfter", [("timeout", str(timeout_s))])
        return CancelAfterStatus(str(result["currentTime"]), str(result["triggerTime"]))


def encode_body(nonce: int, params: Sequence[tuple[str, str]]) -> bytes:
    """The exact POST body: ``nonce`` first, then the fields in order, form-encoded."""
    return urlencode([("nonce", str(nonce)), *params]).encode("ascii")


def _order_filters(cl_ord_id: str | None, userref: int | None, trades: bool) -> list[tuple[str, str]]:
    params = [("trades", "true")] if trades else []
    if cl_ord_id is not None:
        params.append(("cl_ord_id", check_cl_ord_id(cl_ord_id)))
    if userref is not None:
        params.append(("userref", str(userref)))
    return params


def _optional(**values: int | str | None) -> list[tuple[str, str]]:
    return [(name, str(value)) for name, value in values.items() if value is not None]


def _is_our_order(order: KrakenOrder, request: AddOrderRequest) -> bool:
    """The cl_ord_id must match when Kraken reports it; pair, side, type and volume always."""
    inst = request.instrument
    return (
        order.cl_ord_id in (None, request.cl_ord_id)
        and order.pair in (inst.rest_pair_id, inst.altname)
        and order.side is request.side
        and order.order_type is request.order_type
        and order.qty == request.qty
    )
