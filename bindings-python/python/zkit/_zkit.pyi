# The native module, built from bindings-python/src with pyo3: one class per API, and `Pages`, the walk
# over a paged list every API's `pages` starts. Its errors are raised as the instances
# zkit._error_base._from_native makes.
from typing import Any, Awaitable, Mapping, Optional, Union

from typing_extensions import Self, final

__all__ = [
    "Pages",
    "Zenifra",
    "Zenovay",
    "Zerokie",
    "Zyra",
    "__version__",
    "deploy_cancelled_message",
    "deploy_site",
    "deploy_site_async",
    "drain",
]

__version__: str

# Waits (the interpreter detached) until no async call is in flight or timeout seconds pass; returns how
# many still run. The package registers it with atexit, so no worker thread touches Python at shutdown.
def drain(timeout: float) -> int: ...

# A static-site deploy through a Zerokie client: source is a folder path or a list of
# {"path", "content" | "file"} dicts; options are DeployOptions' JSON fields; progress gets each event
# as a dict. Answers the report as a dict. Ctrl-C raises KeyboardInterrupt before it finalizes.
def deploy_site(
    client: Zerokie,
    app: str,
    source: Union[str, list[dict[str, Any]]],
    options: Optional[Mapping[str, Any]] = None,
    progress: Optional[Any] = None,
) -> dict[str, Any]: ...
def deploy_site_async(
    client: Zerokie,
    app: str,
    source: Union[str, list[dict[str, Any]]],
    options: Optional[Mapping[str, Any]] = None,
    progress: Optional[Any] = None,
) -> Awaitable[dict[str, Any]]: ...

# What a cancelled deploy leaves behind, in words.
def deploy_cancelled_message(app: str, session_id: Optional[str]) -> str: ...

# A walk in progress: each call fetches one page, as (data, meta), or gives None once the list is walked.
# Made by an API class's `pages`, not constructed directly.
@final
class Pages:
    def next_page(self) -> Optional[tuple[Any, dict[str, Any]]]: ...
    def next_page_async(self) -> Awaitable[Optional[tuple[Any, dict[str, Any]]]]: ...

# What every native API class has; each API's class is one of these. It exists in this stub only
# (stubtest leaves private names alone).
class _NativeApi:
    # config keys, each optional: api_key, base_url, max_retries, timeout, connect_timeout, deadline,
    # rate_limit, rate_limits (a dict), rate_limit_store, jitter_seed, auth_header and the API's own settings (strings);
    # None for a time limit removes it.
    def __new__(cls, config: Mapping[str, Any]) -> Self: ...
    def call(
        self, operation: str, input: Mapping[str, Any], options: Optional[Mapping[str, Any]] = None
    ) -> tuple[Any, dict[str, Any]]: ...
    def call_async(
        self, operation: str, input: Mapping[str, Any], options: Optional[Mapping[str, Any]] = None
    ) -> Awaitable[tuple[Any, dict[str, Any]]]: ...
    def raw(
        self,
        method: str,
        path: str,
        query: Optional[Mapping[str, str]] = None,
        body: Union[bytes, bytearray, memoryview, str, None] = None,
        content_type: Optional[str] = None,
        options: Optional[Mapping[str, Any]] = None,
    ) -> dict[str, Any]: ...
    def raw_async(
        self,
        method: str,
        path: str,
        query: Optional[Mapping[str, str]] = None,
        body: Union[bytes, bytearray, memoryview, str, None] = None,
        content_type: Optional[str] = None,
        options: Optional[Mapping[str, Any]] = None,
    ) -> Awaitable[dict[str, Any]]: ...
    # A lazy walk over a paged list operation; max_pages caps it (default 1000). Nothing is sent yet.
    def pages(
        self,
        operation: str,
        input: Mapping[str, Any],
        options: Optional[Mapping[str, Any]] = None,
        max_pages: Optional[int] = None,
    ) -> Pages: ...
    # Polls with backoff until the waiter's state (options: timeout_ms, first_delay_ms, max_delay_ms).
    def wait_until(
        self, waiter: str, input: Mapping[str, Any], options: Optional[Mapping[str, Any]] = None
    ) -> Any: ...
    def wait_until_async(
        self, waiter: str, input: Mapping[str, Any], options: Optional[Mapping[str, Any]] = None
    ) -> Awaitable[Any]: ...
    def close(self) -> None: ...
    # The API's waiters: {name: {"doc", "operation", "find"}}.
    @staticmethod
    def waiters() -> dict[str, Any]: ...

@final
class Zerokie(_NativeApi): ...

@final
class Zenifra(_NativeApi): ...

@final
class Zenovay(_NativeApi): ...

@final
class Zyra(_NativeApi): ...
