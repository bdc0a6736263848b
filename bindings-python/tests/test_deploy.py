"""The static-site deploy (`deploy_site`) and the waiters (`wait_until`) through the sync and the async
client, against the sandbox (the Python twins of core/tests/deploy.rs and core/tests/wait.rs)."""

from __future__ import annotations

import _thread
import asyncio
import logging
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from support import SANDBOX_KEY, Sandbox

import zkit

APP = "my-site"
RESUME = "7d444840-9dc0-11d1-b245-5ffdce74fad2"


def deploys(sandbox: Sandbox) -> dict[str, Any]:
    """What the sandbox recorded for the app: `deployments` (finalized) and the `lock`."""
    recorded: dict[str, Any] = sandbox.control("GET", f"zerokie/apps/{APP}/deploys")
    return recorded


def remote(sandbox: Sandbox) -> dict[str, int]:
    """The site's files as the sandbox lists them: path to length (the manifest aside)."""
    with zkit.Zerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as client:
        files = client.list_files(name=APP)
    return {f.path: f.length for f in files if f.path != ".zkit-manifest.json"}


def uploads(sandbox: Sandbox) -> list[str]:
    return sorted(
        e["path"].split("/files/", 1)[1]
        for e in sandbox.journal()
        if e["method"] == "PUT" and "/files/" in e["path"] and not e["path"].endswith("manifest.json")
    )


def write_site(root: Path) -> None:
    (root / "assets" / "img").mkdir(parents=True)
    (root / "index.html").write_text("<h1>hello</h1>")
    (root / "assets" / "site.css").write_text("h1 { color: teal }")
    (root / "assets" / "img" / "café logo.svg").write_text("<svg/>")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main")
    (root / ".DS_Store").write_bytes(b"\0\0")


def test_a_folder_deploys_in_one_call_and_a_redeploy_sends_only_what_changed(
    api: Any, sandbox: Sandbox, tmp_path: Path
) -> None:
    write_site(tmp_path)

    async def body() -> None:
        await api.create_app(name=APP, type="static")
        report = await api.deploy_site(APP, tmp_path)
        assert isinstance(report, zkit.DeployReport)
        assert report.deploy_id is not None and report.deploy_id.startswith("d-")
        assert (report.files_uploaded, report.files_deleted, report.files_unchanged) == (3, 0, 0)
        assert report.total_bytes == len("<h1>hello</h1>") + len("h1 { color: teal }") + len("<svg/>")
        assert sorted(report.uploaded) == ["assets/img/café logo.svg", "assets/site.css", "index.html"]
        assert sorted(report.ignored) == [".DS_Store", ".git"], "a folder is left out whole"
        assert report.cache_purged is True and report.dry_run is False
        assert remote(sandbox) == {"assets/img/café logo.svg": 6, "assets/site.css": 18, "index.html": 14}
        recorded = deploys(sandbox)
        assert recorded["lock"] is None, "finalize released the lock"
        assert recorded["deployments"][0]["summary"] == {"files_uploaded": 3, "files_deleted": 0, "total_bytes": 38}

        again = await api.deploy_site(APP, str(tmp_path))
        assert (again.files_uploaded, again.files_unchanged, again.uploaded) == (0, 3, [])
        assert again.deploy_id is None and len(deploys(sandbox)["deployments"]) == 1, "nothing changed: no deploy"

        # Same length, other content: found by the manifest's hashes; a removed file is deleted.
        (tmp_path / "index.html").write_text("<h1>HELLO</h1>")
        (tmp_path / "assets" / "site.css").unlink()
        (tmp_path / "about.html").write_text("about")
        changed = await api.deploy_site(APP, tmp_path, ignore=["*.svg"])
        assert sorted(changed.uploaded) == ["about.html", "index.html"]
        assert changed.deleted == ["assets/site.css"], "an ignored path is left alone on the server too"
        assert remote(sandbox) == {"about.html": 5, "assets/img/café logo.svg": 6, "index.html": 14}
        assert len(deploys(sandbox)["deployments"]) == 2

    asyncio.run(body())


def test_a_folder_of_200_nested_files_deploys_and_a_redeploy_uploads_nothing(
    zerokie: zkit.Zerokie, sandbox: Sandbox, tmp_path: Path
) -> None:
    expected = {}
    for i in range(200):
        path = f"section {i % 7}/página {i % 3}/file {i}.txt"
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(f"content of {i}")
        expected[path] = len(f"content of {i}".encode())
    zerokie.create_app(name=APP, type="static")
    report = zerokie.deploy_site(APP, tmp_path, concurrency=16)
    assert (report.files_uploaded, report.total_bytes) == (200, sum(expected.values()))
    assert remote(sandbox) == expected
    before = len(sandbox.journal())
    again = zerokie.deploy_site(APP, tmp_path)
    assert (again.files_uploaded, again.files_unchanged) == (0, 200)
    assert not [e for e in sandbox.journal()[before:] if e["method"] != "GET"], "only the listing and the manifest read"


