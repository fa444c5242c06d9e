"""Kraken nonces that strictly increase per API key: across calls, tasks, processes and restarts.

Kraken rejects a private call whose nonce is not larger than the last one it saw for the key
(``EAPI:Invalid nonce``), and repeated failures lock the key. So the next nonce is
``max(now in µs, last + 1)`` and "last" must survive everything that can happen to us.

Scheme (two files next to each other, ``<nonce_file>`` and ``<nonce_file>.lock``):

* **Durable high-water mark** ``H`` in ``<nonce_file>``: a promise that every nonce ever issued is
  ``< H``. It is written atomically (temp file, fsync, rename, fsync of the directory) *before*
  any nonce ``>= `` the old ``H`` is handed out, and it is only ever raised. Raising it reserves a
  block: ``H = n + reserve_us``. With nonces tracking the clock in µs and the default 10 s
  reserve, the file is fsynced at most about every 10 s however many calls are made; a burst
  faster than the clock pays one fsync per ``reserve_us`` nonces.
* **Shared state** ``(last, H)`` in ``<nonce_file>.lock``, a fixed-width record read and written
  in place (no fsync) under an exclusive ``fcntl.flock`` on that same file. Every process using
  the key reads the latest ``last`` from it, so nonces are strictly increasing in issue order
  across processes, not only within one. The lock file is never renamed: a lock taken on a file
  that is then replaced by rename would guard a stale inode.

At start every nonce below ``H`` counts as used (by us before a crash, or by a process still
running): ``last = max(H - 1, last in the shared record if it parses)``, so the next nonce is
``>= H``, above everything issued before; trusting a record that parses can only raise that
floor, never lower it. The price of a restart is skipping ahead by at most ``reserve_us`` (10 s
of µs), which Kraken does not mind.

The durable file is checked strictly at start. If it is unreadable or corrupt the source refuses
to start (``NonceFileError``) rather than guess: a guessed nonce that is too low locks the key,
and one that is too high (say, from a digit appended by a bad edit) would be permanent. A missing
file means a first start; the first nonce is the current time in µs.

Within a process an ``asyncio.Lock`` serialises coroutines and a ``threading.Lock`` serialises
threads (flock does not exclude two threads sharing one file description). The async path tries
both locks without blocking and, when another thread or process holds one, waits in a worker
thread, so the event loop never stalls on a lock. Create one source per process: the file
description must not be shared across ``fork``; a source used in a forked child refuses to issue.

Nonces are µs since the epoch (16 digits today), well inside Kraken's unsigned 64-bit limit. Do
not share the key with a tool that uses millisecond nonces: ours are larger and would lock it out.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from galfriday.core.errors import GalFridayError

logger = logging.getLogger(__name__)

FILE_FORMAT = "galfriday-kraken-nonce/1"
DEFAULT_RESERVE_US = 10_000_000  # one durable write per ~10 s of nonces
_RECORD_WIDTH = 20  # digits of each number in the lock-file record (2^64 has 20)
_RECORD_SIZE = 2 * _RECORD_WIDTH + 2  # "<last> <high>\n"
_MAX_NONCE = 2**64 - 1


class NonceFileError(GalFridayError):
    """The nonce file cannot be trusted; starting anyway could reuse a nonce and lock the key."""


class NonceSource(Protocol):
    """What the private REST client needs: the next nonce for its key."""

    async def next_nonce(self) -> int: ...


def _now_us() -> int:
    return time.time_ns() // 1_000


def read_high_water(path: Path) -> int | None:
    """The durable high-water mark, or None when the file does not exist (first start)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise NonceFileError(
            f"cannot read the nonce file {path}: {exc.strerror}; fix its permissions and restart"
        ) from exc
    try:
        data = json.loads(raw.decode("utf-8"))
        ok = (
            isinstance(data, dict)
            and data.get("format") == FILE_FORMAT
            and type(data.get("high_water_us")) is int
            and 0 < data["high_water_us"] <= _MAX_NONCE
        )
    except ValueError:
        ok = False
    if not ok:
        raise NonceFileError(
            f"the nonce file {path} is corrupt ({len(raw)} bytes, expected a {FILE_FORMAT} record); "
            "refusing to start because a stale nonce would be rejected by Kraken. Restore it from a "
            "backup, or, if no other process uses this API key, delete it: nonces then restart from "
            "the current time in µs (safe unless earlier nonces were ahead of this clock)"
        )
    high: int = data["high_water_us"]
    return high


