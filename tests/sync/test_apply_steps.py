"""Validate, apply and prune (`fluxpy.sync.validate`, `.apply`, `.prune`, `.live`) against the API emulator.

Covers: the live index lists each resource type once by the ownership labels;
validation collects every rejection and names each object, masks Secret
values, defers objects in a Namespace or of a CRD the build creates, and
turns an immutable-field rejection into a re-create only when force allows;
apply in stages (CRD Established before its custom resources), unchanged
objects written never, kubectl-managed objects cleaned with one JSON patch,
`ssa: IfNotPresent` / `Ignore` honoured, re-create on force, a failure
recorded with what was done before it; prune deletes in reverse order,
keeps prune-disabled and foreign objects, puts refused deletes back into
the inventory, and a dry run deletes nothing. `pool.each` keeps order and
stops at the first error.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

import pytest

from fluxpy.apply.actions import Action, Decision
from fluxpy.kube.client import Kube
from fluxpy.models.inventory import Inventory
from fluxpy.prune.plan import entry_for, inventory_for
from fluxpy.sync import pool
from fluxpy.sync import prune as prune_step
from fluxpy.sync.apply import Applier, ApplyError, drifted
from fluxpy.sync.live import LiveIndex, key_of
from fluxpy.sync.validate import ValidationError, validate
from tests.apiserver import ApiServer

OWNER = ("apps", "flux-system")
LABELS = {"kustomize.toolkit.fluxcd.io/name": "apps", "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}


def cm(name: str, ns: str = "default", **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns,
                                                                  "labels": dict(LABELS)},
            "data": data or {"k": "v"}}


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": dict(LABELS)}}


def index_for(kube: Kube, objs: list[dict[str, Any]]) -> LiveIndex:
    groups: dict[str, tuple[Any, set[str]]] = {}
    for obj in objs:
        try:
            res = kube.resource_for(obj["apiVersion"], obj["kind"])
        except Exception:
            continue
        groups.setdefault(res.plural, (res, set()))[1].add(obj["metadata"].get("namespace", ""))
    return LiveIndex.load(kube, groups.values(), owner=OWNER)


def sync(kube: Kube, objs: list[dict[str, Any]], *, force: bool = False) -> Applier:
    index = index_for(kube, objs)
    checked = validate(kube, objs, index=index, force=force)
    applier = Applier(kube, index=index, force=force, sleep=lambda s: None)
    applier.run(checked)
    return applier


def actions_of(applier: Applier) -> dict[str, Action]:
    return {str(e.subject): e.action for e in applier.entries.entries}


def writes(apiserver: ApiServer) -> list[Any]:
    return [r for r in apiserver.requests
            if r.verb in ("create", "update", "patch", "delete") and r.query.get("dryRun") != "All"]


# -- live index ------------------------------------------------------------------------------------

def test_live_index_lists_each_type_once_by_ownership_labels(kube: Kube, apiserver: ApiServer) -> None:
    apiserver.seed(cm("mine"))
    foreign = cm("theirs")
    foreign["metadata"]["labels"] = {"app": "x"}
    apiserver.seed(foreign)
    apiserver.clear_requests()
    index = index_for(kube, [cm("mine"), cm("theirs"), cm("new")])
    assert apiserver.count(verb="list") == 1
    assert index.get(cm("mine")) is not None
    assert index.get(cm("theirs")) is None and index.get(cm("new")) is None
    assert key_of(cm("mine")) == ("", "ConfigMap", "default", "mine")


def test_live_index_falls_back_to_namespaces_when_cluster_list_is_denied(kube: Kube, apiserver: ApiServer) -> None:
    apiserver.seed(cm("mine"))
    apiserver.deny(verb="list", resource="configmaps", namespace=None)
    apiserver.allow_all()
    apiserver.deny(verb="list", resource="configmaps", namespace="")
    index = index_for(kube, [cm("mine")])
    assert index.get(cm("mine")) is not None


# -- validate --------------------------------------------------------------------------------------

def test_validation_reports_every_rejected_object_and_writes_nothing(kube: Kube, apiserver: ApiServer) -> None:
    objs = [cm("good"), cm("Bad_One"), cm("Bad_Two")]
    with pytest.raises(ValidationError) as info:
        validate(kube, objs, index=index_for(kube, objs), force=False)
    assert [str(f.subject) for f in info.value.failures] == ["ConfigMap/default/Bad_One", "ConfigMap/default/Bad_Two"]
    assert info.value.message.startswith("2 objects failed validation (server-side dry-run), nothing applied: ")
    assert writes(apiserver) == []


def test_validation_masks_secret_values(kube: Kube) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "Bad_Secret", "namespace": "default"},
              "stringData": {"password": "Bad_Secret-hunter2"}}
    with pytest.raises(ValidationError) as info:
        validate(kube, [secret], index=LiveIndex(), force=False)
    assert "hunter2" not in info.value.message


def test_objects_in_a_new_namespace_and_of_a_new_crd_are_deferred(kube: Kube) -> None:
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "gadgets.example.com"},
           "spec": {"group": "example.com", "scope": "Namespaced",
                    "names": {"kind": "Gadget", "plural": "gadgets", "singular": "gadget", "listKind": "GadgetList"},
                    "versions": [{"name": "v1", "served": True, "storage": True,
                                  "schema": {"openAPIV3Schema": {"type": "object",
                                                                 "x-kubernetes-preserve-unknown-fields": True}}}]}}
    gadget = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g", "namespace": "default"}}
    objs = [namespace("fresh"), cm("inside", "fresh"), crd, gadget, cm("plain")]
    checked = validate(kube, objs, index=index_for(kube, objs), force=False)
    deferred = {str(c.subject) for c in checked if c.deferred}
    assert deferred == {"ConfigMap/fresh/inside", "Gadget/default/g"}
    applier = Applier(kube, index=index_for(kube, objs), force=False, sleep=lambda s: None)
    applier.run(checked)
    assert set(actions_of(applier).values()) == {Action.CREATED}
    assert len(applier.entries.entries) == 5


def test_immutable_change_fails_without_force_and_is_recreated_with_force(kube: Kube, apiserver: ApiServer) -> None:
    frozen = cm("frozen", color="blue")
    frozen["immutable"] = True
    sync(kube, [frozen])
    uid = apiserver.object("v1", "ConfigMap", "default", "frozen")["metadata"]["uid"]  # type: ignore[index]
    changed = copy.deepcopy(frozen)
    changed["data"] = {"color": "red"}
    with pytest.raises(ValidationError) as info:
        validate(kube, [changed], index=index_for(kube, [changed]), force=False)
    assert "immutable" in info.value.message and "force" in info.value.message
    annotated = copy.deepcopy(changed)
    annotated["metadata"]["annotations"] = {"kustomize.toolkit.fluxcd.io/force": "Enabled"}
    applier = sync(kube, [annotated])
    assert actions_of(applier) == {"ConfigMap/default/frozen": Action.CREATED}
    live = apiserver.object("v1", "ConfigMap", "default", "frozen")
    assert live is not None and live["data"] == {"color": "red"} and live["metadata"]["uid"] != uid


# -- apply -----------------------------------------------------------------------------------------

def test_second_apply_is_unchanged_without_writes(kube: Kube, apiserver: ApiServer) -> None:
    objs = [namespace("team"), cm("a", "team"), cm("b", "team")]
    first = sync(kube, objs)
    assert set(actions_of(first).values()) == {Action.CREATED}
    apiserver.clear_requests()
    second = sync(kube, copy.deepcopy(objs))
    assert set(actions_of(second).values()) == {Action.UNCHANGED}
    assert writes(apiserver) == []
    changed = copy.deepcopy(objs)
    changed[2]["data"] = {"k": "changed"}
    third = sync(kube, changed)
    assert actions_of(third)["ConfigMap/team/b"] is Action.CONFIGURED
    assert actions_of(third)["ConfigMap/team/a"] is Action.UNCHANGED


def test_kubectl_managed_object_is_cleaned_then_applied(kube: Kube, apiserver: ApiServer) -> None:
    legacy = cm("legacy", k="old")
    legacy["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": "{}"}
    del legacy["metadata"]["labels"]
    kube.create(legacy, field_manager="kubectl-client-side-apply")
    applier = sync(kube, [cm("legacy", k="new")])
    assert actions_of(applier) == {"ConfigMap/default/legacy": Action.CONFIGURED}
    live = apiserver.object("v1", "ConfigMap", "default", "legacy")
    assert live is not None
    assert "kubectl.kubernetes.io/last-applied-configuration" not in (live["metadata"].get("annotations") or {})
    assert {m["manager"] for m in live["metadata"]["managedFields"]} == {"kustomize-controller"}
    assert apiserver.count(verb="patch", path="/configmaps/legacy") >= 2


def test_if_not_present_and_ignore(kube: Kube, apiserver: ApiServer) -> None:
    once = cm("once", k="first")
    once["metadata"]["annotations"] = {"kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent"}
    ignored = cm("ignored")
    ignored["metadata"]["annotations"] = {"kustomize.toolkit.fluxcd.io/ssa": "Ignore"}
    applier = sync(kube, [once, ignored])
    assert actions_of(applier) == {"ConfigMap/default/once": Action.CREATED,
                                   "ConfigMap/default/ignored": Action.SKIPPED}
    assert apiserver.object("v1", "ConfigMap", "default", "ignored") is None
    # As Flux's AddChangeSet: skipped objects stay in the inventory, so prune never deletes them for it.
    assert [entry_for(o).id for o in applier.managed()] == ["default_ignored__ConfigMap", "default_once__ConfigMap"]
    again = copy.deepcopy(once)
    again["data"] = {"k": "second"}
    applier = sync(kube, [again])
    assert actions_of(applier) == {"ConfigMap/default/once": Action.SKIPPED}
    assert apiserver.object("v1", "ConfigMap", "default", "once")["data"] == {"k": "first"}  # type: ignore[index]
    assert [entry_for(o).id for o in applier.managed()] == ["default_once__ConfigMap"]


def test_apply_failure_keeps_a_record_of_what_was_done(kube: Kube, apiserver: ApiServer) -> None:
    objs = [namespace("team"), cm("a", "team"), cm("b", "team")]
    index = index_for(kube, objs)
    checked = validate(kube, objs, index=index, force=False)
    apiserver.faults.add(status=422, method="PATCH", path=r"/configmaps/b$", times=None)
    applier = Applier(kube, index=index, force=False, workers=1, sleep=lambda s: None)
    with pytest.raises(ApplyError) as info:
        applier.run(checked)
    assert "ConfigMap/team/b" in info.value.message
    assert [str(e.subject) for e in applier.entries.entries] == ["Namespace/team", "ConfigMap/team/a"]
    assert [entry_for(o).id for o in applier.managed()] == ["_team__Namespace", "team_a__ConfigMap"]


def test_decision_skip_objects_are_not_dry_run(kube: Kube, apiserver: ApiServer) -> None:
    off = cm("off")
    off["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/reconcile"] = "disabled"
    checked = validate(kube, [off], index=LiveIndex(), force=False)
    assert checked[0].policy.decision is Decision.SKIP and checked[0].dry is None
    assert apiserver.count(verb="patch") == 0


def test_drifted_ignores_status_resource_version_and_field_times() -> None:
    live = {"metadata": {"resourceVersion": "1", "managedFields": [{"manager": "m", "time": "t1"}]},
            "spec": {"a": 1}, "status": {"x": 1}}
    dry = {"metadata": {"resourceVersion": "2", "managedFields": [{"manager": "m", "time": "t2"}]},
           "spec": {"a": 1}, "status": {"x": 2}}
    assert not drifted(dry, live)
    assert drifted({**dry, "spec": {"a": 2}}, live)


# -- prune -----------------------------------------------------------------------------------------

def test_prune_deletes_stale_owned_objects_only(kube: Kube, apiserver: ApiServer) -> None:
    keep = cm("keep")
    keep["metadata"]["annotations"] = {"kustomize.toolkit.fluxcd.io/prune": "disabled"}
    foreign = cm("foreign")
    foreign["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"] = "other"
    objs = [namespace("team"), cm("a", "team"), cm("stale"), keep, foreign]
    sync(kube, objs)
    old = inventory_for(objs)
    new = inventory_for([objs[0], objs[1]])
    dry = prune_step.prune(kube, old, new, owner=OWNER, dry_run=True)
    assert [str(e.subject) for e in dry.changes.entries] == ["ConfigMap/default/stale"]
    assert apiserver.object("v1", "ConfigMap", "default", "stale") is not None
    done = prune_step.prune(kube, old, new, owner=OWNER)
    assert [str(e.subject) for e in done.changes.entries] == ["ConfigMap/default/stale"]
    assert apiserver.object("v1", "ConfigMap", "default", "stale") is None
    assert apiserver.object("v1", "ConfigMap", "default", "keep") is not None
    assert apiserver.object("v1", "ConfigMap", "default", "foreign") is not None
    assert {why for _, why in done.plan.kept} == {"kustomize.toolkit.fluxcd.io/prune: disabled", "not owned"}
    assert done.inventory == new


def test_refused_delete_stays_in_the_inventory(kube: Kube, apiserver: ApiServer) -> None:
    objs = [cm("a"), cm("b")]
    sync(kube, objs)
    apiserver.deny(verb="delete", resource="configmaps")
    with pytest.raises(prune_step.PruneError) as info:
        prune_step.prune(kube, inventory_for(objs), Inventory(), owner=OWNER)
    assert "ConfigMap/default/a" in info.value.message and "ConfigMap/default/b" in info.value.message
    assert info.value.outcome is not None
    assert sorted(info.value.outcome.inventory.ids()) == ["default_a__ConfigMap", "default_b__ConfigMap"]


# -- pool ------------------------------------------------------------------------------------------

def test_pool_keeps_order_and_stops_at_the_first_error() -> None:
    assert pool.each(list(range(20)), lambda i: i * 2, workers=4) == [i * 2 for i in range(20)]
    started: list[int] = []
    lock = threading.Lock()

    def work(i: int) -> int:
        with lock:
            started.append(i)
        if i == 3:
            raise RuntimeError("boom")
        time.sleep(0.01)
        return i

    with pytest.raises(RuntimeError, match="boom"):
        pool.each(list(range(200)), work, workers=2)
    assert len(started) < 200
