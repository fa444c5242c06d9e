"""Risk: staged pre-trade checks and sizing (``RiskManager``), and the latched HALT with its
recovery checklist (``HaltCoordinator``).

- ``pipeline`` / ``stages_order`` / ``stages_size`` / ``stages_state``: the stages, one job each.
- ``in_flight``: approvals the portfolio has not reserved for yet.
- ``manager``: ``RiskManager`` (SignalProposed → SignalApproved | SignalRejected).
- ``halt`` / ``halt_record`` / ``triggers``: ``HaltCoordinator``, the HALT record and checklist,
  and the registry's triggers.
The HALT journal's database adapter is ``galfriday.storage.recorders.halts``.
"""

from galfriday.risk.halt import HaltCoordinator
from galfriday.risk.halt_record import (
    CHECKLIST_ITEMS,
    HaltError,
    HaltRecord,
    IncompleteChecklistError,
)
from galfriday.risk.manager import STAGES, RiskDecision, RiskManager

__all__ = [
    "CHECKLIST_ITEMS",
    "STAGES",
    "HaltCoordinator",
    "HaltError",
    "HaltRecord",
    "IncompleteChecklistError",
    "RiskDecision",
    "RiskManager",
]
