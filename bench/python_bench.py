"""zkit's Python package against requests, httpx and aiohttp, over the bench server.

    python bench/python_bench.py --url http://127.0.0.1:PORT [--quick] [--peers-only]

Prints one table: the figure, zkit's time, the peer's, zkit / peer, the goal, and whether it is met. Loops report the median
of several rounds; each upload and download runs in a process of its own (this script, re-run with
``--child``), which reads its peak RSS (VmHWM) before and after the transfer.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable

ZEROKIE_KEY = "zrk_bench_0c0ffee0c0ffee0c0ffee0c0ffee"
ZYRA_KEY = "zyra_sk_bench0c0ffee0c0ffee0c0ffee0c0ff"
APP = "app-1"
MIB = 1024 * 1024
HEADERS = {"Authorization": f"Bearer {ZEROKIE_KEY}", "Accept": "application/json"}

# What zkit aims for (time ratio = zkit time / peer time), per figure and peer: the goal's text and the
# largest figure that meets it (a time ratio, or MiB of peak RSS growth); ("-", None) for a row whose peer
# is not the one the goal is set against.
GOALS: dict[str, tuple[str, float | None]] = {
    "sync-httpx": ("<= 0.33x (3x faster than httpx)", 0.33),
    "sync-requests": ("-", None),
    "async-aiohttp": ("<= 0.67x aiohttp", 0.67),  # 1.5x aiohttp's throughput
    "async-httpx.AsyncClient": ("-", None),
    "list": ("<= 1.0x (stretch 0.5x)", 1.0),
    "transfer": ("<= 1.43x time", 1.43),  # 0.7x the peer's throughput
    "rss-file": ("<= 32 MiB", 32.0),
}
# The peak RSS growth of an upload from memory or a download, as a multiple of the payload.
RSS_FACTOR = 1.2


def rss_goal(case: str, size: int) -> tuple[str, float]:
    """The goal of a transfer's peak RSS growth, whose limit for memory and downloads scales with `size`."""
    if case == "upload-file":
        return GOALS["rss-file"]  # type: ignore[return-value]
    limit = RSS_FACTOR * size / MIB
    what = "the file " if case == "upload-memory" else ""
    return f"<= {RSS_FACTOR}x {what}({limit:.0f} MiB)", limit


def peak_rss_kib() -> int:
    """The process's peak resident set so far, in KiB (VmHWM)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def payload(size: int) -> bytes:
    """A fixed pattern of `size` bytes (the same one the Rust benchmark sends)."""
    block = bytes(i % 251 for i in range(251 * 1024))
    return (block * (size // len(block) + 1))[:size]


def median_time(rounds: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def median_bursts(rounds: int, calls: int, one: Callable[[], Any]) -> float:
    """The median time of `calls` concurrent `one()` in `asyncio.gather`, after a warm-up of 100."""
    await asyncio.gather(*(one() for _ in range(100)))
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        results = await asyncio.gather(*(one() for _ in range(calls)))
        times.append(time.perf_counter() - started)
        assert all(results)
    return statistics.median(times)


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, str]] = []

    def add(self, figure: str, zkit: str, peer: str, ratio: str, goal: str, met: str) -> None:
        self.rows.append((figure, zkit, peer, ratio, goal, met))
        print(f"  {figure}: zkit {zkit}, {peer}, {ratio}, met {met}", file=sys.stderr, flush=True)

    def print(self, title: str) -> None:
        header = ("figure", "zkit", "peer", "ratio", "goal", "met")
        widths = [max(len(row[i]) for row in [header, *self.rows]) for i in range(len(header))]
        print(f"== {title}")
        for n, row in enumerate([header, *self.rows]):
            cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
            print("  ".join(cells).rstrip())
            if n == 0:
                print("-" * (sum(widths) + 2 * (len(widths) - 1)))
        print()


def quotient(zkit: float | None, peer: float | None) -> float | None:
    """zkit / peer; None when either is missing (failed, or skipped) or the peer's is not positive."""
    if zkit is None or peer is None or peer <= 0 or zkit == SKIPPED:
        return None
    return zkit / peer


