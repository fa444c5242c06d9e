"""Frame handling of the WS client without a socket: bad frames and a failing consumer never stop it."""

from __future__ import annotations

from galfriday.kraken.ws_public import KrakenPublicWsClient
from galfriday.kraken.ws_schemas import BookMessage, Heartbeat, WsMessage


class Consumer:
    def __init__(self, fail_on: type | None = None) -> None:
        self.messages: list[WsMessage] = []
        self.malformed: list[str] = []
        self.fail_on = fail_on

    def on_message(self, msg: WsMessage) -> None:
        if self.fail_on is not None and isinstance(msg, self.fail_on):
            raise RuntimeError("consumer bug")
        self.messages.append(msg)

    def on_connection_lost(self, reason: str) -> None: ...

    def on_malformed(self, detail: str) -> None:
        self.malformed.append(detail)


BOOK = (
    b'{"channel":"book","type":"update","data":[{"symbol":"XRP/USD","bids":[{"price":0.5,"qty":1}],'
    b'"asks":[],"checksum":1,"timestamp":"2023-07-30T15:29:58.343415Z"}]}'
)


def test_malformed_frames_are_counted_dropped_and_reported() -> None:
    consumer = Consumer()
    client = KrakenPublicWsClient(["XRP/USD"], consumer)
    for frame in (b"{not json", '{"channel":"book","type":"update","data":"x"}', b"\xff\xfe"):
        client._on_frame(frame)
    client._on_frame('{"channel":"heartbeat"}')
    assert client.stats()["malformed"] == 3 and client.stats()["frames"] == 4
    assert len(consumer.malformed) == 3 and all(consumer.malformed)
    assert consumer.messages == [Heartbeat()]


def test_a_consumer_that_raises_does_not_stop_the_feed() -> None:
    consumer = Consumer(fail_on=BookMessage)
    client = KrakenPublicWsClient(["XRP/USD"], consumer)
    client._on_frame(BOOK)
    client._on_frame('{"channel":"heartbeat"}')
    assert client.stats()["consumer_errors"] == 1
    assert consumer.messages == [Heartbeat()]
