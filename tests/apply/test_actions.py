"""Change-set values, per-object ssa policy and live-object cleanup (FLUX-COMPAT section 3).

Covers: the change-set line format with and without namespace; counts per
action; `ssa_policy` for `reconcile: disabled` and `ssa: Ignore` on the desired
or the live object, `ssa: IfNotPresent` with and without a live object,
`force: enabled` and `spec.force`, `ssa: Merge` (no cleanup), `ssa: Override`,
values matched case-insensitively in labels or annotations, empty values
ignored; `clean_live` removing the stale annotations and label (with JSON
pointer escaping), taking over kubectl / before-first-apply /
kustomize-controller Update managedFields by prefix while keeping other
managers and status-subresource entries, and returning nothing for a clean
object.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluxpy.apply.actions import (
    Action,
    ChangeSet,
    ChangeSetEntry,
    Decision,
    SSAPolicy,
    clean_live,
    ref_of,
    ssa_policy,
)
from fluxpy.models.meta import ObjectRef


def cm(*, labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None,
       **meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "settings", "namespace": "apps", **meta}
    if labels:
        metadata["labels"] = labels
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": {"a": "1"}}


K = "kustomize.toolkit.fluxcd.io"


@pytest.mark.parametrize(("entry", "line"), [
    (ChangeSetEntry(ObjectRef("Deployment", "apps", "web"), Action.CONFIGURED), "Deployment/apps/web configured"),
    (ChangeSetEntry(ObjectRef("Namespace", None, "apps"), Action.CREATED), "Namespace/apps created"),
    (ChangeSetEntry(ref_of(cm()), Action.UNCHANGED), "ConfigMap/apps/settings unchanged"),
    (ChangeSetEntry(ref_of({"kind": "ClusterRole", "metadata": {"name": "system:view"}}), Action.DELETED),
     "ClusterRole/system:view deleted"),
])
def test_change_set_line_is_flux_format(entry: ChangeSetEntry, line: str) -> None:
    assert str(entry) == line


def test_change_set_counts_every_action() -> None:
    cs = ChangeSet((ChangeSetEntry(ObjectRef("A", None, "a"), Action.CREATED),
                    ChangeSetEntry(ObjectRef("A", None, "b"), Action.CREATED),
                    ChangeSetEntry(ObjectRef("A", None, "c"), Action.SKIPPED)))
    assert cs.counts() == {Action.CREATED: 2, Action.CONFIGURED: 0, Action.UNCHANGED: 0,
                           Action.DELETED: 0, Action.SKIPPED: 1}
    assert str(cs) == "A/a created\nA/b created\nA/c skipped"


LIVE = cm(resourceVersion="42")
POLICY_CASES: list[tuple[str, dict[str, Any], dict[str, Any] | None, bool, Decision, bool, bool]] = [
    # (case, desired, live, spec.force, decision, force, cleanup)
    ("plain object with live copy is applied and cleaned", cm(), LIVE, False, Decision.APPLY, False, True),
    ("plain new object is applied without cleanup", cm(), None, False, Decision.APPLY, False, False),
    ("reconcile disabled on desired is skipped", cm(annotations={f"{K}/reconcile": "disabled"}), LIVE, False,
     Decision.SKIP, False, False),
    ("reconcile disabled label on live is skipped", cm(), cm(labels={f"{K}/reconcile": "Disabled"}), False,
     Decision.SKIP, False, False),
    ("ssa ignore on desired is skipped", cm(labels={f"{K}/ssa": "ignore"}), None, False,
     Decision.SKIP, False, False),
    ("ssa ignore on live is skipped", cm(), cm(annotations={f"{K}/ssa": "IGNORE"}), False,
     Decision.SKIP, False, False),
    ("if not present with live object is skipped", cm(annotations={f"{K}/ssa": "IfNotPresent"}), LIVE, False,
     Decision.SKIP, False, False),
    ("if not present without live object is created", cm(annotations={f"{K}/ssa": "ifnotpresent"}), None, False,
     Decision.APPLY, False, False),
    ("if not present on live only does not skip", cm(), cm(annotations={f"{K}/ssa": "IfNotPresent"}), False,
     Decision.APPLY, False, True),
    ("force annotation allows recreate", cm(annotations={f"{K}/force": "Enabled"}), LIVE, False,
     Decision.APPLY, True, True),
    ("spec force allows recreate", cm(), LIVE, True, Decision.APPLY, True, True),
    ("force disabled is not force", cm(annotations={f"{K}/force": "disabled"}), LIVE, False,
     Decision.APPLY, False, True),
    ("merge keeps other managers fields", cm(annotations={f"{K}/ssa": "merge"}), LIVE, False,
     Decision.APPLY, False, False),
    ("override is the default", cm(annotations={f"{K}/ssa": "Override"}), LIVE, False,
     Decision.APPLY, False, True),
    ("empty value is ignored", cm(annotations={f"{K}/ssa": ""}), LIVE, False, Decision.APPLY, False, True),
]


@pytest.mark.parametrize(("case", "desired", "live", "spec_force", "decision", "force", "cleanup"),
                         POLICY_CASES, ids=[c[0] for c in POLICY_CASES])
def test_ssa_policy(case: str, desired: dict[str, Any], live: dict[str, Any] | None, spec_force: bool,
                    decision: Decision, force: bool, cleanup: bool) -> None:
    got = ssa_policy(desired, live, force=spec_force)
    assert (got.decision, got.force, got.cleanup) == (decision, force, cleanup)


def test_skip_reason_names_the_annotation_and_object() -> None:
    got = ssa_policy(cm(), cm(annotations={f"{K}/ssa": "Ignore"}))
    assert got == SSAPolicy(Decision.SKIP, f"in-cluster object has {K}/ssa: Ignore", cleanup=False)


def mf(manager: str, operation: str, subresource: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"manager": manager, "operation": operation, "apiVersion": "v1",
                             "fieldsType": "FieldsV1", "fieldsV1": {"f:data": {}}}
    if subresource:
        entry["subresource"] = subresource
    return entry


def test_clean_live_removes_stale_metadata_and_takes_over_managers() -> None:
    live = cm(
        annotations={"kubectl.kubernetes.io/last-applied-configuration": "{}", f"{K}/checksum": "abc",
                     "fluxcd.io/sync-checksum": "def", "team": "a"},
        labels={"fluxcd.io/sync-gc-mark": "sha256.x", "app": "web"},
        managedFields=[mf("kubectl-client-side-apply", "Update"), mf("kubectl", "Apply"),
                       mf("before-first-apply", "Update"), mf("kustomize-controller", "Update"),
                       mf("kustomize-controller", "Apply"), mf("helm", "Update"),
                       mf("kubectl-edit", "Update", "status")])
    ops = clean_live(live)
    assert ops[:4] == [
        {"op": "remove", "path": "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration"},
        {"op": "remove", "path": f"/metadata/annotations/{K}~1checksum"},
        {"op": "remove", "path": "/metadata/annotations/fluxcd.io~1sync-checksum"},
        {"op": "remove", "path": "/metadata/labels/fluxcd.io~1sync-gc-mark"},
    ]
    assert ops[4]["op"] == "replace" and ops[4]["path"] == "/metadata/managedFields"
    assert [(e["manager"], e["operation"], e.get("subresource")) for e in ops[4]["value"]] == [
        ("kustomize-controller", "Apply", None)] * 5 + [
        ("helm", "Update", None), ("kubectl-edit", "Update", "status")]
    assert len(ops) == 5
    assert live["metadata"]["managedFields"][0]["manager"] == "kubectl-client-side-apply"  # input untouched


def test_clean_live_of_clean_object_is_empty() -> None:
    assert clean_live(cm(managedFields=[mf("kustomize-controller", "Apply"), mf("helm", "Update")],
                         annotations={"team": "a"})) == []


def test_clean_live_uses_given_field_manager() -> None:
    ops = clean_live(cm(managedFields=[mf("kubectl", "Apply")]), field_manager="fluxpy")
    assert ops[0]["value"][0]["manager"] == "fluxpy"
