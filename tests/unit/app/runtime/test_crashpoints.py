"""Crash points: off by default, SIGKILL exactly at the armed point's nth visit, typos refused.

The killing tests run the module in a child Python process: the point must kill *that* process,
with SIGKILL (no cleanup, no exit code of its own), and only at the nth visit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from galfriday.core import crashpoints
from galfriday.core.crashpoints import ENV_VAR, POINTS, CrashPlan

CHILD = """
import sys
from galfriday.core.crashpoints import crashpoint
for i in range(1, 6):
    print(f"visit {i}", flush=True)
    crashpoint("journal.ack_recorded")
    crashpoint("venue.cancel_sent")
print("survived", flush=True)
"""


def _child(crash_at: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    if crash_at is not None:
        env[ENV_VAR] = crash_at
    return subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_armed_point_kills_the_process_with_sigkill_at_its_nth_visit() -> None:
    done = _child("journal.ack_recorded:3")
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split("\n")[:-1] == ["visit 1", "visit 2", "visit 3"]
    assert "crashpoint journal.ack_recorded:3: SIGKILL" in done.stderr


def test_without_the_variable_every_point_is_passed() -> None:
    done = _child(None)
    assert done.returncode == 0 and done.stdout.strip().endswith("survived")


def test_an_unknown_point_refuses_to_start() -> None:
    done = _child("journal.ack_recorder:1")
    assert done.returncode == 1
    assert "unknown crash point 'journal.ack_recorder'" in done.stderr


@pytest.mark.parametrize("text", ["journal.ack_recorded:0", "journal.ack_recorded:x", "nowhere:1"])
def test_a_plan_must_name_a_known_point_and_a_positive_nth(text: str) -> None:
    with pytest.raises(ValueError, match=ENV_VAR):
        CrashPlan.parse(text)


def test_a_plan_without_nth_crashes_at_the_first_visit() -> None:
    assert CrashPlan.parse(" venue.cancel_sent ") == CrashPlan("venue.cancel_sent", 1)
    assert str(CrashPlan.parse("venue.cancel_sent:4")) == "venue.cancel_sent:4"


def test_every_documented_point_is_called_somewhere_in_the_code() -> None:
    src = os.path.dirname(os.path.dirname(crashpoints.__file__))
    calls = ""
    for folder, _, files in os.walk(src):
        for name in files:
            if name.endswith(".py") and name != "crashpoints.py":
                with open(os.path.join(folder, name), encoding="utf-8") as source:
                    calls += source.read()
    assert [p for p in POINTS if f'"{p}"' not in calls] == []
    assert all(f"``{p}``" in (crashpoints.__doc__ or "") for p in POINTS)
