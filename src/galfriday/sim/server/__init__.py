"""A Kraken-compatible exchange simulator (DESIGN §6): REST and WS v2, public and private.

Paper trading, the demo and every integration test of the live path talk to this server the way
they would talk to Kraken, because Kraken has no spot sandbox. Market data (the seeded generator
or recorded Parquet) is replayed through the one fill model, ``sim.matching``.

Run it: ``galfriday exchange-sim --port 8080`` (see ``sim.cli``) or in-process::

    async with ExchangeSimulator(SimulatorConfig(accounts=...)) as sim:
        KrakenPublicClient(sim.rest_url); KrakenPublicWsClient(pairs, consumer, url=sim.ws_public_url)
        KrakenPrivateClient(sim.rest_url, key, secret, nonces); private WS at sim.ws_private_url

Map of the package (one job per module):

- wiring: ``app`` (server, background tasks), ``config``, ``accounts`` (keys file), ``admin``
- state and rules: ``exchange`` (the hub), ``sim_account`` (one key: engines, limits, order
  entry), ``report_apply`` (engine reports -> records), ``orders`` (records), ``tokens``,
  ``persistence`` (state file), ``clock`` (wall vs market time)
- market: ``market_source`` (generator / Parquet), ``public_market``, ``public_book`` (diffs,
  checksums), ``tape``, ``ohlc``, ``ticker``
- protocol: ``order_params`` (AddOrder in), ``render_rest`` / ``render_ws`` (JSON out), ``wire``,
  ``timefmt``, ``assets`` (names), ``errors`` (Kraken's strings)
- transports: ``http_common``, ``http_auth``, ``rest_public``, ``rest_private``, ``ws_hub``,
  ``ws_connection``, ``ws_public``, ``ws_private``
- ``faults``: fault injection (kinds and JSON format in its docstring)
"""

from galfriday.sim.server.accounts import AccountSpec, load_accounts
from galfriday.sim.server.app import ExchangeSimulator
from galfriday.sim.server.config import DataFile, SimulatorConfig, parse_speed

__all__ = ["AccountSpec", "DataFile", "ExchangeSimulator", "SimulatorConfig", "load_accounts", "parse_speed"]
