"""Zyra through the sync and the async client over HTTP against the sandbox: every operation typed,
lazy page walks over the 520 devices (sync and async, items and pages, the page cap), the limit
checked before sending, logins that refresh themselves after a 401, keys shown once and revoked at
once, roles, the PDF as bytes, the password reset through the sandbox's outbox, and the rate limits
(429 with Retry-After when pacing is off; paced reads that never meet a 429)."""

from __future__ import annotations

import asyncio
import inspect
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from support import AwaitableSync, Sandbox, contract_operations

import zkit

ORG = "org_sandbox"


def credentials(sandbox: Sandbox) -> dict[str, str]:
    values: dict[str, str] = sandbox.api("zyra")["credentials"]
    return values


def client(sandbox: Sandbox, key: str = "admin_key", **settings: Any) -> zkit.Zyra:
    """A sync client with one of the sandbox's keys (by its name in the credentials)."""
    return zkit.Zyra(credentials(sandbox)[key], base_url=sandbox.base_url("zyra"), jitter_seed=7, **settings)


def login_settings(sandbox: Sandbox) -> dict[str, Any]:
    keys = credentials(sandbox)
    return {"email": keys["admin_email"], "password": keys["admin_password"], "base_url": sandbox.base_url("zyra")}


def seen(sandbox: Sandbox) -> list[tuple[str, int | None]]:
    """The journal's paths, without the base path, with their statuses."""
    return [(entry["path"].removeprefix("/zyra/api/v1"), entry["status"]) for entry in sandbox.journal()]


def clear_journal(sandbox: Sandbox) -> None:
    sandbox.control("DELETE", "journal")


# ---- the surface ------------------------------------------------------------------------------------


def test_every_operation_has_typed_methods_and_every_list_an_iterator() -> None:
    operations = {operation["operationId"]: operation for operation in contract_operations("zyra")}
    assert len(operations) == 54
    for name, operation in operations.items():
        for cls in (zkit.Zyra, zkit.AsyncZyra):
            assert inspect.iscoroutinefunction(getattr(cls, name)) is (cls is zkit.AsyncZyra)
            walk = getattr(cls, f"iter_{name.removeprefix('list_')}", None)
            assert (walk is not None) is operation["x-zkit-paged"], name
            if walk is not None:
                assert not inspect.iscoroutinefunction(walk)  # `async for` takes what it returns
                assert "max_pages" in inspect.signature(walk).parameters
    assert sum(operation["x-zkit-paged"] for operation in operations.values()) == 13


def test_every_operation_is_called_by_this_file() -> None:
    """The tests below reach each operation from Python at least once; this keeps it so."""
    source = Path(__file__).read_text()
    names = [operation["operationId"] for operation in contract_operations("zyra")]
    missing = [name for name in names if not re.search(rf"\.{name}\(", source)]
    assert missing == []


# ---- resources, both clients ------------------------------------------------------------------------


