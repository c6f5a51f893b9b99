"""JSON patch (RFC 6902), as kustomize applies it (evanphx/json-patch v4).

kustomize hands the object, as JSON, to evanphx/json-patch, whose behaviour
differs from a strict reading of the RFC in ways users' patches rely on, so
this module copies it, error texts included (each checked against kustomize
v5.8.1):

* ``replace`` of a missing key in an existing object adds it; ``copy`` from a
  missing key copies ``null``; ``add`` without ``value`` adds ``null``;
* array indices may be negative (counted from the end), and ``add`` accepts
  the index equal to the length (and ``-``) to append;
* ``test`` of a missing path passes when the value is ``null``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from fluxpy.kustomize.errors import BuildError

__all__ = ["apply", "decode"]

_MISSING_VALUE = "missing value"
_INVALID_INDEX = "invalid index referenced"


class _OpError(Exception):
    pass


def decode(ops: Any) -> list[dict[str, Any]]:
    """Check that a parsed patch is a list of operation objects.

    Raises:
        BuildError: it is not.
    """
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise BuildError("json patch must be a list of operations")
    return ops


def apply(doc: dict[str, Any], ops: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Apply operations to a copy of ``doc`` and return it.

    Raises:
        BuildError: an operation does not apply, worded as kustomize words it.
    """
    holder: list[Any] = [copy.deepcopy(doc)]
    for op in ops:
        try:
            _apply_one(holder, op)
        except _OpError as err:
            raise BuildError(str(err)) from None
    result = holder[0]
    if not isinstance(result, dict):
        raise BuildError("json patch replaced the object with a non-object")
    return result


def _decode_key(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _atoi(key: str) -> int:
    if not key or not key.lstrip("+-").isdigit() or key.strip() != key:
        raise _OpError(f'strconv.Atoi: parsing "{key}": invalid syntax')
    return int(key)


def _find(holder: list[Any], path: str) -> tuple[Any, str] | None:
    """evanphx's findObject: the container of the path's last segment, and that segment."""
    split = path.split("/")
    if len(split) < 2:
        return None
    node = holder[0]
    for part in split[1:-1]:
        try:
            node = _get(node, _decode_key(part))
        except _OpError:
            return None
        if not isinstance(node, (dict, list)):
            return None
    return node, _decode_key(split[-1])


def _index(ary: list[Any], key: str, *, upper: int) -> int:
    idx = _atoi(key)
    if idx < 0:
        if idx < -upper:
            raise _OpError(f"Unable to access invalid index: {idx}: {_INVALID_INDEX}")
        idx += upper
    if idx >= upper:
        raise _OpError(f"Unable to access invalid index: {idx}: {_INVALID_INDEX}")
    return idx


def _get(con: Any, key: str) -> Any:
    if isinstance(con, dict):
        return con.get(key)
    return con[_index(con, key, upper=len(con))]


def _add(con: Any, key: str, value: Any) -> None:
    if isinstance(con, dict):
        con[key] = value
        return
    if key == "-":
        con.append(value)
        return
    try:
        idx = _index(con, key, upper=len(con) + 1)
    except _OpError as err:
        if "strconv" in str(err):
            raise _OpError(f"value was not a proper array index: '{key}': {err}") from None
        raise
    con.insert(idx, value)


def _remove(con: Any, key: str) -> Any:
    if isinstance(con, dict):
        if key not in con:
            raise _OpError(f"Unable to remove nonexistent key: {key}: {_MISSING_VALUE}")
        return con.pop(key)
    return con.pop(_index(con, key, upper=len(con)))


def _path(op: Mapping[str, Any], field: str, kind: str, verb: str = "path") -> str:
    value = op.get(field)
    if not isinstance(value, str):
        raise _OpError(f"{kind} operation failed to decode {verb}: {_MISSING_VALUE}")
    return value


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return type(a) is type(b) and bool(a == b)


def _apply_one(holder: list[Any], op: Mapping[str, Any]) -> None:
    kind = op.get("op")
    kind = kind if isinstance(kind, str) else "unknown"
    value = copy.deepcopy(op.get("value"))
    if kind == "add":
        path = _path(op, "path", kind)
        found = _find(holder, path)
        if found is None:
            raise _OpError(f'add operation does not apply: doc is missing path: "{path}": {_MISSING_VALUE}')
        try:
            _add(found[0], found[1], value)
        except _OpError as err:
            raise _OpError(f"error in add for path: '{path}': {err}") from None
    elif kind == "remove":
        path = _path(op, "path", kind)
        found = _find(holder, path)
        if found is None:
            raise _OpError(f'remove operation does not apply: doc is missing path: "{path}": {_MISSING_VALUE}')
        try:
            _remove(found[0], found[1])
        except _OpError as err:
            raise _OpError(f"error in remove for path: '{path}': {err}") from None
    elif kind == "replace":
        path = _path(op, "path", kind)
        if path == "":
            if not isinstance(value, (dict, list)):
                raise _OpError("replace operation value must be object or array")
            holder[0] = value
            return
        found = _find(holder, path)
        if found is None:
            raise _OpError(f"replace operation does not apply: doc is missing path: {path}: {_MISSING_VALUE}")
        con, key = found
        try:
            _get(con, key)
        except _OpError:
            raise _OpError(f"replace operation does not apply: doc is missing key: {path}: "
                           f"{_MISSING_VALUE}") from None
        if isinstance(con, dict):
            con[key] = value
        else:
            con[_index(con, key, upper=len(con))] = value
    elif kind in ("move", "copy"):
        src = _path(op, "from", kind, "from")
        found = _find(holder, src)
        if found is None:
            raise _OpError(f"{kind} operation does not apply: doc is missing from path: {src}: {_MISSING_VALUE}")
        con, key = found
        try:
            moved = _get(con, key)
            if kind == "move":
                _remove(con, key)
        except _OpError as err:
            where = f"path: '{key}'" if kind == "move" else f"from: '{src}'"
            raise _OpError(f"error in {kind} for {where}: {err}") from None
        path = _path(op, "path", kind)
        found = _find(holder, path)
        if found is None:
            raise _OpError(f"{kind} operation does not apply: doc is missing destination path: {path}: "
                           f"{_MISSING_VALUE}")
        try:
            _add(found[0], found[1], copy.deepcopy(moved))
        except _OpError as err:
            prefix = f"error in move for path: '{path}'" if kind == "move" else \
                "error while adding value during copy"
            raise _OpError(f"{prefix}: {err}") from None
    elif kind == "test":
        path = _path(op, "path", kind)
        if path == "":
            actual: Any = holder[0]
        else:
            found = _find(holder, path)
            if found is None:
                raise _OpError(f"test operation does not apply: is missing path: {path}: {_MISSING_VALUE}")
            try:
                actual = _get(found[0], found[1])
            except _OpError as err:
                raise _OpError(f"error in test for path: '{path}': {err}") from None
        if actual is None and value is None:
            return
        if actual is None or not _equal(actual, value):
            raise _OpError(f"testing value {path} failed: test failed")
    else:
        raise _OpError(f"Unexpected kind: {kind}")
