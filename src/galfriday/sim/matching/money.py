"""Exact Decimal arithmetic for balances, costs and fees.

Python's default Decimal context rounds silently at 28 significant digits. A price with 7 decimals
times a quantity with 8 decimals on a large balance can exceed that, and "no quantity created or
lost" must hold exactly, so money arithmetic goes through this context: 60 digits, and an inexact
result raises instead of rounding.
"""

from __future__ import annotations

from decimal import Context, Inexact, InvalidOperation, Overflow

EXACT = Context(prec=60, traps=[Inexact, InvalidOperation, Overflow])
