"""Server-side apply and managedFields bookkeeping (structured-merge-diff semantics).

Follows the Kubernetes docs "Server-Side Apply" and sigs.k8s.io/structured-merge-diff
(``merge/update.go``: ``Apply``, ``Update``, ``prune``):

* the applied configuration's field set becomes the applier's ``Apply`` entry;
* a conflict is a field of that set which another manager (any operation)
  owns and whose live value differs from the applied one; equal values are
  co-owned silently. Conflicts fail the request unless forced, which takes the
  fields away from their other owners;
* the result is the live object with the configuration merged in: maps merge
  recursively, map-lists merge by key, set-lists union, atomic values are
  replaced; item order follows the configuration for its items and the live
  list for the others (the two-pointer walk of structured-merge-diff);
* fields the applier owned in its previous Apply entry, left out of the new
  configuration and owned by no one else, are removed (list items too), and
  maps or lists left empty by that removal go with them;
* a live object without managedFields is first attributed to an Update
  manager ``before-first-apply`` (k8s.io/apiserver ``skipNonAppliedManager``).

Approximations: key fields of list items are never pruned on their own;
``.``-membership of maps in Update entries (which upstream derives from the
Go zero value) is not recorded; the 10-Update-manager cap is not applied.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from tests.apiserver.merge_common import ApplyConflict, PatchError
from tests.apiserver.merge_fields import (
    MISSING, PE, FieldPath, from_fields_v1, item_element, path_set, path_string, resolve, to_fields_v1,
    values_equal,
)
from tests.apiserver.schema import Schema

__all__ = ["apply", "update_managed_fields"]

_SERVER_META = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
                "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")


@dataclass
class _Entry:
    manager: str
    operation: str
    api_version: str
    time: str | None
    subresource: str = ""
    paths: set[FieldPath] = field(default_factory=set)

    def identity(self) -> tuple[str, ...]:
        if self.operation == "Apply":
            return (self.manager, self.operation, self.subresource)
        return (self.manager, self.operation, self.api_version, self.subresource)

    def encode(self) -> dict[str, Any]:
        out: dict[str, Any] = {"manager": self.manager, "operation": self.operation,
                               "apiVersion": self.api_version}
        if self.time is not None:
            out["time"] = self.time
        out["fieldsType"] = "FieldsV1"
        out["fieldsV1"] = to_fields_v1(self.paths)
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def _decode(managed: Any) -> list[_Entry]:
    if not isinstance(managed, list):
        return []
    return [_Entry(str(e.get("manager", "")), str(e.get("operation", "")), str(e.get("apiVersion", "")),
                   e.get("time"), str(e.get("subresource", "") or ""), from_fields_v1(e.get("fieldsV1")))
            for e in managed if isinstance(e, dict)]


def _encode(entries: list[_Entry]) -> list[dict[str, Any]]:
    """Drop empty entries and sort like the real server (operation, time, manager, ...)."""
    kept = [e for e in entries if e.paths]
    kept.sort(key=lambda e: (e.operation, e.time or "", e.manager, e.api_version, e.subresource))
    return [e.encode() for e in kept]


def _managed(obj: Any) -> Any:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    return meta.get("managedFields") if isinstance(meta, dict) else None


def _strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def _clean_config(applied: dict[str, Any], ignore_status: bool) -> dict[str, Any]:
    config = _strip_nulls(copy.deepcopy(applied))
    meta = config.get("metadata")
    if isinstance(meta, dict):
        for key in _SERVER_META:
            meta.pop(key, None)
    if ignore_status:
        config.pop("status", None)
    return config


def _status_only(config: dict[str, Any]) -> dict[str, Any]:
    """An apply to the status subresource changes status only (the status strategy resets the rest)."""
    meta = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
    out = {k: v for k, v in config.items() if k in ("apiVersion", "kind", "status")}
    out["metadata"] = {k: v for k, v in meta.items() if k in ("name", "namespace")}
    return out


def _list_index(items: list[Any], schema: Schema, spath: tuple[str, ...]) -> tuple[list[PE], dict[PE, Any]]:
    order: list[PE] = []
    seen: dict[PE, Any] = {}
    for index, item in enumerate(items):
        pe = item_element(item, index, schema, spath)
        if pe not in seen:
            seen[pe] = item
            order.append(pe)
    return order, seen


def _merge(lhs: Any, rhs: Any, schema: Schema, spath: tuple[str, ...]) -> Any:
    """structured-merge-diff's merge of a configuration ``rhs`` into ``lhs``."""
    if isinstance(rhs, dict):
        if not isinstance(lhs, dict) or schema.map_atomic(spath):
            return copy.deepcopy(rhs)
        out = dict(lhs)
        for key, value in rhs.items():
            out[key] = _merge(lhs.get(key, MISSING), value, schema, spath + (key,))
        return out
    if isinstance(rhs, list) and isinstance(lhs, list) and schema.list_type(spath) != "atomic":
        return _merge_list(lhs, rhs, schema, spath)
    return copy.deepcopy(rhs)


