"""The exceptions zkit raises: one tree rooted at `ZkitError`, one subclass per kind of failure.

Every exception carries what was known when the call failed: `kind` (the same snake_case name in
every zkit language), `status`, `code`, `message`, `request_id`, `details`, `retry_after` (seconds),
`field` (for refused input) and `retryable`. Messages never contain a credential.
"""

from __future__ import annotations

import builtins
from typing import Any

__all__ = [
    "ZkitError",
    "BadRequestError",
    "AuthenticationError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "UpstreamError",
    "RedirectError",
    "TimeoutError",
    "ConnectionError",
    "DecodeError",
    "InvalidInputError",
]


class ZkitError(Exception):
    """Any failure of a zkit call. Catch a subclass to handle one kind of failure."""

    kind: str
    """What went wrong: `bad_request`, `unauthorized`, …, `invalid_input`; `closed` for a call on a
    closed client and `internal` for a bug in zkit."""
    message: str
    """A human-readable description, free of credentials."""
    status: int | None
    """The HTTP status, when the server answered."""
    code: str | None
    """The API's own error code, when it sent one."""
    request_id: str | None
    """The request id, to quote to the API's support."""
    details: Any
    """Structured details the server sent with the error, or None."""
    retry_after: float | None
    """How many seconds the server asked to wait before trying again."""
    field: str | None
    """The input field a refused input is about."""
    retryable: bool
    """Whether the same call could succeed if tried again later."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = "internal",
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        details: Any = None,
        retry_after: float | None = None,
        field: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.details = details
        self.retry_after = retry_after
        self.field = field
        self.retryable = retryable

    def __str__(self) -> str:
        text = self.message
        if self.status is not None:
            text = f"({self.status}) {text}"
        if self.request_id is not None:
            text = f"{text} [request id {self.request_id}]"
        return text

    def __repr__(self) -> str:
        status = "" if self.status is None else f"({self.status})"
        request_id = "" if self.request_id is None else f" [request id {self.request_id}]"
        return f"{type(self).__name__}{status}: {self.message}{request_id}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keeps every fact through pickling (multiprocessing, concurrent.futures).
        return (_rebuild, (type(self), self.message, self._facts()))

    def _facts(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": self.status,
            "code": self.code,
            "request_id": self.request_id,
            "details": self.details,
            "retry_after": self.retry_after,
            "field": self.field,
            "retryable": self.retryable,
        }


class BadRequestError(ZkitError):
    """400 (and other 4xx without a kind of their own): the server refused the request as invalid."""


class AuthenticationError(ZkitError):
    """401: the key is missing, invalid, revoked or expired."""


class PaymentRequiredError(ZkitError):
    """402: the current plan does not allow the requested feature."""


class PermissionDeniedError(ZkitError):
    """403: the key lacks the permission, scope or role."""


class NotFoundError(ZkitError):
    """404: the resource does not exist."""


class ConflictError(ZkitError):
    """409: the resource exists or is in a state that forbids the operation."""


class RateLimitError(ZkitError):
    """429: too many requests; `retry_after` says how long to wait when the server said so."""


class ServerError(ZkitError):
    """5xx: the server failed."""


class UpstreamError(ServerError):
    """502: a service behind the API failed."""


class RedirectError(ZkitError):
    """3xx: a redirect that was not followed (too many in a row, no usable Location, or a status such as
    304 that is not a redirect to follow). Redirects are otherwise followed: 307 and 308 with the same
    method and body, 301, 302 and 303 as the HTTP rules say, credentials dropped on leaving the origin."""


class TimeoutError(ZkitError, builtins.TimeoutError):  # noqa: A001 - zkit.TimeoutError, as the taxonomy names it
    """The attempt or the call's deadline ran out (or the server answered 408). Also a built-in
    `TimeoutError`, so `except TimeoutError` catches it."""


class ConnectionError(ZkitError, builtins.ConnectionError):  # noqa: A001 - as the taxonomy names it
    """The connection could not be made or broke off. Also a built-in `ConnectionError`."""


class DecodeError(ZkitError):
    """The response could not be read as the expected type."""


class InvalidInputError(ZkitError):
    """The input was refused before anything was sent; `field` names the culprit."""


_CLASSES: dict[str, type[ZkitError]] = {
    "bad_request": BadRequestError,
    "unauthorized": AuthenticationError,
    "payment_required": PaymentRequiredError,
    "forbidden": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "rate_limited": RateLimitError,
    "server": ServerError,
    "upstream": UpstreamError,
    "redirect": RedirectError,
    "timeout": TimeoutError,
    "connection": ConnectionError,
    "decode": DecodeError,
    "invalid_input": InvalidInputError,
}


def _from_native(
    kind: str,
    message: str,
    status: int | None = None,
    code: str | None = None,
    request_id: str | None = None,
    details: Any = None,
    retry_after: float | None = None,
    field: str | None = None,
    retryable: bool = False,
) -> ZkitError:
    """The exception for an error of `kind`; the native module raises what this returns."""
    cls = _CLASSES.get(kind, ZkitError)
    return cls(
        message,
        kind=kind,
        status=status,
        code=code,
        request_id=request_id,
        details=details,
        retry_after=retry_after,
        field=field,
        retryable=retryable,
    )


def _invalid_input(field: str, message: str) -> InvalidInputError:
    """Input refused on the Python side, worded as the core words its own refusals."""
    return InvalidInputError(f"{field}: {message}", kind="invalid_input", field=field)


def _rebuild(cls: type[ZkitError], message: str, facts: dict[str, Any]) -> ZkitError:
    return cls(message, **facts)
