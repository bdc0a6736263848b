"""Seeing calls from Python: hooks on every attempt, records on the `zkit` logger at the level asked
for (never with a key), `with_raw_response` on every typed method, and Ctrl-C that ends a blocking
call at once."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
import pytest
from support import SANDBOX_KEY, Sandbox

import zkit


def test_hooks_see_every_attempt_redacted(sandbox: Sandbox) -> None:
    requests: list[zkit.RequestInfo] = []
    responses: list[zkit.ResponseInfo] = []
    sandbox.fault(path="/zerokie/v1/apps", kind="status", status=503, retry_after="0")
    sandbox.fault(path="/zerokie/v1/apps", kind="redirect", status=307, location="/zerokie/v1/apps")
    with zkit.Zerokie(
        SANDBOX_KEY, base_url=sandbox.zerokie_url, on_request=requests.append, on_response=responses.append
    ) as zerokie:
        assert zerokie.list_apps() == []
    assert [r.attempt for r in requests] == [1, 2, 2]
    assert [r.status for r in responses] == [503, 307, 200]
    first = requests[0]
    assert (first.api, first.operation, first.method, first.url) == (
        "zerokie",
        "list_apps",
        "GET",
        f"{sandbox.zerokie_url}/v1/apps",
    )
    assert ("authorization", "[redacted]") in first.headers
    assert all(r.request_id and r.duration > 0 and r.error is None for r in responses)
    assert SANDBOX_KEY not in repr(requests) + repr(responses) + str([r.headers for r in requests])


def test_a_hook_that_raises_is_logged_and_the_call_goes_on(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_: zkit.RequestInfo) -> None:
        raise ValueError("hook bug")

    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, on_request=broken) as zerokie:
            assert await zerokie.list_apps() == []

    with caplog.at_level(logging.WARNING, logger="zkit"):
        asyncio.run(body())
    assert any("on_request hook raised" in r.getMessage() and "hook bug" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("bodies", [False, True])
def test_debug_records_go_to_the_zkit_logger(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture, bodies: bool
) -> None:
    with caplog.at_level(logging.DEBUG, logger="zkit"):
        with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, log="debug", log_bodies=bodies) as zerokie:
            zerokie.create_app(name="logged", image="nginx:alpine")
    records = [r for r in caplog.records if r.name == "zkit"]
    messages = [r.getMessage() for r in records]
    assert messages[0].startswith("zkit: create_app POST /v1/apps sending attempt=1"), messages
    assert "status=201" in messages[1] and records[1].levelno == logging.DEBUG
    assert dict(records[1].__dict__["zkit"])["status"] == "201"
    assert any("nginx:alpine" in m for m in messages) == bodies
    assert SANDBOX_KEY not in "".join(messages)


def test_the_logger_level_turns_records_on_and_nothing_logs_by_default(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger("zkit")
    with caplog.at_level(logging.DEBUG, logger="zkit"):
        logger.setLevel(logging.NOTSET)
        with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as quiet:
            quiet.list_apps()
        assert not [r for r in caplog.records if r.name == "zkit"]
        logger.setLevel(logging.INFO)
        sandbox.fault(path="/zerokie/v1/apps", kind="status", status=502, retry_after="0")
        with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as told:
            told.list_apps()
    logger.setLevel(logging.NOTSET)
    messages = [r.getMessage() for r in caplog.records if r.name == "zkit"]
    assert len(messages) == 1 and messages[0].startswith("zkit: retrying list_apps attempt=2"), messages


def run_python(code: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True, timeout=timeout
    )


def test_zkit_log_in_the_environment_prints_redacted_records(sandbox: Sandbox) -> None:
    code = "import zkit; zkit.Zerokie().list_apps()"
    env = {"ZKIT_LOG": "debug", "ZEROKIE_API_KEY": SANDBOX_KEY, "ZEROKIE_BASE_URL": sandbox.zerokie_url}
    done = run_python(code, env)
    assert done.returncode == 0, done.stderr
    assert "DEBUG zkit] zkit: list_apps GET /v1/apps sending attempt=1" in done.stderr, done.stderr
    assert "status=200" in done.stderr and SANDBOX_KEY not in done.stderr + done.stdout


def test_zkit_settings_come_from_the_environment(sandbox: Sandbox) -> None:
    sandbox.fault(path="/zerokie/v1/apps", kind="status", status=503, retry_after="0", times=5)
    code = "import zkit\ntry:\n    zkit.Zerokie().list_apps()\nexcept zkit.ServerError as e:\n    print(e.status)"
    env = {"ZKIT_MAX_RETRIES": "3", "ZEROKIE_API_KEY": SANDBOX_KEY, "ZEROKIE_BASE_URL": sandbox.zerokie_url}
    done = run_python(code, env)
    assert done.stdout.strip() == "503", done.stderr
    assert len(sandbox.journal()) == 4, "ZKIT_MAX_RETRIES=3: one attempt and three retries"
    done = run_python("import zkit; zkit.Zerokie()", {**env, "ZKIT_TIMEOUT": "soon"})
    assert "InvalidInputError" in done.stderr and "ZKIT_TIMEOUT" in done.stderr


def test_with_raw_response_gives_the_typed_result_and_its_facts(sandbox: Sandbox) -> None:
    with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as zerokie:
        created = zerokie.with_raw_response.create_app(name="raw-app", image="nginx:alpine")
        assert created.status == 201 and isinstance(created.data, zkit.App) and created.data.name == "raw-app"
        fetched = zerokie.with_raw_response.get_app({"name": "raw-app"}, max_retries=0)
        assert fetched.status == 200 and fetched.data.name == "raw-app"
        assert fetched.request_id == fetched.headers["x-request-id"] and fetched.attempts == 1
        listed = zerokie.with_raw_response.list_apps()
        assert [app.name for app in listed.data] == ["raw-app"]

    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as zerokie:
            response = await zerokie.with_raw_response.get_app(name="raw-app")
            assert isinstance(response.data, zkit.App) and response.status == 200 and response.request_id

    asyncio.run(body())


def test_ctrl_c_ends_a_blocking_call_at_once(sandbox: Sandbox) -> None:
    sandbox.fault(path="/zerokie/v1/apps", kind="delay", delay_ms=6000)
    code = (
        "import time, zkit\n"
        "client = zkit.Zerokie()\n"
        "print('calling', flush=True)\n"
        "start = time.monotonic()\n"
        "try:\n"
        "    client.list_apps()\n"
        "except KeyboardInterrupt:\n"
        "    print(f'interrupted {time.monotonic() - start:.3f}', flush=True)\n"
    )
    env = {"ZEROKIE_API_KEY": SANDBOX_KEY, "ZEROKIE_BASE_URL": sandbox.zerokie_url}
    child = subprocess.Popen(
        [sys.executable, "-c", code], env={**os.environ, **env}, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "calling"
    time.sleep(0.5)
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    line = child.stdout.readline().strip()
    ended = time.monotonic() - sent
    child.wait(timeout=10)
    assert line.startswith("interrupted"), line
    assert ended < 2.0, f"KeyboardInterrupt came {ended:.2f} s after SIGINT, not within about 100 ms"


def test_errors_carry_the_builtin_bases(sandbox: Sandbox) -> None:
    sandbox.fault(path="/zerokie/v1/apps", kind="delay", delay_ms=1500)
    with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, timeout=0.2, max_retries=0) as zerokie:
        with pytest.raises(TimeoutError) as timed_out:
            zerokie.list_apps()
    assert isinstance(timed_out.value, zkit.TimeoutError) and timed_out.value.kind == "timeout"
    with zkit.Zerokie(SANDBOX_KEY, base_url="http://127.0.0.1:9", max_retries=0) as nowhere:
        with pytest.raises(ConnectionError) as refused:
            nowhere.list_apps()
    assert isinstance(refused.value, zkit.ConnectionError) and refused.value.kind == "connection"