def _merge_list(lhs: list[Any], rhs: list[Any], schema: Schema, spath: tuple[str, ...]) -> list[Any]:
    lorder, lseen = _list_index(lhs, schema, spath)
    rorder, rseen = _list_index(rhs, schema, spath)
    shared = [pe for pe in rorder if pe in lseen]
    next_shared = shared.pop(0) if shared else None
    atomic_items = schema.item_atomic(spath)

    def item(pe: PE) -> Any:
        left, right = lseen.get(pe, MISSING), rseen.get(pe, MISSING)
        if right is MISSING:
            return left
        if isinstance(left, dict) and isinstance(right, dict) and not atomic_items:
            return _merge(left, right, schema, spath)
        return copy.deepcopy(right)

    out: list[Any] = []
    li = ri = 0
    while li < len(lorder) or ri < len(rorder):
        if li < len(lorder) and ri < len(rorder):
            pe = lorder[li]
            if pe == rorder[ri]:
                out.append(item(pe))
                li, ri = li + 1, ri + 1
                next_shared = shared.pop(0) if shared else None
                continue
            if pe in rseen and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(lorder) and lorder[li] not in rseen:
            out.append(item(lorder[li]))
            li += 1
            continue
        if ri < len(rorder):
            pe = rorder[ri]
            out.append(item(pe))
            ri += 1
            if next_shared is not None and next_shared == pe:
                next_shared = shared.pop(0) if shared else None
        else:
            li += 1
    return out


def _remove(obj: Any, path: FieldPath, schema: Schema) -> bool:
    """Remove the value at ``path`` from ``obj`` in place; False if it was not there."""
    parent = resolve(obj, path[:-1], schema) if len(path) > 1 else obj
    kind, value = path[-1]
    if kind == "f":
        if isinstance(parent, dict) and value in parent:
            del parent[value]
            return True
        return False
    if not isinstance(parent, list):
        return False
    spath = tuple(n for k, n in path[:-1] if k == "f")
    for index, item in enumerate(parent):
        if (kind == "i" and index == value) or item_element(item, index, schema, spath) == (kind, value):
            del parent[index]
            return True
    return False


def _is_key_field(path: FieldPath) -> bool:
    if len(path) < 2 or path[-1][0] != "f" or path[-2][0] != "k":
        return False
    return path[-1][1] in json.loads(path[-2][1])


def _prune(obj: dict[str, Any], stale: set[FieldPath], owned: set[FieldPath], schema: Schema) -> None:
    kept = {p[:n] for p in owned for n in range(1, len(p) + 1)}
    for path in sorted(stale, key=len):
        if path in kept or _is_key_field(path) or not _remove(obj, path, schema):
            continue
        parent = path[:-1]
        while len(parent) >= 1 and parent != (("f", "metadata"),) and parent not in kept:
            container = resolve(obj, parent, schema)
            if container is MISSING or container not in ({}, []) or not _remove(obj, parent, schema):
                break
            parent = parent[:-1]