def test_organizations_members_and_settings(zyra: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        sdk = await zyra.get_sdk_info()
        assert isinstance(sdk, zkit.SdkInfo) and sdk.api_version == "v1"
        assert sdk.sdks and all(isinstance(entry, zkit.SdkEntry) for entry in sdk.sdks)

        organizations = await zyra.list_organizations()
        assert isinstance(organizations, zkit.OrganizationPage)
        assert [o.id for o in organizations.items] == [ORG] and organizations.total == 1
        organization = await zyra.get_organization(id=ORG)
        assert isinstance(organization, zkit.Organization) and organization.id == ORG

        members = await zyra.list_members(organization_id=ORG)
        assert all(isinstance(m, zkit.Member) for m in members.items)
        assert "ada@zyra.test" in {m.email for m in members.items}
        invited = await zyra.invite_member(organization_id=ORG, email="new.hire@zyra.test", role="member")
        assert (invited.status, invited.role, invited.joined_at) == ("invited", "member", None)
        promoted = await zyra.update_member_role(organization_id=ORG, user_id=invited.user_id, role="org_admin")
        assert promoted.role == "org_admin"
        assert await zyra.remove_member(organization_id=ORG, user_id=invited.user_id) is None
        after = await zyra.list_members({"organization_id": ORG, "limit": 200})
        assert invited.user_id not in {m.user_id for m in after.items}

        settings = await zyra.get_organization_settings(organization_id=ORG)
        assert isinstance(settings, zkit.OrganizationSettings)
        changed = await zyra.update_organization_settings(
            organization_id=ORG, session_timeout_minutes=120, allowed_email_domains=["Zyra.test"]
        )
        assert (changed.session_timeout_minutes, changed.allowed_email_domains) == (120, ["zyra.test"])
        assert changed.require_sso == settings.require_sso  # what was not given stays

        sso = await zyra.get_sso_url(email="ada@zyra.test")
        assert isinstance(sso, zkit.SsoEntry) and sso.organization_id == ORG and sso.url.startswith("https://sso.")
        with pytest.raises(zkit.NotFoundError):
            await zyra.get_sso_url(email="someone@elsewhere.example")

    asyncio.run(body())


def test_devices_and_virtual_servers_follow_their_lifecycles(zyra: Any) -> None:
    async def body() -> None:
        first = await zyra.list_devices()
        assert isinstance(first, zkit.DevicePage) and (first.offset, first.limit, len(first.items)) == (0, 50, 50)
        assert first.total == 520 and all(isinstance(d, zkit.Device) for d in first.items)
        assert (await zyra.get_device(id=first.items[0].id)) == first.items[0]

        device = await zyra.register_device(name="rack-9", gpu_model="A100", gpu_count=8, region="eu-west")
        assert (device.status, device.gpu_count, device.approved_at) == ("pending", 8, None)
        approved = await zyra.approve_device(id=device.id)
        assert approved.status == "approved" and approved.approved_at
        with pytest.raises(zkit.ConflictError) as again:
            await zyra.approve_device(id=device.id)
        assert again.value.code == "invalid_state"
        assert await zyra.remove_device(id=device.id) is None
        with pytest.raises(zkit.NotFoundError) as gone:
            await zyra.get_device(id=device.id)
        assert (gone.value.status, gone.value.code) == (404, "not_found")

        server = await zyra.create_virtual_server(name="trainer", size="gpu.small", region="eu-west")
        assert isinstance(server, zkit.VirtualServer) and (server.status, server.image) == ("running", None)
        assert (await zyra.stop_virtual_server(id=server.id)).status == "stopped"
        assert (await zyra.resize_virtual_server(id=server.id, size="gpu.large")).size == "gpu.large"
        assert (await zyra.start_virtual_server(id=server.id)).status == "running"
        assert (await zyra.terminate_virtual_server(id=server.id)).status == "terminated"
        with pytest.raises(zkit.ConflictError) as terminated:
            await zyra.start_virtual_server(id=server.id)
        assert terminated.value.code == "invalid_state"
        assert (await zyra.get_virtual_server(id=server.id)).status == "terminated"
        servers = await zyra.list_virtual_servers(limit=200)
        assert server.id in {s.id for s in servers.items}

    asyncio.run(body())


def test_jobs_inference_and_fine_tuning(zyra: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        job = await zyra.create_ml_job(name="bert", model="bert-base", dataset="wiki")
        assert isinstance(job, zkit.MlJob) and (job.status, job.gpu_count) == ("queued", 1)
        doomed = await zyra.create_ml_job(name="gpt", model="gpt-small")
        assert (await zyra.cancel_ml_job(id=doomed.id)).status == "cancelled"
        tuning = await zyra.create_fine_tuning_job(base_model="llama-3", training_file="file_1", suffix="support")
        assert isinstance(tuning, zkit.FineTuningJob) and tuning.status == "queued"
        stopped = await zyra.create_fine_tuning_job(base_model="llama-3", training_file="file_2")
        assert (await zyra.cancel_fine_tuning_job(id=stopped.id)).status == "cancelled"

        sandbox.advance_clock(61)
        assert (await zyra.get_ml_job(id=job.id)).status == "succeeded"
        with pytest.raises(zkit.ConflictError):
            await zyra.cancel_ml_job(id=job.id)
        tuned = await zyra.get_fine_tuning_job(id=tuning.id)
        assert (tuned.status, tuned.fine_tuned_model) == ("succeeded", f"ft:llama-3:support:{tuning.id}")
        assert {j.id for j in (await zyra.list_ml_jobs()).items} >= {job.id, doomed.id}
        assert {j.id for j in (await zyra.list_fine_tuning_jobs()).items} >= {tuning.id, stopped.id}

        answer = await zyra.create_inference(model="zyra-small", input="hello big world")
        assert isinstance(answer, zkit.Inference) and answer.status == "completed"
        assert answer.output == "[zyra-small] world big hello"
        assert isinstance(answer.usage, zkit.Usage) and answer.usage.input_tokens == 3
        assert await zyra.get_inference(id=answer.id) == answer
        assert answer.id in {i.id for i in (await zyra.list_inferences()).items}

    asyncio.run(body())


def test_webhooks_sla_and_monitoring(zyra: Any) -> None:
    async def body() -> None:
        endpoint = await zyra.create_webhook_endpoint(
            url="https://hooks.example.com/zyra", events=["job.succeeded"], description="CI"
        )
        assert isinstance(endpoint, zkit.WebhookEndpoint) and endpoint.enabled is True
        assert endpoint.secret is not None and endpoint.secret.startswith("whsec_")
        assert endpoint.secret not in repr(endpoint)  # the signing secret prints as a preview
        fetched = await zyra.get_webhook_endpoint(id=endpoint.id)
        assert fetched.url == endpoint.url and fetched.secret is None  # in the create answer only
        updated = await zyra.update_webhook_endpoint(id=endpoint.id, enabled=False, events=["job.failed"])
        assert (updated.enabled, updated.events, updated.description) == (False, ["job.failed"], "CI")
        assert endpoint.id in {e.id for e in (await zyra.list_webhook_endpoints()).items}
        assert await zyra.delete_webhook_endpoint(id=endpoint.id) is None
        with pytest.raises(zkit.NotFoundError):
            await zyra.get_webhook_endpoint(id=endpoint.id)

        rule = await zyra.create_sla_alert_rule(name="p95", metric="latency_p95_ms", threshold=250.0, window_minutes=5)
        assert isinstance(rule, zkit.SlaAlertRule) and (rule.metric, rule.threshold) == ("latency_p95_ms", 250.0)
        changed = await zyra.update_sla_alert_rule(id=rule.id, threshold=300.0)
        assert (changed.threshold, changed.window_minutes, changed.name) == (300.0, 5, "p95")
        assert rule.id in {r.id for r in (await zyra.list_sla_alert_rules()).items}
        assert await zyra.delete_sla_alert_rule(id=rule.id) is None
        assert rule.id not in {r.id for r in (await zyra.list_sla_alert_rules()).items}

        breaches = await zyra.list_sla_breaches()
        assert breaches.items and all(isinstance(b, zkit.SlaBreach) for b in breaches.items)
        alerts = await zyra.list_fleet_alerts(status="open")
        assert alerts.items and all(isinstance(a, zkit.FleetAlert) and a.status == "open" for a in alerts.items)

    asyncio.run(body())


def test_invoices_and_the_pdf_as_bytes(zyra: Any) -> None:
    async def body() -> None:
        invoices = await zyra.list_invoices()
        assert invoices.items and all(isinstance(i, zkit.Invoice) for i in invoices.items)
        invoice = await zyra.get_invoice(id=invoices.items[0].id)
        assert invoice == invoices.items[0] and invoice.amount_cents > 0
        pdf = await zyra.download_invoice_pdf(id=invoice.id)
        assert isinstance(pdf, zkit.Download) and pdf.content_type == "application/pdf"
        assert isinstance(pdf.content, bytes) and pdf.content.startswith(b"%PDF-")
        assert pdf.content.rstrip().endswith(b"%%EOF")

    asyncio.run(body())


# ---- page walks -------------------------------------------------------------------------------------


def test_a_sync_walk_is_lazy_and_fetches_one_page_a_request(sandbox: Sandbox) -> None:
    with client(sandbox) as zyra:
        walk = zyra.iter_devices(limit=200)
        assert isinstance(walk, zkit.SyncPages) and repr(walk) == "<zkit.SyncPages of list_devices>"
        items = iter(walk)
        assert sandbox.journal() == [], "nothing is fetched before iterating"
        first = next(items)
        assert isinstance(first, zkit.Device) and first.id == "dev_0001"
        assert len(sandbox.journal()) == 1, "one page at a time"
        devices = [first, *items]
        assert len(devices) == 520 and len({d.id for d in devices}) == 520
        journal = sandbox.journal()
        queries = [dict(parse_qsl(entry["query"])) for entry in journal]
        assert queries == [{"offset": str(offset), "limit": "200"} for offset in (0, 200, 400)]

        clear_journal(sandbox)
        pages = list(walk.pages())  # a second walk, from the start
        assert all(isinstance(page, zkit.DevicePage) for page in pages)
        assert [(p.offset, len(p.items), p.total) for p in pages] == [(0, 200, 520), (200, 200, 520), (400, 120, 520)]
        assert len(sandbox.journal()) == 3

        pending = list(zyra.iter_devices({"status": "pending"}))
        assert [d.status for d in pending] == ["pending"] * 3


def test_an_async_walk_is_lazy_and_fetches_one_page_a_request(sandbox: Sandbox) -> None:
    async def body() -> None:
        async with zkit.AsyncZyra(credentials(sandbox)["admin_key"], base_url=sandbox.base_url("zyra")) as zyra:
            walk = zyra.iter_devices(limit=200)
            assert isinstance(walk, zkit.AsyncPages)
            await asyncio.sleep(0)
            assert sandbox.journal() == [], "nothing is fetched before iterating"
            devices = [device async for device in walk]
            assert len(devices) == 520 and len({d.id for d in devices}) == 520
            assert all(isinstance(d, zkit.Device) for d in devices)
            assert len(sandbox.journal()) == 3

            clear_journal(sandbox)
            offsets = [(page.offset, len(page.items)) async for page in walk.pages()]
            assert offsets == [(0, 200), (200, 200), (400, 120)]
            assert len(sandbox.journal()) == 3

            # From an offset, in the dict form: the walk starts there.
            tail = [device.id async for device in zyra.iter_devices({"offset": 510, "limit": 200})]
            assert tail == [f"dev_{n:04d}" for n in range(511, 521)]

    asyncio.run(body())


def test_a_walk_stops_at_its_page_cap(sandbox: Sandbox) -> None:
    with client(sandbox) as zyra:
        with pytest.raises(zkit.DecodeError) as capped:
            list(zyra.iter_devices(limit=100, max_pages=2))
        assert "after 2 pages" in capped.value.message
        assert len(sandbox.journal()) == 2
        assert len(list(zyra.iter_devices(limit=200, max_pages=3))) == 520, "a cap the walk does not reach"

        clear_journal(sandbox)
        for bad in (0, -1):
            with pytest.raises(zkit.InvalidInputError) as refused:
                list(zyra.iter_devices(max_pages=bad))
            assert refused.value.field == "max_pages"

    async def capped_async() -> None:
        async with zkit.AsyncZyra(credentials(sandbox)["admin_key"], base_url=sandbox.base_url("zyra")) as zyra:
            with pytest.raises(zkit.DecodeError):
                _ = [page async for page in zyra.iter_devices(limit=100, max_pages=1).pages()]

    asyncio.run(capped_async())
    assert len(sandbox.journal()) == 1


def test_a_limit_over_200_is_refused_before_sending(sandbox: Sandbox) -> None:
    with client(sandbox) as zyra:
        with pytest.raises(zkit.InvalidInputError) as listed:
            zyra.list_devices(limit=201)
        assert listed.value.field == "limit"
        walk = zyra.iter_devices(limit=201)
        with pytest.raises(zkit.InvalidInputError) as walked:
            next(iter(walk))
        assert walked.value.field == "limit"
        with pytest.raises(TypeError):
            zyra.iter_devices(limits=10)  # type: ignore[call-overload]  # refused when called, not iterated
        with pytest.raises(zkit.InvalidInputError) as unknown:
            zyra.iter_devices({"colour": "red"})  # type: ignore[call-overload]
        assert unknown.value.field == "colour"
    assert sandbox.journal() == []


# ---- credentials ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_login_client_logs_in_once_and_refreshes_after_a_401(sandbox: Sandbox, mode: str) -> None:
    settings = login_settings(sandbox)
    password = settings["password"]

    async def body(zyra: Any) -> None:
        assert password not in repr(zyra) and "ada@zyra.test" in repr(zyra)
        await zyra.get_organization(id=ORG)
        await zyra.get_organization(id=ORG)
        assert seen(sandbox) == [("/auth/login", 200), (f"/organizations/{ORG}", 200), (f"/organizations/{ORG}", 200)]

        clear_journal(sandbox)
        sandbox.advance_clock(901)  # past the access token's 900 s
        assert (await zyra.get_organization(id=ORG)).id == ORG
        assert seen(sandbox) == [(f"/organizations/{ORG}", 401), ("/auth/refresh", 200), (f"/organizations/{ORG}", 200)]
        assert all(password not in str(entry) for entry in sandbox.journal())

    if mode == "sync":
        with zkit.Zyra(**settings) as sync:
            asyncio.run(body(AwaitableSync(sync)))
    else:

        async def run_async() -> None:
            async with zkit.AsyncZyra(**settings) as zyra:
                await body(zyra)

        asyncio.run(run_async())


def test_login_settings_come_from_the_environment_and_never_print(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = credentials(sandbox)
    monkeypatch.delenv("ZYRA_API_KEY", raising=False)
    monkeypatch.setenv("ZYRA_EMAIL", keys["member_email"])
    monkeypatch.setenv("ZYRA_PASSWORD", keys["member_password"])
    monkeypatch.setenv("ZYRA_BASE_URL", sandbox.base_url("zyra"))
    with zkit.Zyra() as zyra:
        assert zyra.get_organization(id=ORG).id == ORG
        assert seen(sandbox)[0] == ("/auth/login", 200)
        with pytest.raises(zkit.PermissionDeniedError):
            zyra.list_invoices()  # the member's login, not a key's
        # A key replaces the login in with_options, and the other way round; neither ever prints.
        with zyra.with_options(api_key=keys["admin_key"]) as admin:
            assert admin.list_invoices().items
            assert keys["admin_key"] not in repr(admin) and keys["admin_key"] not in repr(admin._config)
        with admin.with_options(email=keys["admin_email"], password=keys["admin_password"]) as back:
            assert back.list_invoices().items
            assert keys["admin_password"] not in repr(back) + repr(back._config)
    with pytest.raises(zkit.InvalidInputError) as half:
        zkit.Zyra(email=keys["admin_email"], base_url=sandbox.base_url("zyra"))
    assert half.value.field == "password"


def test_login_and_refresh_by_hand_and_wrong_passwords(sandbox: Sandbox) -> None:
    keys = credentials(sandbox)
    with client(sandbox) as zyra:
        session = zyra.login(email=keys["ops_email"], password=keys["ops_password"])
        assert isinstance(session, zkit.Session) and session.expires_in == 900 and session.token_type == "bearer"
        assert isinstance(session.user, zkit.User) and session.user.email == keys["ops_email"]
        assert session.access_token not in repr(session) and session.refresh_token not in repr(session)
        renewed = zyra.refresh_token(refresh_token=session.refresh_token)
        assert renewed.access_token != session.access_token
        with pytest.raises(zkit.AuthenticationError) as refused:
            zyra.refresh_token(refresh_token="not-a-refresh-token")
        assert refused.value.code == "invalid_refresh_token"

    with zkit.Zyra(email=keys["admin_email"], password="not-the-password", base_url=sandbox.base_url("zyra")) as wrong:
        with pytest.raises(zkit.AuthenticationError) as denied:
            wrong.get_organization(id=ORG)
        assert (denied.value.status, denied.value.code) == (401, "invalid_credentials")
        assert "not-the-password" not in str(denied.value) + repr(denied.value)


def test_the_password_reset_goes_through_the_outbox(sandbox: Sandbox) -> None:
    keys = credentials(sandbox)
    url = sandbox.base_url("zyra")
    with client(sandbox) as zyra:
        assert zyra.request_password_reset(email="nobody@zyra.test").sent is True  # the answer does not tell
        assert zyra.request_password_reset(email=keys["admin_email"]).sent is True
        resets = sandbox.control("GET", "zyra/outbox")["password_resets"]
        assert [reset["email"] for reset in resets] == [keys["admin_email"]]
        token = resets[0]["token"]
        with pytest.raises(zkit.InvalidInputError) as short:
            zyra.confirm_password_reset(token=token, new_password="short")
        assert short.value.field == "new_password"
        assert zyra.confirm_password_reset(token=token, new_password="a-brand-new-password").reset is True
        with pytest.raises(zkit.BadRequestError) as used:
            zyra.confirm_password_reset(token=token, new_password="another-new-password")
        assert used.value.code == "invalid_reset_token"
    with zkit.Zyra(email=keys["admin_email"], password="a-brand-new-password", base_url=url) as renewed:
        assert renewed.get_organization(id=ORG).id == ORG
    with zkit.Zyra(email=keys["admin_email"], password=keys["admin_password"], base_url=url) as old:
        with pytest.raises(zkit.AuthenticationError) as stale:
            old.get_organization(id=ORG)
        assert stale.value.code == "invalid_credentials"


def test_keys_are_shown_once_capped_at_ten_and_revoked_at_once(sandbox: Sandbox) -> None:
    with client(sandbox, "ops_key") as ops:
        created = ops.create_api_key(name="ci-deploy")  # the ops user's 10th active key
        assert isinstance(created, zkit.NewApiKey) and created.key.startswith("zyra_sk_")
        assert created.prefix == created.key[:18]
        assert created.key not in repr(created), "a new key prints as a preview"
        listed = list(ops.iter_api_keys())
        assert all(isinstance(k, zkit.ApiKey) for k in listed) and len(listed) >= 10
        assert any(k.id == created.id and k.prefix == created.prefix and k.is_active for k in listed)
        assert all(created.key not in repr(k.to_dict()) for k in listed)
        assert ops.list_api_keys(limit=200).items == listed

        with pytest.raises(zkit.ConflictError) as eleventh:
            ops.create_api_key(name="one-too-many")
        assert (eleventh.value.status, eleventh.value.code) == (409, "key_limit_reached")

        with zkit.Zyra(created.key, base_url=sandbox.base_url("zyra")) as fresh:
            assert fresh.get_organization(id=ORG).id == ORG
            revoked = ops.revoke_api_key(id=created.id)
            assert isinstance(revoked, zkit.ApiKey) and revoked.is_active is False
            with pytest.raises(zkit.AuthenticationError) as refused:
                fresh.get_organization(id=ORG)
            assert (refused.value.status, refused.value.code) == (401, "key_revoked")


def test_roles_and_unknown_keys_fail_typed(sandbox: Sandbox) -> None:
    with client(sandbox, "member_key") as member:
        assert member.list_devices(limit=1).total == 520, "members read the fleet"
        with pytest.raises(zkit.PermissionDeniedError) as denied:
            member.list_invoices()
        assert (denied.value.status, denied.value.code) == (403, "insufficient_role")
        assert denied.value.request_id is not None
        with pytest.raises(zkit.PermissionDeniedError):
            list(member.iter_invoices())
    with zkit.Zyra("zyra_sk_notakey0000000000000000000000", base_url=sandbox.base_url("zyra")) as unknown:
        with pytest.raises(zkit.AuthenticationError) as refused:
            unknown.get_organization(id=ORG)
        assert refused.value.code == "invalid_api_key"


# ---- rate limits ------------------------------------------------------------------------------------


def test_the_sixth_create_in_a_minute_is_429_when_pacing_is_off(sandbox: Sandbox) -> None:
    with client(sandbox, "member_key", rate_limit=False, max_retries=0) as zyra:
        for n in range(5):
            zyra.create_webhook_endpoint(url=f"https://hooks.example.com/{n}", events=["job.failed"])
        with pytest.raises(zkit.RateLimitError) as limited:
            zyra.create_webhook_endpoint(url="https://hooks.example.com/6", events=["job.failed"])
        assert (limited.value.status, limited.value.code) == (429, "rate_limited")
        # The server's window opened with the first create and closes a minute later.
        assert limited.value.retry_after is not None and 0 < limited.value.retry_after <= 60
        assert [entry["status"] for entry in sandbox.journal()] == [201] * 5 + [429]


def test_paced_reads_hold_the_31st_of_a_minute_instead_of_meeting_a_429(sandbox: Sandbox) -> None:
    with client(sandbox, "member_key", max_retries=0) as zyra:  # the limiter is on: 30 reads a minute
        for _ in range(30):
            zyra.get_organization(id=ORG)
        zyra.list_devices(limit=1)  # another endpoint has a budget of its own
        # The 31st would wait for the minute to pass; with a deadline of 2 s it is refused unsent.
        with pytest.raises(zkit.RateLimitError) as held:
            zyra.get_organization(id=ORG, deadline=2)
        assert held.value.status is None and held.value.retry_after is not None and held.value.retry_after > 50
    statuses = [entry["status"] for entry in sandbox.journal()]
    assert statuses == [200] * 31, "the 31st read was never sent"


def test_a_raised_rate_limit_is_a_setting_and_unknown_names_are_refused(sandbox: Sandbox) -> None:
    with client(sandbox, "member_key", rate_limits={"read": 2}, max_retries=0) as zyra:
        zyra.get_organization(id=ORG)
        zyra.get_organization(id=ORG)
        with pytest.raises(zkit.RateLimitError) as held:
            zyra.get_organization(id=ORG, deadline=2)
        assert "limit of 2 per" in str(held.value)
    with pytest.raises(zkit.InvalidInputError) as refused:
        client(sandbox, rate_limits={"reads": 300})
    assert refused.value.field == "rate_limits" and "read, create, write, high_volume" in str(refused.value)
    assert len(sandbox.journal()) == 2


def test_the_envelope_gives_the_request_id_and_timestamp_the_body_first(sandbox: Sandbox) -> None:
    with client(sandbox) as zyra:
        response = zyra.call_json("get_organization", {"id": ORG})
        assert response.request_id is not None and response.request_id.startswith("req_")
        assert response.timestamp is not None and re.fullmatch(r"20\d\d-\d\d-\d\dT.*Z", response.timestamp)
        # The body's request id is the one the docs tell users to log: it wins over the header's.
        meta = {"request_id": "req_from_the_body", "timestamp": "2026-12-07T10:00:00Z"}
        sandbox.fault(status=200, body={"success": True, "data": {"id": ORG, "name": "Sandbox"}, "meta": meta})
        faked = zyra.call_json("get_organization", {"id": ORG})
        assert (faked.request_id, faked.timestamp) == ("req_from_the_body", "2026-12-07T10:00:00Z")
        assert faked.headers["x-request-id"] != "req_from_the_body"


def test_raw_calls_get_the_login_too(sandbox: Sandbox) -> None:
    with zkit.Zyra(**login_settings(sandbox)) as zyra:
        raw = zyra.raw("GET", f"/organizations/{ORG}")
        assert raw.status == 200 and raw.json()["data"]["id"] == ORG
        assert [path for path, _ in seen(sandbox)] == ["/auth/login", f"/organizations/{ORG}"]