def _write_high_water(path: Path, high: int) -> None:
    """Atomically replace the durable file: temp file, fsync, rename, fsync the directory."""
    record = json.dumps({"format": FILE_FORMAT, "high_water_us": high}) + "\n"
    tmp = path.with_name(f"{path.name}.tmp.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, record.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class FileNonceSource:
    """Persistent, cross-process nonce generator for one API key (see the module docstring).

    ``now_us`` is injectable so tests can freeze or rewind the clock.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        reserve_us: int = DEFAULT_RESERVE_US,
        now_us: Callable[[], int] = _now_us,
    ) -> None:
        if reserve_us < 1:
            raise ValueError(f"reserve_us must be >= 1, got {reserve_us}")
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.reserve_us = reserve_us
        self._now_us = now_us
        self._async_lock = asyncio.Lock()
        self._thread_lock = threading.Lock()
        self._pid = os.getpid()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        self._lock(blocking=True)
        try:
            high = read_high_water(self.path)
            if high is None:
                logger.warning("nonce file %s not found: first start, nonces begin at the clock", self.path)
            shared = self._read_record_or_none()
            # Anything below the durable mark may have been used (by us before a crash, or by a
            # process still running); a valid shared record can only raise that floor.
            last = max(high - 1 if high else 0, shared[0] if shared else 0)
            self._write_record(last, high or 0)
        finally:
            self._unlock()

    # -- issuing ---------------------------------------------------------------------------------

    async def next_nonce(self) -> int:
        """The next nonce; waits (in a thread) if another process holds the file lock."""
        async with self._async_lock:
            issued = self._issue(blocking=False)
            if issued is None:
                issued = await asyncio.to_thread(self._issue, blocking=True)
            assert issued is not None  # a blocking issue always returns a nonce
            return issued

    def next_nonce_sync(self) -> int:
        """Blocking variant for code outside the event loop (safe from several threads)."""
        issued = self._issue(blocking=True)
        assert issued is not None
        return issued

    def _issue(self, *, blocking: bool) -> int | None:
        """The next nonce, or None when ``blocking`` is off and a thread or process holds a lock."""
        if os.getpid() != self._pid:
            raise NonceFileError(
                "this nonce source was created before a fork; create a new one in each process"
            )
        if not self._thread_lock.acquire(blocking=blocking):
            return None
        try:
            if not self._lock(blocking=blocking):
                return None
            try:
                last, high = self._read_record()
                nonce = max(self._now_us(), last + 1)
                if nonce > _MAX_NONCE:
                    raise NonceFileError(f"nonce {nonce} exceeds Kraken's 64-bit limit; check {self.path}")
                if nonce >= high:
                    high = min(nonce + self.reserve_us, _MAX_NONCE)
                    _write_high_water(self.path, high)
                self._write_record(nonce, high)
                return nonce
            finally:
                self._unlock()
        finally:
            self._thread_lock.release()

    # -- the shared record in the lock file -----------------------------------------------------

    def _lock(self, *, blocking: bool) -> bool:
        """Take the cross-process lock; False if ``blocking`` is off and another process has it."""
        try:
            fcntl.flock(self._require_fd(), fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(self) -> None:
        fcntl.flock(self._require_fd(), fcntl.LOCK_UN)

    def _read_record_or_none(self) -> tuple[int, int] | None:
        try:
            return self._read_record()
        except NonceFileError:
            return None

    def _read_record(self) -> tuple[int, int]:
        raw = os.pread(self._require_fd(), _RECORD_SIZE, 0)
        try:
            last_text, high_text = raw.decode("ascii").split()
            last, high = int(last_text), int(high_text)
        except ValueError:
            raise NonceFileError(
                f"the shared nonce state in {self.lock_path} was overwritten ({raw[:_RECORD_SIZE]!r}); "
                "another program is writing to it. Stop it and restart"
            ) from None
        return last, high

    def _write_record(self, last: int, high: int) -> None:
        record = f"{last:0{_RECORD_WIDTH}d} {high:0{_RECORD_WIDTH}d}\n".encode("ascii")
        os.pwrite(self._require_fd(), record, 0)

    def _require_fd(self) -> int:
        if self._fd is None:
            raise NonceFileError(f"the nonce source for {self.path} is closed")
        return self._fd

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FileNonceSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FileNonceSource({str(self.path)!r}, reserve_us={self.reserve_us})"


class NonceGuard:
    """Server side (exchange simulator, test servers): accept only increasing nonces per key."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}

    def accept(self, api_key: str, nonce: int) -> bool:
        """True and remembered if ``nonce`` is above the key's last; False (Kraken: invalid nonce)."""
        if nonce <= self._last.get(api_key, 0):
            return False
        self._last[api_key] = nonce
        return True
