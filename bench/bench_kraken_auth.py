"""What signing and nonces cost per private Kraken request.

Run: python -m bench.bench_kraken_auth   (prints one line per measurement; copy into docs/benchmarks.md)

Input: Kraken's official API-Sign example (kraken-docs/official_test_vectors.json in ../shared/data;
GALFRIDAY_SHARED_DATA overrides), checked once before timing.

What is counted (best of 20 short runs, one core, wall time):
- sign, reused key: ``KrakenSigner.sign`` on the official AddOrder body (the client's path: the
  secret is decoded and the HMAC keyed once per client, copied per call);
- sign, cold: ``auth.sign`` (decodes the base64 secret and keys the HMAC every call);
- verify: ``KrakenSigner.verify`` (what the simulator does per request);
- body + sign: ``encode_body`` of a 9-field AddOrder plus signing, i.e. the client's CPU per order;
- nonces: ``FileNonceSource`` on a temp file with the real clock and the default 10 s reserve,
  async ``next_nonce`` (asyncio lock + flock + shared-record read/write) and ``next_nonce_sync``;
  the durable high-water write (temp file + fsync + rename + directory fsync) is timed on its own,
  since the reserve makes it happen about once per 10 s rather than per call.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from galfriday.kraken import nonce as nonce_module
from galfriday.kraken.auth import KrakenSigner, sign
from galfriday.kraken.nonce import FileNonceSource
from galfriday.kraken.rest_private import encode_body

SHARED = Path(
    os.environ.get("GALFRIDAY_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
ADD_ORDER_FIELDS = [
    ("pair", "XXRPZUSD"), ("type", "buy"), ("ordertype", "limit"), ("volume", "125.5"),
    ("price", "0.52341"), ("oflags", "post"), ("timeinforce", "GTD"), ("expiretm", "1800000000"),
    ("cl_ord_id", "d15708c1-dbb6-465d-b77d-47258319cc90"),
]  # fmt: skip


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _best(run: Callable[[], int], repeats: int = 20) -> float:
    """Best items/second of ``repeats`` short runs; ``run`` returns how many items it processed."""
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        n = run()
        best = max(best, n / (time.perf_counter() - start))
    return best


def main() -> None:
    vector = json.loads((SHARED / "kraken-docs" / "official_test_vectors.json").read_text())["rest_api_sign"]
    path, body, nonce, secret = (
        vector["uri_path"],
        vector["encoded_payload"].encode(),
        vector["nonce"],
        vector["private_key"],
    )
    signer = KrakenSigner(secret)
    assert signer.sign(path, body, nonce) == vector["expected_api_sign"], "official vector not reproduced"
    api_sign = vector["expected_api_sign"]
    loops = 2_000

    def sign_reused() -> int:
        for _ in range(loops):
            signer.sign(path, body, nonce)
        return loops

    def sign_cold() -> int:
        for _ in range(loops):
            sign(path, body, nonce, secret)
        return loops

    def verify() -> int:
        for _ in range(loops):
            signer.verify(path, body, nonce, api_sign)
        return loops

    def body_and_sign() -> int:
        for n in range(loops):
            signer.sign("/0/private/AddOrder", encode_body(1_700_000_000_000_000 + n, ADD_ORDER_FIELDS), n)
        return loops

    rates = {
        "sign, reused key (client)": _best(sign_reused),
        "sign, cold (decode secret per call)": _best(sign_cold),
        "verify (simulator)": _best(verify),
        "encode AddOrder body + sign": _best(body_and_sign),
    }

    with tempfile.TemporaryDirectory() as tmp:
        source = FileNonceSource(Path(tmp) / "kraken.nonce")

        async def issue_async(n: int) -> None:
            for _ in range(n):
                await source.next_nonce()

        def nonces_async() -> int:
            asyncio.run(issue_async(loops))
            return loops

        def nonces_sync() -> int:
            for _ in range(loops):
                source.next_nonce_sync()
            return loops

        rates["nonce, async next_nonce"] = _best(nonces_async)
        rates["nonce, next_nonce_sync"] = _best(nonces_sync)
        writes = 50
        start = time.perf_counter()
        for i in range(writes):
            nonce_module._write_high_water(Path(tmp) / "fsync-probe", 1 + i)
        durable_ms = (time.perf_counter() - start) / writes * 1e3
        source.close()

    print(
        f"# bench_kraken_auth {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC | {_cpu()} | "
        f"Python {platform.python_version()} | {platform.system()} {platform.machine()} | "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    for name, rate in rates.items():
        print(f"{name}: {rate:,.0f}/s ({1e6 / rate:.2f} us each)")
    print(f"durable high-water write (fsync, rename, dir fsync): {durable_ms:.2f} ms, about once per 10 s")


if __name__ == "__main__":
    main()
