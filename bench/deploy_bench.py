"""The static-site deploy, timed: zkit's `deploy_site` next to the deploy a user writes by hand with
httpx (the protocol the Zerokie docs describe: take the lock, upload each file, finalize), one file at a
time and 8 at a time with `httpx.AsyncClient`, against the sandbox on 127.0.0.1. A second deploy of the
same folder shows what the manifest saves: zkit uploads nothing, the hand-written deploy everything.

    python bench/deploy_bench.py --sandbox target/release/zkit-sandbox [--files 1000] [--size 2048]

Prints one table: the figure, zkit, the peer, zkit / peer (below 1: zkit is faster). Never run by the
tests; `scripts/bench --only python` runs it after the Python part.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import subprocess
import tempfile
import time
import uuid
from typing import Any

KEY = "zrk_sandbox_0c0ffee0c0ffee0c0ffee0c0ffee"


def start_sandbox(binary: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen([binary, "--port", "0"], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    if not first.startswith("ZKIT_SANDBOX_URL="):
        process.kill()
        raise SystemExit(f"the sandbox did not start: {first}")
    return process, first.split("=", 1)[1]


def write_site(root: pathlib.Path, files: int, size: int) -> list[pathlib.Path]:
    paths = []
    for i in range(files):
        path = root / f"section {i % 10}/part {i % 7}/file {i}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes([i % 251]) * size)
        paths.append(path)
    return paths


def reset(url: str) -> None:
    import httpx

    httpx.post(f"{url}/__sandbox/reset").raise_for_status()
    headers = {"authorization": f"Bearer {KEY}"}
    httpx.post(f"{url}/zerokie/v1/apps", json={"name": "bench", "type": "static"}, headers=headers).raise_for_status()


def by_hand_sequential(url: str, root: pathlib.Path, paths: list[pathlib.Path]) -> None:
    import httpx

    base = f"{url}/zerokie/v1/apps/bench"
    session = str(uuid.uuid4())
    with httpx.Client(headers={"authorization": f"Bearer {KEY}"}) as client:
        client.post(f"{base}/deploy/lock", json={"deploy_session_id": session}).raise_for_status()
        total = 0
        for path in paths:
            body = path.read_bytes()
            total += len(body)
            client.put(f"{base}/files/{path.relative_to(root).as_posix()}", content=body).raise_for_status()
        summary = {"deploy_session_id": session, "files_uploaded": len(paths), "files_deleted": 0, "total_bytes": total}
        client.post(f"{base}/deploy/finalize", json=summary).raise_for_status()


async def by_hand_concurrent(url: str, root: pathlib.Path, paths: list[pathlib.Path], width: int) -> None:
    import httpx

    base = f"{url}/zerokie/v1/apps/bench"
    session = str(uuid.uuid4())
    limits = httpx.Limits(max_connections=width)
    async with httpx.AsyncClient(headers={"authorization": f"Bearer {KEY}"}, limits=limits) as client:
        (await client.post(f"{base}/deploy/lock", json={"deploy_session_id": session})).raise_for_status()
        gate = asyncio.Semaphore(width)

        async def put(path: pathlib.Path) -> int:
            body = path.read_bytes()
            async with gate:
                response = await client.put(f"{base}/files/{path.relative_to(root).as_posix()}", content=body)
            response.raise_for_status()
            return len(body)

        total = sum(await asyncio.gather(*(put(path) for path in paths)))
        summary = {"deploy_session_id": session, "files_uploaded": len(paths), "files_deleted": 0, "total_bytes": total}
        (await client.post(f"{base}/deploy/finalize", json=summary)).raise_for_status()


def timed(run: Any) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sandbox", default="target/release/zkit-sandbox")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import httpx

    import zkit

    process, url = start_sandbox(args.sandbox)
    try:
        with tempfile.TemporaryDirectory() as folder:
            root = pathlib.Path(folder)
            paths = write_site(root, args.files, args.size)
            zerokie = zkit.Zerokie(KEY, base_url=f"{url}/zerokie")
            first: dict[str, list[float]] = {"zkit": [], "seq": [], "conc": [], "zkit again": [], "conc again": []}
            for _ in range(args.rounds):
                reset(url)
                first["zkit"].append(timed(lambda: zerokie.deploy_site("bench", root)))
                first["zkit again"].append(timed(lambda: zerokie.deploy_site("bench", root)))
                reset(url)
                first["seq"].append(timed(lambda: by_hand_sequential(url, root, paths)))
                reset(url)
                first["conc"].append(timed(lambda: asyncio.run(by_hand_concurrent(url, root, paths, 8))))
                first["conc again"].append(timed(lambda: asyncio.run(by_hand_concurrent(url, root, paths, 8))))
    finally:
        process.terminate()
        process.wait()

    figure = f"{args.files} files of {args.size} B"
    rows = [
        (f"first deploy, {figure}", "zkit", "httpx, one at a time", median(first["zkit"]), median(first["seq"])),
        (f"first deploy, {figure}", "zkit", "httpx.AsyncClient, 8 at a time", median(first["zkit"]), median(first["conc"])),
        (f"deploy again, unchanged", "zkit", "httpx.AsyncClient, 8 at a time", median(first["zkit again"]), median(first["conc again"])),
    ]
    print(f"httpx {httpx.__version__}, zkit {zkit.__version__}; median of {args.rounds} rounds; sandbox at {url}")
    print(f"| figure | zkit deploy_site | peer | peer time | zkit / peer |")
    print("|---|---|---|---|---|")
    for name, _, peer, ours, theirs in rows:
        print(f"| {name} | {ours * 1000:.0f} ms | {peer} | {theirs * 1000:.0f} ms | {ours / theirs:.2f} |")


if __name__ == "__main__":
    main()
