"""The root of the exceptions zkit raises, `ZkitError`; `zkit.errors` (generated) adds one subclass per
kind of failure.

Every exception carries what was known when the call failed: `kind` (the same snake_case name in
every zkit language), `status`, `code`, `message`, `request_id`, `details`, `retry_after` (seconds),
`field` (for refused input) and `retryable`. Messages never contain a credential.
"""

from __future__ import annotations

from typing import Any


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


def _rebuild(cls: type[ZkitError], message: str, facts: dict[str, Any]) -> ZkitError:
    return cls(message, **facts)


def _from_native(kind: str, message: str, **facts: Any) -> ZkitError:
    """The exception for an error of `kind`, with the facts `ZkitError` takes (`status`, `code`,
    `request_id`, `details`, `retry_after`, `field`, `retryable`); the native module raises what this
    returns."""
    from zkit.errors import _CLASSES  # the generated classes, which derive from ZkitError

    return _CLASSES.get(kind, ZkitError)(message, kind=kind, **facts)


def _invalid_input(field: str, message: str) -> ZkitError:
    """Input refused on the Python side, worded as the core words its own refusals (an
    InvalidInputError)."""
    return _from_native("invalid_input", f"{field}: {message}", field=field)
