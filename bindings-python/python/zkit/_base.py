"""What every API client shares: settings, the call path into the native core, raw calls, closing.

The generated clients (`zkit.Zerokie`, `zkit.AsyncZerokie`, …) add one typed method per operation;
each one calls `_call` here, which hands JSON-shaped input to the native core and gets decoded JSON
back, and one `iter_…` method per paged list, which returns a lazy `SyncPages` or `AsyncPages` over
the core's page walk. Retries, timeouts, rate limiting, auth, paging guards and errors all happen in
the core.
"""

from __future__ import annotations

import json as _json
import logging as _logging
import os as _os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypedDict, TypeVar, Union

from zkit._model import Model
from zkit._error_base import _invalid_input

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

__all__ = [
    "NOT_GIVEN",
    "NotGiven",
    "CallOptions",
    "Response",
    "RawResponse",
    "RequestInfo",
    "ResponseInfo",
    "QueryValue",
    "SyncClient",
    "AsyncClient",
    "SyncPages",
    "AsyncPages",
]


class NotGiven:
    """The type of `NOT_GIVEN`: a setting left at its default, where `None` means "no limit"."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN = NotGiven()
"""A setting left at its default."""


class CallOptions(TypedDict, total=False):
    """Settings for one call, overriding the client's."""

    timeout: float | None
    """Seconds one attempt may take; None removes the limit."""
    deadline: float | None
    """Seconds the whole call may take, retries and waits included; None removes the limit."""
    max_retries: int
    """Retries after the first attempt (the client's default is 2)."""
    idempotency_key: str
    """Sent as Idempotency-Key; makes retrying a non-idempotent operation safe."""
    rate_limit: bool
    """Whether the client-side limiter paces this call."""


_OPTION_KEYS = frozenset({"timeout", "deadline", "max_retries", "idempotency_key", "rate_limit"})
# Options where None means "no limit" rather than "the client's setting".
_NONE_MEANS_NO_LIMIT = frozenset({"timeout", "deadline"})

QueryValue = Union[str, int, float, bool]
"""What a raw call's query parameter may be; numbers and booleans are written as JSON writes them."""


class _NativePages(Protocol):
    """A walk over a paged list in `zkit._zkit`: one page per call, `(data, meta)`, None at the end."""

    def next_page(self) -> tuple[Any, dict[str, Any]] | None: ...

    def next_page_async(self) -> Awaitable[tuple[Any, dict[str, Any]] | None]: ...


