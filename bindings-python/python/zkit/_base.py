"""What every API client shares: settings, the call path into the native core, raw calls, closing.

The generated clients (`zkit.Zerokie`, `zkit.AsyncZerokie`, …) add one typed method per operation;
each one calls `_call` here, which hands JSON-shaped input to the native core and gets decoded JSON
back. Retries, timeouts, rate limiting, auth and errors all happen in the core.
"""

from __future__ import annotations

import json as _json
from collections.abc import Awaitable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypedDict, Union

from zkit._model import Model
from zkit.errors import _invalid_input

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

__all__ = [
    "NOT_GIVEN",
    "NotGiven",
    "CallOptions",
    "Response",
    "RawResponse",
    "QueryValue",
    "SyncClient",
    "AsyncClient",
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

    def close(self) -> None: ...


class _Key:
    """The API key as the Python side keeps it (to build `with_options` clients): never printed."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<api key>"


class Response:
    """The decoded JSON of a call made by operation name, with the facts of its HTTP response."""

    __slots__ = ("data", "status", "headers", "request_id", "attempts")

    data: Any
    """The decoded output: a dict, a list, or None for operations that return nothing."""
    status: int
    """The HTTP status of the successful attempt."""
    headers: dict[str, str]
    """Its headers, with lower-case names."""
    request_id: str | None
    """The request id the server gave."""
    attempts: int
    """How many attempts the call took."""

    def __init__(self, data: Any, meta: Mapping[str, Any]) -> None:
        self.data = data
        self.status = int(meta["status"])
        self.headers = dict(meta["headers"])
        self.request_id = meta.get("request_id")
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


def _plain(value: Any) -> Any:
    """`value` as the native side takes JSON: dicts, lists, strings, numbers, booleans, None, bytes."""
    if value is None or isinstance(value, (str, bytes, bool, int, float)):
        return value
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
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


class _ClientBase:
    """Settings and the preparation of calls, shared by the sync and async clients."""

    __slots__ = ("_config", "_native")

    # Set by each generated client: the native class, and per operation its keyword parameters
    # mapped to their wire names.
    _native_class: ClassVar[type[_NativeClient]]
    _fields: ClassVar[Mapping[str, Mapping[str, str]]] = {}

    _config: dict[str, Any]
    _native: _NativeClient

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
        jitter_seed: int | None = None,
        auth_header: str | None = None,
        **api_settings: str,
    ) -> None:
        """A client. Unset `api_key` and `base_url` are read from the API's environment variables
        (`ZEROKIE_API_KEY`, `ZEROKIE_BASE_URL`, …); without a key, InvalidInputError(field="api_key").

        `timeout` (seconds per attempt, default 60), `connect_timeout` (default 5) and `deadline`
        (the whole call with retries, default 180) take None to remove the limit. `max_retries`
        (default 2) counts retries after the first attempt. `rate_limit=False` turns off client-side
        pacing. `jitter_seed` makes the backoff jitter reproducible, for tests. `auth_header` picks the
        header that carries the key, where the API accepts more than one (`"x-api-key"` or
        `"authorization"`). Other keywords are the API's own settings, such as Zenifra's
        `organization_id` (also read from the environment); an unknown one is an InvalidInputError.
        """
        config: dict[str, Any] = {}
        if api_key is not None:
            config["api_key"] = _Key(api_key)
        settings: dict[str, Any] = {
            "base_url": base_url,
            "max_retries": max_retries,
            "rate_limit": rate_limit,
            "jitter_seed": jitter_seed,
            "auth_header": auth_header,
            **api_settings,
        }
        config.update((name, value) for name, value in settings.items() if value is not None)
        limits: dict[str, Any] = {"timeout": timeout, "connect_timeout": connect_timeout, "deadline": deadline}
        config.update((name, value) for name, value in limits.items() if not isinstance(value, NotGiven))
        self._open(config)

    def _open(self, config: dict[str, Any]) -> None:
        native_config = {name: value.value if isinstance(value, _Key) else value for name, value in config.items()}
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
        jitter_seed: int | None = None,
        auth_header: str | None = None,
        **api_settings: str,
    ) -> Self:
        """A new client with this one's settings, except those given here."""
        config = dict(self._config)
        if api_key is not None:
            config["api_key"] = _Key(api_key)
        settings: dict[str, Any] = {
            "base_url": base_url,
            "max_retries": max_retries,
            "rate_limit": rate_limit,
            "jitter_seed": jitter_seed,
            "auth_header": auth_header,
            **api_settings,
        }
        config.update((name, value) for name, value in settings.items() if value is not None)
        limits: dict[str, Any] = {"timeout": timeout, "connect_timeout": connect_timeout, "deadline": deadline}
        config.update((name, value) for name, value in limits.items() if not isinstance(value, NotGiven))
        client = type(self).__new__(type(self))
        client._open(config)
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

    def call_json(
        self, operation: str, input: Mapping[str, Any] | None = None, /, **options: Unpack[CallOptions]
    ) -> Response:
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

    async def call_json(
        self, operation: str, input: Mapping[str, Any] | None = None, /, **options: Unpack[CallOptions]
    ) -> Response:
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
