"""The leak scan: with each API's key, calls (sync, async and raw) meet answers that echo the key back in
every place a client reads (the error's message, code, details and request id, and the headers), at every
status the taxonomy maps; everything the caller can see (str, repr, each attribute of the exceptions and
their causes, the clients' reprs, what Python's logging recorded) and the sandbox's journal is searched
for any key. Goal and assertion: none."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from support import Sandbox

import zkit

STATUSES = [400, 401, 402, 403, 404, 409, 429, 500, 502]


def shown(error: BaseException) -> str:
    """Everything a caller can see of an exception and the chain behind it."""
    parts = [str(error), repr(error), repr(vars(error)) if hasattr(error, "__dict__") else ""]
    if error.__cause__ is not None:
        parts.append(shown(error.__cause__))
    if error.__context__ is not None and error.__context__ is not error.__cause__:
        parts.append(shown(error.__context__))
    return "\n".join(parts)


def test_no_key_shows_in_errors_clients_logs_or_the_journal(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    described = sandbox.control("GET", "")["apis"]
    keys = {
        "zerokie": described["zerokie"]["api_key"],
        "zenifra": described["zenifra"]["credentials"]["organization_key"],
        "zenovay": described["zenovay"]["api_key"],
        "zyra": described["zyra"]["credentials"]["admin_key"],
    }
    settings: dict[str, Any] = {"rate_limit": False, "max_retries": 1}
    zerokie = zkit.Zerokie(keys["zerokie"], base_url=sandbox.base_url("zerokie"), **settings)
    zenifra = zkit.Zenifra(
        keys["zenifra"], organization_id="org_sandbox", base_url=sandbox.base_url("zenifra"), **settings
    )
    zenovay = zkit.Zenovay(keys["zenovay"], base_url=sandbox.base_url("zenovay"), **settings)
    zyra = zkit.Zyra(keys["zyra"], base_url=sandbox.base_url("zyra"), **settings)
    sync = [zerokie, zenifra, zenovay, zyra]
    web = "507f1f77bcf86cd799439011"
    calls: list[Callable[[], Any]] = [
        lambda: zerokie.list_apps(),
        lambda: zenifra.get_project(id=web),
        lambda: zenovay.list_websites(),
        lambda: zyra.list_devices(limit=5),
        lambda: zyra.raw("GET", "/devices"),
        lambda: asyncio.run(async_call()),
    ]

    async def async_call() -> None:
        async with zkit.AsyncZerokie(keys["zerokie"], base_url=sandbox.base_url("zerokie"), **settings) as client:
            await client.list_apps()

    seen = [repr(client) for client in sync]
    for call in calls:
        for status in STATUSES:
            sandbox.control("DELETE", "faults")
            sandbox.fault(status=status, times=3, retry_after="0", echo_credentials=True)
            with pytest.raises(zkit.ZkitError) as caught:
                call()
            assert caught.value.status == status
            seen.append(shown(caught.value))
    for client in sync:
        client.close()

    text = "\n".join(seen + [caplog.text])
    journal = json.dumps(sandbox.journal())
    assert "you sent" in text, "the answers carried the keys: the scan is not vacuous"
    for api, key in keys.items():
        assert text.count(key) == 0, f"the {api} key shows in what the caller sees"
        assert journal.count(key) == 0, f"the {api} key shows in the journal"


def test_a_raised_exception_leaks_no_key_through_its_traceback(sandbox: Sandbox) -> None:
    key = sandbox.control("GET", "")["apis"]["zyra"]["credentials"]["admin_key"]
    sandbox.fault(status=401, echo_credentials=True)
    with zkit.Zyra(key, base_url=sandbox.base_url("zyra"), max_retries=0) as zyra:
        with pytest.raises(zkit.AuthenticationError) as caught:
            zyra.get_organization(id="org_sandbox")
    assert key not in str(caught.getrepr(showlocals=False, style="long"))