def test_a_heartbeat_renews_the_lock_while_a_deploy_outlives_its_period(
    zerokie: zkit.Zerokie, sandbox: Sandbox
) -> None:
    zerokie.create_app(name=APP, type="static")
    sandbox.fault(method="PUT", path=f"/zerokie/v1/apps/{APP}/files/slow", kind="delay", delay_ms=450, times=1)
    events: list[zkit.DeployEvent] = []
    before = len(sandbox.journal())
    zerokie.deploy_site(APP, {"slow.txt": b"x"}, heartbeat_every=0.1, on_progress=events.append)
    renewals = [e for e in sandbox.journal()[before:] if e["method"] == "PUT" and e["path"].endswith("/deploy/lock")]
    assert len(renewals) >= 2, f"{len(renewals)} renewals in 450 ms at one per 100 ms"
    assert len([e for e in events if e.event == "lock_renewed"]) == len(renewals)


def test_entries_deploy_bytes_text_and_files_and_a_dry_run_changes_nothing(
    api: Any, sandbox: Sandbox, tmp_path: Path
) -> None:
    (tmp_path / "big.bin").write_bytes(bytes(range(256)) * 4096)

    async def body() -> None:
        await api.create_app(name=APP, type="static")
        before = len(sandbox.journal())
        site = {"index.html": b"<p>one</p>", "notes/read me.txt": "text", "big.bin": tmp_path / "big.bin"}
        plan = await api.deploy_site(APP, site, dry_run=True)
        assert plan.dry_run is True and plan.deploy_id is None
        assert sorted(plan.uploaded) == ["big.bin", "index.html", "notes/read me.txt"]
        assert remote(sandbox) == {}
        assert deploys(sandbox) == {"deployments": [], "lock": None}
        assert not [e for e in sandbox.journal()[before:] if e["method"] != "GET"], "a dry run only lists"

        report = await api.deploy_site(APP, site, delete_removed=False, concurrency=2)
        assert report.total_bytes == 10 + 4 + 1024 * 1024
        assert remote(sandbox) == {"big.bin": 1024 * 1024, "index.html": 10, "notes/read me.txt": 4}

        kept = await api.deploy_site(APP, {"other.txt": b"x"}, delete_removed=False)
        assert (kept.files_deleted, kept.deleted) == (0, [])
        assert set(remote(sandbox)) == {"big.bin", "index.html", "notes/read me.txt", "other.txt"}

    asyncio.run(body())


def test_progress_reaches_the_callback_in_order(api: Any, sandbox: Sandbox) -> None:
    events: list[zkit.DeployEvent] = []

    async def body() -> None:
        await api.create_app(name=APP, type="static")
        report = await api.deploy_site(APP, {"a.txt": b"aaa", "b.txt": b"bb"}, on_progress=events.append)
        await asyncio.sleep(0)  # the async client's events are scheduled on the loop
        kinds = [e.event for e in events]
        assert kinds[0] == "planned" and events[0]["uploads"] == 2 and events[0]["upload_bytes"] == 5
        assert kinds[-2:] == ["finalizing", "done"]
        for path in ("a.txt", "b.txt"):
            steps = [e.event for e in events if e.path == path]
            assert steps[0] == "file_started" and steps[-1] == "file_done" and "bytes_sent" in steps
        sent = [e["total_sent"] for e in events if e.event == "bytes_sent"]
        assert sent == sorted(sent) and sent[-1] == 5
        done = events[-1].report
        assert isinstance(done, zkit.DeployReport) and done.deploy_id == report.deploy_id

    asyncio.run(body())