def ratio(zkit: float | None, peer: float | None) -> str:
    q = quotient(zkit, peer)
    return "-" if q is None else f"{q:.2f}x"


def meets(value: float | None, limit: float | None) -> str:
    """Whether a figure (a time ratio, or MiB) meets its goal: "yes" when at most `limit`, "no" when above,
    "-" when either is unknown (no goal for the row, or the figure failed)."""
    if value is None or limit is None:
        return "-"
    return "yes" if value <= limit else "no"


SKIPPED = -1.0  # a zkit figure not measured (--peers-only)


def us(seconds: float | None, calls: int) -> str:
    if seconds == SKIPPED:
        return "skipped"
    return "failed" if seconds is None else f"{seconds * 1e6 / calls:.1f} µs/call"


def attempt(label: str, run: Callable[[], float]) -> float | None:
    """Runs one measurement; a failure is reported and leaves the cell empty."""
    try:
        return run()
    except Exception as e:  # noqa: BLE001 - a benchmark reports what failed and goes on
        print(f"{label}: {type(e).__name__}: {e}", file=sys.stderr)
        return None


# ---------------------------------------------------------------------------------------------------
# Calls


def sync_calls(url: str, calls: int, rounds: int, table: Table, peers_only: bool) -> None:
    import httpx
    import requests

    app_url = f"{url}/zerokie/v1/apps/{APP}"

    def zkit_run() -> float:
        import zkit

        zerokie = zkit.Zerokie(api_key=ZEROKIE_KEY, base_url=url + "/zerokie", rate_limit=False)
        for _ in range(100):
            zerokie.get_app(name=APP)

        def loop() -> None:
            for _ in range(calls):
                zerokie.get_app(name=APP).name

        return median_time(rounds, loop)

    def peer_run(client: Any) -> float:
        """requests.Session and httpx.Client alike: warm up, then the same loop."""
        with client:
            for _ in range(100):
                client.get(app_url, headers=HEADERS).json()

            def loop() -> None:
                for _ in range(calls):
                    response = client.get(app_url, headers=HEADERS)
                    response.raise_for_status()
                    response.json()["name"]

            return median_time(rounds, loop)

    def requests_run() -> float:
        return peer_run(requests.Session())

    def httpx_run() -> float:
        return peer_run(httpx.Client())

    zkit_time = SKIPPED if peers_only else attempt("zkit sync get_app", zkit_run)
    for peer, run in [("requests", requests_run), ("httpx", httpx_run)]:
        peer_time = attempt(f"{peer} get", run)
        goal, limit = GOALS[f"sync-{peer}"]
        table.add(
            f"get_app x{calls}, sequential", us(zkit_time, calls), f"{us(peer_time, calls)} ({peer})",
            ratio(zkit_time, peer_time), goal, meets(quotient(zkit_time, peer_time), limit),
        )


def async_calls(url: str, calls: int, rounds: int, table: Table, peers_only: bool) -> None:
    import aiohttp
    import httpx

    app_url = f"{url}/zerokie/v1/apps/{APP}"

    def zkit_run() -> float:
        import zkit

        async def main() -> float:
            zerokie = zkit.AsyncZerokie(api_key=ZEROKIE_KEY, base_url=url + "/zerokie", rate_limit=False)

            async def one() -> str:
                return (await zerokie.get_app(name=APP)).name

            return await median_bursts(rounds, calls, one)

        return asyncio.run(main())

    def aiohttp_run() -> float:
        async def main() -> float:
            async with aiohttp.ClientSession() as session:

                async def one() -> str:
                    async with session.get(app_url, headers=HEADERS) as response:
                        response.raise_for_status()
                        return (await response.json())["name"]

                return await median_bursts(rounds, calls, one)

        return asyncio.run(main())

    def httpx_run() -> float:
        async def main() -> float:
            async with httpx.AsyncClient() as client:

                async def one() -> str:
                    response = await client.get(app_url, headers=HEADERS)
                    response.raise_for_status()
                    return response.json()["name"]

                return await median_bursts(rounds, calls, one)

        return asyncio.run(main())

    zkit_time = SKIPPED if peers_only else attempt("zkit async get_app", zkit_run)
    for peer, run in [("aiohttp", aiohttp_run), ("httpx.AsyncClient", httpx_run)]:
        peer_time = attempt(f"{peer} get", run)
        goal, limit = GOALS[f"async-{peer}"]
        table.add(
            f"async get_app x{calls}, asyncio.gather", us(zkit_time, calls), f"{us(peer_time, calls)} ({peer})",
            ratio(zkit_time, peer_time), goal, meets(quotient(zkit_time, peer_time), limit),
        )