class _NativeClient(Protocol):
    """What a native client class of `zkit._zkit` offers."""

    def __init__(self, config: Mapping[str, Any]) -> None: ...

    def call(
        self, operation: str, input: Mapping[str, Any], options: Mapping[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]: ...

    def call_async(
        self, operation: str, input: Mapping[str, Any], options: Mapping[str, Any] | None = None
    ) -> Awaitable[tuple[Any, dict[str, Any]]]: ...

    def raw(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]: ...

    def raw_async(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> Awaitable[dict[str, Any]]: ...

    def pages(
        self,
        operation: str,
        input: Mapping[str, Any],
        options: Mapping[str, Any] | None = None,
        max_pages: int | None = None,
    ) -> _NativePages: ...

    def wait_until(
        self, waiter: str, input: Mapping[str, Any], options: Mapping[str, Any] | None = None
    ) -> Any: ...

    def wait_until_async(
        self, waiter: str, input: Mapping[str, Any], options: Mapping[str, Any] | None = None
    ) -> Awaitable[Any]: ...

    def close(self) -> None: ...

    @staticmethod
    def waiters() -> dict[str, Any]: ...


def _wait_options(timeout: float, first_delay: float, max_delay: float) -> dict[str, int]:
    return {
        "timeout_ms": round(timeout * 1000),
        "first_delay_ms": round(first_delay * 1000),
        "max_delay_ms": round(max_delay * 1000),
    }


class _Key:
    """A credential (API key, password) as the Python side keeps it to build `with_options` clients:
    never printed."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<secret>"


# Settings that are credentials, kept as `_Key`s; and the two of a login, which an API key replaces
# (and which replace an API key) in `with_options`.
_SECRET_SETTINGS = frozenset({"api_key", "password", "rate_limit_store", "proxy"})  # URLs may carry passwords
_LOGIN_SETTINGS = frozenset({"email", "password"})


_D = TypeVar("_D")


class Response(Generic[_D]):
    """A call's result with the facts of its HTTP response: from `call_json` (the decoded JSON) or from
    a typed method through `with_raw_response` (its typed result)."""

    __slots__ = ("data", "status", "headers", "request_id", "timestamp", "attempts")

    data: _D
    """The result: the typed model, or for `call_json` a dict, a list, or None."""
    status: int
    """The HTTP status of the successful attempt."""
    headers: dict[str, str]
    """Its headers, with lower-case names."""
    request_id: str | None
    """The request id the server gave (in the body where the API puts it there, as Zyra does)."""
    timestamp: str | None
    """The server's time of the answer, where the body carries it (Zyra's `meta.timestamp`)."""
    attempts: int
    """How many attempts the call took."""

    def __init__(self, data: _D, meta: Mapping[str, Any]) -> None:
        self.data = data
        self.status = int(meta["status"])
        self.headers = dict(meta["headers"])
        self.request_id = meta.get("request_id")
        self.timestamp = meta.get("timestamp")
        self.attempts = int(meta["attempts"])

    def __repr__(self) -> str:
        return (
            f"Response(status={self.status}, request_id={self.request_id!r}, attempts={self.attempts}, "
            f"data={self.data!r})"
        )


class RawResponse:
    """What a raw call got back: status, headers, body, request id and the number of attempts."""

    __slots__ = ("status", "headers", "body", "request_id", "attempts")

    status: int
    """The HTTP status."""
    headers: dict[str, str]
    """The headers, with lower-case names."""
    body: bytes
    """The body as sent."""
    request_id: str | None
    """The request id the server gave."""
    attempts: int
    """How many attempts the call took."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.status = int(raw["status"])
        self.headers = dict(raw["headers"])
        self.body = bytes(raw["body"])
        self.request_id = raw.get("request_id")
        self.attempts = int(raw["attempts"])

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; None for an empty body."""
        if not self.body.strip():
            return None
        return _json.loads(self.body)

    def __repr__(self) -> str:
        return (
            f"RawResponse(status={self.status}, request_id={self.request_id!r}, attempts={self.attempts}, "
            f"body=<{len(self.body)} bytes>)"
        )


class RequestInfo:
    """One attempt about to be sent, as `on_request` hooks see it. Credentials in the URL and headers
    are redacted."""

    __slots__ = ("api", "operation", "attempt", "method", "url", "headers")

    api: str
    """The API, such as "zerokie"."""
    operation: str
    """The operation, such as "get_app", or "raw"."""
    attempt: int
    """The attempt, from 1; a redirect followed keeps its attempt's number."""
    method: str
    """The HTTP method."""
    url: str
    """The URL."""
    headers: list[tuple[str, str]]
    """The headers; credentials show as "[redacted]"."""

    def __init__(self, info: Mapping[str, Any]) -> None:
        self.api = info["api"]
        self.operation = info["operation"]
        self.attempt = int(info["attempt"])
        self.method = info["method"]
        self.url = info["url"]
        self.headers = [(name, value) for name, value in info["headers"]]

    def __repr__(self) -> str:
        return f"RequestInfo({self.method} {self.url}, operation={self.operation!r}, attempt={self.attempt})"


class ResponseInfo:
    """How an attempt ended, as `on_response` hooks see it: a status, or the error that stopped it."""

    __slots__ = ("request", "status", "headers", "request_id", "duration", "error")

    request: RequestInfo
    """The attempt it answers."""
    status: int | None
    """The HTTP status, when a response came."""
    headers: list[tuple[str, str]]
    """The response's headers (sensitive ones redacted); empty without a response."""
    request_id: str | None
    """The server's request id."""
    duration: float
    """Seconds from sending to the whole response (or the failure)."""
    error: str | None
    """Why no response came (a broken connection, the attempt's timeout)."""

    def __init__(self, info: Mapping[str, Any]) -> None:
        self.request = RequestInfo(info["request"])
        self.status = info["status"]
        self.headers = [(name, value) for name, value in info["headers"]]
        self.request_id = info["request_id"]
        self.duration = float(info["duration"])
        self.error = info["error"]

    def __repr__(self) -> str:
        outcome = self.status if self.error is None else repr(self.error)
        return f"ResponseInfo({self.request.method} {self.request.url} -> {outcome}, {self.duration * 1000:.1f} ms)"


OnRequest = Callable[[RequestInfo], object]
"""An `on_request` hook."""
OnResponse = Callable[[ResponseInfo], object]
"""An `on_response` hook."""


def _hooks(on_request: OnRequest | None, on_response: OnResponse | None) -> Callable[[str, Any], None] | None:
    """The dispatcher the native side calls for every attempt, or None without hooks."""
    if on_request is None and on_response is None:
        return None

    def dispatch(event: str, info: Any) -> None:
        if event == "request" and on_request is not None:
            on_request(RequestInfo(info))
        elif event == "response" and on_response is not None:
            on_response(ResponseInfo(info))

    return dispatch


def _log_level() -> str | None:
    """The level the `zkit` logger was set to, as the core names it; None when it was not set."""
    level = _logging.getLogger("zkit").level
    if level == _logging.NOTSET:
        return None
    if level <= _logging.DEBUG:
        return "debug"
    return "info" if level <= _logging.INFO else "warn" if level <= _logging.WARNING else "error"


def _plain(value: Any) -> Any:
    """`value` as the native side takes JSON: dicts, lists, strings, numbers, booleans, None; bytes-like
    values (an upload's content) as they are, for the native side to take without a detour; paths as
    strings."""
    if value is None or isinstance(value, (str, bytes, bytearray, memoryview, bool, int, float)):
        return value
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, _os.PathLike):
        return _os.fspath(value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value  # the native side names what it cannot send


def _plain_fields(input: Mapping[str, Any]) -> dict[str, Any]:
    """An operation's input without its None fields, in plain JSON shapes."""
    return {key: _plain(value) for key, value in input.items() if value is not None}


def _query_text(value: QueryValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_P = TypeVar("_P")
_T = TypeVar("_T")


class _Pages(Generic[_P, _T]):
    """What the sync and async walks share: how a walk starts, and how pages and items are typed."""

    __slots__ = ("_operation", "_start", "_page", "_item")

    def __init__(
        self, operation: str, start: Callable[[], _NativePages], page: Callable[[Any], _P], item: Callable[[Any], _T]
    ) -> None:
        self._operation = operation
        self._start = start
        self._page = page
        self._item = item

    def _items(self, data: Any) -> list[_T]:
        return [self._item(entry) for entry in data["items"]]

    def __repr__(self) -> str:
        return f"<zkit.{type(self).__name__} of {self._operation}>"


class SyncPages(_Pages[_P, _T]):
    """A paged list, walked lazily: iterating gives the items, `pages()` the pages. Each iteration
    fetches one page at a time from the start, and nothing before it begins. A walk stops with a
    DecodeError at its page cap (`max_pages`, default 1000) or if the server repeats a page."""

    __slots__ = ()

    def _data(self) -> Iterator[Any]:
        walk = self._start()
        while (got := walk.next_page()) is not None:
            yield got[0]

    def pages(self) -> Iterator[_P]:
        """The pages, one request each."""
        return map(self._page, self._data())

    def __iter__(self) -> Iterator[_T]:
        for data in self._data():
            yield from self._items(data)


class AsyncPages(_Pages[_P, _T]):
    """A paged list, walked lazily with `async for`: the items, or the pages from `pages()`. Each
    iteration fetches one page at a time from the start, and nothing before it begins. A walk stops
    with a DecodeError at its page cap (`max_pages`, default 1000) or if the server repeats a page."""

    __slots__ = ()

    async def _data(self) -> AsyncIterator[Any]:
        walk = self._start()
        while (got := await walk.next_page_async()) is not None:
            yield got[0]

    async def pages(self) -> AsyncIterator[_P]:
        """The pages, one request each."""
        async for data in self._data():
            yield self._page(data)

    async def __aiter__(self) -> AsyncIterator[_T]:
        async for data in self._data():
            for entry in self._items(data):
                yield entry


class _ClientBase:
    """Settings and the preparation of calls, shared by the sync and async clients."""

    __slots__ = ("_config", "_native")

    # Set by each generated client: the native class, and per operation its keyword parameters
    # mapped to their wire names.
    _native_class: ClassVar[type[_NativeClient]]
    _fields: ClassVar[Mapping[str, Mapping[str, str]]] = {}

    _config: dict[str, Any]
    _native: _NativeClient

    @classmethod
    def waiters(cls) -> dict[str, Any]:
        """The waiters of this API for `wait_until`, by name: each one's `doc`, the `operation` it
        polls, and `find` (the field naming the item it looks for in a list), or None."""
        return cls._native_class.waiters()

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        connect_timeout: float | None | NotGiven = NOT_GIVEN,
        deadline: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        rate_limit: bool | None = None,
        rate_limits: Mapping[str, int] | None = None,
        rate_limit_store: str | None = None,
        jitter_seed: int | None = None,
        auth_header: str | None = None,
        proxy: str | None = None,
        ca_bundle: str | _os.PathLike[str] | bytes | None = None,
        log: str | None = None,
        log_bodies: bool | None = None,
        on_request: OnRequest | None = None,
        on_response: OnResponse | None = None,
        **api_settings: str,
    ) -> None:
        """A client. Unset `api_key` and `base_url` are read from the API's environment variables
        (`ZEROKIE_API_KEY`, `ZEROKIE_BASE_URL`, …); without a key, InvalidInputError(field="api_key").

        `timeout` (seconds per attempt, default 60), `connect_timeout` (default 5) and `deadline`
        (the whole call with retries, default 180) take None to remove the limit. `max_retries`
        (default 2) counts retries after the first attempt. `rate_limit=False` turns off client-side
        pacing; `rate_limits` raises limits for an account whose limits were raised, in requests per the
        documented window by limit name (`{"read": 300}` for Zyra's reads; Zyra has `create`, `read`,
        `write` and `high_volume`, Zenifra `project`); `rate_limit_store="redis://127.0.0.1:6379"` keeps
        the limiter's budgets in Redis, shared by every process on the same key (a store that cannot be
        reached is logged and the call is paced in process). `jitter_seed` makes the backoff jitter reproducible, for tests. `auth_header` picks the
        header that carries the key, where the API accepts more than one (`"x-api-key"` or
        `"authorization"`). Other keywords are the API's own settings, such as Zenifra's
        `organization_id` (also read from the environment); an unknown one is an InvalidInputError.
        Where the API has a login (Zyra), `email` and `password` take the place of the key (or
        `<API>_EMAIL` and `<API>_PASSWORD`): the client logs in on its first call and keeps its token
        fresh by itself.

        `proxy` sends every request through a proxy (`"http://user:pass@proxy:3128"`), in place of
        HTTPS_PROXY, HTTP_PROXY and NO_PROXY, which are honoured otherwise. `ca_bundle` (a PEM file's
        path, or PEM bytes; or ZKIT_CA_BUNDLE) adds trust roots beside the system's, for a proxy that
        inspects TLS; verification is never turned off. `log` ("debug", "info", "warn" or "error";
        ZKIT_LOG; or the level set on `logging.getLogger("zkit")`) sends records to the `zkit` logger,
        credentials redacted; `log_bodies=True` adds request and response bodies. `on_request` and
        `on_response` are called with a `RequestInfo` / `ResponseInfo` for every attempt, retries
        included; a hook that raises is logged and the call goes on. No repr ever shows the key, the
        password or a proxy's password.
        """
        settings: dict[str, Any] = {
            "api_key": api_key,
            "base_url": base_url,
            "max_retries": max_retries,
            "rate_limit": rate_limit,
            "rate_limits": dict(rate_limits) if rate_limits is not None else None,
            "rate_limit_store": rate_limit_store,
            "jitter_seed": jitter_seed,
            "auth_header": auth_header,
            "proxy": proxy,
            "ca_bundle": _os.fspath(ca_bundle) if isinstance(ca_bundle, _os.PathLike) else ca_bundle,
            "log": log,
            "log_bodies": log_bodies,
            "on_request": on_request,
            "on_response": on_response,
            **api_settings,
        }
        limits: dict[str, Any] = {"timeout": timeout, "connect_timeout": connect_timeout, "deadline": deadline}
        self._open(self._merge({}, settings, limits))

    @staticmethod
    def _merge(config: Mapping[str, Any], settings: Mapping[str, Any], limits: Mapping[str, Any]) -> dict[str, Any]:
        """`config` with the given `settings` (None: not given) and `limits` (NOT_GIVEN: not given) over
        it. Credentials are wrapped so that no repr shows them; a new key drops a login and a new login
        drops the key, since the core refuses both at once."""
        merged = dict(config)
        given = {name: value for name, value in settings.items() if value is not None}
        if "api_key" in given:
            for name in _LOGIN_SETTINGS:
                merged.pop(name, None)
        if given.keys() & _LOGIN_SETTINGS:
            merged.pop("api_key", None)
        merged.update((name, _Key(value) if name in _SECRET_SETTINGS else value) for name, value in given.items())
        merged.update((name, value) for name, value in limits.items() if not isinstance(value, NotGiven))
        return merged

    def _open(self, config: dict[str, Any]) -> None:
        native_config = {name: value.value if isinstance(value, _Key) else value for name, value in config.items()}
        native_config.pop("on_request", None)
        native_config.pop("on_response", None)
        native_config["hooks"] = _hooks(config.get("on_request"), config.get("on_response"))
        if native_config.get("log") is None:
            native_config["log"] = _log_level()
        self._native = type(self)._native_class(native_config)
        self._config = config

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float | None | NotGiven = NOT_GIVEN,
        connect_timeout: float | None | NotGiven = NOT_GIVEN,
        deadline: float | None | NotGiven = NOT_GIVEN,
        max_retries: int | None = None,
        rate_limit: bool | None = None,
        rate_limits: Mapping[str, int] | None = None,
        rate_limit_store: str | None = None,
        jitter_seed: int | None = None,
        auth_header: str | None = None,
        proxy: str | None = None,
        ca_bundle: str | _os.PathLike[str] | bytes | None = None,
        log: str | None = None,
        log_bodies: bool | None = None,
        on_request: OnRequest | None = None,
        on_response: OnResponse | None = None,
        **api_settings: str,
    ) -> Self:
        """A new client with this one's settings, except those given here."""
        settings: dict[str, Any] = {
            "api_key": api_key,
            "base_url": base_url,
            "max_retries": max_retries,
            "rate_limit": rate_limit,
            "rate_limits": dict(rate_limits) if rate_limits is not None else None,
            "rate_limit_store": rate_limit_store,
            "jitter_seed": jitter_seed,
            "auth_header": auth_header,
            "proxy": proxy,
            "ca_bundle": _os.fspath(ca_bundle) if isinstance(ca_bundle, _os.PathLike) else ca_bundle,
            "log": log,
            "log_bodies": log_bodies,
            "on_request": on_request,
            "on_response": on_response,
            **api_settings,
        }
        limits: dict[str, Any] = {"timeout": timeout, "connect_timeout": connect_timeout, "deadline": deadline}
        client = type(self).__new__(type(self))
        client._open(self._merge(self._config, settings, limits))
        return client

    @staticmethod
    def _options(caller: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The call options among `kwargs`; None leaves an option at the client's setting, except for
        the time limits, where it removes the limit."""
        options: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key not in _OPTION_KEYS:
                raise TypeError(f"{caller}() got an unexpected keyword argument {key!r}")
            if value is not None or key in _NONE_MEANS_NO_LIMIT:
                options[key] = value
        return options

    def _prepare(
        self, operation: str, params: tuple[Mapping[str, Any], ...], kwargs: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Merges the params dict (at most one) and the keyword fields into the operation's input, and
        splits out the options.

        Fields set to None are left out (the API's default applies). A name the operation does not
        have is refused here, since the core would otherwise drop it silently.
        """
        fields = self._fields.get(operation, {})
        wire_names = set(fields.values())
        input: dict[str, Any] = {}
        if len(params) > 1:
            raise TypeError(f"{operation}() takes one dict of parameters, not {len(params)} positional arguments")
        for given in params:
            if not isinstance(given, Mapping):
                raise TypeError(
                    f"{operation}() takes a dict of its parameters or keyword arguments, not {type(given).__name__}"
                )
            for key, value in given.items():
                if key not in wire_names:
                    raise _invalid_input(str(key), f"is not a parameter of {operation}")
                input[key] = value
        option_kwargs: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in _OPTION_KEYS:
                option_kwargs[key] = value
            elif key in fields:
                input[fields[key]] = value
            else:
                raise TypeError(f"{operation}() got an unexpected keyword argument {key!r}")
        return _plain_fields(input), self._options(operation, option_kwargs)

    def _walk(
        self, operation: str, params: tuple[Mapping[str, Any], ...], kwargs: Mapping[str, Any], max_pages: int | None
    ) -> Callable[[], _NativePages]:
        """Checks a paged list's arguments now and returns what starts a walk over it, later: each
        iteration starts its own, and nothing is sent before it asks for a page."""
        input, options = self._prepare(operation, params, kwargs)
        return lambda: self._native.pages(operation, input, options, max_pages)

    @staticmethod
    def _raw_args(
        method: str,
        path: str,
        query: Mapping[str, QueryValue] | None,
        json: object,
        content: bytes | str | None,
        content_type: str | None,
    ) -> tuple[str, str, dict[str, str] | None, bytes | None, str | None]:
        if json is not None and content is not None:
            raise TypeError("raw() takes json or content, not both")
        body: bytes | None = None
        if json is not None:
            body = _json.dumps(_plain(json), separators=(",", ":")).encode()
            content_type = content_type or "application/json"
        elif content is not None:
            body = content.encode() if isinstance(content, str) else bytes(content)
        text_query = None if query is None else {str(key): _query_text(value) for key, value in query.items()}
        return method.upper(), path, text_query, body, content_type

    def __repr__(self) -> str:
        # The native repr shows the base URL and a preview of the key at most: "<zkit.Zerokie base_url=…>".
        native = repr(self._native)
        return native.replace(f"zkit.{type(self._native).__name__}", f"zkit.{type(self).__name__}", 1)


class SyncClient(_ClientBase):
    """The base of the blocking clients. Threads may share one client; calls release the GIL."""

    __slots__ = ()

    def _call(self, operation: str, params: tuple[Mapping[str, Any], ...], kwargs: Mapping[str, Any]) -> Any:
        input, options = self._prepare(operation, params, kwargs)
        data, _meta = self._native.call(operation, input, options)
        return data

    def _call_meta(
        self, operation: str, params: tuple[Mapping[str, Any], ...], kwargs: Mapping[str, Any]
    ) -> tuple[Any, dict[str, Any]]:
        input, options = self._prepare(operation, params, kwargs)
        return self._native.call(operation, input, options)

    def _iter(
        self,
        operation: str,
        params: tuple[Mapping[str, Any], ...],
        kwargs: Mapping[str, Any],
        max_pages: int | None,
        page: Callable[[Any], _P],
        item: Callable[[Any], _T],
    ) -> SyncPages[_P, _T]:
        return SyncPages(operation, self._walk(operation, params, kwargs, max_pages), page, item)

    def call_json(
        self, operation: str, input: Mapping[str, Any] | None = None, /, **options: Unpack[CallOptions]
    ) -> Response[Any]:
        """Calls an operation by its snake_case name with JSON-shaped input; returns the decoded JSON
        with the status, headers, request id and attempt count. The typed methods are built on this."""
        if input is not None and not isinstance(input, Mapping):
            raise TypeError(f"call_json() takes a dict as input, not {type(input).__name__}")
        fields, call_options = _plain_fields(input or {}), self._options("call_json", options)
        data, meta = self._native.call(operation, fields, call_options)
        return Response(data, meta)

    def raw(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, QueryValue] | None = None,
        json: object = None,
        content: bytes | str | None = None,
        content_type: str | None = None,
        **options: Unpack[CallOptions],
    ) -> RawResponse:
        """Sends any request, relative to the base URL (such as "/v1/apps"), with this client's auth,
        retries and errors: for what the typed methods do not cover. `json` is sent as JSON, `content`
        as is; an error status raises as any call does."""
        call_options = self._options("raw", options)
        args = self._raw_args(method, path, query, json, content, content_type)
        return RawResponse(self._native.raw(*args, call_options))

    def wait_until(
        self, waiter: str, /, *, timeout: float = 600.0, first_delay: float = 1.0, max_delay: float = 15.0, **fields: Any
    ) -> Any:
        """Polls until the waiter's state is reached and returns the last answer (a dict); the
        waiter's fields are keywords (`name=` for Zerokie's `app_running`, `id=` for the others, and
        `deployment_id=` for Zenifra's `deployment_live`). The first pause is `first_delay` seconds,
        each next one 1.5 times longer up to `max_delay`. After `timeout` seconds it raises
        TimeoutError, and on a state that cannot lead there ConflictError; both carry
        `details["last_state"]` and `details["last"]`. The waiters: Zerokie `app_running`; Zenifra
        `deployment_live`, `project_running`; Zyra `virtual_server_running`, `virtual_server_stopped`,
        `ml_job_finished`, `fine_tuning_job_finished`."""
        return self._native.wait_until(waiter, _plain_fields(fields), _wait_options(timeout, first_delay, max_delay))

    def close(self) -> None:
        """Closes the client; later calls raise ZkitError(kind="closed")."""
        self._native.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_ClientBase):
    """The base of the asyncio clients. Calls run in the native core; the event loop is never blocked."""

    __slots__ = ()

    async def _call(
        self, operation: str, params: tuple[Mapping[str, Any], ...], kwargs: Mapping[str, Any]
    ) -> Any:
        input, options = self._prepare(operation, params, kwargs)
        data, _meta = await self._native.call_async(operation, input, options)
        return data

    async def _call_meta(
        self, operation: str, params: tuple[Mapping[str, Any], ...], kwargs: Mapping[str, Any]
    ) -> tuple[Any, dict[str, Any]]:
        input, options = self._prepare(operation, params, kwargs)
        return await self._native.call_async(operation, input, options)

    def _iter(
        self,
        operation: str,
        params: tuple[Mapping[str, Any], ...],
        kwargs: Mapping[str, Any],
        max_pages: int | None,
        page: Callable[[Any], _P],
        item: Callable[[Any], _T],
    ) -> AsyncPages[_P, _T]:
        return AsyncPages(operation, self._walk(operation, params, kwargs, max_pages), page, item)

    async def call_json(
        self, operation: str, input: Mapping[str, Any] | None = None, /, **options: Unpack[CallOptions]
    ) -> Response[Any]:
        """Calls an operation by its snake_case name with JSON-shaped input; returns the decoded JSON
        with the status, headers, request id and attempt count. The typed methods are built on this."""
        if input is not None and not isinstance(input, Mapping):
            raise TypeError(f"call_json() takes a dict as input, not {type(input).__name__}")
        fields, call_options = _plain_fields(input or {}), self._options("call_json", options)
        data, meta = await self._native.call_async(operation, fields, call_options)
        return Response(data, meta)

    async def raw(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, QueryValue] | None = None,
        json: object = None,
        content: bytes | str | None = None,
        content_type: str | None = None,
        **options: Unpack[CallOptions],
    ) -> RawResponse:
        """Sends any request, relative to the base URL (such as "/v1/apps"), with this client's auth,
        retries and errors: for what the typed methods do not cover. `json` is sent as JSON, `content`
        as is; an error status raises as any call does."""
        call_options = self._options("raw", options)
        args = self._raw_args(method, path, query, json, content, content_type)
        return RawResponse(await self._native.raw_async(*args, call_options))

    async def wait_until(
        self, waiter: str, /, *, timeout: float = 600.0, first_delay: float = 1.0, max_delay: float = 15.0, **fields: Any
    ) -> Any:
        """The wait of `SyncClient.wait_until`, awaited: the event loop runs on while it polls."""
        options = _wait_options(timeout, first_delay, max_delay)
        return await self._native.wait_until_async(waiter, _plain_fields(fields), options)

    async def close(self) -> None:
        """Closes the client; later calls raise ZkitError(kind="closed")."""
        self._native.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
