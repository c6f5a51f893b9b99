"""Plan a prune: objects in the old inventory, absent from the new, that we may delete.

FLUX-COMPAT section 3 ("Prune", label table). An entry of the previous
inventory that is not in the new one is deleted only if all of these hold:

- it is in the *previous* inventory (nothing outside it is ever a candidate);
- the live object still exists (`live[id]` is None: nothing to delete, kept
  with reason "not found");
- it carries neither `kustomize.toolkit.fluxcd.io/prune: disabled`, nor
  `ssa: Ignore`, nor `reconcile: disabled` (labels or annotations,
  values case-insensitive);
- its ownership labels `kustomize.toolkit.fluxcd.io/name` and `.../namespace`
  both name the Kustomization being reconciled (else "not owned": another
  Kustomization took it over, or someone removed the labels).

Entries are compared by id only: an apiVersion change (`v1beta1` -> `v1`)
does not make an object leave the inventory. Deletions are in reverse apply
order (`apply.order.deletion_order`), so workloads go before their Namespace
and custom resources before their CRD. `inventory_for` builds the new
inventory from the applied objects, in apply order, with Flux's id format.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fluxpy.apply import actions, order
from fluxpy.models.inventory import Inventory, InventoryEntry

NOT_FOUND = "not found"
NOT_OWNED = "not owned"
PRUNE_DISABLED = f"{actions.PRUNE_KEY}: disabled"
SSA_IGNORE = f"{actions.SSA_KEY}: Ignore"
RECONCILE_DISABLED = f"{actions.RECONCILE_KEY}: disabled"


@dataclass(frozen=True, slots=True)
class PrunePlan:
    """What prune will delete and what it keeps, with why.

    Args:
        deletions: the entries to delete, in deletion order.
        kept: `(entry, reason)` for every stale entry not deleted.
    """

    deletions: tuple[InventoryEntry, ...] = ()
    kept: tuple[tuple[InventoryEntry, str], ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing is deleted."""
        return not self.deletions


def _manifest(entry: InventoryEntry) -> dict[str, Any]:
    # A minimal object with the entry's identity, so the apply order can rank it.
    meta: dict[str, str] = {"name": entry.name}
    if entry.namespace:
        meta["namespace"] = entry.namespace
    return {"apiVersion": entry.api_version, "kind": entry.kind, "metadata": meta}


def _label(obj: Mapping[str, Any], key: str) -> str | None:
    meta = obj.get("metadata")
    labels = meta.get("labels") if isinstance(meta, Mapping) else None
    value = labels.get(key) if isinstance(labels, Mapping) else None
    return value if isinstance(value, str) else None


def _keep_reason(live: Mapping[str, Any] | None, owner: tuple[str, str]) -> str | None:
    if live is None:
        return NOT_FOUND
    if actions.has_metadata(live, actions.PRUNE_KEY, "disabled"):
        return PRUNE_DISABLED
    if actions.has_metadata(live, actions.SSA_KEY, "Ignore"):
        return SSA_IGNORE
    if actions.has_metadata(live, actions.RECONCILE_KEY, "disabled"):
        return RECONCILE_DISABLED
    name, namespace = owner
    if _label(live, actions.NAME_LABEL) != name or _label(live, actions.NAMESPACE_LABEL) != namespace:
        return NOT_OWNED
    return None


def plan(old: Inventory, new: Inventory, *, live: Mapping[str, Mapping[str, Any] | None],
         owner: tuple[str, str],
         custom_stage: Collection[tuple[str, str]] = ()) -> PrunePlan:
    """Decide which stale inventory entries to delete.

    Args:
        old: the inventory of the last successful apply (`status.inventory`).
        new: the inventory of this apply.
        live: the in-cluster object for each stale entry id, None when not
            found; a missing key counts as not found.
        owner: `(name, namespace)` of the Kustomization.
        custom_stage: the custom stage kinds, for the deletion order.

    Returns:
        The deletions in reverse apply order, and the kept entries with reasons
        in the order of the old inventory.
    """
    current = set(new.ids())
    stale: list[InventoryEntry] = []
    for entry in old.entries:
        if entry.id not in current:
            current.add(entry.id)  # a duplicate id in the old inventory is planned once
            stale.append(entry)
    doomed: list[InventoryEntry] = []
    kept: list[tuple[InventoryEntry, str]] = []
    for entry in stale:
        reason = _keep_reason(live.get(entry.id), owner)
        if reason is None:
            doomed.append(entry)
        else:
            kept.append((entry, reason))
    by_manifest = [(_manifest(e), e) for e in doomed]
    ranked = order.deletion_order([m for m, _ in by_manifest], custom_stage=custom_stage)
    index = {id(m): e for m, e in by_manifest}
    return PrunePlan(tuple(index[id(m)] for m in ranked), tuple(kept))


def entry_for(obj: Mapping[str, Any]) -> InventoryEntry:
    """The inventory entry of one manifest."""
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    ns = meta.get("namespace")
    return InventoryEntry.for_object(api_version=str(obj.get("apiVersion") or ""),
                                     kind=str(obj.get("kind") or ""),
                                     name=str(meta.get("name") or ""),
                                     namespace=ns if isinstance(ns, str) else None)


def inventory_for(objs: Iterable[Mapping[str, Any]], *,
                  custom_stage: Collection[tuple[str, str]] = ()) -> Inventory:
    """The inventory of applied objects: apply order, one entry per id.

    Pass only objects that were applied (not the skipped ones): the inventory
    lists what this Kustomization manages.
    """
    entries = (entry_for(o) for o in order.apply_order(list(objs), custom_stage=custom_stage))
    seen: dict[str, InventoryEntry] = {}
    for entry in entries:
        seen.setdefault(entry.id, entry)
    return Inventory.of(seen.values())