def _set_managed(obj: dict[str, Any], entries: list[_Entry]) -> None:
    encoded = _encode(entries)
    meta = obj.setdefault("metadata", {})
    if encoded:
        meta["managedFields"] = encoded
    else:
        meta.pop("managedFields", None)


def apply(live: dict[str, Any] | None, applied: dict[str, Any], *, manager: str, force: bool,
          schema: Schema, now: str, ignore_status: bool = False, subresource: str = "") -> dict[str, Any]:
    """Server-side apply ``applied`` as ``manager`` onto ``live``.

    Args:
        live: The stored object, or None to create it from the configuration.
        applied: The apply configuration (a partial object with apiVersion, kind, name).
        manager: The field manager (``fieldManager`` query parameter).
        force: Take conflicting fields instead of failing (``force=true``).
        schema: Merge rules of the kind.
        now: RFC 3339 time stamped on the applier's managedFields entry.
        ignore_status: The kind has a status subresource: ``status`` is neither
            applied nor owned through the main resource.
        subresource: The subresource applied to (``"status"``), if any.

    Returns:
        The new object, with ``metadata.managedFields`` updated.

    Raises:
        ApplyConflict: Conflicts and ``force`` is False.
        PatchError: The configuration is not an object, or a list-map item lacks
            a key field or repeats a key.
    """
    if not isinstance(applied, dict):
        raise PatchError("apply configuration must be a JSON/YAML object", 400)
    config = _clean_config(applied, ignore_status)
    if subresource == "status":
        config = _status_only(config)
    new_paths = path_set(config, schema, ignore_status=ignore_status, strict=True)
    base: dict[str, Any] = copy.deepcopy(live) if isinstance(live, dict) else {}
    entries = _decode(_managed(live))
    if live is not None and not entries:
        before = path_set(live, schema, ignore_status=ignore_status)
        if before:
            entries = [_Entry("before-first-apply", "Update", str(live.get("apiVersion", "")), now, "", before)]
    if isinstance(base.get("metadata"), dict):
        base["metadata"].pop("managedFields", None)
    merged = _merge(base, config, schema, ())
    ident = (manager, "Apply", subresource)
    own = next((e for e in entries if e.identity() == ident), None)
    others = [e for e in entries if e is not own]

    found: list[tuple[_Entry, FieldPath]] = []
    for entry in others:
        for path in entry.paths & new_paths:
            before_value, applied_value = resolve(base, path, schema), resolve(config, path, schema)
            is_item = path[-1][0] in ("k", "i") and isinstance(applied_value, dict) \
                and not schema.item_atomic(tuple(n for k, n in path if k == "f"))
            if (before_value is MISSING) if is_item else not values_equal(before_value, applied_value):
                found.append((entry, path))
    if found and not force:
        found.sort(key=lambda c: (c[0].manager, path_string(c[1])))
        raise ApplyConflict([(e.manager, path_string(p)) for e, p in found], [e.encode() for e, _ in found])
    for entry, path in found:
        entry.paths.discard(path)

    stale = (own.paths if own else set()) - new_paths
    owned = set(new_paths).union(*(e.paths for e in others))
    _prune(merged, stale, owned, schema)
    for entry in others:
        entry.paths = {p for p in entry.paths
                       if resolve(merged, p, schema) is not MISSING or resolve(base, p, schema) is MISSING}
    api_version = str(applied.get("apiVersion") or (live or {}).get("apiVersion", ""))
    others.append(_Entry(manager, "Apply", api_version, now, subresource, new_paths))
    _set_managed(merged, others)
    return merged


