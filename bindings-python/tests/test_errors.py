"""Every kind of failure as its exception class, with status, message and request id; retries and
Retry-After; time limits per call and per client."""

from __future__ import annotations

import asyncio
import pickle
import socket
from typing import Any

import pytest
from support import SANDBOX_KEY, Sandbox

import zkit
from zkit._error_base import _from_native

APPS = "/zerokie/v1/apps"

STATUSES = [
    (400, zkit.BadRequestError, "bad_request", False),
    (401, zkit.AuthenticationError, "unauthorized", False),
    (402, zkit.PaymentRequiredError, "payment_required", False),
    (403, zkit.PermissionDeniedError, "forbidden", False),
    (404, zkit.NotFoundError, "not_found", False),
    (409, zkit.ConflictError, "conflict", False),
    (429, zkit.RateLimitError, "rate_limited", True),
    (500, zkit.ServerError, "server", True),
    (502, zkit.UpstreamError, "upstream", True),
    (503, zkit.ServerError, "server", True),
]


@pytest.mark.parametrize(("status", "cls", "kind", "retryable"), STATUSES, ids=[str(s[0]) for s in STATUSES])
def test_every_status_raises_its_class(
    api: Any, sandbox: Sandbox, status: int, cls: type[zkit.ZkitError], kind: str, retryable: bool
) -> None:
    sandbox.fault(method="GET", path=APPS, status=status, body={"error": f"refused with {status}"})

    async def body() -> zkit.ZkitError:
        with pytest.raises(cls) as raised:
            await api.list_apps(max_retries=0)
        return raised.value

    error = asyncio.run(body())
    assert type(error) is cls
    assert isinstance(error, zkit.ZkitError)
    assert (error.kind, error.status, error.message) == (kind, status, f"refused with {status}")
    assert error.request_id is not None and error.request_id.startswith("req_")
    assert error.retryable is retryable
    assert (error.field, error.code) == (None, None)
    assert repr(error) == f"{cls.__name__}({status}): refused with {status} [request id {error.request_id}]"
    assert str(error) == f"({status}) refused with {status} [request id {error.request_id}]"
    assert len(sandbox.journal()) == 1, "max_retries=0 makes one attempt"


def test_real_failures_of_the_sandbox(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    zerokie.create_app(name="api", image="nginx")
    cases: list[tuple[Any, type[zkit.ZkitError], int, str]] = [
        (lambda: zerokie.list_files(name="api"), zkit.BadRequestError, 400, "app is not a static app"),
        (lambda: zerokie.get_app(name="nowhere"), zkit.NotFoundError, 404, "app not found"),
        (lambda: zerokie.create_app(name="api", image="nginx"), zkit.ConflictError, 409, "app name already exists"),
    ]
    for call, cls, status, message in cases:
        with pytest.raises(cls) as raised:
            call()
        assert (raised.value.status, raised.value.message) == (status, message)
        assert raised.value.request_id is not None
    with zkit.Zerokie("zrk_not_a_sandbox_key_0000", base_url=sandbox.zerokie_url) as stranger:
        with pytest.raises(zkit.AuthenticationError) as unauthorized:
            stranger.list_apps()
    assert (unauthorized.value.status, unauthorized.value.message) == (401, "missing or invalid API key")


def test_upstream_is_a_server_error(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path=APPS, status=502, body={"error": "CDN failure"})
    with pytest.raises(zkit.ServerError) as raised:
        zerokie.list_apps(max_retries=0)
    assert isinstance(raised.value, zkit.UpstreamError)
    assert (raised.value.kind, raised.value.message) == ("upstream", "CDN failure")


def test_rate_limited_beyond_sixty_seconds_carries_retry_after(api: Any, sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path=APPS, status=429, retry_after="3600")

    async def body() -> zkit.ZkitError:
        with pytest.raises(zkit.RateLimitError) as raised:
            await api.list_apps()
        return raised.value

    error = asyncio.run(body())
    assert (error.kind, error.status, error.retry_after, error.retryable) == ("rate_limited", 429, 3600.0, True)
    assert len(sandbox.journal()) == 1, "a wait past 60 s is not waited for"


def test_retry_after_is_honoured_and_the_retry_succeeds(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path=APPS, status=429, retry_after="1")
    response = zerokie.call_json("list_apps")
    assert (response.data, response.attempts) == ([], 2)
    assert [entry["status"] for entry in sandbox.journal()] == [429, 200]


def test_max_retries_per_call_and_per_client(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path=APPS, status=503, times=2)
    with pytest.raises(zkit.ServerError):
        zerokie.list_apps(max_retries=0)
    assert len(sandbox.journal()) == 1
    with zerokie.with_options(max_retries=0) as once:
        with pytest.raises(zkit.ServerError):
            once.list_apps()
    assert len(sandbox.journal()) == 2
    assert zerokie.list_apps() == [], "the fault is spent; the first client still retries"


def test_timeout_per_call(api: Any, sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path=APPS, kind="delay", delay_ms=1000)

    async def body() -> zkit.ZkitError:
        with pytest.raises(zkit.TimeoutError) as raised:
            await api.list_apps(timeout=0.1, max_retries=0)
        return raised.value

    error = asyncio.run(body())
    assert (error.kind, error.status, error.retryable) == ("timeout", None, True)
    assert error.message


def test_deadline_per_call_and_timeout_per_client(sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path=APPS, kind="delay", delay_ms=1000, times=2)
    with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, timeout=None, deadline=None) as client:
        with pytest.raises(zkit.TimeoutError):
            client.list_apps(deadline=0.1)
    with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, timeout=0.1, max_retries=0) as impatient:
        with pytest.raises(zkit.TimeoutError):
            impatient.list_apps()


