"""zkit quickstart: put a static site on Zerokie, look at it, take it down.

    pip install ./bindings-python
    cargo run -p zkit-sandbox          # prints ZEROKIE_BASE_URL and ZEROKIE_API_KEY for the sandbox
    ZEROKIE_BASE_URL=... ZEROKIE_API_KEY=... python examples/python/quickstart.py

Without ZEROKIE_BASE_URL it talks to the real API, with the key in ZEROKIE_API_KEY.
"""

import zkit

SITE = "zkit-quickstart"

PAGES = {
    "index.html": b"<!doctype html><title>Hello</title><link rel=stylesheet href=assets/site.css><h1>Hello from zkit</h1>",
    "assets/site.css": b"h1 { font-family: sans-serif; color: teal }",
}


def main() -> None:
    with zkit.Zerokie() as zerokie:  # the key and base URL come from the environment
        print(f"client: {zerokie!r}")  # shows a preview of the key at most

        site = zerokie.create_app(name=SITE, type="static")
        print(f"created {site.name} ({site.type}), {site.status}, served at {site.url}")

        # Deploy under the lock, so that two deploys never interleave.
        session = zkit.new_deploy_session_id()
        zerokie.acquire_deploy_lock(name=SITE, deploy_session_id=session)
        for path, content in PAGES.items():
            zerokie.upload_file(name=SITE, path=path, content=content)  # Content-Type from the extension
            print(f"uploaded {path} ({len(content)} bytes)")
        done = zerokie.finalize_deploy(
            name=SITE,
            deploy_session_id=session,
            files_uploaded=len(PAGES),
            files_deleted=0,
            total_bytes=sum(len(content) for content in PAGES.values()),
        )
        print(f"deploy {done.deploy_id}: cache purged: {done.cache_purged}")

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


if __name__ == "__main__":
    main()