def test_a_callback_that_raises_does_not_break_the_deploy(
    zerokie: zkit.Zerokie, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    zerokie.create_app(name=APP, type="static")
    reported: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", reported.append)

    def broken(event: zkit.DeployEvent) -> None:
        raise RuntimeError("a bug in the user's callback")

    report = zerokie.deploy_site(APP, {"a.txt": b"a"}, on_progress=broken)
    assert report.files_uploaded == 1
    assert reported and all(isinstance(r.exc_value, RuntimeError) for r in reported), "each failure is reported"


def test_a_held_lock_is_a_conflict_and_5xx_uploads_are_retried(api: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        await api.create_app(name=APP, type="static")
        rival = zkit.new_deploy_session_id()
        await api.acquire_deploy_lock(name=APP, deploy_session_id=rival)
        with pytest.raises(zkit.ConflictError) as held:
            await api.deploy_site(APP, {"a.txt": b"a"})
        assert "another deploy" in held.value.message, held.value.message
        assert remote(sandbox) == {}

        # The rival's session resumes the deploy; two 503s on uploads are retried.
        sandbox.fault(method="PUT", path=f"/zerokie/v1/apps/{APP}/files/a", status=503, times=2)
        report = await api.deploy_site(APP, {"a.txt": b"a", "b.txt": b"b"}, session_id=rival)
        assert report.deploy_session_id == rival and report.files_uploaded == 2
        assert uploads(sandbox).count("a.txt") == 3

    asyncio.run(body())


def test_a_permanent_failure_never_finalizes(api: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        await api.create_app(name=APP, type="static")
        sandbox.fault(method="PUT", path=f"/zerokie/v1/apps/{APP}/files/bad", status=400, body={"error": "bad file"})
        with pytest.raises(zkit.BadRequestError):
            await api.deploy_site(APP, {"bad.txt": b"x", "good.txt": b"y"})
        recorded = deploys(sandbox)
        assert recorded["deployments"] == []
        assert recorded["lock"] is not None, "the lock is left to expire"
        assert not [e for e in sandbox.journal() if e["path"].endswith("/deploy/finalize")]

    asyncio.run(body())


def test_bad_input_is_refused_before_anything_is_sent(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    with pytest.raises(zkit.InvalidInputError) as traversal:
        zerokie.deploy_site(APP, {"../escape.txt": b"x"})
    assert traversal.value.field is not None
    with pytest.raises(zkit.InvalidInputError) as concurrency:
        zerokie.deploy_site(APP, {"a.txt": b"x"}, concurrency=0)
    assert concurrency.value.field == "concurrency"
    with pytest.raises(zkit.InvalidInputError) as missing:
        zerokie.deploy_site(APP, "/no/such/folder")
    assert "/no/such/folder" in missing.value.message
    assert sandbox.journal() == []


def slow_uploads(sandbox: Sandbox) -> None:
    sandbox.fault(method="PUT", path=f"/zerokie/v1/apps/{APP}/files/f", kind="delay", delay_ms=2000, times=8)


def test_cancelling_an_async_deploy_stops_it_before_it_finalizes(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    async def body() -> None:
        async with zkit.AsyncZerokie(SANDBOX_KEY, base_url=sandbox.zerokie_url) as client:
            await client.create_app(name=APP, type="static")
            slow_uploads(sandbox)
            files = {f"f{i}.txt": b"x" for i in range(6)}
            task = asyncio.create_task(client.deploy_site(APP, files, concurrency=2, session_id=RESUME))
            await asyncio.sleep(0.4)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    with caplog.at_level(logging.WARNING, logger="zkit"):
        asyncio.run(body())
    assert any("not finalized" in r.message and RESUME in r.message for r in caplog.records), caplog.text
    assert deploys(sandbox)["deployments"] == []
    assert len(uploads(sandbox)) == 2, "only the uploads in flight"


def test_ctrl_c_stops_a_blocking_deploy_before_it_finalizes(zerokie: zkit.Zerokie, sandbox: Sandbox) -> None:
    zerokie.create_app(name=APP, type="static")
    slow_uploads(sandbox)
    threading.Timer(0.4, _thread.interrupt_main).start()
    with pytest.raises(KeyboardInterrupt) as interrupted:
        zerokie.deploy_site(APP, {f"f{i}.txt": b"x" for i in range(6)}, concurrency=2, session_id=RESUME)
    assert "not finalized" in str(interrupted.value) and RESUME in str(interrupted.value)
    assert deploys(sandbox)["deployments"] == []


def test_a_waiter_polls_until_the_app_runs(api: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        await api.create_app(name="web", image="nginx:alpine")
        # The sandbox's clock moves from a thread, as the sync client blocks the loop.
        mover = threading.Timer(0.3, sandbox.advance_clock, (10,))
        mover.start()
        app = await api.wait_until("app_running", name="web", first_delay=0.05, max_delay=0.1)
        mover.join()
        assert app["status"] == "running"
        polls = [e for e in sandbox.journal() if e["method"] == "GET" and e["path"].endswith("/v1/apps/web")]
        assert len(polls) >= 3, "it polled while the app deployed"

    asyncio.run(body())


def test_a_waiter_times_out_with_the_last_state_and_names_its_fields(api: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        await api.create_app(name="web", image="nginx:alpine")
        with pytest.raises(zkit.TimeoutError) as late:
            await api.wait_until("app_running", name="web", timeout=0.3, first_delay=0.05, max_delay=0.1)
        details = late.value.details
        assert details is not None
        assert (details["waiter"], details["last_state"], details["last"]["name"]) == ("app_running", "deploying", "web")

        with pytest.raises(zkit.InvalidInputError) as unknown:
            await api.wait_until("app_up", name="web")
        assert unknown.value.field == "waiter" and "app_running" in unknown.value.message
        assert "app_running" in zkit.Zerokie.waiters()

    asyncio.run(body())
