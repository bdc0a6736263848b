"""Zenifra through the sync and the async client over HTTP against the sandbox: every operation typed,
both credential kinds and how they are sent, the organization header, the documented errors as typed
exceptions, and the per-project rate limit (the Python twin of core/tests/zenifra.rs)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from support import Sandbox

import zkit

WEB = "507f1f77bcf86cd799439011"
WORKER = "507f191e810c19729de860ea"


def credentials(sandbox: Sandbox) -> dict[str, str]:
    values: dict[str, str] = sandbox.api("zenifra")["credentials"]
    return values


def last_headers(sandbox: Sandbox) -> dict[str, str]:
    headers: dict[str, str] = sandbox.journal()[-1]["headers"]
    return headers


def test_a_project_from_settings_to_deploys_metrics_and_storage(zenifra: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        project = await zenifra.get_project(id=WEB)
        assert isinstance(project, zkit.Project)
        assert (project.name, project.state, project.plan, project.type) == ("web", "running", "starter", "http")

        page = await zenifra.list_projects(type="http", page=1, limit=15)
        assert isinstance(page, zkit.ProjectPage)
        assert WEB in [p.id for p in page.data] and WORKER not in [p.id for p in page.data]

        assert (await zenifra.update_project_name(id=WEB, name="storefront")).name == "storefront"
        described = await zenifra.update_project_description({"id": WEB, "description": "The shop"})
        assert described.description == "The shop"
        assert (await zenifra.update_domain(id=WEB, domain="shop.example.com")).domain == "shop.example.com"

        envs = await zenifra.update_envs(id=WEB, envs={"FEATURE_X": "on"}, unset=["LOG_LEVEL"])
        assert isinstance(envs, zkit.EnvVars)
        assert envs.envs["FEATURE_X"] == "on" and "LOG_LEVEL" not in envs.envs
        assert (await zenifra.get_envs(id=WEB)).envs == envs.envs

        deployment = await zenifra.update_image(id=WEB, image="registry.zenifra.dev/web:2.0.0")
        assert isinstance(deployment, zkit.Deployment)
        assert (deployment.status, deployment.image) == ("building", "registry.zenifra.dev/web:2.0.0")
        sandbox.advance_clock(60)
        history = await zenifra.list_deployments(id=WEB)
        assert [d.status for d in history[:2]] == ["live", "superseded"]
        assert history[0].id == deployment.id
        branch = await zenifra.deploy_branch(id=WEB, branch="main")
        assert branch.branch == "main"

        metrics = await zenifra.get_metrics(id=WEB, period="24h")
        assert isinstance(metrics, zkit.Metrics) and metrics.period == "24h"
        requests = await zenifra.get_network_requests(id=WEB, period="24h")
        assert sum(point.count for point in requests.series) == requests.total
        codes = await zenifra.get_network_status_codes(id=WEB, period="24h")
        assert sum(code.count for code in codes.codes) == requests.total
        latency = await zenifra.get_network_latency(id=WEB)
        assert latency.p50_ms <= latency.p90_ms <= latency.p99_ms
        paths = await zenifra.get_network_top_paths(id=WEB)
        assert [p.requests for p in paths.paths] == sorted((p.requests for p in paths.paths), reverse=True)
        logs = await zenifra.get_logs(id=WEB, limit=5)
        assert len(logs) == 5 and all(isinstance(line, zkit.LogEntry) for line in logs)

        scaled = await zenifra.update_instances(id=WEB, count=3)
        assert (scaled.count, scaled.max) == (3, 3)
        with pytest.raises(zkit.PaymentRequiredError) as past_plan:
            await zenifra.update_instances(id=WEB, count=4)
        assert (past_plan.value.status, past_plan.value.code) == (402, "plan_limit")
        assert (await zenifra.change_plan(id=WEB, plan="pro")).plan == "pro"
        assert (await zenifra.update_instances(id=WEB, count=4)).count == 4
        assert (await zenifra.get_instances(id=WEB)).count == 4
        assert (await zenifra.update_storage_size(id=WEB, size_gb=50)).size_gb == 50
        usage = await zenifra.get_storage_usage(id=WEB)
        assert isinstance(usage, zkit.Storage) and usage.size_gb == 50 and 0 <= usage.used_gb <= 50

        sandbox.advance_clock(60)  # the branch deploy goes live
        assert (await zenifra.stop_project(id=WEB)).state == "stopped"
        with pytest.raises(zkit.ConflictError) as stopped:
            await zenifra.stop_project(id=WEB)
        assert (stopped.value.status, stopped.value.code) == (409, "invalid_state")
        assert (await zenifra.resume_project(id=WEB)).state == "running"

    asyncio.run(body())


def test_organization_keys_go_as_bearer_with_the_organization_header(sandbox: Sandbox) -> None:
    keys = credentials(sandbox)
    url = sandbox.base_url("zenifra")
    with zkit.Zenifra(keys["organization_key"], base_url=url, organization_id=keys["organization_id"]) as zenifra:
        zenifra.get_project(id=WEB)
        headers = last_headers(sandbox)
        assert headers["authorization"].startswith("Bearer znf_") and "x-api-key" not in headers
        assert headers["x-organization-id"] == keys["organization_id"]
        assert keys["organization_key"] not in repr(zenifra)
    with zkit.Zenifra(keys["organization_key"], base_url=url, auth_header="x-api-key") as zenifra:
        zenifra.get_project(id=WEB)
        headers = last_headers(sandbox)
        assert headers["x-api-key"].startswith("znf_") and "authorization" not in headers


def test_project_keys_reach_their_project_only(sandbox: Sandbox) -> None:
    with zkit.Zenifra(credentials(sandbox)["project_key"], base_url=sandbox.base_url("zenifra")) as zenifra:
        assert zenifra.get_project(id=WEB).name == "web"
        assert last_headers(sandbox)["x-api-key"].startswith("zpk_")
        with pytest.raises(zkit.PermissionDeniedError) as other:
            zenifra.get_project(id=WORKER)
        assert other.value.status == 403


def test_the_documented_errors_are_typed(sandbox: Sandbox) -> None:
    keys = credentials(sandbox)
    url = sandbox.base_url("zenifra")
    with zkit.Zenifra("znf_not_a_sandbox_key_000000", base_url=url) as wrong:
        with pytest.raises(zkit.AuthenticationError) as unauthorized:
            wrong.get_project(id=WEB)
        assert unauthorized.value.status == 401 and unauthorized.value.request_id
    with zkit.Zenifra(keys["read_only_key"], base_url=url) as reader:
        reader.get_project(id=WEB)
        with pytest.raises(zkit.PermissionDeniedError) as denied:
            reader.update_project_name(id=WEB, name="nope")
        assert denied.value.code == "insufficient_permissions"
    with zkit.Zenifra(keys["organization_key"], base_url=url, organization_id="org_other") as wrong_org:
        with pytest.raises(zkit.PermissionDeniedError):
            wrong_org.get_project(id=WEB)
    with zkit.Zenifra(keys["allowlisted_key"], base_url=url) as allowlisted:
        with pytest.raises(zkit.PermissionDeniedError):
            allowlisted.get_project(id=WEB)
    with zkit.Zenifra(keys["organization_key"], base_url=url) as zenifra:
        with pytest.raises(zkit.NotFoundError):
            zenifra.get_project(id="000000000000000000000000")


def test_bad_input_and_settings_are_refused_before_sending(sandbox: Sandbox) -> None:
    keys = credentials(sandbox)
    url = sandbox.base_url("zenifra")
    with pytest.raises(zkit.InvalidInputError) as unknown:
        zkit.Zenifra(keys["organization_key"], base_url=url, region="eu")
    assert unknown.value.field == "region"
    with pytest.raises(zkit.InvalidInputError) as header:
        zkit.Zenifra(keys["organization_key"], base_url=url, auth_header="cookie")
    assert header.value.field == "auth_header"
    with zkit.Zenifra(keys["organization_key"], base_url=url) as zenifra:
        refusals: list[tuple[Callable[[], object], str]] = [
            (lambda: zenifra.update_instances(id=WEB, count=0), "count"),
            (lambda: zenifra.list_projects(limit=101), "limit"),
            (lambda: zenifra.update_envs(id=WEB, envs={"A=B": "1"}), "envs"),
            (lambda: zenifra.get_metrics(id=WEB, period="2h"), "period"),  # type: ignore[call-overload]
            (lambda: zenifra.deploy_branch(id=WEB, branch="a..b"), "branch"),
            (lambda: zenifra.get_project(id=""), "id"),
        ]
        for call, field in refusals:
            with pytest.raises(zkit.InvalidInputError) as refused:
                call()
            assert refused.value.field == field
    assert sandbox.journal() == []


def test_the_limit_of_100_a_minute_per_project(sandbox: Sandbox) -> None:
    keys = credentials(sandbox)
    url = sandbox.base_url("zenifra")
    with zkit.Zenifra(keys["organization_key"], base_url=url, rate_limit=False, max_retries=0) as unpaced:
        for _ in range(100):
            unpaced.get_instances(id=WEB)
        unpaced.get_instances(id=WORKER)  # another project has its own budget
        with pytest.raises(zkit.RateLimitError) as limited:
            unpaced.get_instances(id=WEB)
        assert limited.value.status == 429 and limited.value.retry_after is not None
    sandbox.advance_clock(60)
    # The paced client holds the 101st call for the minute to pass instead of meeting a 429; with a
    # deadline of 2 s it is refused unsent.
    with zkit.Zenifra(keys["organization_key"], base_url=url, max_retries=0) as paced:
        for _ in range(100):
            paced.get_instances(id=WEB)
        with pytest.raises(zkit.RateLimitError) as held:
            paced.get_instances(id=WEB, deadline=2)
        assert held.value.status is None and held.value.retry_after is not None and held.value.retry_after > 50
    assert [entry["status"] for entry in sandbox.journal()[-100:]] == [200] * 100