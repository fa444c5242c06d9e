"""WriteBehind: jobs run in order off the caller's path; an unreachable database is waited out,
a refused write is dropped so it cannot block the ones behind it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError, OperationalError

from galfriday.core.errors import StorageError
from galfriday.storage.recorders.write_behind import WriteBehind, as_uuid, utc_datetime, utc_ns


def storage_error(cause: Exception) -> StorageError:
    try:
        raise StorageError("write failed") from cause
    except StorageError as exc:
        return exc


async def test_jobs_run_in_submission_order() -> None:
    queue = WriteBehind("test")
    done: list[int] = []
    for i in range(5):

        async def job(i: int = i) -> None:
            done.append(i)

        queue.submit(job)
    assert done == []  # submit never runs anything itself
    await queue.flush()
    assert done == [0, 1, 2, 3, 4] and queue.written == 5
    await queue.close()


async def test_an_unreachable_database_is_retried_and_a_refused_write_is_dropped() -> None:
    queue = WriteBehind("test", retry_initial_s=0.001, retry_max_s=0.002)
    attempts: list[str] = []

    async def flaky() -> None:
        attempts.append("flaky")
        if attempts.count("flaky") < 3:
            raise storage_error(OperationalError("connect", {}, ConnectionRefusedError()))

    async def refused() -> None:
        attempts.append("refused")
        raise storage_error(IntegrityError("insert", {}, ValueError("check constraint")))

    async def after() -> None:
        attempts.append("after")

    for job in (flaky, refused, after):
        queue.submit(job)
    await queue.close()
    assert attempts == ["flaky", "flaky", "flaky", "refused", "after"]
    assert (queue.written, queue.failed, queue.pending) == (2, 1, 0)


def test_time_and_id_conversions() -> None:
    moment = datetime(2024, 5, 6, 10, 0, 0, 123456, tzinfo=UTC)
    assert utc_datetime(utc_ns(moment)) == moment
    assert utc_datetime(utc_ns(moment) + 999) == moment  # columns keep microseconds
    assert as_uuid("not-a-uuid") is None and as_uuid(None) is None
    assert str(as_uuid("7c1f0c5e-0000-4000-8000-000000000001")) == "7c1f0c5e-0000-4000-8000-000000000001"
