"""The clients themselves: settings from arguments and the environment, input forms, options,
closing, and many calls at once from threads and from asyncio."""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from support import SANDBOX_KEY, Sandbox, contract_operations

import zkit
from zkit import _zkit


def test_settings_from_the_environment(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEROKIE_API_KEY", SANDBOX_KEY)
    monkeypatch.setenv("ZEROKIE_BASE_URL", sandbox.zerokie_url)
    with zkit.Zerokie() as client:
        client.create_app(name="from-env", type="static")
        assert sandbox.zerokie_url in repr(client)

    async def body() -> None:
        async with zkit.AsyncZerokie() as async_client:
            assert [app.name for app in await async_client.list_apps()] == ["from-env"]

    asyncio.run(body())
    # Arguments win over the environment.
    monkeypatch.setenv("ZEROKIE_API_KEY", "zrk_not_a_sandbox_key_0000")
    with zkit.Zerokie(SANDBOX_KEY) as explicit:
        assert len(explicit.list_apps()) == 1


def test_default_base_url_and_repr_without_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZEROKIE_BASE_URL", raising=False)
    client = zkit.Zerokie("zrk_a_key_that_is_long_enough_1234")
    text = repr(client)
    assert text.startswith("<zkit.Zerokie ")
    assert "https://api.platform-dev.zerokie.com" in text
    assert "zrk_a_key_that_is_long_enough_1234" not in text
    async_text = repr(zkit.AsyncZerokie("zrk_a_key_that_is_long_enough_1234"))
    assert async_text.startswith("<zkit.AsyncZerokie ") and "long_enough" not in async_text
    client.close()
    assert "closed" in repr(client)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(zkit.InvalidInputError) as url:
        zkit.Zerokie(SANDBOX_KEY, base_url="not a url")
    assert url.value.field == "base_url"
    with pytest.raises(zkit.InvalidInputError) as timeout:
        zkit.Zerokie(SANDBOX_KEY, timeout=-1)
    assert timeout.value.field == "timeout"
    with pytest.raises(zkit.InvalidInputError) as header:
        zkit.Zerokie("zrk_key\r\nX-Evil: 1")
    assert header.value.field == "api_key"
    assert "X-Evil" not in str(header.value)


def test_with_options_keeps_the_rest(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    other = zerokie.with_options(max_retries=0, timeout=None)
    assert type(other) is zkit.Zerokie and other is not zerokie
    other.create_app(name="shared", type="static")
    assert [app.name for app in zerokie.list_apps()] == ["shared"], "same key, same base URL"
    moved = zerokie.with_options(base_url=f"{sandbox.url}/nowhere")
    with pytest.raises(zkit.NotFoundError):
        moved.list_apps(max_retries=0)


def test_keywords_and_dicts_mix_and_none_means_absent(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    params: zkit.CreateAppParams = {"name": "mixed", "image": "nginx"}
    app = zerokie.create_app(params, max_retries=1)
    assert app.name == "mixed"
    zerokie.create_app(name="nones", image="nginx", port=None, env=None, registry_auth=None)
    body = next(e for e in sandbox.journal() if e["method"] == "POST" and e["body_len"])
    assert body["body_len"] > 0
    zerokie.deploy_app(
        name="nones",
        image="registry.example.com/app:v2",
        registry_auth={"username": "deployer", "password": "s3cret-token", "server_address": "registry.example.com"},
    )
    assert "s3cret-token" not in repr(sandbox.journal())


def test_unknown_names_are_refused_before_sending(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'imgae'"):
        zerokie.create_app(name="typo", imgae="nginx")  # type: ignore[call-overload]
    with pytest.raises(zkit.InvalidInputError) as unknown_key:
        zerokie.create_app({"name": "typo", "imgae": "nginx"})  # type: ignore[call-overload]
    assert unknown_key.value.field == "imgae"
    with pytest.raises(TypeError, match="one dict"):
        zerokie.get_app({"name": "a"}, {"name": "b"})  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="dict of its parameters"):
        zerokie.get_app("my-app")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="unexpected keyword argument 'retries'"):
        zerokie.list_apps(retries=3)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'name'"):
        zerokie.raw("GET", "/v1/apps", name="x")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="json or content"):
        zerokie.raw("POST", "/v1/apps", json={}, content=b"{}")
    assert sandbox.journal() == []


def test_idempotency_key_and_options_reach_the_request(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    zerokie.create_app(name="once", type="static", idempotency_key="create-once-1", rate_limit=False, deadline=30)
    (entry,) = sandbox.journal()
    assert entry["headers"]["idempotency-key"] == "create-once-1"
    assert entry["headers"]["authorization"] == "Bearer zrk_…ffee"


def test_every_operation_of_the_contract_has_typed_methods() -> None:
    operations = contract_operations("zerokie")
    names = [operation["operationId"] for operation in operations]
    assert len(names) == 13
    for name in names:
        for cls in (zkit.Zerokie, zkit.AsyncZerokie):
            method = getattr(cls, name)
            doc = next(op["description"] for op in operations if op["operationId"] == name)
            # The generator wraps long docs at its own width: the words are what must agree.
            assert method.__doc__ and " ".join(method.__doc__.split()).startswith(" ".join(doc.split()))
            assert inspect.iscoroutinefunction(method) is (cls is zkit.AsyncZerokie)


def test_threads_share_one_client(zerokie: zkit.Zerokie) -> None:
    def create(index: int) -> str:
        return zerokie.create_app(name=f"site-{index}", type="static").name

    with ThreadPoolExecutor(max_workers=8) as pool:
        names = list(pool.map(create, range(16)))
    assert sorted(names) == sorted(f"site-{i}" for i in range(16))
    assert len(zerokie.list_apps()) == 16


def test_asyncio_gather_shares_one_client(sandbox: Sandbox) -> None:
    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as client:
            created = await asyncio.gather(*(client.create_app(name=f"site-{i}", type="static") for i in range(16)))
            assert sorted(app.name for app in created) == sorted(f"site-{i}" for i in range(16))
            assert len(await client.list_apps()) == 16

    asyncio.run(body())


def test_a_waiting_call_lets_other_threads_run(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    # The slow call waits 300 ms in the sandbox; while it does, this thread makes a whole call of its
    # own, which it could not if the waiting thread held the GIL.
    sandbox.fault(method="GET", path="/zerokie/v1/apps/slow", kind="delay", delay_ms=300)
    outcome: list[BaseException] = []

    def slow() -> None:
        try:
            zerokie.get_app(name="slow")
        except zkit.NotFoundError as error:
            outcome.append(error)

    waiting = threading.Thread(target=slow)
    waiting.start()
    deadline = time.monotonic() + 5
    while not any(entry["path"].endswith("/slow") for entry in sandbox.journal()):
        assert time.monotonic() < deadline, "the slow request never reached the sandbox"
        time.sleep(0.005)  # until the slow request has reached the sandbox (the journal records arrivals)
    assert zerokie.list_apps() == []
    assert waiting.is_alive(), "the other call finished while the slow one still waited"
    waiting.join()
    assert len(outcome) == 1


def test_a_waiting_call_leaves_the_event_loop_free(sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path="/zerokie/v1/apps/slow", kind="delay", delay_ms=300)

    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as client:
            slow = asyncio.ensure_future(client.get_app(name="slow"))
            assert await client.list_apps() == []
            assert not slow.done(), "the quick call finished after the slow one"
            with pytest.raises(zkit.NotFoundError):
                await slow

    asyncio.run(body())


def test_cancelled_calls_leave_the_client_usable(sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path="/zerokie/v1/apps/slow", kind="delay", delay_ms=300)

    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as client:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.get_app(name="slow"), timeout=0.05)
            assert await client.list_apps() == []

    asyncio.run(body())


def test_many_concurrent_calls_each_get_their_own_result(sandbox: Sandbox) -> None:
    # Results are settled in batches on the loop's thread: each future must still get its own.
    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, rate_limit=False) as client:
            for name in ("a-1", "a-2", "a-3"):
                await client.create_app(name=name, image="nginx:alpine")
            names = [f"a-{i % 4}" for i in range(400)]  # a-0 does not exist
            results = await asyncio.gather(*(client.get_app(name=n) for n in names), return_exceptions=True)
            for name, result in zip(names, results):
                if name == "a-0":
                    assert isinstance(result, zkit.NotFoundError), result
                else:
                    assert isinstance(result, zkit.App) and result.name == name, result

    asyncio.run(body())


def test_cancelling_a_call_aborts_its_native_task(sandbox: Sandbox) -> None:
    sandbox.fault(method="GET", path="/zerokie/v1/apps/slow", kind="delay", delay_ms=2000)

    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as client:
            call = asyncio.ensure_future(client.get_app(name="slow"))
            await asyncio.sleep(0.2)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
        # The task was aborted, not left waiting out the server's 2 s.
        assert _zkit.drain(0.5) == 0

    asyncio.run(body())


def test_the_module_version_is_the_installed_distributions() -> None:
    # The native module's version is Cargo's, and so is the wheel's: one version for every artifact.
    assert zkit.__version__ == importlib.metadata.version("zkit")
    assert zkit.__version__.count(".") == 2
