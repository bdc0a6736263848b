"""The limiter's budgets in a real Redis server: two clients that share nothing but the store and a key
send no more than the endpoint's 30 reads a minute together; a store that cannot be reached never fails
a call; its URL never shows."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from support import Sandbox

import zkit

ORG = "org_sandbox"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A `redis-server` of its own on 127.0.0.1 (Debian's package; scripts/test installs it)."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: scripts/test installs it")
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


def client(sandbox: Sandbox, store: str) -> zkit.Zyra:
    key = sandbox.api("zyra")["credentials"]["admin_key"]
    return zkit.Zyra(key, base_url=sandbox.base_url("zyra"), rate_limit_store=store, max_retries=0)


def test_two_clients_share_one_budget_through_the_store(sandbox: Sandbox, redis_url: str) -> None:
    with client(sandbox, redis_url) as first, client(sandbox, redis_url) as second:
        for _ in range(20):
            first.get_organization(id=ORG)
        for _ in range(10):
            second.get_organization(id=ORG)
        # Each client alone has spent less than 30; together they have spent the minute's 30.
        with pytest.raises(zkit.RateLimitError) as held:
            second.get_organization(id=ORG, deadline=2)
        assert held.value.status is None
    assert [entry["status"] for entry in sandbox.journal()] == [200] * 30


def test_a_store_that_cannot_be_reached_never_fails_a_call_and_never_shows(sandbox: Sandbox) -> None:
    store = f"redis://:s3cret@127.0.0.1:{free_port()}"
    with client(sandbox, store) as zyra:
        for _ in range(3):
            assert zyra.get_organization(id=ORG).id == ORG
        assert "s3cret" not in repr(zyra) and "s3cret" not in repr(zyra.with_options(max_retries=1))
    with pytest.raises(zkit.InvalidInputError) as refused:
        client(sandbox, "http://127.0.0.1:6379")
    assert refused.value.field == "rate_limit_store"