def list_calls(url: str, rounds: int, table: Table, peers_only: bool) -> None:
    import requests

    list_url = f"{url}/zerokie/v1/apps"

    def zkit_run() -> float:
        import zkit

        zerokie = zkit.Zerokie(api_key=ZEROKIE_KEY, base_url=url + "/zerokie", rate_limit=False)

        def once() -> None:
            names = [app.name for app in zerokie.list_apps()]
            assert len(names) == 10_000

        once()
        return median_time(rounds, once)

    def requests_run() -> float:
        session = requests.Session()

        def once() -> None:
            response = session.get(list_url, headers=HEADERS)
            response.raise_for_status()
            names = [app["name"] for app in json.loads(response.content)]
            assert len(names) == 10_000

        once()
        return median_time(rounds, once)

    zkit_time = SKIPPED if peers_only else attempt("zkit list_apps", zkit_run)
    peer_time = attempt("requests list", requests_run)
    fmt = lambda t: "skipped" if t == SKIPPED else "failed" if t is None else f"{t * 1e3:.1f} ms"  # noqa: E731
    table.add(
        f"list_apps (10,000 apps) reading every name, median of {rounds}", fmt(zkit_time),
        f"{fmt(peer_time)} (requests)", ratio(zkit_time, peer_time), GOALS["list"][0],
        meets(quotient(zkit_time, peer_time), GOALS["list"][1]),
    )


# ---------------------------------------------------------------------------------------------------
# Transfers, one process each


def child(args: argparse.Namespace) -> None:
    """Runs one transfer and prints its figures as JSON."""
    import requests

    url, size = args.url, args.bytes
    upload_url = f"{url}/zerokie/v1/apps/{APP}/files/bench/upload.bin"
    case = args.child
    data = payload(size) if case == "upload-memory" else None
    if args.client == "zkit":
        import zkit

        zerokie = zkit.Zerokie(api_key=ZEROKIE_KEY, base_url=url + "/zerokie", rate_limit=False)
        zyra = zkit.Zyra(api_key=ZYRA_KEY, base_url=url + "/zyra/api/v1", rate_limit=False)
        zerokie.get_app(name=APP)  # the connection and runtime are set up before measuring
    else:
        session = requests.Session()
        session.get(f"{url}/zerokie/v1/apps/{APP}", headers=HEADERS).raise_for_status()

    before = peak_rss_kib()
    started = time.perf_counter()
    received = None
    if case == "upload-memory":
        if args.client == "zkit":
            zerokie.upload_file(name=APP, path="bench/upload.bin", content=data)
        else:
            session.put(upload_url, data=data, headers=HEADERS).raise_for_status()
    elif case == "upload-file":
        if args.client == "zkit":
            zerokie.upload_file(name=APP, path="bench/upload.bin", file=pathlib.Path(args.file))
        else:
            with open(args.file, "rb") as f:
                session.put(upload_url, data=f, headers=HEADERS).raise_for_status()
    else:
        if args.client == "zkit":
            received = len(zyra.download_invoice_pdf(id="inv_1").content)
        else:
            response = session.get(
                f"{url}/zyra/api/v1/invoices/inv_1/pdf", headers={"Authorization": f"Bearer {ZYRA_KEY}"}
            )
            response.raise_for_status()
            received = len(response.content)
    seconds = time.perf_counter() - started
    after = peak_rss_kib()

    if case == "download":
        assert received == size, f"downloaded {received} bytes, not {size}"
    else:
        expected = hashlib.sha256(data if data is not None else pathlib.Path(args.file).read_bytes()).hexdigest()
        last = requests.get(f"{url}/__bench/last-upload").json()
        assert last == {"length": size, "sha256": expected}, f"the server received {last}"
    print(json.dumps({"seconds": seconds, "rss_growth_kib": max(0, after - before)}))


