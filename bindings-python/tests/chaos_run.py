"""A chaos run of the Python package (the async clients, on one event loop): calls of mixed operations of
all four APIs against a sandbox where a share of the requests meets a fault of every kind (500, 502, 503,
429 with and without Retry-After, a reset connection, a truncated or malformed body, a delay past the
attempt timeout), then cheap calls without faults for the memory figure. The suite runs a short version
(tests/test_chaos.py); the full one prints its figures:

    python bindings-python/tests/chaos_run.py --calls 10000 --concurrency 64 --cheap 100000
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from support import Sandbox

import zkit

DEADLINE = 10.0  # seconds a call may take; one that takes longer (with slack for scheduling) is late
ATTEMPT_TIMEOUT = 0.8  # shorter than the delay fault, which then times attempts out
DELAY_MS = 1_200
BATCH = 2_000  # calls between two reads of the journal, which keeps the last 10 000 requests


@dataclass
class Figures:
    calls: int = 0
    successes: int = 0
    typed: Counter[str] = field(default_factory=Counter)
    untyped: list[str] = field(default_factory=list)
    duplicated: int = 0
    late: int = 0
    faults_met: int = 0
    elapsed: float = 0.0
    rss_warm_kib: int = 0
    rss_after_kib: int = 0
    cheap_calls: int = 0

    def table(self, language: str) -> str:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.typed.items()))
        rows = [
            ("calls", str(self.calls)),
            ("faults met (requests)", str(self.faults_met)),
            ("successes", str(self.successes)),
            ("typed errors", f"{sum(self.typed.values())} ({kinds})"),
            ("untyped errors or crashes (goal 0)", str(len(self.untyped))),
            ("non-idempotent requests acted on twice (goal 0)", str(self.duplicated)),
            ("calls past their deadline (goal 0)", str(self.late)),
            ("time", f"{self.elapsed:.1f} s"),
            (
                "RSS after warm-up / after cheap calls",
                f"{self.rss_warm_kib} / {self.rss_after_kib} KiB ({self.cheap_calls} calls)",
            ),
        ]
        return "\n".join([f"| {language} | |", "|---|---|", *(f"| {name} | {value} |" for name, value in rows)])


def rss_kib() -> int:
    """The process's resident memory in KiB (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4
    except OSError:
        return 0


class Clients:
    def __init__(self, sandbox: Sandbox) -> None:
        settings: dict[str, Any] = {
            "rate_limit": False,
            "timeout": ATTEMPT_TIMEOUT,
            "deadline": DEADLINE,
            "jitter_seed": 11,
        }
        zenifra = sandbox.api("zenifra")["credentials"]
        self.zerokie = zkit.AsyncZerokie(
            sandbox.api("zerokie")["api_key"], base_url=sandbox.base_url("zerokie"), **settings
        )
        self.zenifra = zkit.AsyncZenifra(
            zenifra["organization_key"],
            organization_id=zenifra["organization_id"],
            base_url=sandbox.base_url("zenifra"),
            **settings,
        )
        self.zenovay = zkit.AsyncZenovay(
            sandbox.api("zenovay")["api_key"], base_url=sandbox.base_url("zenovay"), **settings
        )
        self.zyra = zkit.AsyncZyra(
            sandbox.api("zyra")["credentials"]["admin_key"], base_url=sandbox.base_url("zyra"), **settings
        )

    def call(self, n: int) -> Awaitable[Any]:
        """Call `n` of the mix: reads of every API, a create with its own name and a cancel of a job of
        its own (non-idempotent; the sandbox answers the cancel 404), whose requests the journal tells
        apart."""
        web = "507f1f77bcf86cd799439011"
        calls: list[Callable[[], Awaitable[Any]]] = [
            lambda: self.zerokie.list_apps(),
            lambda: self.zerokie.create_app(name=f"chaos-{n}", type="static"),
            lambda: self.zenifra.get_project(id=web),
            lambda: self.zenifra.get_envs(id=web),
            lambda: self.zenovay.list_websites(),
            lambda: self.zenovay.get_website(id="site_shop"),
            lambda: self.zyra.list_devices(limit=5),
            lambda: self.zyra.get_device(id="dev_0001"),
            lambda: self.zyra.cancel_ml_job(id=f"mlj_chaos_{n}"),
        ]
        return calls[n % len(calls)]()

    async def close(self) -> None:
        for client in (self.zerokie, self.zenifra, self.zenovay, self.zyra):
            await client.close()


def duplicated(journal: list[dict[str, Any]]) -> int:
    """Each call cancels a job of its own: a cancel path acted on twice is a request acted on twice. A
    request a fault stopped was not acted on (retrying it after a 429 is safe); a delayed one was."""
    seen = Counter(
        entry["path"]
        for entry in journal
        if entry["method"] == "POST" and "/ml/jobs/mlj_chaos_" in entry["path"] and entry["fault"] in (None, "delay")
    )
    return sum(1 for times in seen.values() if times > 1)


async def workers(count: int, concurrency: int, work: Callable[[int], Awaitable[None]], first: int = 0) -> None:
    """Runs `work(n)` for n in first..first+count, `concurrency` at a time."""
    numbers = iter(range(first, first + count))

    async def worker() -> None:
        for n in numbers:
            await work(n)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def run(sandbox: Sandbox, calls: int, concurrency: int, fault_rate: float, cheap_calls: int) -> Figures:
    sandbox.control("POST", "rate-window", {"kind": "off"})
    sandbox.control("POST", "chaos", {"rate": fault_rate, "seed": 2026, "delay_ms": DELAY_MS})
    clients = Clients(sandbox)
    figures = Figures()

    async def one(n: int) -> None:
        began = time.monotonic()
        try:
            await clients.call(n)
            figures.successes += 1
        except zkit.ZkitError as error:
            figures.typed[error.kind] += 1
        except BaseException as error:  # what the package must never let through
            figures.untyped.append(repr(error))
        figures.calls += 1
        figures.late += time.monotonic() - began > DEADLINE + 0.5

    started = time.monotonic()
    for first in range(0, calls, BATCH):
        sandbox.control("DELETE", "journal")
        await workers(min(BATCH, calls - first), concurrency, one, first)
        journal = sandbox.journal()
        figures.faults_met += sum(1 for entry in journal if entry["fault"] is not None)
        figures.duplicated += duplicated(journal)
    figures.elapsed = time.monotonic() - started
    sandbox.control("POST", "chaos", {"rate": 0})

    async def cheap(_: int) -> None:
        await clients.zyra.get_sdk_info()

    warm_up = cheap_calls // 10
    await workers(warm_up, concurrency, cheap)
    figures.rss_warm_kib = rss_kib()
    await workers(cheap_calls - warm_up, concurrency, cheap)
    figures.rss_after_kib, figures.cheap_calls = rss_kib(), cheap_calls
    await clients.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--cheap", type=int, default=100_000)
    args = parser.parse_args()
    sandbox = Sandbox()
    try:
        figures = asyncio.run(run(sandbox, args.calls, args.concurrency, 0.1, args.cheap))
    finally:
        sandbox.stop()
    print(figures.table("Python"))
    for error in figures.untyped[:5]:
        print("untyped:", error)


if __name__ == "__main__":
    main()
