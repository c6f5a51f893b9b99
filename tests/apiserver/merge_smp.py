"""Strategic merge patch, as k8s.io/apimachinery/pkg/util/strategicpatch applies it.

Semantics (Kubernetes docs "Update API Objects in Place Using kubectl patch"
and the SIG API Machinery design note "strategic-merge-patch.md"):

* maps merge recursively; ``null`` deletes a key;
* a list whose field has ``patchStrategy: merge`` merges: lists of maps by the
  ``patchMergeKey`` (patch items update the original item with that key or are
  appended), lists of scalars as a de-duplicated union; every other list is
  replaced;
* directives: ``$patch: replace`` (map or list item) replaces instead of
  merging, ``$patch: delete`` deletes a map or, in a list item, the original
  item with that merge key; ``$deleteFromPrimitiveList/<field>`` removes scalars;
  ``$setElementOrder/<field>`` fixes the order of a merged list (precedence:
  ``$setElementOrder`` > order in the patch > order in the live list);
  ``$retainKeys`` drops every key of the original map not listed.

Approximations: ``$patch: merge`` in a map is accepted as "merge as usual"
(upstream rejects it as an unknown patch type); values added where the
original had none are cleaned of nulls and directives; ``$patch: delete`` on a
map removes the key instead of leaving an empty map.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.apiserver.merge_common import PatchError, json_equal
from tests.apiserver.schema import Schema

__all__ = ["strategic_merge_patch"]

Path = tuple[str, ...]
_DELETE = object()
_ORDER = "$setElementOrder/"
_DELETE_FROM = "$deleteFromPrimitiveList/"


def _gofmt(value: Any) -> str:
    """Render a value as Go's ``%v`` renders the decoded JSON (for error texts)."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_gofmt(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_gofmt(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def strategic_merge_patch(target: Any, patch: Any, schema: Schema) -> dict[str, Any]:
    """Apply a Kubernetes strategic merge patch.

    Args:
        target: The live object (not modified).
        patch: The patch, a JSON object.
        schema: Merge rules of the object's kind (:func:`tests.apiserver.schema.for_kind`).

    Returns:
        The patched object.

    Raises:
        PatchError: Invalid directive or a list item without its merge key.
    """
    if not isinstance(patch, dict):
        raise PatchError("json: cannot unmarshal array into Go value of type map[string]interface {}", 400)
    original = copy.deepcopy(target) if isinstance(target, dict) else {}
    result = _merge_map(original, copy.deepcopy(patch), schema, ())
    return {} if result is _DELETE else result


def _merge_map(original: dict[str, Any], patch: dict[str, Any], schema: Schema, spath: Path) -> Any:
    directive = patch.get("$patch")
    if directive is not None:
        if directive == "replace":
            return _fresh({k: v for k, v in patch.items() if k != "$patch"}, schema, spath)
        if directive == "delete":
            return _DELETE
        if directive != "merge":
            raise PatchError(f"unknown patch type: {directive} in map: {_gofmt(patch)}", 400)
    if "$retainKeys" in patch:
        retain = patch["$retainKeys"]
        if not isinstance(retain, list) or not all(isinstance(k, str) for k in retain):
            raise PatchError(f"invalid retainKeys list: {_gofmt(retain)}", 400)
        for key in [k for k in original if k not in retain]:
            del original[key]
    before = {k[len(_ORDER):]: copy.deepcopy(original.get(k[len(_ORDER):])) for k in patch if k.startswith(_ORDER)}
    deletions: list[tuple[str, Any]] = []
    for key, pval in patch.items():
        if key in ("$patch", "$retainKeys") or key.startswith(_ORDER):
            continue
        if key.startswith(_DELETE_FROM):
            deletions.append((key[len(_DELETE_FROM):], pval))
            continue
        sub = spath + (key,)
        if pval is None:
            original.pop(key, None)
            continue
        oval = original.get(key)
        if isinstance(oval, dict) and isinstance(pval, dict) and schema.patch_strategy(sub) != "replace":
            merged = _merge_map(oval, pval, schema, sub)
        elif isinstance(oval, list) and isinstance(pval, list) and schema.merges_list(sub):
            merged = _merge_list(oval, pval, schema, sub)
        else:
            merged = _fresh(pval, schema, sub)
        if merged is _DELETE:
            original.pop(key, None)
        else:
            original[key] = merged
    for key, values in deletions:
        if not isinstance(values, list):
            raise PatchError(f"invalid type for {_DELETE_FROM}{key}: expected a list", 400)
        if isinstance(original.get(key), list):
            original[key] = [v for v in original[key] if not any(json_equal(v, d) for d in values)]
    for key, old in before.items():
        order = patch[_ORDER + key]
        if not isinstance(order, list):
            raise PatchError(f"invalid type for {_ORDER}{key}: expected a list", 400)
        if isinstance(original.get(key), list):
            merge_key = schema.patch_merge_key(spath + (key,))
            original[key] = _normalize(original[key], order, old if isinstance(old, list) else [], merge_key)
    return original


