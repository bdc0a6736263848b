"""Fixtures: one sandbox process per session, reset before each test that uses it, and clients on it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from support import SANDBOX_KEY, AwaitableSync, Sandbox

import zkit


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[Sandbox]:
    sandbox = Sandbox()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def sandbox(sandbox_process: Sandbox) -> Sandbox:
    """The sandbox, fresh: state, journal, faults and clock reset."""
    sandbox_process.reset()
    return sandbox_process


@pytest.fixture
def zerokie(sandbox: Sandbox) -> Iterator[zkit.Zerokie]:
    """A sync client on the sandbox, with a fixed jitter seed."""
    with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, jitter_seed=7) as client:
        yield client


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[Any]:
    """The sync client (its calls wrapped as coroutines) or the async client: test bodies `await` the
    calls and run under asyncio.run, so each body checks both clients."""
    if request.param == "sync":
        sync = zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, jitter_seed=7)
        yield AwaitableSync(sync)
        sync.close()
    else:
        client = zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, jitter_seed=7)
        yield client
        asyncio.run(client.close())


def both_clients(
    request: pytest.FixtureRequest, sync_class: Any, async_class: Any, **settings: Any
) -> Iterator[Any]:
    """The sync client (its calls as coroutines) or the async one, per the fixture's param."""
    if request.param == "sync":
        sync = sync_class(jitter_seed=7, **settings)
        yield AwaitableSync(sync)
        sync.close()
    else:
        client = async_class(jitter_seed=7, **settings)
        yield client
        asyncio.run(client.close())


@pytest.fixture(params=["sync", "async"])
def zenifra(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[Any]:
    """A Zenifra client (sync or async) with the sandbox's organization key and organization id."""
    credentials = sandbox.api("zenifra")["credentials"]
    yield from both_clients(
        request,
        zkit.Zenifra,
        zkit.AsyncZenifra,
        api_key=credentials["organization_key"],
        organization_id=credentials["organization_id"],
        base_url=sandbox.base_url("zenifra"),
    )


@pytest.fixture(params=["sync", "async"])
def zenovay(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[Any]:
    """A Zenovay client (sync or async) with the sandbox's full-access personal token."""
    yield from both_clients(
        request,
        zkit.Zenovay,
        zkit.AsyncZenovay,
        api_key=sandbox.api("zenovay")["api_key"],
        base_url=sandbox.base_url("zenovay"),
    )


@pytest.fixture(params=["sync", "async"])
def zyra(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[Any]:
    """A Zyra client (sync or async) with the sandbox's Org Admin key."""
    yield from both_clients(
        request,
        zkit.Zyra,
        zkit.AsyncZyra,
        api_key=sandbox.api("zyra")["credentials"]["admin_key"],
        base_url=sandbox.base_url("zyra"),
    )
