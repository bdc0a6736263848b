"""Bytes over HTTP against the sandbox (the Python twin of core/tests/data_path.rs): uploads from
memory, from bytes-like objects and streamed from a file arrive byte for byte, downloads come back
whole, bad content and missing files are refused by name before anything is sent, and a 100 MiB
upload costs memory of the order of the file, not of one JSON number per byte."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from support import SANDBOX_KEY, Sandbox

import zkit

MIB = 1024 * 1024


def pattern(length: int) -> bytes:
    """Bytes that differ from offset to offset, so a shifted or repeated chunk cannot pass."""
    return hashlib.shake_256(b"zkit").digest(length)


def stored(sandbox: Sandbox, app: str, path: str) -> tuple[int, str]:
    digest = sandbox.control("GET", f"zerokie/apps/{app}/files/{path}")
    return digest["length"], digest["sha256"]


@pytest.fixture
def site(zerokie: zkit.Zerokie) -> zkit.Zerokie:
    zerokie.create_app(name="my-site", type="static")
    return zerokie


def test_a_20_mib_upload_from_memory_and_from_a_file_arrives_byte_for_byte(
    site: zkit.Zerokie, sandbox: Sandbox, tmp_path: Path
) -> None:
    content = pattern(20 * MIB)
    expected = (len(content), hashlib.sha256(content).hexdigest())
    site.upload_file(name="my-site", path="memory.bin", content=content)
    assert stored(sandbox, "my-site", "memory.bin") == expected

    file = tmp_path / "clip.mp4"
    file.write_bytes(content)
    site.upload_file(name="my-site", path="video/clip.mp4", file=file)  # a pathlib.Path
    assert stored(sandbox, "my-site", "video/clip.mp4") == expected
    site.upload_file(name="my-site", path="video/again.mp4", file=str(file))  # or a str
    assert stored(sandbox, "my-site", "video/again.mp4") == expected

    # The sandbox's read-back route answers the stored bytes: a download through a raw call.
    back = site.raw("GET", "/v1/apps/my-site/files/video/clip.mp4")
    assert isinstance(back.body, bytes) and back.body == content


def test_bytearray_memoryview_and_text_are_content(site: zkit.Zerokie, sandbox: Sandbox) -> None:
    content = pattern(MIB + 3)
    site.upload_file(name="my-site", path="a.bin", content=bytearray(content))
    site.upload_file(name="my-site", path="b.bin", content=memoryview(content)[1:])
    site.upload_file(name="my-site", path="c.txt", content="héllo")
    assert stored(sandbox, "my-site", "a.bin") == (len(content), hashlib.sha256(content).hexdigest())
    assert stored(sandbox, "my-site", "b.bin") == (len(content) - 1, hashlib.sha256(content[1:]).hexdigest())
    assert stored(sandbox, "my-site", "c.txt")[0] == len("héllo".encode())


def test_async_uploads_take_bytes_and_files(sandbox: Sandbox, tmp_path: Path) -> None:
    import asyncio

    content = pattern(2 * MIB)
    file = tmp_path / "site.css"
    file.write_bytes(content)

    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as zerokie:
            await zerokie.create_app(name="my-site", type="static")
            await zerokie.upload_file(name="my-site", path="mem.css", content=memoryview(content))
            await zerokie.upload_file(name="my-site", path="disk.css", file=file)

    asyncio.run(body())
    digest = hashlib.sha256(content).hexdigest()
    assert stored(sandbox, "my-site", "mem.css") == (len(content), digest)
    assert stored(sandbox, "my-site", "disk.css") == (len(content), digest)


@pytest.mark.parametrize("content", [123, [1, 2, 3], {"a": 1}, 1.5])
def test_content_that_is_not_bytes_is_refused_by_name(site: zkit.Zerokie, sandbox: Sandbox, content: Any) -> None:
    before = len(sandbox.journal())
    with pytest.raises(zkit.InvalidInputError) as refused:
        site.upload_file(name="my-site", path="x.bin", content=content)
    assert refused.value.field == "content"
    assert len(sandbox.journal()) == before, "nothing was sent"


def test_a_missing_file_is_refused_before_anything_is_sent(
    site: zkit.Zerokie, sandbox: Sandbox, tmp_path: Path
) -> None:
    before = len(sandbox.journal())
    missing = tmp_path / "no-such-file.bin"
    with pytest.raises(zkit.InvalidInputError) as refused:
        site.upload_file(name="my-site", path="x.bin", file=missing)
    assert refused.value.field == "file"
    assert "no-such-file.bin" in refused.value.message
    with pytest.raises(zkit.InvalidInputError) as both:
        site.upload_file(name="my-site", path="x.bin", content=b"x", file=missing)
    assert both.value.field == "file"
    assert len(sandbox.journal()) == before, "nothing was sent"


def test_a_download_arrives_as_bytes(sandbox: Sandbox) -> None:
    key = sandbox.api("zyra")["credentials"]["admin_key"]
    with zkit.Zyra(key, base_url=sandbox.base_url("zyra"), rate_limit=False) as client:
        invoice = client.list_invoices().items[0]
        pdf = client.download_invoice_pdf(id=invoice.id)
        raw = client.raw("GET", f"/invoices/{invoice.id}/pdf")
    assert isinstance(pdf.content, bytes) and pdf.content.startswith(b"%PDF-")
    assert pdf.content == raw.body, "the typed download and the raw body are the same bytes"
    assert pdf.content_type == "application/pdf"


def test_a_body_that_is_not_json_is_a_decode_error_with_its_status(site: zkit.Zerokie, sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path="/zerokie/v1/apps/my-site", kind="malformed")
    with pytest.raises(zkit.DecodeError) as broken:
        site.get_app(name="my-site")
    assert broken.value.status == 200


# Peak memory of an upload, measured in a fresh interpreter: its high-water mark after the upload less
# the mark before it (the content already in memory for an upload from memory).
MEASURE = textwrap.dedent(
    """
    import json, os, sys
    import zkit

    def peak_kib():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])

    url, source, path = sys.argv[1], sys.argv[2], sys.argv[3]
    client = zkit.Zerokie(sys.argv[4], base_url=url, rate_limit=False)
    client.list_apps()  # the runtime and a connection are warm
    content = open(path, "rb").read() if source == "memory" else None
    before = peak_kib()
    if content is None:
        client.upload_file(name="my-site", path="big.bin", file=path)
    else:
        client.upload_file(name="my-site", path="big.bin", content=content)
    print(json.dumps({"growth_kib": peak_kib() - before}))
    """
)


@pytest.mark.parametrize("source", ["memory", "file"])
def test_a_100_mib_upload_keeps_memory_bounded(
    site: zkit.Zerokie, sandbox: Sandbox, tmp_path: Path, source: str
) -> None:
    size = 100 * MIB
    file = tmp_path / "big.bin"
    with open(file, "wb") as out:
        chunk = pattern(MIB)
        for _ in range(size // MIB):
            out.write(chunk)
    ran = subprocess.run(
        [sys.executable, "-c", MEASURE, sandbox.zerokie_url, source, str(file), SANDBOX_KEY],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert ran.returncode == 0, ran.stderr
    growth = json.loads(ran.stdout)["growth_kib"] * 1024
    assert stored(sandbox, "my-site", "big.bin")[0] == size
    # Generous bounds: a regression to one JSON number per byte grows by gigabytes.
    bound = 3 * size if source == "memory" else 64 * MIB
    assert growth < bound, f"peak grew by {growth / MIB:.1f} MiB uploading 100 MiB from {source}"
