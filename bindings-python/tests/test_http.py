"""HTTP as servers speak it, from Python: compressed answers decoded, redirects followed by the rules
browsers follow (credentials dropped when leaving the origin, a bounded chain, RedirectError for the
rest), a proxy from the settings or the environment, and a private authority trusted through
`ca_bundle` only."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import SANDBOX_KEY, Relay, Sandbox

import zkit


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compressed_answers_are_decoded(sandbox: Sandbox, zerokie: zkit.Zerokie, encoding: str) -> None:
    zerokie.create_app(name="packed", image="nginx:alpine")
    sandbox.fault(path="/zerokie/v1/apps/packed", kind="encode", encoding=encoding, times=2)
    assert zerokie.get_app(name="packed").name == "packed"
    assert zerokie.raw("GET", "/v1/apps/packed").json()["name"] == "packed"
    journal = sandbox.journal()
    assert [e["fault"] for e in journal[-2:]] == ["encode", "encode"]
    assert encoding in journal[-1]["headers"]["accept-encoding"]


@pytest.mark.parametrize("status", [307, 308])
def test_temporary_redirects_repeat_the_method_and_body(sandbox: Sandbox, status: int) -> None:
    sandbox.fault(method="POST", path="/zerokie/v1/apps", kind="redirect", status=status, location="/zerokie/v1/apps")

    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as zerokie:
            assert (await zerokie.create_app(name="moved", image="nginx:alpine")).name == "moved"

    asyncio.run(body())
    posts = [e for e in sandbox.journal() if e["method"] == "POST"]
    assert [e["status"] for e in posts] == [status, 201]
    assert posts[0]["body_len"] == posts[1]["body_len"] > 0


def test_see_other_follows_with_a_get_and_other_origins_get_no_key(
    sandbox: Sandbox, zerokie: zkit.Zerokie
) -> None:
    zerokie.create_app(name="target", image="nginx:alpine")
    sandbox.fault(method="POST", path="/zerokie/v1/apps", kind="redirect", status=303, location="apps/target")
    assert zerokie.raw("POST", "/v1/apps", json={"name": "never"}).json()["name"] == "target"
    assert sandbox.journal()[-1]["method"] == "GET" and sandbox.journal()[-1]["body_len"] == 0
    port = urlsplit(sandbox.url).port
    other = f"http://localhost:{port}/zerokie/v1/apps"
    sandbox.fault(path="/zerokie/v1/apps", kind="redirect", status=302, location=other)
    with pytest.raises(zkit.AuthenticationError):
        zerokie.list_apps()
    followed = sandbox.journal()[-1]
    assert followed["headers"]["host"].startswith("localhost:") and "authorization" not in followed["headers"]


def test_redirects_not_followed_raise_redirect_error(sandbox: Sandbox, zerokie: zkit.Zerokie) -> None:
    sandbox.fault(path="/zerokie/v1/apps", kind="redirect", status=302, location="/zerokie/v1/apps", times=20)
    with pytest.raises(zkit.RedirectError) as looped:
        zerokie.list_apps()
    assert (looped.value.kind, looped.value.status, looped.value.retryable) == ("redirect", 302, False)
    assert "10 redirects" in looped.value.message
    sandbox.reset()
    sandbox.fault(path="/zerokie/v1/apps", kind="status", status=304)
    with pytest.raises(zkit.RedirectError) as not_modified:
        zerokie.raw("GET", "/v1/apps")
    assert not_modified.value.status == 304


@pytest.fixture
def relay(sandbox: Sandbox) -> Iterator[Relay]:
    parts = urlsplit(sandbox.url)
    proxy = Relay((parts.hostname or "127.0.0.1", parts.port or 80))
    yield proxy
    proxy.close()


def test_a_proxy_setting_carries_the_calls(sandbox: Sandbox, relay: Relay) -> None:
    with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, proxy=relay.url) as zerokie:
        assert zerokie.list_apps() == []
        assert "proxy" not in repr(zerokie) or relay.url not in repr(zerokie.with_options(max_retries=1))
    assert relay.request_lines() == [f"GET {sandbox.zerokie_url}/v1/apps HTTP/1.1"]
    with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as direct:
        direct.list_apps()
    assert len(relay.request_lines()) == 1
    with pytest.raises(zkit.InvalidInputError) as refused:
        zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url, proxy="socks5://127.0.0.1:1080")
    assert refused.value.field == "proxy"


def test_the_proxy_variables_are_honoured(sandbox: Sandbox, relay: Relay) -> None:
    code = "import zkit; print(zkit.Zerokie().list_apps())"
    env = {
        **os.environ,
        "HTTP_PROXY": relay.url,
        "ZEROKIE_API_KEY": SANDBOX_KEY,
        "ZEROKIE_BASE_URL": sandbox.zerokie_url,
    }
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
    assert relay.request_lines() == [f"GET {sandbox.zerokie_url}/v1/apps HTTP/1.1"]


def test_a_private_authority_is_trusted_only_through_ca_bundle() -> None:
    tls = Sandbox(tls=True)
    try:
        assert tls.url.startswith("https://") and tls.ca_file is not None
        base_url = f"{tls.url}/zerokie"
        with zkit.Zerokie(SANDBOX_KEY, base_url=base_url, max_retries=0) as untrusting:
            with pytest.raises(zkit.ConnectionError) as refused:
                untrusting.list_apps()
        assert "certificate" in refused.value.message.lower()
        with zkit.Zerokie(SANDBOX_KEY, base_url=base_url, ca_bundle=Path(tls.ca_file)) as by_path:
            assert by_path.list_apps() == []
        pem = Path(tls.ca_file).read_bytes()
        with zkit.Zerokie(SANDBOX_KEY, base_url=base_url, ca_bundle=pem) as by_bytes:
            assert by_bytes.list_apps() == []
        with pytest.raises(zkit.InvalidInputError) as bad:
            zkit.Zerokie(SANDBOX_KEY, base_url=base_url, ca_bundle=b"not a certificate")
        assert bad.value.field == "ca_bundle"
    finally:
        tls.stop()
