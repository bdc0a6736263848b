"""The short chaos run: 450 calls of mixed operations of all four APIs through the async clients while a
tenth of the requests meet a fault of every kind, then 1 000 cheap calls. Every call ends in a result or a
`ZkitError` within its deadline, and no non-idempotent request is acted on twice. The full run with its
figures is `scripts/chaos` (tests/chaos_run.py)."""

from __future__ import annotations

import asyncio

from chaos_run import run
from support import Sandbox


def test_every_call_ends_typed_in_time_and_nothing_is_acted_on_twice(sandbox: Sandbox) -> None:
    figures = asyncio.run(run(sandbox, 450, 16, 0.1, 1_000))
    print(figures.table("Python"))
    assert figures.calls == 450
    assert figures.faults_met > 20, figures
    assert figures.untyped == [], figures.untyped
    assert figures.successes + sum(figures.typed.values()) == 450
    assert (figures.duplicated, figures.late) == (0, 0), figures
    # The 50 cancels of jobs that do not exist answer 404, but for the few a fault stopped.
    assert 35 <= figures.typed["not_found"] <= 50, figures
    assert figures.typed["conflict"] == 0, "a create acted on twice meets its own name"
    assert figures.successes > 300, figures
