"""Why an order was rejected or ended, in Kraken's words where Kraken has words for it.

Rejections use Kraken's error strings (docs.kraken.com "Spot Error Messages"; the post-only string
as Kraken's engine reports it), so the exchange simulator can return them verbatim. Cancel reasons
for orders the engine itself ends are plain descriptions, as Kraken's ``executions`` ``reason``.
"""

from __future__ import annotations

INVALID_ARGUMENTS = "EGeneral:Invalid arguments"
INSUFFICIENT_FUNDS = "EOrder:Insufficient funds"
POST_ONLY = "EOrder:Post only order"
VOLUME_MINIMUM = "EGeneral:Invalid arguments:volume minimum not met"
COST_MINIMUM = "EOrder:Cost minimum not met"
INVALID_VOLUME = "EGeneral:Invalid arguments:volume"
INVALID_PRICE = "EGeneral:Invalid arguments:price"
INVALID_LIMIT_PRICE = "EGeneral:Invalid arguments:price2"
INVALID_EXPIRE = "EGeneral:Invalid arguments:expiretm"
INVALID_POST_ONLY = "EGeneral:Invalid arguments:post only is for GTC/GTD limit orders"
DUPLICATE_CLIENT_ID = "EGeneral:Invalid arguments:cl_ord_id already used by an open order"

USER_CANCEL = "User requested"
IOC_REMAINDER = "Immediate or cancel: unfilled rest"
NO_LIQUIDITY = "Market order: book depth exhausted"
