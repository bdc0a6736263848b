"""A program using zkit's typed surface, checked with `mypy --strict` (scripts/test-python).

Every annotation below must hold as written, and each `# type: ignore[...]` marks a mistake mypy has
to catch: with --strict an ignore that is not needed is itself an error, so this file fails the check
if the surface stops catching typos in parameter names, attribute names or types.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import zkit


def deploy_site(zerokie: zkit.Zerokie) -> list[zkit.FileEntry]:
    site: zkit.App = zerokie.create_app(name="my-site", type="static")
    status: str = site.status
    url: Optional[str] = site.url
    print(site.name, status, url, site.extra, site["name"])

    session = zkit.new_deploy_session_id()
    lock: zkit.DeployLock = zerokie.acquire_deploy_lock(name=site.name, deploy_session_id=session)
    locked: bool = lock.locked
    print(locked, lock.to_dict())
    zerokie.upload_file(name="my-site", path="index.html", content=b"<h1>hi</h1>", timeout=10)
    zerokie.upload_file({"name": "my-site", "path": "site.css", "content": "h1 {}"}, max_retries=5)
    files = zerokie.list_files(name="my-site")
    total = sum(entry.length for entry in files)

    params: zkit.FinalizeDeployParams = {
        "name": "my-site",
        "deploy_session_id": session,
        "files_uploaded": len(files),
        "files_deleted": 0,
        "total_bytes": total,
    }
    done: zkit.FinalizedDeploy = zerokie.finalize_deploy(params, deadline=None)
    uploaded: int = done.summary.files_uploaded
    print(done.deploy_id, uploaded)
    return files


def containers(zerokie: zkit.Zerokie) -> None:
    auth: zkit.RegistryAuthParams = {"username": "deployer", "password": "token"}
    app = zerokie.create_app(
        name="api", image="registry.example.com/api:v1", port=8080, env={"MODE": "prod"}, registry_auth=auth
    )
    port: Optional[int] = app.port
    deploy: zkit.Deploy = zerokie.deploy_app(name="api", image="registry.example.com/api:v2", idempotency_key="v2")
    apps: list[zkit.App] = zerokie.list_apps(max_retries=0, rate_limit=False)
    print(port, deploy.status, [a.name for a in apps])
    zerokie.delete_app(name="api")

    raw: zkit.RawResponse = zerokie.raw("GET", "/v1/apps", query={"page": 1})
    body: Any = raw.json()
    response: zkit.Response[Any] = zerokie.call_json("get_app", {"name": "my-site"})
    print(raw.status, body, response.attempts, response.request_id)
    typed: zkit.Response[zkit.App] = zerokie.with_raw_response.get_app(name="my-site")
    status: zkit.AppStatus = typed.data.status
    print(typed.status, typed.headers.get("x-request-id"), status == "running")


def handle_errors(zerokie: zkit.Zerokie) -> Optional[zkit.Domain]:
    try:
        return zerokie.add_domain(name="my-site", domain="www.example.com")
    except zkit.RateLimitError as error:
        wait: Optional[float] = error.retry_after
        print("wait", wait)
    except zkit.InvalidInputError as error:
        field: Optional[str] = error.field
        print("bad", field)
    except zkit.ZkitError as error:
        status: Optional[int] = error.status
        request_id: Optional[str] = error.request_id
        retryable: bool = error.retryable
        print(error.kind, status, error.code, error.message, request_id, retryable)
    return None


async def many_at_once() -> list[zkit.App]:
    async with zkit.AsyncZerokie(timeout=30, max_retries=3) as zerokie:
        created = await asyncio.gather(*(zerokie.create_app(name=f"site-{i}", type="static") for i in range(4)))
        first: zkit.App = created[0]
        domain: zkit.Domain = await zerokie.add_domain({"name": first.name, "domain": "www.example.org"})
        tls: str = domain.tls_status
        print(tls)
        await zerokie.remove_domain(name=first.name, domain=domain.domain)
        return await zerokie.list_apps()


def fleet(zyra: zkit.Zyra) -> list[zkit.Device]:
    walk: zkit.SyncPages[zkit.DevicePage, zkit.Device] = zyra.iter_devices(limit=200, max_pages=10)
    pages: list[zkit.DevicePage] = list(walk.pages())
    total: int = pages[0].total
    pdf: bytes = zyra.download_invoice_pdf(id="inv_0001").content
    print(total, len(pdf))
    return [device for device in walk if device.status == "pending"]


async def fleet_async() -> list[str]:
    async with zkit.AsyncZyra(email="ada@example.com", password="secret-password") as zyra:
        ids = [device.id async for device in zyra.iter_devices({"status": "pending"})]
        async for page in zyra.iter_invoices().pages():
            invoice: zkit.Invoice = page.items[0]
            print(invoice.number)
        return ids


def mistakes_mypy_catches(zerokie: zkit.Zerokie, app: zkit.App) -> None:
    zerokie.create_app(name="x", imgae="nginx")  # type: ignore[call-overload]
    zerokie.create_app(name="x", port="80")  # type: ignore[call-overload]
    zerokie.get_app()  # type: ignore[call-overload]
    zerokie.get_app({"nmae": "x"})  # type: ignore[call-overload]
    zerokie.list_apps(retries=3)  # type: ignore[call-arg]
    print(app.nmae)  # type: ignore[attr-defined]
    app.name = "other"  # type: ignore[misc]
    length: str = zerokie.list_files(name="x")[0].length  # type: ignore[assignment]
    print(length)


def walk_mistakes_mypy_catches(zyra: zkit.Zyra) -> None:
    zyra.iter_devices(limit="200")  # type: ignore[call-overload]
    zyra.iter_devices(max_page=2)  # type: ignore[call-overload]
    for device in zyra.iter_devices():
        serial: int = device.id  # type: ignore[assignment]
        print(serial)
    text: str = zyra.download_invoice_pdf(id="inv_0001").content  # type: ignore[assignment]
    print(text)


def main() -> None:
    with zkit.Zerokie(base_url=None, jitter_seed=7) as zerokie:
        deploy_site(zerokie)
        containers(zerokie)
        handle_errors(zerokie)
    print(asyncio.run(many_at_once()))


if __name__ == "__main__":
    main()
