"""Prune planning and inventory building (FLUX-COMPAT section 3, "Prune" and "Status").

Covers: only entries of the old inventory that are absent from the new one are
candidates (an apiVersion change is not a removal, objects outside the old
inventory are never touched); entries kept with a reason for a missing live
object, `prune: disabled`, `ssa: Ignore` and `reconcile: disabled` (labels or
annotations, any case) and for missing or foreign ownership labels; deletions
in reverse apply order (webhooks and workloads before Namespaces and CRDs);
a duplicated old entry planned once; `inventory_for` ids in Flux's format
(cluster-scoped, core group, RBAC `:` -> `__`), apply order and one entry per
object.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluxpy.models.inventory import Inventory, InventoryEntry
from fluxpy.prune.plan import PrunePlan, inventory_for, plan

K = "kustomize.toolkit.fluxcd.io"
OWNER = ("apps", "flux-system")


def manifest(api_version: str, kind: str, name: str, namespace: str | None = None, *,
             owner: tuple[str, str] | None = OWNER, labels: dict[str, str] | None = None,
             annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": dict(labels or {})}
    if namespace:
        meta["namespace"] = namespace
    if owner:
        meta["labels"].update({f"{K}/name": owner[0], f"{K}/namespace": owner[1]})
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": api_version, "kind": kind, "metadata": meta}


def entry(obj: dict[str, Any]) -> InventoryEntry:
    meta = obj["metadata"]
    return InventoryEntry.for_object(api_version=obj["apiVersion"], kind=obj["kind"], name=meta["name"],
                                     namespace=meta.get("namespace"))


NS = manifest("v1", "Namespace", "apps")
CRD = manifest("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com")
DEPLOY = manifest("apps/v1", "Deployment", "web", "apps")
SVC = manifest("v1", "Service", "web", "apps")
HOOK = manifest("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "policy")
WIDGET = manifest("example.com/v1", "Widget", "w", "apps")


def live_of(*objs: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    return {entry(o).id: o for o in objs}


def test_deletes_removed_entries_in_reverse_apply_order() -> None:
    old = Inventory.of(entry(o) for o in (CRD, NS, SVC, DEPLOY, WIDGET, HOOK))
    got = plan(old, Inventory(), live=live_of(CRD, NS, SVC, DEPLOY, WIDGET, HOOK), owner=OWNER)
    assert [str(e.object_ref) for e in got.deletions] == [
        "ValidatingWebhookConfiguration/policy", "Widget/apps/w", "Deployment/apps/web",
        "Service/apps/web", "Namespace/apps", "CustomResourceDefinition/widgets.example.com"]
    assert got.kept == ()


def test_entries_still_in_new_inventory_are_not_candidates() -> None:
    old = Inventory.of([entry(SVC), entry(DEPLOY)])
    new = Inventory.of([entry(SVC)])
    got = plan(old, new, live=live_of(SVC, DEPLOY), owner=OWNER)
    assert got == PrunePlan((entry(DEPLOY),), ())


def test_api_version_change_is_not_a_removal() -> None:
    old = Inventory.of([InventoryEntry(entry(WIDGET).id, "v1beta1")])
    got = plan(old, Inventory.of([entry(WIDGET)]), live=live_of(WIDGET), owner=OWNER)
    assert got.empty and got.kept == ()


def test_objects_outside_old_inventory_are_never_deleted() -> None:
    got = plan(Inventory(), Inventory(), live=live_of(SVC, DEPLOY), owner=OWNER)
    assert got == PrunePlan()


KEEP_CASES = [
    ("missing live object", None, "not found"),
    ("prune disabled annotation", manifest("v1", "ConfigMap", "c", "apps", annotations={f"{K}/prune": "disabled"}),
     f"{K}/prune: disabled"),
    ("prune disabled label in other case", manifest("v1", "ConfigMap", "c", "apps", labels={f"{K}/prune": "Disabled"}),
     f"{K}/prune: disabled"),
    ("ssa ignore", manifest("v1", "ConfigMap", "c", "apps", annotations={f"{K}/ssa": "ignore"}), f"{K}/ssa: Ignore"),
    ("reconcile disabled", manifest("v1", "ConfigMap", "c", "apps", annotations={f"{K}/reconcile": "DISABLED"}),
     f"{K}/reconcile: disabled"),
    ("no ownership labels", manifest("v1", "ConfigMap", "c", "apps", owner=None), "not owned"),
    ("owned by another kustomization", manifest("v1", "ConfigMap", "c", "apps", owner=("infra", "flux-system")),
     "not owned"),
    ("same name in another namespace", manifest("v1", "ConfigMap", "c", "apps", owner=("apps", "team-a")),
     "not owned"),
    ("only the name label", manifest("v1", "ConfigMap", "c", "apps", owner=None, labels={f"{K}/name": "apps"}),
     "not owned"),
]


@pytest.mark.parametrize(("case", "live", "reason"), KEEP_CASES, ids=[c[0] for c in KEEP_CASES])
def test_stale_entry_is_kept(case: str, live: dict[str, Any] | None, reason: str) -> None:
    e = entry(manifest("v1", "ConfigMap", "c", "apps"))
    got = plan(Inventory.of([e]), Inventory(), live={e.id: live}, owner=OWNER)
    assert got == PrunePlan((), ((e, reason),))


def test_live_object_absent_from_mapping_counts_as_not_found() -> None:
    e = entry(SVC)
    assert plan(Inventory.of([e]), Inventory(), live={}, owner=OWNER).kept == ((e, "not found"),)


def test_duplicate_old_entry_is_planned_once() -> None:
    old = Inventory.of([entry(SVC), entry(SVC)])
    assert plan(old, Inventory(), live=live_of(SVC), owner=OWNER).deletions == (entry(SVC),)


def test_inventory_for_uses_flux_ids_in_apply_order() -> None:
    objs = [
        manifest("apps/v1", "Deployment", "web", "apps"),
        manifest("rbac.authorization.k8s.io/v1", "ClusterRole", "system:view"),
        manifest("v1", "Service", "web", "apps"),
        manifest("v1", "Namespace", "apps"),
        manifest("rbac.authorization.k8s.io/v1", "RoleBinding", "ns:edit", "apps"),
        manifest("v1", "ConfigMap", "a:b", "apps"),
        manifest("v1", "Service", "web", "apps"),
    ]
    assert inventory_for(objs).to_dict() == {"entries": [
        {"id": "_apps__Namespace", "v": "v1"},
        {"id": "_system__view_rbac.authorization.k8s.io_ClusterRole", "v": "v1"},
        {"id": "apps_ns__edit_rbac.authorization.k8s.io_RoleBinding", "v": "v1"},
        {"id": "apps_a:b__ConfigMap", "v": "v1"},
        {"id": "apps_web__Service", "v": "v1"},
        {"id": "apps_web_apps_Deployment", "v": "v1"},
    ]}


def test_inventory_round_trips_into_plan() -> None:
    old = inventory_for([NS, SVC, DEPLOY])
    new = inventory_for([NS, SVC])
    assert plan(old, new, live=live_of(DEPLOY), owner=OWNER).deletions == (entry(DEPLOY),)
