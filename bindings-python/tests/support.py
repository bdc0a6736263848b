"""Helpers of the test suite: the sandbox process and its control API, and a sync client dressed as
an async one so that one test body checks both clients."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def contract_operations(api: str) -> list[dict[str, Any]]:
    """The operations of an API's committed contract (schema/<api>.openapi.json), which a Rust test
    holds to the operation table: `operationId`, `description`, `x-zkit-paged`, …"""
    contract = json.loads((REPO / "schema" / f"{api}.openapi.json").read_text())
    return [operation for methods in contract["paths"].values() for operation in methods.values()]
SANDBOX_KEY = "zrk_sandbox_0c0ffee0c0ffee0c0ffee0c0ffee"
WRONG_KEY = "zrk_not_a_sandbox_key_0000"


class Sandbox:
    """A `zkit-sandbox` process on 127.0.0.1 and a port of its choosing, driven by its control API."""

    def __init__(self, tls: bool = False) -> None:
        """With `tls`, the sandbox speaks HTTPS with a certificate of its own authority, whose PEM file
        is `ca_file`."""
        binary = os.environ.get("ZKIT_SANDBOX_BIN") or str(REPO / "target" / "debug" / "zkit-sandbox")
        if not Path(binary).exists():
            raise RuntimeError(f"no sandbox binary at {binary}: run `cargo build -p zkit-sandbox` first")
        self.process = subprocess.Popen(
            [binary, "--port", "0", *(["--tls"] if tls else [])],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline().strip()
        if not first.startswith("ZKIT_SANDBOX_URL="):
            self.process.kill()
            raise RuntimeError(f"the sandbox did not start: {first!r}")
        self.url = first.split("=", 1)[1]
        self.ca_file = self.process.stdout.readline().strip().split("=", 1)[1] if tls else None
        # Keep reading what it prints, so that a full pipe never blocks it.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    @property
    def zerokie_url(self) -> str:
        return f"{self.url}/zerokie"

    def api(self, name: str) -> dict[str, Any]:
        """What the sandbox says of an API: `base_url`, `api_key` (its default key), `credentials`."""
        described: dict[str, Any] = self.control("GET", "")["apis"][name]
        return described

    def base_url(self, name: str) -> str:
        url: str = self.api(name)["base_url"]
        return url

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/__sandbox/{path}", data=data, method=method)
        request.add_header("content-type", "application/json")
        context = None
        if self.ca_file is not None:
            import ssl

            context = ssl.create_default_context(cafile=self.ca_file)
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            text = response.read()
        return json.loads(text) if text.strip() else None

    def reset(self) -> None:
        self.control("POST", "reset")

    def advance_clock(self, seconds: float) -> None:
        self.control("POST", "clock", {"advance_seconds": seconds})

    def journal(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self.control("GET", "journal")
        return entries

    def fault(self, **fault: Any) -> None:
        """Queues a fault: method, path (a prefix), times, kind, status, body, retry_after, delay_ms."""
        self.control("POST", "faults", fault)


class Relay:
    """A forwarding HTTP proxy on 127.0.0.1: it passes every byte to `target` (host, port) and keeps
    what clients sent, so a test can see the requests that went through it."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.sent = bytearray()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, keep: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if keep:
                    self.sent += chunk
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            sink.close()

    def request_lines(self) -> list[str]:
        """The request lines sent through it, such as `GET http://127.0.0.1:4010/zerokie/v1/apps HTTP/1.1`."""
        text = self.sent.decode("latin-1")
        return [line for line in text.split("\r\n") if line.endswith(" HTTP/1.1")]

    def close(self) -> None:
        self.listener.close()


class AwaitableSync:
    """A sync client whose methods return coroutines, so a test body written with `await` runs the sync
    client as it is (each call blocks, then the coroutine completes)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if not callable(attribute):
            return attribute

        async def call(*args: Any, **kwargs: Any) -> Any:
            return attribute(*args, **kwargs)

        return call

    def __repr__(self) -> str:
        return repr(self.client)
