"""Portfolio: the Decimal ledger and the PortfolioManager that keeps it on the bus.

- ``ledger`` / ``position``: cash per currency, positions at average cost, fees, equity; exact.
- ``trades``: round trips from entry to exit, net of the fees of both legs.
- ``drawdown``: daily / weekly / total drawdown on equity incl. unrealised P&L, UTC resets.
- ``reservations``: cash held back for approved entries not yet filled.
- ``order_tags``: the execution side's contract — why each order exists (purpose, signal, reason).
- ``view``: ``PortfolioView``, the read-only interface the risk side calls synchronously.
- ``manager``: ``PortfolioManager`` (handlers, events, snapshots, ``to_state``/``from_state``).
Its database adapters (snapshots, closed trades) are in ``galfriday.storage.recorders``.
"""

from galfriday.portfolio.drawdown import Drawdowns
from galfriday.portfolio.ledger import Ledger, LedgerError
from galfriday.portfolio.manager import PortfolioManager
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag, OrderTagError, OrderTagRegistry
from galfriday.portfolio.view import PortfolioView

__all__ = [
    "Drawdowns",
    "Ledger",
    "LedgerError",
    "OrderPurpose",
    "OrderTag",
    "OrderTagError",
    "OrderTagRegistry",
    "PortfolioManager",
    "PortfolioView",
]
