"""`Model`, the base of every typed result: a read-only view of the decoded JSON an API sent."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["Model"]

_new = object.__new__
_setattr = object.__setattr__


def _preview(value: Any) -> str:
    """A secret as the core previews it: its first and last four characters, or nothing when short."""
    if value is None:
        return "None"
    text = str(value)
    return f"'{text[:4]}…{text[-4:]}'" if len(text) >= 16 else "'…'"


class Model:
    """A typed, immutable result.

    Fields the model names are attributes (`app.name`); every field the server sent, named or not, is
    reachable by its wire name (`app["name"]`), and the unnamed ones are also in `extra`. Secrets it
    holds (a new API key, tokens) are attributes like any field, but their repr is a preview.
    """

    __slots__ = ("_data",)

    _data: dict[str, Any]
    # (attribute name, wire name) of the fields the model names, in schema order; set by subclasses.
    _fields: ClassVar[tuple[tuple[str, str], ...]] = ()
    # Wire names of the fields that hold a secret (a new key, a token): repr shows a preview of them.
    _secrets: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise TypeError(f"{type(self).__name__} wraps a mapping, not {type(data).__name__}")
        object.__setattr__(self, "_data", dict(data))

    @classmethod
    def _wrap(cls, data: dict[str, Any]) -> Self:
        """A model over `data`, a dict the native side made for this result alone: taken as it is,
        without the check and the copy of the constructor (a 10,000-item list wraps twice as fast)."""
        model = _new(cls)
        _setattr(model, "_data", data)
        return model

    def __getitem__(self, key: str) -> Any:
        """The field `key` as the server sent it (wire name), named by the model or not."""
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        """The wire names of the fields the server sent."""
        return iter(self._data)

    def get(self, key: str, default: Any = None) -> Any:
        """The field `key` as the server sent it, or `default` when absent."""
        return self._data.get(key, default)

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the decoded JSON, wire names and all."""
        return copy.deepcopy(self._data)

    @property
    def extra(self) -> dict[str, Any]:
        """Fields the server sent that this version of zkit does not name."""
        named = {wire for _, wire in self._fields}
        return {key: value for key, value in self._data.items() if key not in named}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Model)
        return self._data == other._data

    __hash__ = None  # type: ignore[assignment]  # equal by value, and values may be unhashable

    def __repr__(self) -> str:
        parts = [
            f"{attr}={_preview(getattr(self, attr)) if wire in self._secrets else repr(getattr(self, attr))}"
            for attr, wire in self._fields
            if wire in self._data
        ]
        extra = self.extra
        if extra:
            parts.append(f"extra={extra!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    if not TYPE_CHECKING:  # hidden from type checkers, which then report assignments as errors

        def __setattr__(self, name: str, value: Any) -> None:
            raise AttributeError(f"{type(self).__name__} is read-only")

        def __delattr__(self, name: str) -> None:
            raise AttributeError(f"{type(self).__name__} is read-only")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._data,))

    def __copy__(self) -> Model:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Model:
        return type(self)(copy.deepcopy(self._data, memo))