def _fresh(value: Any, schema: Schema, spath: Path) -> Any:
    """A patch value for a place the original has nothing: nulls and directives removed."""
    if isinstance(value, dict):
        return _merge_map({}, value, schema, spath)
    if isinstance(value, list):
        if schema.merges_list(spath):
            return _merge_list([], value, schema, spath)
        return [_fresh(v, schema, spath) if isinstance(v, dict) else v for v in value]
    return value


def _same(a: Any, b: Any, key: str | None) -> bool:
    if key is None:
        return json_equal(a, b)
    return isinstance(a, dict) and isinstance(b, dict) and key in a and key in b and json_equal(a[key], b[key])


def _merge_list(original: list[Any], patch: list[Any], schema: Schema, spath: Path) -> list[Any]:
    if not original and not patch:
        return original
    sample = next((v for v in patch + original if v is not None), None)
    if not isinstance(sample, dict):
        merged: list[Any] = []
        for item in original + patch:
            if not any(json_equal(item, m) for m in merged):
                merged.append(item)
        return _normalize(merged, patch, original, None)
    key = schema.patch_merge_key(spath)
    if not key:
        raise PatchError(f"cannot merge lists without merge key for {spath[-1] if spath else ''}", 400)
    items: list[Any] = []
    replace = False
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(f"lists of mixed types are not supported in {spath[-1]}", 400)
        directive = item.get("$patch")
        if directive is None:
            if key not in item:
                raise PatchError(f"map: {_gofmt(item)} does not contain declared merge key: {key}", 400)
            items.append(item)
        elif directive == "delete":
            if key not in item:
                raise PatchError(f"map: {_gofmt(item)} does not contain declared merge key: {key}", 400)
            original = [o for o in original if not _same(o, item, key)]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise PatchError("merging lists cannot yet be specified in the patch", 400)
        else:
            raise PatchError(f"unknown patch type: {directive} in map: {_gofmt(item)}", 400)
    if replace:
        return [_fresh(item, schema, spath) for item in items]
    merged = list(original)
    for item in items:
        index = next((i for i, o in enumerate(merged) if _same(o, item, key)), None)
        if index is None:
            merged.append(_fresh(item, schema, spath))
        else:
            merged[index] = _merge_map(merged[index], item, schema, spath)
    return _normalize(merged, items, original, key)


def _position(items: list[Any], item: Any, key: str | None) -> int:
    return next((i for i, o in enumerate(items) if _same(o, item, key)), -1)


def _normalize(merged: list[Any], order: list[Any], server: list[Any], key: str | None) -> list[Any]:
    """Order a merged list like apimachinery's normalizeElementOrder.

    Items named in ``order`` keep that relative order, the others keep their
    order in the live list ``server``; the two runs are interleaved using the
    live order where both items appear in it.
    """
    in_order = [m for m in merged if _position(order, m, key) >= 0]
    server_only = [m for m in merged if _position(order, m, key) < 0]
    big = len(merged) + len(order) + len(server)
    in_order.sort(key=lambda m: _position(order, m, key))
    server_only.sort(key=lambda m: (lambda p: p if p >= 0 else big)(_position(server, m, key)))
    out: list[Any] = []
    i = j = 0
    while i < len(server_only) or j < len(in_order):
        if i >= len(server_only):
            out.append(in_order[j])
            j += 1
        elif j >= len(in_order):
            out.append(server_only[i])
            i += 1
        else:
            li, ri = _position(server, server_only[i], key), _position(server, in_order[j], key)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(server_only[i])
                i += 1
            else:
                out.append(in_order[j])
                j += 1
    return out
