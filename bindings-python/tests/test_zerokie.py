"""Every Zerokie operation through the sync and the async client, over HTTP against the sandbox
(the Python twin of core/tests/zerokie.rs)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from support import SANDBOX_KEY, Sandbox

import zkit


def test_container_app_lifecycle(api: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        created = await api.create_app(
            name="my-app", image="nginx:alpine", port=80, env={"NODE_ENV": "production"}
        )
        assert isinstance(created, zkit.App)
        assert created.name == "my-app"
        assert created.image == "nginx:alpine"
        assert created.port == 80
        assert created.status == "deploying"
        assert created.url == "https://my-app.platform-dev.zerokie.com"

        with pytest.raises(zkit.ConflictError) as duplicate:
            await api.create_app({"name": "my-app", "image": "nginx:alpine"})
        assert (duplicate.value.kind, duplicate.value.status) == ("conflict", 409)
        assert duplicate.value.message == "app name already exists"

        sandbox.advance_clock(10)
        fetched = await api.get_app(name="my-app")
        assert fetched.status == "running"
        assert (fetched.instances, fetched.cpu, fetched.memory) == (1, 256, 512)
        assert fetched.created_at is not None and fetched.updated_at is not None

        deploy = await api.deploy_app(name="my-app", image="nginx:1.27")
        assert isinstance(deploy, zkit.Deploy)
        assert (deploy.image, deploy.status) == ("nginx:1.27", "deploying")
        redeploy = await api.deploy_app({"name": "my-app"})
        assert redeploy.image == "nginx:1.27", "no image re-pulls the current one"

        listed = await api.list_apps()
        assert [app.name for app in listed] == ["my-app"]
        assert all(isinstance(app, zkit.App) for app in listed)

        assert await api.delete_app(name="my-app") is None
        with pytest.raises(zkit.NotFoundError) as gone:
            await api.get_app(name="my-app")
        assert (gone.value.kind, gone.value.status, gone.value.message) == ("not_found", 404, "app not found")
        assert gone.value.request_id is not None and gone.value.request_id.startswith("req_")
        with pytest.raises(zkit.NotFoundError):
            await api.delete_app({"name": "my-app"})

    asyncio.run(body())


def test_static_site_deploy_with_lock_files_and_finalize(api: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        site = await api.create_app(name="my-site", type="static")
        assert (site.type, site.image) == ("static", None)

        session = zkit.new_deploy_session_id()
        lock = await api.acquire_deploy_lock(name="my-site", deploy_session_id=session)
        assert isinstance(lock, zkit.DeployLock)
        assert lock.locked is True
        assert lock.deploy_session_id == session
        assert "expires_at" in lock.extra, "fields zkit does not model are kept"
        assert lock["expires_at"] == lock.extra["expires_at"]
        with pytest.raises(zkit.ConflictError) as rival:
            await api.acquire_deploy_lock(name="my-site", deploy_session_id=zkit.new_deploy_session_id())
        assert rival.value.status == 409

        await api.upload_file(name="my-site", path="index.html", content=b"<h1>hi</h1>")
        await api.upload_file({"name": "my-site", "path": "assets/site v2.css", "content": "h1{}"})
        await api.upload_file(name="my-site", path="old.txt", content=bytearray(b"bye"))
        assert await api.delete_file(name="my-site", path="old.txt") is None
        with pytest.raises(zkit.NotFoundError):
            await api.delete_file({"name": "my-site", "path": "old.txt"})

        files = await api.list_files(name="my-site")
        assert [(f.path, f.length) for f in files] == [("assets/site v2.css", 4), ("index.html", 11)]
        assert all(isinstance(f, zkit.FileEntry) and f.last_modified for f in files)
        assert files[0]["lastModified"] == files[0].last_modified, "wire names stay reachable"

        # The upload went out as raw bytes with a Content-Type from the extension.
        css = next(e for e in sandbox.journal() if e["method"] == "PUT" and e["path"].endswith(".css"))
        assert css["path"] == "/zerokie/v1/apps/my-site/files/assets/site%20v2.css"
        assert css["headers"]["content-type"] == "text/css; charset=utf-8"
        assert css["body_len"] == 4

        # 29 minutes in, a heartbeat keeps the lock for another 30.
        sandbox.advance_clock(29 * 60)
        await api.renew_deploy_lock(name="my-site", deploy_session_id=session)
        sandbox.advance_clock(29 * 60)
        done = await api.finalize_deploy(
            {"name": "my-site", "deploy_session_id": session, "files_uploaded": 2, "files_deleted": 1, "total_bytes": 15}
        )
        assert isinstance(done, zkit.FinalizedDeploy)
        assert done.cache_purged is True
        assert done.deploy_id.startswith("d-"), done.deploy_id
        assert isinstance(done.summary, zkit.DeploySummary)
        assert (done.summary.files_uploaded, done.summary.files_deleted, done.summary.total_bytes) == (2, 1, 15)

        # Finalize released the lock: a new session may take it.
        following = zkit.new_deploy_session_id()
        await api.acquire_deploy_lock(name="my-site", deploy_session_id=following)
        # Without a heartbeat it expires after 30 minutes; the heartbeat then fails and another session wins.
        sandbox.advance_clock(31 * 60)
        with pytest.raises(zkit.ConflictError):
            await api.renew_deploy_lock({"name": "my-site", "deploy_session_id": following})
        await api.acquire_deploy_lock(name="my-site", deploy_session_id=zkit.new_deploy_session_id())

    asyncio.run(body())


def test_custom_domains(api: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        await api.create_app(name="my-site", type="static")

        domain = await api.add_domain(name="my-site", domain="www.example.com")
        assert isinstance(domain, zkit.Domain)
        assert domain.domain == "www.example.com"
        assert domain.cname_target == "my-site.platform-dev.zerokie.com"
        assert domain.tls_status == "pending"
        with pytest.raises(zkit.ConflictError):
            await api.add_domain({"name": "my-site", "domain": "www.example.com"})

        assert await api.remove_domain(name="my-site", domain="www.example.com") is None
        with pytest.raises(zkit.NotFoundError):
            await api.remove_domain(name="my-site", domain="www.example.com")

        # The sandbox refuses apex domains too, for clients that skip the check (the raw call does).
        with pytest.raises(zkit.BadRequestError) as apex:
            await api.raw("POST", "/v1/apps/my-site/domains", json={"domain": "example.com"})
        assert apex.value.status == 400

    asyncio.run(body())


def test_invalid_input_never_reaches_the_server(api: Any, sandbox: Sandbox) -> None:
    session = zkit.new_deploy_session_id()
    refusals: list[tuple[str, dict[str, Any], str]] = [
        ("add_domain", {"name": "my-site", "domain": "example.com"}, "domain"),
        ("upload_file", {"name": "my-site", "path": "../x.html", "content": b""}, "path"),
        ("upload_file", {"name": "my-site", "path": "/x.html", "content": b""}, "path"),
        ("upload_file", {"name": "my-site", "path": "a\\x.html", "content": b""}, "path"),
        ("delete_file", {"name": "my-site", "path": "a//x.html"}, "path"),
        ("acquire_deploy_lock", {"name": "my-site", "deploy_session_id": "lock-1"}, "deploy_session_id"),
        ("renew_deploy_lock", {"name": "", "deploy_session_id": session}, "name"),
        ("create_app", {"name": "", "image": "nginx"}, "name"),
        ("create_app", {"name": "Not_A_Label", "type": "static"}, "name"),
        ("create_app", {"name": "web"}, "image"),
        ("create_app", {"name": "web", "image": "nginx", "port": "eighty"}, "port"),
        ("upload_file", {"name": "my-site", "path": "x.html", "content_type": "text/html\r\nX-Evil: 1"}, "content_type"),
        ("get_app", {"name": ""}, "name"),
        ("get_app", {}, "name"),
    ]

    async def body() -> None:
        for operation, params, field in refusals:
            for form in ("keywords", "dict"):
                method = getattr(api, operation)
                call = method(**params) if form == "keywords" else method(params)
                with pytest.raises(zkit.InvalidInputError) as refused:
                    await call
                error = refused.value
                assert (error.kind, error.field, error.status) == ("invalid_input", field, None), (operation, form)
                assert error.message.startswith(f"{field}: "), error.message
                assert error.retryable is False
        with pytest.raises(zkit.InvalidInputError) as keyed:
            await api.raw("GET", "/v1/apps", query={"key": SANDBOX_KEY})
        assert keyed.value.field == "path"
        assert SANDBOX_KEY not in str(keyed.value) and SANDBOX_KEY not in repr(keyed.value)

    asyncio.run(body())
    assert sandbox.journal() == [], "nothing was sent"


def test_files_and_domains_belong_to_static_apps(api: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        await api.create_app(name="api", image="nginx")
        with pytest.raises(zkit.BadRequestError) as files:
            await api.list_files(name="api")
        assert (files.value.kind, files.value.status) == ("bad_request", 400)
        assert files.value.message == "app is not a static app"
        with pytest.raises(zkit.BadRequestError):
            await api.add_domain(name="api", domain="www.example.com")

    asyncio.run(body())


def test_wrong_key_is_unauthorized_and_never_echoed(sandbox: Sandbox) -> None:
    key = "zrk_wrong_key_that_must_stay_secret"

    async def body() -> None:
        async with zkit.AsyncZerokie(key, base_url=sandbox.zerokie_url) as async_client:
            with pytest.raises(zkit.AuthenticationError) as async_error:
                await async_client.list_apps()
            assert (async_error.value.kind, async_error.value.status) == ("unauthorized", 401)
            texts.extend([str(async_error.value), repr(async_error.value), repr(async_client)])

    texts: list[str] = []
    with zkit.Zerokie(key, base_url=sandbox.zerokie_url) as client:
        with pytest.raises(zkit.AuthenticationError) as error:
            client.list_apps()
        assert (error.value.kind, error.value.status) == ("unauthorized", 401)
        assert error.value.message == "missing or invalid API key"
        texts += [str(error.value), repr(error.value), repr(error.value.details), repr(client)]
        texts += [repr(client.with_options(timeout=5)), repr(client._config)]
        assert "zrk_…cret" in repr(client)
    asyncio.run(body())
    for text in texts:
        assert key not in text, f"key leaked into {text}"
    assert key not in repr(sandbox.journal()), "key leaked into the journal"


def test_raw_calls_and_response_facts(api: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        await api.create_app(name="site", type="static")

        raw = await api.raw("GET", "/v1/apps/site")
        assert isinstance(raw, zkit.RawResponse)
        assert raw.status == 200
        assert raw.json()["name"] == "site"
        assert '"site"' in raw.text
        assert raw.headers["content-type"].startswith("application/json")
        assert raw.attempts == 1 and raw.request_id is not None

        put = await api.raw("put", "/v1/apps/site/files/notes.txt", content="plain", content_type="text/plain")
        assert put.status in (200, 201, 204)
        listed = await api.raw("GET", "/v1/apps/site/files")
        assert [f["path"] for f in listed.json()] == ["notes.txt"]

        response = await api.call_json("list_apps", {}, max_retries=5)
        assert isinstance(response, zkit.Response)
        assert (response.status, response.attempts, len(response.data)) == (200, 1, 1)
        assert response.request_id is not None and response.request_id.startswith("req_")

        with pytest.raises(zkit.NotFoundError):
            await api.raw("GET", "/v1/apps/none")
        with pytest.raises(zkit.InvalidInputError) as escape:
            await api.raw("GET", "/v1/../admin")
        assert escape.value.field == "path"

        fetched = await api.call_json("get_app", {"name": "site"})
        assert fetched.data["type"] == "static"
        with pytest.raises(zkit.InvalidInputError) as unknown:
            await api.call_json("launch_rocket", {})
        assert unknown.value.field == "operation"
        with pytest.raises(zkit.InvalidInputError) as missing:
            await api.call_json("get_app", {})
        assert missing.value.field == "name"

    asyncio.run(body())