def run_child(url: str, case: str, client: str, size: int, file: str) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", case, "--client", client, "--url", url, "--bytes", str(size)]
    done = subprocess.run([*command, "--file", file], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def transfers(url: str, size: int, rounds: int, table: Table, peers_only: bool) -> None:
    with tempfile.NamedTemporaryFile(prefix="zkit-bench-", suffix=".bin", delete=False) as f:
        f.write(payload(size))
        file = f.name
    label = f"{size // MIB} MiB"
    cases = [
        ("upload-memory", f"upload {label} from memory (put data=bytes)"),
        ("upload-file", f"upload {label} from a file (put data=open file)"),
        ("download", f"download {label} (download_invoice_pdf / .content)"),
    ]
    try:
        for case, figure in cases:
            results: dict[str, tuple[float, float] | str | None] = {}
            for client in ["zkit", "requests"]:
                if client == "zkit" and peers_only:
                    results[client] = "skipped"
                    continue
                try:
                    runs = [run_child(url, case, client, size, file) for _ in range(rounds)]
                    results[client] = (
                        statistics.median(r["seconds"] for r in runs),
                        statistics.median(r["rss_growth_kib"] for r in runs),
                    )
                except Exception as e:  # noqa: BLE001
                    print(f"{figure} with {client}: {e}", file=sys.stderr)
                    results[client] = None
            def cell(result: tuple[float, float] | str | None, text: Callable[[tuple[float, float]], str]) -> str:
                return result if isinstance(result, str) else "failed" if result is None else text(result)

            def both(index: int) -> tuple[float | None, float | None]:
                z, p = results["zkit"], results["requests"]
                return (z[index] if isinstance(z, tuple) else None, p[index] if isinstance(p, tuple) else None)

            z, p = results["zkit"], results["requests"]
            speed = lambda r: f"{size / MIB / r[0]:.0f} MiB/s"  # noqa: E731
            memory = lambda r: f"+{r[1] / 1024:.1f} MiB"  # noqa: E731
            goal, limit = GOALS["transfer"]
            table.add(f"{figure}: throughput", cell(z, speed), f"{cell(p, speed)} (requests)",
                      ratio(*both(0)), goal, meets(quotient(*both(0)), limit))
            zr, pr = both(1)
            goal, limit = rss_goal(case, size)
            table.add(f"{figure}: peak RSS growth", cell(z, memory), f"{cell(p, memory)} (requests)",
                      ratio(zr, pr) if pr is not None and pr >= 1024 else "-", goal,
                      meets(None if zr is None else zr / 1024, limit))
    finally:
        os.unlink(file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the bench server's URL")
    parser.add_argument("--quick", action="store_true", help="fewer iterations, one round of each transfer")
    parser.add_argument("--peers-only", action="store_true", help="measure the peers only (no zkit)")
    parser.add_argument("--bytes", type=int, default=100 * MIB, help="the size of each transfer (the server's --download-bytes)")
    parser.add_argument("--child", choices=["upload-memory", "upload-file", "download"], help=argparse.SUPPRESS)
    parser.add_argument("--client", choices=["zkit", "requests"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = args.url.rstrip("/")
    if args.child:
        child(args)
        return

    calls, concurrent, rounds = (500, 1_000, 1) if args.quick else (2_000, 1_000, 5)
    transfer_rounds = 1 if args.quick else 3
    table = Table()
    sync_calls(url, calls, rounds, table, args.peers_only)
    async_calls(url, concurrent, rounds, table, args.peers_only)
    list_calls(url, 3 if args.quick else 5, table, args.peers_only)
    transfers(url, args.bytes, transfer_rounds, table, args.peers_only)
    table.print(f"Python {sys.version.split()[0]}: zkit vs requests, httpx, aiohttp (time ratio zkit/peer; lower is better; met: the goal is met)")


if __name__ == "__main__":
    main()
