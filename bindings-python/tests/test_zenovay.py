"""Zenovay through the sync and the async client over HTTP against the sandbox: websites, settings and
analytics typed, both header styles, scopes and website-scoped keys, the documented errors with their
codes, and 429 with Retry-After."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from support import Sandbox

import zkit


def credentials(sandbox: Sandbox) -> dict[str, str]:
    values: dict[str, str] = sandbox.api("zenovay")["credentials"]
    return values


def test_websites_settings_and_analytics(zenovay: Any, sandbox: Sandbox) -> None:
    async def body() -> None:
        websites = await zenovay.list_websites()
        assert all(isinstance(w, zkit.Website) for w in websites)
        assert [w.id for w in websites] == ["site_shop", "site_blog"]
        shop = await zenovay.get_website(id="site_shop")
        assert (shop.domain, shop.timezone, shop.public) == ("shop.example.com", "Europe/Lisbon", False)

        updated = await zenovay.update_website(id="site_shop", name="Shop EU", timezone="Europe/Berlin", public=True)
        assert (updated.name, updated.timezone, updated.public) == ("Shop EU", "Europe/Berlin", True)
        assert (await zenovay.get_website({"id": "site_shop"})).name == "Shop EU"

        summary = await zenovay.get_analytics(id="site_shop", from_="2026-11-01", to="2026-11-30")
        assert isinstance(summary, zkit.AnalyticsSummary)
        assert (summary.website_id, summary.from_, summary.to) == ("site_shop", "2026-11-01", "2026-11-30")
        assert summary.pageviews >= summary.visitors > 0 and 0 <= summary.bounce_rate <= 1
        assert all(isinstance(page, zkit.PageViews) for page in summary.top_pages)
        assert summary == await zenovay.get_analytics(id="site_shop", from_="2026-11-01", to="2026-11-30")
        default = await zenovay.get_analytics(id="site_blog")
        assert default.from_ < default.to

        with pytest.raises(zkit.NotFoundError) as missing:
            await zenovay.get_website(id="site_nowhere")
        assert missing.value.status == 404

    asyncio.run(body())


def test_both_header_styles(sandbox: Sandbox) -> None:
    token = credentials(sandbox)["personal_token"]
    url = sandbox.base_url("zenovay")
    with zkit.Zenovay(token, base_url=url) as default:
        default.list_websites()
        headers = sandbox.journal()[-1]["headers"]
        assert "x-api-key" in headers and "authorization" not in headers
    with zkit.Zenovay(token, base_url=url, auth_header="authorization") as bearer:
        bearer.list_websites()
        headers = sandbox.journal()[-1]["headers"]
        assert headers["authorization"].startswith("Bearer ") and "x-api-key" not in headers


def test_scopes_and_website_scoped_keys(sandbox: Sandbox) -> None:
    keys = credentials(sandbox)
    url = sandbox.base_url("zenovay")
    with zkit.Zenovay(keys["read_token"], base_url=url) as reader:
        assert reader.get_analytics(id="site_blog").visitors > 0
        with pytest.raises(zkit.PermissionDeniedError) as denied:
            reader.update_website(id="site_blog", name="Mine")
        assert (denied.value.status, denied.value.code) == (403, "insufficient_permissions")
    with zkit.Zenovay(keys["write_token"], base_url=url) as writer:
        assert writer.update_website(id="site_blog", name="Notes").name == "Notes"
        with pytest.raises(zkit.PermissionDeniedError):
            writer.update_website(id="site_blog", public=False)
    with zkit.Zenovay(keys["admin_token"], base_url=url) as admin:
        assert admin.update_website(id="site_blog", public=False).public is False
    with zkit.Zenovay(keys["site_key"], base_url=url) as site:
        assert [w.id for w in site.list_websites()] == ["site_blog"]
        with pytest.raises(zkit.NotFoundError):
            site.get_website(id="site_shop")


def test_documented_errors_carry_their_codes(sandbox: Sandbox) -> None:
    url = sandbox.base_url("zenovay")
    with zkit.Zenovay("znv_not_a_sandbox_key_00000000", base_url=url) as wrong:
        with pytest.raises(zkit.AuthenticationError) as unauthorized:
            wrong.list_websites()
        assert (unauthorized.value.status, unauthorized.value.code) == (401, "invalid_api_key")
    with zkit.Zenovay(credentials(sandbox)["workspace_key"], base_url=url, max_retries=0) as zenovay:
        for _ in range(120):
            zenovay.get_website(id="site_shop")
        with pytest.raises(zkit.RateLimitError) as limited:
            zenovay.get_website(id="site_shop")
        assert (limited.value.status, limited.value.code) == (429, "rate_limit_exceeded")
        assert limited.value.retry_after is not None and limited.value.retry_after > 0
        sandbox.advance_clock(60)
        assert zenovay.get_website(id="site_shop").id == "site_shop"


def test_bad_input_is_refused_before_sending(sandbox: Sandbox) -> None:
    with zkit.Zenovay(credentials(sandbox)["personal_token"], base_url=sandbox.base_url("zenovay")) as zenovay:
        refusals: list[tuple[Callable[[], object], str]] = [
            (lambda: zenovay.get_analytics(id="site_shop", from_="2026-13-01"), "from"),
            (lambda: zenovay.get_analytics(id="site_shop", from_="2026-12-02", to="2026-12-01"), "from"),
            (lambda: zenovay.update_website(id="site_shop"), "input"),
            (lambda: zenovay.update_website(id="site_shop", timezone="Mars"), "timezone"),
            (lambda: zenovay.get_website(id=""), "id"),
        ]
        for call, field in refusals:
            with pytest.raises(zkit.InvalidInputError) as refused:
                call()
            assert refused.value.field == field
    assert sandbox.journal() == []
