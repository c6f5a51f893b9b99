"""Path-aware readers for the raw dicts behind every model (private).

The `from_dict` constructors in this package read API objects through a
`Fields` view so that every failure becomes a `ModelError` naming the object
and the exact field (`spec.patches[2].target.kind`), never a bare `KeyError`
or `TypeError` from deep inside a parser. Optional fields are tolerant: a
missing key or an explicit `null` yields the default, like Go's zero values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from fluxpy.models import duration
from fluxpy.models.errors import ModelError

T = TypeVar("T")

_DURATION_HINT = "use Go duration syntax such as 30s, 5m or 1h30m (units ns, us, ms, s, m, h)"


def _describe(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string",
             list: "list", dict: "object"}
    kind = names.get(type(value), type(value).__name__)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return f"{kind} {value!r}" if not isinstance(value, str) else f'{kind} "{value}"'
    return kind


class Fields:
    """A read-only view of one mapping inside an object, with its path.

    Args:
        data: the mapping to read.
        subject: the object, `Kind/namespace/name`, for error messages.
        path: the dotted path of `data` inside the object ("" for the root).
    """

    __slots__ = ("_data", "_path", "subject")

    def __init__(self, data: Mapping[str, Any], *, subject: str, path: str = "") -> None:
        self._data = data
        self.subject = subject
        self._path = path

    @property
    def data(self) -> Mapping[str, Any]:
        """The mapping itself."""
        return self._data

    def path(self, key: str) -> str:
        """The full path of `key`."""
        return f"{self._path}.{key}" if self._path else key

    def error(self, key: str, problem: str, *, hint: str | None = None) -> ModelError:
        """A `ModelError` about `key` (or about this mapping when key is "")."""
        return ModelError(self.subject, self.path(key) if key else self._path, problem, hint=hint)

    def has(self, key: str) -> bool:
        """Whether `key` is present and not null."""
        return self._data.get(key) is not None

    def raw(self, key: str) -> Any:
        """The value as stored, or None."""
        return self._data.get(key)

    def _typed(self, key: str, types: type | tuple[type, ...], what: str) -> Any:
        value = self._data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            raise self.error(key, f"expected {what}, got {_describe(value)}")
        if not isinstance(value, types):
            raise self.error(key, f"expected {what}, got {_describe(value)}")
        return value

    def opt_text(self, key: str) -> str | None:
        """An optional string; "" counts as unset."""
        value: str | None = self._typed(key, str, "a string")
        return value or None

    def text(self, key: str, default: str = "") -> str:
        """A string, or `default` when missing or empty."""
        return self.opt_text(key) or default

    def req_text(self, key: str) -> str:
        """A required, non-empty string."""
        value = self.opt_text(key)
        if value is None:
            raise self.error(key, "required field is missing")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        """A boolean, or `default` when missing."""
        value: bool | None = self._typed(key, bool, "a boolean")
        return default if value is None else value

    def opt_flag(self, key: str) -> bool | None:
        """An optional boolean, None when missing (for "unset means derived")."""
        value: bool | None = self._typed(key, bool, "a boolean")
        return value

    def opt_int(self, key: str) -> int | None:
        """An optional integer."""
        value: int | None = self._typed(key, int, "an integer")
        return value

    def integer(self, key: str, default: int = 0) -> int:
        """An integer, or `default` when missing."""
        value = self.opt_int(key)
        return default if value is None else value

    def opt_duration(self, key: str) -> timedelta | None:
        """An optional Go duration string."""
        value = self.opt_text(key)
        if value is None:
            return None
        try:
            return duration.parse(value)
        except ValueError as exc:
            raise self.error(key, str(exc), hint=_DURATION_HINT) from exc

    def duration(self, key: str, default: timedelta) -> timedelta:
        """A Go duration, or `default` when missing."""
        value = self.opt_duration(key)
        return default if value is None else value

    def req_duration(self, key: str) -> timedelta:
        """A required Go duration."""
        if not self.has(key):
            raise self.error(key, "required field is missing")
        value = self.opt_duration(key)
        assert value is not None
        return value

    def opt_time(self, key: str) -> datetime | None:
        """An optional RFC3339 timestamp."""
        from fluxpy.models.meta import parse_time

        value = self.opt_text(key)
        if value is None:
            return None
        try:
            return parse_time(value)
        except ValueError as exc:
            raise self.error(key, f'invalid RFC3339 time "{value}"') from exc

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings (empty when missing)."""
        value: list[Any] | None = self._typed(key, list, "a list of strings")
        if value is None:
            return ()
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(f"{key}[{i}]", f"expected a string, got {_describe(item)}")
        return tuple(value)

    def mapping(self, key: str) -> dict[str, str]:
        """A map of string to string (empty when missing)."""
        value: dict[Any, Any] | None = self._typed(key, dict, "a map of strings")
        if value is None:
            return {}
        for k, v in value.items():
            if not isinstance(v, str):
                raise self.error(f"{key}.{k}", f"expected a string, got {_describe(v)}")
        return {str(k): v for k, v in value.items()}

    def any_mapping(self, key: str) -> dict[str, Any] | None:
        """An object of any shape, kept as is (e.g. Helm `values`)."""
        value: dict[str, Any] | None = self._typed(key, dict, "an object")
        return value

    def obj(self, key: str) -> Fields | None:
        """A nested object, or None when missing."""
        value: dict[str, Any] | None = self._typed(key, dict, "an object")
        if value is None:
            return None
        return Fields(value, subject=self.subject, path=self.path(key))

    def req_obj(self, key: str) -> Fields:
        """A required nested object."""
        value = self.obj(key)
        if value is None:
            raise self.error(key, "required field is missing")
        return value

    def objs(self, key: str) -> Iterator[Fields]:
        """The objects of a list (nothing when missing)."""
        value: list[Any] | None = self._typed(key, list, "a list")
        for i, item in enumerate(value or ()):
            if not isinstance(item, dict):
                raise self.error(f"{key}[{i}]", f"expected an object, got {_describe(item)}")
            yield Fields(item, subject=self.subject, path=f"{self.path(key)}[{i}]")

    def each(self, key: str, build: Callable[[Fields], T]) -> tuple[T, ...]:
        """`build` applied to every object of a list."""
        return tuple(build(item) for item in self.objs(key))

    def one_of(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        """A string restricted to `allowed` (case-sensitive), or `default`."""
        value = self.text(key, default)
        if value not in allowed:
            raise self.error(key, f'unsupported value "{value}"',
                             hint=f"use one of: {', '.join(allowed)}")
        return value

    def wrap(self, key: str, build: Callable[[Any], T]) -> T:
        """Call `build` on the raw value, turning its ValueError into a ModelError."""
        try:
            return build(self._data.get(key))
        except ValueError as exc:
            raise self.error(key, str(exc)) from exc
