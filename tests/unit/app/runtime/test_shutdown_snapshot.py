"""The final snapshot of a graceful stop holds the fills its cancels brought.

The crash campaign found the last snapshot one take-profit fill behind the exchange: shutdown waited
until the journal had *recorded* every working order's end, then took the snapshot at once, while
the fill (recorded, then published) still sat in the bus queue in front of the portfolio. Shutdown
now waits for the journal to publish and the portfolio to read what it was given.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from galfriday.app.runtime.shutdown import _portfolio_caught_up
from galfriday.config.sections.risk import PortfolioSettings
from galfriday.core.bus import AsyncBus
from galfriday.core.clock import LiveClock
from galfriday.core.types import Side
from galfriday.portfolio.manager import PortfolioManager
from galfriday.storage.recorders.write_behind import WriteBehind
from tests.unit.portfolio._kit import INSTRUMENTS, D, fill


async def test_the_portfolio_has_read_every_fill_the_journal_holds_before_the_snapshot() -> None:
    bus = AsyncBus()
    portfolio = PortfolioManager(PortfolioSettings(), INSTRUMENTS, LiveClock(), bus.publish)
    portfolio.attach(bus)
    await bus.start()
    journal = WriteBehind("orders")
    session = SimpleNamespace(
        bus=bus, portfolio=portfolio, persistence=SimpleNamespace(orders=SimpleNamespace(queue=journal))
    )

    async def record_then_publish() -> None:  # what the journal does with a report: write, then publish
        await asyncio.sleep(0.05)
        for _ in range(200):
            bus.publish(fill("XRP/USD", Side.BUY, "1", "0.50000"))

    journal.submit(record_then_publish)
    try:
        await _portfolio_caught_up(session, 5.0)  # type: ignore[arg-type]
        held = portfolio.snapshot().positions
    finally:
        await bus.stop()
        await journal.close()
    assert [(p.pair, p.qty) for p in held] == [("XRP/USD", D(200))]
