"""Private REST authentication with Kraken's answers, and CancelAllOrdersAfter as a real switch."""

from __future__ import annotations

import asyncio

from galfriday.sim.server import ExchangeSimulator
from tests.integration.sim.conftest import ALICE, BOB, private_client
from tests.integration.sim.rest_kit import private, private_body

OFFICIAL_BODY = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
OFFICIAL_SIGN = "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="


async def test_the_official_example_request_passes_authentication(sim: ExchangeSimulator) -> None:
    # Kraken's documented request, byte for byte: the signature verifies and the nonce is fresh, so
    # the answer is about the order itself (XBTUSD is not traded here), not about authentication.
    answer = await private_body(sim, ALICE, "AddOrder", OFFICIAL_BODY, headers={"API-Sign": OFFICIAL_SIGN})
    assert answer["error"] == ["EQuery:Unknown asset pair"]


async def test_authentication_failures_use_krakens_errors(sim: ExchangeSimulator) -> None:
    stranger = ALICE.__class__(api_key="nobody", secret=ALICE.secret)
    assert (await private(sim, stranger, "Balance"))["error"] == ["EAPI:Invalid key"]
    forged = await private_body(sim, ALICE, "Balance", "", headers={"API-Sign": OFFICIAL_SIGN})
    assert forged["error"] == ["EAPI:Invalid signature"]
    assert (await private_body(sim, ALICE, "Balance", "", nonce=2_000_000_000_000_000))["error"] == []
    assert (await private_body(sim, ALICE, "Balance", "", nonce=2_000_000_000_000_000))["error"] == [
        "EAPI:Invalid nonce"
    ]
    assert (await private_body(sim, ALICE, "Balance", "", nonce=1_999_999_999_999_999))["error"] == [
        "EAPI:Invalid nonce"
    ]
    assert (await private_body(sim, BOB, "Balance", "", nonce=5))["error"] == []  # nonces are per key
    unknown = await private_body(sim, ALICE, "NoSuchMethod", "", nonce=2_000_000_000_000_001)
    assert unknown["error"] == ["EGeneral:Unknown method"]


async def test_dead_man_switch_cancels_everything_when_it_expires(sim: ExchangeSimulator) -> None:
    async with private_client(sim) as client:
        for price in ("0.30000", "0.31000"):
            await private(
                sim, ALICE, "AddOrder", pair="XRPUSD", type="buy", ordertype="limit", volume="50", price=price
            )
        armed = await client.cancel_all_orders_after(60)
        disarmed = await client.cancel_all_orders_after(0)
        assert armed.trigger_time != "0" and disarmed.trigger_time == "0"
        await client.cancel_all_orders_after(1)
        assert len(await client.open_orders()) == 2
        await asyncio.sleep(1.3)
        assert await client.open_orders() == ()
        closed = await client.closed_orders()
    assert {o.status for o in closed.orders} == {"canceled"}