def _changes(old: Any, new: Any, schema: Schema, ignore_status: bool,
             only_status: bool) -> tuple[set[FieldPath], set[FieldPath]]:
    """(added or modified members, removed members) between two objects."""
    def members(obj: Any) -> set[FieldPath]:
        paths = path_set(obj, schema, ignore_status=ignore_status) | _empty_members(obj, schema, ignore_status)
        return {p for p in paths if p[0] == ("f", "status")} if only_status else paths

    before, after = members(old), members(new)
    changed: set[FieldPath] = set()
    for path in after:
        if path not in before:
            changed.add(path)
            continue
        new_value = resolve(new, path, schema)
        if path[-1][0] in ("k", "i") and isinstance(new_value, dict):
            continue
        if not values_equal(resolve(old, path, schema), new_value):
            changed.add(path)
    return changed, before - after


def _empty_members(obj: Any, schema: Schema, ignore_status: bool) -> set[FieldPath]:
    """Empty maps and lists, which an Update records as owned leaves."""
    out: set[FieldPath] = set()

    def walk(value: Any, path: FieldPath, spath: tuple[str, ...]) -> None:
        if isinstance(value, dict):
            if path and not value and not schema.map_atomic(spath):
                out.add(path)
            for key, child in value.items():
                if path == () and (key in ("apiVersion", "kind", "metadata") or (key == "status" and ignore_status)):
                    continue
                walk(child, path + (("f", key),), spath + (key,))
        elif isinstance(value, list) and schema.list_type(spath) != "atomic":
            if not value:
                out.add(path)
            for index, item in enumerate(value):
                if isinstance(item, dict) and not schema.item_atomic(spath):
                    pe = item_element(item, index, schema, spath)
                    for key, child in item.items():
                        walk(child, path + (pe, ("f", key)), spath + (key,))

    walk(obj if isinstance(obj, dict) else {}, (), ())
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    for key in ("labels", "annotations", "finalizers", "ownerReferences"):
        if isinstance(meta, dict) and meta.get(key) in ({}, []):
            out.add((("f", "metadata"), ("f", key)))
    return out


def update_managed_fields(old: dict[str, Any] | None, new: dict[str, Any], *, manager: str, operation: str,
                          schema: Schema, now: str, subresource: str = "", ignore_status: bool = False,
                          api_version: str | None = None) -> list[dict[str, Any]]:
    """managedFields after a non-apply write (create, update, patch).

    The writer takes every field it added or changed (for a create: every
    field), those fields leave the other managers' sets, fields that no longer
    exist leave every set, and empty entries are dropped. The writer's entry is
    keyed by (manager, operation, apiVersion, subresource); its time is ``now``
    when the write changed something.

    As upstream (``decodeLiveOrNew``), managedFields sent in ``new`` replace the
    stored ones, ``[]`` or ``[{}]`` resets them, and absent ones keep ``old``'s.

    Args:
        old: The stored object before the write, or None for a create.
        new: The object as it will be stored.
        manager: The field manager.
        operation: ``"Update"`` (``"Apply"`` is accepted but normally goes through :func:`apply`).
        schema: Merge rules of the kind.
        now: RFC 3339 time for the writer's entry.
        subresource: ``"status"`` for writes to the status subresource (only
            ``status`` is tracked then).
        ignore_status: The kind has a status subresource and this is a write to
            the main resource: ``status`` is not tracked.
        api_version: The request's apiVersion (default: ``new["apiVersion"]``).

    Returns:
        The new ``metadata.managedFields`` list (possibly empty).
    """
    sent = _managed(new)
    if sent == [] or sent == [{}]:
        entries: list[_Entry] = []
    elif isinstance(sent, list) and sent:
        entries = _decode(sent)
    else:
        entries = _decode(_managed(old))
    only_status = subresource == "status"
    changed, removed = _changes(old or {}, new, schema, ignore_status and not only_status, only_status)
    version = api_version or str(new.get("apiVersion", ""))
    ident = _Entry(manager, operation, version, None, subresource).identity()
    own = next((e for e in entries if e.identity() == ident), None)
    for entry in entries:
        if entry is not own:
            entry.paths -= changed | removed
    if own is None:
        own = _Entry(manager, operation, version, now, subresource)
        entries.append(own)
    own.paths = (own.paths | changed) - removed
    if changed or removed:
        own.time = now
    return _encode(entries)
