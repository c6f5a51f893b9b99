"""Step "prune": delete what left the inventory.

`fluxpy.prune.plan` decides, from the previous inventory, the new one and
the live objects, what may go (never anything outside the previous
inventory, never objects marked prune-disabled, `ssa: Ignore` or
`reconcile: disabled`, never objects another Kustomization owns now); this
step reads those live objects (one GET each, only for the stale entries) and
deletes, in reverse apply order, with background propagation as Flux does.

A delete the API server refuses is not fatal for the others: the entry goes
back into the inventory (so the next run tries again and nothing is
forgotten) and the step fails with `PruneError` naming each refusal. The
pipeline calls this step only after a successful apply: a failed build or
apply never prunes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluxpy.apply.actions import Action, ChangeSet, ChangeSetEntry
from fluxpy.errors import FluxpyError
from fluxpy.models.inventory import Inventory, InventoryEntry
from fluxpy.prune import plan as plan_mod

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube


class PruneError(FluxpyError):
    """One or more stale objects could not be deleted; they stay in the inventory."""

    reason = "PruneFailed"
    outcome: Pruned | None = None
    """What was done anyway, with the inventory to record."""


@dataclass(frozen=True, slots=True)
class Pruned:
    """The outcome of a prune.

    Args:
        changes: a `deleted` entry per object deleted, in deletion order.
        plan: the plan (what was kept, and why).
        inventory: the inventory to record: the new one plus every stale
            entry whose deletion failed.
    """

    changes: ChangeSet
    plan: plan_mod.PrunePlan
    inventory: Inventory


def _live(kube: Kube, entry: InventoryEntry) -> dict[str, Any] | None:
    from fluxpy.kube import errors as kerr

    try:
        res = kube.resource_for(entry.api_version, entry.kind)
        return kube.get(res, entry.name, namespace=entry.namespace or None)
    except (kerr.NotFoundError, kerr.UnknownKindError):
        return None


def prune(kube: Kube, old: Inventory, new: Inventory, *, owner: tuple[str, str],
          custom_stage: Collection[tuple[str, str]] = (), dry_run: bool = False,
          on_entry: Callable[[ChangeSetEntry], None] | None = None) -> Pruned:
    """Delete the objects of `old` that are not in `new` and may be deleted.

    Args:
        kube: the cluster.
        old: the inventory of the previous successful run.
        new: the inventory of this run.
        owner: `(name, namespace)` of the Kustomization.
        custom_stage: the custom stage kinds, for the deletion order.
        dry_run: plan and report without deleting.
        on_entry: called with each deletion as it is done.

    Raises:
        PruneError: some deletes were refused (the others were done).
        fluxpy.kube.errors.UnreachableError: the cluster could not be reached.
    """
    from fluxpy.kube import errors as kerr

    current = set(new.ids())
    stale = [e for e in old.entries if e.id not in current]
    live = {e.id: _live(kube, e) for e in stale}
    planned = plan_mod.plan(old, new, live=live, owner=owner, custom_stage=custom_stage)
    changes: list[ChangeSetEntry] = []
    failed: list[InventoryEntry] = []
    errors: list[str] = []
    for entry in planned.deletions:
        if not dry_run:
            try:
                res = kube.resource_for(entry.api_version, entry.kind)
                kube.delete(res, entry.name, namespace=entry.namespace or None)
            except kerr.NotFoundError:
                pass
            except (kerr.ApiError, kerr.UnknownKindError) as err:
                failed.append(entry)
                errors.append(f"{entry.object_ref} delete failed: {err.message}")
                continue
        change = ChangeSetEntry(entry.object_ref, Action.DELETED)
        changes.append(change)
        if on_entry is not None:
            on_entry(change)
    inventory = Inventory.of([*new.entries, *failed]) if failed else new
    outcome = Pruned(ChangeSet(tuple(changes)), planned, inventory)
    if errors:
        failure = PruneError("prune failed: " + "; ".join(errors),
                         hint="grant fluxpy's user delete rights on these objects, or annotate them "
                              "kustomize.toolkit.fluxcd.io/prune: disabled")
        failure.outcome = outcome
        raise failure
    return outcome