def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    client = zkit.Zerokie(SANDBOX_KEY, base_url=f"http://127.0.0.1:{port}/zerokie", max_retries=0)
    with pytest.raises(zkit.ConnectionError) as raised:
        client.list_apps()
    assert (raised.value.kind, raised.value.status, raised.value.retryable) == ("connection", None, True)

    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=f"http://127.0.0.1:{port}/zerokie") as closed_port:
            with pytest.raises(zkit.ConnectionError):
                await closed_port.list_apps(max_retries=0)

    asyncio.run(body())


def test_malformed_body_is_a_decode_error(api: Any, sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path=APPS, kind="malformed")

    async def body() -> zkit.ZkitError:
        with pytest.raises(zkit.DecodeError) as raised:
            await api.list_apps()
        return raised.value

    error = asyncio.run(body())
    assert (error.kind, error.status, error.retryable) == ("decode", 200, False)
    assert error.message.startswith("response body: ")
    assert len(sandbox.journal()) == 1, "a body that cannot be read is not retried"


def test_invalid_input_names_the_field(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    with pytest.raises(zkit.InvalidInputError) as raised:
        zerokie.add_domain(name="my-site", domain="example.com")
    error = raised.value
    assert (error.kind, error.field, error.status, error.request_id) == ("invalid_input", "domain", None, None)
    assert error.message.startswith("domain: ")
    assert repr(error) == f"InvalidInputError: {error.message}"
    assert sandbox.journal() == []


def test_missing_key_is_invalid_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZEROKIE_API_KEY", raising=False)
    with pytest.raises(zkit.InvalidInputError) as raised:
        zkit.Zerokie()
    assert raised.value.field == "api_key"
    with pytest.raises(zkit.InvalidInputError) as empty:
        zkit.AsyncZerokie("")
    assert empty.value.field == "api_key"


def test_closed_client(sandbox: Sandbox) -> None:
    with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as client:
        assert client.list_apps() == []
    with pytest.raises(zkit.ZkitError) as closed:
        client.list_apps()
    assert type(closed.value) is zkit.ZkitError
    assert closed.value.kind == "closed"

    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as async_client:
            assert await async_client.list_apps() == []
        with pytest.raises(zkit.ZkitError) as async_closed:
            await async_client.list_apps()
        assert async_closed.value.kind == "closed"

    asyncio.run(body())


def test_native_kinds_map_to_classes() -> None:
    kinds = {
        "bad_request": zkit.BadRequestError,
        "unauthorized": zkit.AuthenticationError,
        "payment_required": zkit.PaymentRequiredError,
        "forbidden": zkit.PermissionDeniedError,
        "not_found": zkit.NotFoundError,
        "conflict": zkit.ConflictError,
        "rate_limited": zkit.RateLimitError,
        "server": zkit.ServerError,
        "upstream": zkit.UpstreamError,
        "timeout": zkit.TimeoutError,
        "connection": zkit.ConnectionError,
        "decode": zkit.DecodeError,
        "invalid_input": zkit.InvalidInputError,
        "closed": zkit.ZkitError,
        "internal": zkit.ZkitError,
        "a_kind_from_the_future": zkit.ZkitError,
    }
    for kind, cls in kinds.items():
        error = _from_native(
            kind=kind,
            message="m",
            status=None,
            code="c",
            request_id="req_1",
            details={"a": [1]},
            retry_after=1.5,
            field="f",
            retryable=True,
        )
        assert type(error) is cls and isinstance(error, zkit.ZkitError)
        assert (error.kind, error.code, error.details, error.retry_after, error.field) == (kind, "c", {"a": [1]}, 1.5, "f")
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is cls
        assert (copy.kind, copy.message, copy.request_id, copy.details) == (kind, "m", "req_1", {"a": [1]})
    assert issubclass(zkit.UpstreamError, zkit.ServerError)
    assert not issubclass(zkit.TimeoutError, zkit.ConnectionError)
