"""Pure patch and apply engine of the Kubernetes API emulator (no I/O).

The emulator's store calls these functions to turn a request into the next
version of an object:

* :func:`merge_patch` -- ``application/merge-patch+json`` (RFC 7386);
* :func:`json_patch` -- ``application/json-patch+json`` (RFC 6902), with the
  error texts of evanphx/json-patch, which the real API server uses;
* :func:`strategic_merge_patch` -- ``application/strategic-merge-patch+json``
  (see :mod:`tests.apiserver.merge_smp`);
* :func:`apply` -- ``application/apply-patch+yaml``, server-side apply with
  managedFields and conflicts (see :mod:`tests.apiserver.merge_ssa`);
* :func:`update_managed_fields` -- managedFields after a create/update/patch;
* :func:`fields_set` / :func:`field_paths` -- the fieldsV1 format.

All functions take and return plain JSON-like values (dicts, lists, str, int,
float, bool, None) and never mutate their arguments. Failures raise
:class:`PatchError` (or :class:`ApplyConflict` for apply conflicts).
"""

from __future__ import annotations

import copy
from typing import Any

from tests.apiserver.merge_common import ApplyConflict, PatchError, json_equal
from tests.apiserver.merge_fields import field_paths, fields_set, path_string
from tests.apiserver.merge_smp import strategic_merge_patch
from tests.apiserver.merge_ssa import apply, update_managed_fields

__all__ = [
    "ApplyConflict",
    "PatchError",
    "apply",
    "field_paths",
    "fields_set",
    "json_equal",
    "json_patch",
    "merge_patch",
    "path_string",
    "strategic_merge_patch",
    "update_managed_fields",
]


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON merge patch (RFC 7386, section 2).

    Objects merge recursively, ``null`` removes a member, anything else
    (lists included) replaces the target value.

    Args:
        target: The document to patch (not modified).
        patch: The merge patch.

    Returns:
        The patched document.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


_MISSING = object()


def _parse_pointer(pointer: Any, op: str) -> list[str]:
    if not isinstance(pointer, str):
        raise PatchError(f"{op} operation failed to decode path: missing value", 400)
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f'{op} operation does not apply: doc is missing path: "{pointer}": missing value')
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(token: str, length: int, *, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return length
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        raise PatchError(f"Unable to access invalid index: {token}: invalid index referenced")
    idx = int(token)
    if idx > length or (idx == length and not allow_end):
        raise PatchError(f"Unable to access invalid index: {idx}: invalid index referenced")
    return idx


def _container(doc: Any, tokens: list[str]) -> Any:
    """The parent container of the location ``tokens`` addresses, or _MISSING."""
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict):
            node = node.get(token, _MISSING)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node) \
                and not (len(token) > 1 and token[0] == "0"):
            node = node[int(token)]
        else:
            return _MISSING
        if node is _MISSING:
            return _MISSING
    return node if isinstance(node, (dict, list)) else _MISSING


def _get(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        return doc
    parent = _container(doc, tokens)
    key = tokens[-1]
    if isinstance(parent, dict):
        return parent.get(key, _MISSING)
    if isinstance(parent, list) and key.isdigit() and int(key) < len(parent):
        return parent[int(key)]
    return _MISSING


def _add(doc: Any, tokens: list[str], value: Any, op: str, pointer: str) -> Any:
    if not tokens:
        return copy.deepcopy(value)
    parent = _container(doc, tokens)
    if parent is _MISSING:
        raise PatchError(f'{op} operation does not apply: doc is missing path: "{pointer}": missing value')
    if isinstance(parent, dict):
        parent[tokens[-1]] = copy.deepcopy(value)
    else:
        parent.insert(_index(tokens[-1], len(parent), allow_end=True), copy.deepcopy(value))
    return doc


def _remove(doc: Any, tokens: list[str], op: str, pointer: str) -> tuple[Any, Any]:
    if not tokens:
        return None, doc
    parent = _container(doc, tokens)
    if parent is _MISSING:
        raise PatchError(f'{op} operation does not apply: doc is missing path: "{pointer}": missing value')
    key = tokens[-1]
    if isinstance(parent, dict):
        if key not in parent:
            raise PatchError(f"error in {op} for path: '{pointer}': "
                             f"unable to {op} nonexistent key: {key}: missing value")
        return doc, parent.pop(key)
    return doc, parent.pop(_index(key, len(parent), allow_end=False))


def json_patch(target: Any, ops: Any) -> Any:
    """Apply a JSON patch (RFC 6902): add, remove, replace, move, copy, test.

    Paths are JSON pointers (RFC 6901, ``~1`` is ``/`` and ``~0`` is ``~``);
    ``-`` appends to an array. Operations apply in order to a copy; the first
    failure aborts the whole patch.

    Args:
        target: The document to patch (not modified).
        ops: The list of operation objects.

    Returns:
        The patched document.

    Raises:
        PatchError: Malformed patch (code 400) or an operation that does not
            apply (code 422), worded like evanphx/json-patch.
    """
    if not isinstance(ops, list):
        raise PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch", 400)
    doc = copy.deepcopy(target)
    for operation in ops:
        if not isinstance(operation, dict):
            raise PatchError("json: cannot unmarshal into Go value of type jsonpatch.Operation", 400)
        op = operation.get("op")
        pointer = operation.get("path")
        if op not in ("add", "remove", "replace", "move", "copy", "test"):
            raise PatchError(f"Unexpected kind: {op}")
        tokens = _parse_pointer(pointer, op)
        if op in ("add", "replace", "test") and "value" not in operation:
            raise PatchError(f"{op} operation missing value: missing value", 400)
        if op == "add":
            doc = _add(doc, tokens, operation["value"], op, pointer)
        elif op == "remove":
            doc, _ = _remove(doc, tokens, op, pointer)
        elif op == "replace":
            if tokens and _container(doc, tokens) is _MISSING:
                raise PatchError(f"replace operation does not apply: doc is missing path: {pointer}: missing value")
            if _get(doc, tokens) is _MISSING:
                raise PatchError(f"replace operation does not apply: doc is missing key: {pointer}: missing value")
            if not tokens:
                doc = copy.deepcopy(operation["value"])
            else:
                parent = _container(doc, tokens)
                key = tokens[-1] if isinstance(parent, dict) else _index(tokens[-1], len(parent), allow_end=False)
                parent[key] = copy.deepcopy(operation["value"])
        elif op == "test":
            if not json_equal(_get(doc, tokens), operation["value"]):
                raise PatchError(f"testing value {pointer} failed: test failed")
        else:  # move, copy
            source = operation.get("from")
            from_tokens = _parse_pointer(source, op)
            value = _get(doc, from_tokens)
            if value is _MISSING:
                raise PatchError(f"{op} operation does not apply: doc is missing from path: {source}: missing value")
            if op == "move":
                if tokens[:len(from_tokens)] == from_tokens and len(tokens) > len(from_tokens):
                    raise PatchError(f"move operation does not apply: cannot move {source} into its child {pointer}")
                doc, value = _remove(doc, from_tokens, op, source)
            if tokens and _container(doc, tokens) is _MISSING:
                raise PatchError(f"{op} operation does not apply: doc is missing destination path: {pointer}: "
                                 "missing value")
            doc = _add(doc, tokens, value, op, pointer)
    return doc
