"""Machine output for `-o json|yaml`: objects only, on stdout.

A single object prints as itself; several print as a `v1` `List`, the way
kubectl does, so `jq '.items[]'` works the same on both tools.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from fluxpy.render.terminal import Terminal


def without_managed_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A shallow copy of `obj` without `metadata.managedFields`, which kubectl also hides by default."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    return {**obj, "metadata": meta}


def as_list(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Wrap objects in a kubectl-style `List`."""
    return {"apiVersion": "v1", "kind": "List", "items": list(items), "metadata": {"resourceVersion": ""}}


def dumps(data: Any, fmt: str) -> str:
    """Serialise `data` as `json` (2-space indent) or `yaml` (block style, keys sorted)."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        import yaml

        return str(yaml.safe_dump(data, default_flow_style=False, sort_keys=True, allow_unicode=True))
    raise ValueError(f"unknown machine output format {fmt!r}")


def show(term: Terminal, data: Any, fmt: str) -> None:
    """Write machine output to stdout."""
    term.out.write(dumps(data, fmt))
    term.out.flush()
