"""zkit quickstart: put a static site on Zerokie, look at it, take it down; then scale a Zenifra
project, read a Zenovay website's analytics and walk a Zyra fleet.

    pip install ./bindings-python
    cargo run -p zkit-sandbox          # prints the <API>_BASE_URL and <API>_API_KEY lines for the sandbox
    ZEROKIE_BASE_URL=... ZEROKIE_API_KEY=... python examples/python/quickstart.py

Without <API>_BASE_URL it talks to the real APIs, with the keys in <API>_API_KEY. The Zenifra part runs
when ZENIFRA_API_KEY is set (with ZENIFRA_PROJECT_ID, the project to work on), the Zenovay part when
ZENOVAY_API_KEY is set, the Zyra part when ZYRA_API_KEY (or ZYRA_EMAIL and ZYRA_PASSWORD) is set.
"""

import os

import zkit

SITE = "zkit-quickstart"

PAGES = {
    "index.html": b"<!doctype html><title>Hello</title><link rel=stylesheet href=assets/site.css><h1>Hello from zkit</h1>",
    "assets/site.css": b"h1 { font-family: sans-serif; color: teal }",
}


def show(event: zkit.DeployEvent) -> None:
    if event.event == "file_done":
        print(f"uploaded {event.path}")


def main() -> None:
    with zkit.Zerokie() as zerokie:  # the key and base URL come from the environment
        print(f"client: {zerokie!r}")  # shows a preview of the key at most

        site = zerokie.create_app(name=SITE, type="static")
        print(f"created {site.name} ({site.type}), {site.status}, served at {site.url}")

        # One call: plans against what is there, holds the deploy lock (renewed while it runs),
        # uploads 8 at a time, deletes what is gone and finalizes with the true counts.
        done = zerokie.deploy_site(SITE, PAGES, on_progress=show)
        print(f"deploy {done.deploy_id}: {done.files_uploaded} files, {done.total_bytes} bytes, cache purged: {done.cache_purged}")
        again = zerokie.deploy_site(SITE, PAGES)
        print(f"deployed again: {again.files_unchanged} unchanged, {again.files_uploaded} uploaded")

        print("files:")
        for entry in zerokie.list_files(name=SITE):
            print(f"  {entry.path:<20} {entry.length:>5} bytes  {entry.last_modified}")

        print("apps:", ", ".join(f"{app.name} ({app.status})" for app in zerokie.list_apps()))

        try:
            zerokie.add_domain(name=SITE, domain="example.com")
        except zkit.InvalidInputError as error:
            print(f"refused before sending: {error}")

        zerokie.delete_app(name=SITE)
        try:
            zerokie.get_app(name=SITE)
        except zkit.NotFoundError as error:
            print(f"cleaned up: {error.message} (status {error.status}, request {error.request_id})")


def zenifra() -> None:
    project_id = os.environ.get("ZENIFRA_PROJECT_ID", "507f1f77bcf86cd799439011")  # the sandbox's web project
    with zkit.Zenifra() as client:  # ZENIFRA_API_KEY, ZENIFRA_ORGANIZATION_ID (sent as x-organization-id)
        project = client.get_project(id=project_id)
        print(f"zenifra: {project.name} is {project.state} on the {project.plan} plan")
        instances = client.get_instances(id=project_id)
        try:
            client.update_instances(id=project_id, count=(instances.max or 1) + 1)
        except zkit.PaymentRequiredError as error:
            print(f"zenifra: the plan stops at {instances.max} instances ({error.code})")
        latency = client.get_network_latency(id=project_id, period="24h")
        print(f"zenifra: p50 {latency.p50_ms:.0f} ms, p99 {latency.p99_ms:.0f} ms over 24h")


def zenovay() -> None:
    with zkit.Zenovay() as client:  # ZENOVAY_API_KEY, sent as X-API-Key
        for website in client.list_websites():
            summary = client.get_analytics(id=website.id)
            print(f"zenovay: {website.domain}: {summary.visitors} visitors from {summary.from_} to {summary.to}")


def zyra() -> None:
    with zkit.Zyra() as client:  # ZYRA_API_KEY, or ZYRA_EMAIL and ZYRA_PASSWORD to log in
        devices = client.iter_devices(limit=200)  # lazy: pages are fetched as the loop needs them
        regions: dict[str, int] = {}
        for device in devices:
            regions[device.region or "?"] = regions.get(device.region or "?", 0) + 1
        print(f"zyra: {sum(regions.values())} devices in {len(regions)} regions")
        pending = [device.name for device in client.iter_devices(status="pending")]
        print(f"zyra: waiting for approval: {', '.join(pending) or 'none'}")
        try:
            invoice = client.list_invoices(limit=1).items[0]
            pdf = client.download_invoice_pdf(id=invoice.id)
            print(f"zyra: invoice {invoice.number}: {len(pdf.content)} bytes of {pdf.content_type}")
        except zkit.PermissionDeniedError as error:
            print(f"zyra: invoices are for Org Admins ({error.code})")


if __name__ == "__main__":
    main()
    if os.environ.get("ZENIFRA_API_KEY"):
        zenifra()
    if os.environ.get("ZENOVAY_API_KEY"):
        zenovay()
    if os.environ.get("ZYRA_API_KEY") or os.environ.get("ZYRA_EMAIL"):
        zyra()
