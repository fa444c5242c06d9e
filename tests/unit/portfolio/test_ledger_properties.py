"""Property tests: over any sequence of fills (partial, both sides, fees in quote or base) the
ledger neither creates nor loses money.

The invariant, exactly (Decimal ==, no tolerance), after every fill:

    quote cash + Σ positions' cost basis + Σ entry fees not yet charged
        == net deposits + Σ realised P&L (net of every fee charged to closed units)

and the fees account: Σ realised P&L == Σ gross realised − (fees paid − fees still on open units).
When every position is flat, this reduces to: cash == initial cash + realised P&L.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from galfriday.config.sections.risk import PortfolioSettings
from galfriday.core.bus import SyncBus
from galfriday.core.clock import SimClock
from galfriday.core.events import TradeClosed
from galfriday.core.types import Side
from galfriday.portfolio.ledger import Ledger
from galfriday.portfolio.manager import PortfolioManager
from tests.unit.portfolio._kit import DOGE, INSTRUMENTS, T0, XRP, Recorder, fill

LOT = Decimal("0.00000001")

fills = st.lists(
    st.tuples(
        st.sampled_from([XRP, DOGE]),
        st.sampled_from([Side.BUY, Side.SELL]),
        st.integers(min_value=1, max_value=10**12).map(lambda n: n * LOT),  # up to 10,000 units
        st.integers(min_value=1, max_value=10**7),  # price in ticks
        st.integers(min_value=0, max_value=40),  # fee in basis points
        st.booleans(),  # fee in base currency
    ),
    min_size=1,
    max_size=40,
)


def _price(instrument, ticks: int) -> Decimal:  # type: ignore[no-untyped-def]
    return ticks * instrument.tick


def _book(ledger: Ledger, sequence) -> None:  # type: ignore[no-untyped-def]
    for instrument, side, qty, ticks, fee_bp, in_base in sequence:
        price = _price(instrument, ticks)
        if in_base:
            fee = (qty * fee_bp / 10_000).quantize(LOT)
            ledger.apply_fill(instrument, side, qty, price, fee, instrument.base)
        else:
            ledger.apply_fill(instrument, side, qty, price, qty * price * fee_bp / 10_000, "USD")
        _assert_conserved(ledger)


def _assert_conserved(ledger: Ledger) -> None:
    positions = ledger.positions.values()
    held_at_cost = sum((p.cost for p in positions), Decimal(0))
    open_fees = sum((p.open_fees for p in positions), Decimal(0))
    assert ledger.quote_cash + held_at_cost + open_fees == ledger.net_deposits + ledger.realized_pnl()


@settings(max_examples=150, deadline=None)
@given(fills)
def test_value_is_conserved_after_every_fill(sequence) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger("USD", {"USD": Decimal("1000000")})
    _book(ledger, sequence)


@settings(max_examples=100, deadline=None)
@given(fills)
def test_flat_book_cash_is_initial_cash_plus_realised_pnl(sequence) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger("USD", {"USD": Decimal("1000000")})
    _book(ledger, sequence)
    for pair, position in list(ledger.positions.items()):
        if position.qty:  # close at the last price seen, quote fee 0.26 %
            side = Side.SELL if position.qty > 0 else Side.BUY
            price = (
                abs(position.cost / position.qty).quantize(INSTRUMENTS[pair].tick) or INSTRUMENTS[pair].tick
            )
            ledger.apply_fill(
                INSTRUMENTS[pair],
                side,
                abs(position.qty),
                price,
                abs(position.qty) * price * Decimal("0.0026"),
                "USD",
            )
    assert all(p.qty == 0 and p.cost == 0 and p.open_fees == 0 for p in ledger.positions.values())
    assert ledger.quote_cash == Decimal("1000000") + ledger.realized_pnl()


@settings(max_examples=60, deadline=None)
@given(fills)
def test_closed_and_open_trades_account_for_all_realised_pnl(sequence) -> None:  # type: ignore[no-untyped-def]
    bus = SyncBus()
    recorder = Recorder(bus)
    manager = PortfolioManager(
        PortfolioSettings(initial_cash=Decimal("1000000")), INSTRUMENTS, SimClock(T0), bus.publish
    )
    for instrument, side, qty, ticks, fee_bp, _ in sequence:
        price = _price(instrument, ticks)
        manager.on_order_filled(fill(instrument.symbol, side, qty, price, fee=qty * price * fee_bp / 10_000))
    closed = sum((t.realized_pnl for t in recorder.of(TradeClosed)), Decimal(0))
    still_open = sum((t.realized_pnl for t in manager.open_trades().values()), Decimal(0))
    assert closed + still_open == manager.ledger.realized_pnl()
    fees = sum((t.fees for t in recorder.of(TradeClosed)), Decimal(0)) + sum(
        (t.fees for t in manager.open_trades().values()), Decimal(0)
    )
    assert fees == manager.ledger.fees_paid
