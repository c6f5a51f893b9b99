"""The one door to `merge.py` / `schema.py`: patches, server-side apply, managedFields.

Those two modules are pure functions written separately; they are imported
lazily so the emulator still runs (without managedFields and patches) while
they do not exist yet. Schemas are cached per resource type because the
server asks for one on every write.
"""

from __future__ import annotations

import importlib
import json
from types import ModuleType
from typing import Any

from tests.apiserver.builtin import ResourceType

_schemas: dict[tuple[str, str, str, str], Any] = {}


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"tests.apiserver.{name}")
    except ImportError:
        return None


def merge() -> ModuleType | None:
    """The `merge` module, or None while it does not exist."""
    return _module("merge")


def available() -> bool:
    """Whether patches and managedFields are supported (merge.py and schema.py exist)."""
    return _module("merge") is not None and _module("schema") is not None


def schema_for(rt: ResourceType) -> Any:
    """The list-merge-key schema of `rt` (cached), or None without schema.py."""
    shape = json.dumps(rt.crd_schema, sort_keys=True) if rt.crd_schema is not None else ""
    key = (rt.group, rt.version, rt.kind, shape)
    if key not in _schemas:
        mod = _module("schema")
        _schemas[key] = None if mod is None else mod.for_kind(rt.group, rt.kind, rt.crd_schema)
    return _schemas[key]


def track_update(
    rt: ResourceType,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    *,
    manager: str,
    now: str,
    subresource: str = "",
) -> None:
    """Set `new.metadata.managedFields` for an Update by `manager` (in place).

    Without merge.py the managedFields of `old` are carried over unchanged.
    """
    mod = merge()
    meta = new.setdefault("metadata", {})
    if mod is None:
        if old is not None and "managedFields" in (old.get("metadata") or {}):
            meta["managedFields"] = old["metadata"]["managedFields"]
        return
    fields = mod.update_managed_fields(
        old, new, manager=manager, operation="Update", schema=schema_for(rt),
        now=now, subresource=subresource, ignore_status=rt.status,
    )
    if fields:
        meta["managedFields"] = fields
    else:
        meta.pop("managedFields", None)
