"""Shutdown detaches the execution handler by unsubscribing exactly its own handlers."""

from __future__ import annotations

from galfriday.app.runtime.shutdown import detach
from galfriday.core.bus import SyncBus
from galfriday.core.events import Event, TimeEvent


class _Component:
    def __init__(self) -> None:
        self.seen: list[Event] = []

    def on_event(self, event: Event) -> None:
        self.seen.append(event)


def test_only_the_component_s_subscriptions_go() -> None:
    bus = SyncBus()
    gone, kept = _Component(), _Component()
    bus.subscribe(Event, gone.on_event)
    bus.subscribe(TimeEvent, gone.on_event)
    bus.subscribe(Event, kept.on_event)
    detach(bus, gone)
    bus.publish(TimeEvent(ts_event=1, ts_init=1, name="t"))
    assert gone.seen == [] and len(kept.seen) == 1
    assert len(bus.subscriptions) == 1
