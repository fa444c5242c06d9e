"""The order-purpose contract: tags are consistent, registered once, and bounded in memory."""

from __future__ import annotations

import pytest

from galfriday.core.types import ExitReason
from galfriday.portfolio.order_tags import OrderPurpose, OrderTag, OrderTagError, OrderTagRegistry


def test_each_purpose_closes_with_its_exit_reason() -> None:
    assert OrderTag.stop_loss("s", "x").closes_with is ExitReason.SL_HIT
    assert OrderTag.take_profit("s", "x").closes_with is ExitReason.TP_HIT
    assert OrderTag.exit(ExitReason.HALT).closes_with is ExitReason.HALT
    assert OrderTag.entry("s", "x").closes_with is ExitReason.MANUAL_CLOSE


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: OrderTag(OrderPurpose.EXIT), "needs the ClosePosition's reason"),
        (lambda: OrderTag(OrderPurpose.ENTRY, exit_reason=ExitReason.HALT), "entry order has no exit reason"),
        (lambda: OrderTag(OrderPurpose.STOP_LOSS, exit_reason=ExitReason.TP_HIT), "exits with SL_HIT"),
    ],
)
def test_contradictory_tags_are_refused(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OrderTagError, match=message):
        build()


def test_a_client_order_id_keeps_its_first_tag() -> None:
    tags = OrderTagRegistry()
    tags.register("c1", OrderTag.entry("s", "x"))
    tags.register("c1", OrderTag.entry("s", "x"))  # a retried registration is fine
    with pytest.raises(OrderTagError, match="already tagged"):
        tags.register("c1", OrderTag.exit(ExitReason.HALT))


def test_entry_finished_needs_every_entry_order_of_the_signal_finished() -> None:
    tags = OrderTagRegistry()
    assert not tags.entry_finished("s")
    tags.register("a", OrderTag.entry("s", "x"))
    tags.register("b", OrderTag.entry("s", "x"))
    tags.mark_finished("a")
    assert not tags.entry_finished("s")
    tags.mark_finished("b")
    assert tags.entry_finished("s")


def test_finished_tags_are_kept_only_for_the_most_recent_orders() -> None:
    tags = OrderTagRegistry(retain_finished=2)
    for cid in "abc":
        tags.register(cid, OrderTag.entry(f"sig-{cid}", "x"))
        tags.mark_finished(cid)
    assert tags.get("a") is None and tags.get("c") is not None
    assert len(tags) == 2


def test_json_keeps_only_open_orders() -> None:
    tags = OrderTagRegistry()
    tags.register("open", OrderTag.exit(ExitReason.REVERSAL, "s", "x"))
    tags.register("done", OrderTag.entry("s", "x"))
    tags.mark_finished("done")
    restored = OrderTagRegistry()
    restored.restore(tags.to_json())
    assert restored.open_orders() == {"open": OrderTag.exit(ExitReason.REVERSAL, "s", "x")}
