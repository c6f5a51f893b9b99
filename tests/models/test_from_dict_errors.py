"""`from_dict` failures (`ModelError`) across the kind models.

Covers, table-driven: wrong kind, missing metadata.name, missing spec,
missing required fields, wrong types (string for bool, bool for string,
object for list), invalid durations (with the hint), bad enum values, bad
conditions in status, bad inventory; every message being
`<Kind>/<namespace>/<name>: <field path>: <problem>`; the error being a
`FluxpyError`.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluxpy.errors import FluxpyError
from fluxpy.models import kinds
from fluxpy.models.errors import ModelError

KS_SPEC = {"interval": "10m", "prune": True, "sourceRef": {"kind": "GitRepository", "name": "x"}}


def ks(spec: Any = KS_SPEC, status: Any = None, **top: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                           "kind": "Kustomization",
                           "metadata": {"name": "apps", "namespace": "flux-system"},
                           "spec": spec}
    if status is not None:
        out["status"] = status
    out.update(top)
    return out


def with_spec(**changes: Any) -> dict[str, Any]:
    spec = dict(KS_SPEC)
    spec.update(changes)
    return ks(spec)


P = "Kustomization/flux-system/apps: "

CASES = [
    (with_spec(interval="5x"), P + 'spec.interval: invalid duration "5x"'),
    (with_spec(interval=None), P + "spec.interval: required field is missing"),
    (with_spec(timeout=30), P + "spec.timeout: expected a string, got integer 30"),
    (with_spec(prune="yes"), P + 'spec.prune: expected a boolean, got string "yes"'),
    (with_spec(path=True), P + "spec.path: expected a string, got boolean"),
    (with_spec(sourceRef={"kind": "GitRepository"}),
     P + "spec.sourceRef.name: required field is missing"),
    (with_spec(patches={"patch": "x"}), P + "spec.patches: expected a list, got object"),
    (with_spec(patches=[{"target": {"kind": "Deployment"}}]),
     P + "spec.patches[0].patch: required field is missing"),
    (with_spec(dependsOn=["infra"]), P + 'spec.dependsOn[0]: expected an object, got string "infra"'),
    (with_spec(components=["a", 1]), P + "spec.components[1]: expected a string, got integer 1"),
    (with_spec(deletionPolicy="Keep"), P + 'spec.deletionPolicy: unsupported value "Keep"'),
    (with_spec(postBuild={"substituteFrom": [{"kind": "Job", "name": "x"}]}),
     P + 'spec.postBuild.substituteFrom[0].kind: unsupported value "Job"'),
    (with_spec(postBuild={"substitute": {"a": 1}}),
     P + "spec.postBuild.substitute.a: expected a string, got integer 1"),
    (ks(spec=None), P + "spec: required field is missing"),
    (ks(spec=[]), P + "spec: expected an object, got list"),
    (ks(kind="GitRepository"), "GitRepository/flux-system/apps: apiVersion: "
     '"kustomize.toolkit.fluxcd.io/v1" kind "GitRepository" is not a Flux kind'),
    (ks(metadata={"namespace": "flux-system"}),
     "Kustomization/flux-system/<unnamed>: metadata.name: required field is missing"),
    (ks(status={"conditions": [{"status": "True"}]}),
     P + "status.conditions[0].type: required field is missing"),
    (ks(status={"conditions": [{"type": "Ready", "status": "maybe"}]}),
     P + 'status.conditions[0].status: unsupported value "maybe" (use True, False or Unknown)'),
    (ks(status={"observedGeneration": "3"}),
     P + 'status.observedGeneration: expected an integer, got string "3"'),
    (ks(status={"inventory": {"entries": [{"id": "_apps__Namespace"}]}}),
     P + "status.inventory.entries[0].v: required field is missing"),
    (ks(status={"history": [{"digest": "sha256:x", "lastReconciled": "2026-01-01T10:00:00Z",
                             "lastReconciledStatus": "ReconciliationSucceeded"}]}),
     P + "status.history[0].firstReconciled: required field is missing"),
    (ks(status={"lastAppliedRevision": ["x"]}),
     P + "status.lastAppliedRevision: expected a string, got list"),
]


@pytest.mark.parametrize(("obj", "message"), CASES)
def test_from_dict_names_the_object_and_the_field(obj: dict[str, Any], message: str) -> None:
    with pytest.raises(ModelError) as info:
        kinds.load(obj)
    assert str(info.value) == message


def test_a_model_rejects_another_kind() -> None:
    from fluxpy.models.kustomize import Kustomization

    obj = ks()
    obj["kind"] = "HelmRelease"
    with pytest.raises(ModelError) as info:
        Kustomization.from_dict(obj)
    assert str(info.value) == P + 'kind: expected "Kustomization", got "HelmRelease"'


def test_model_error_is_a_fluxpy_error_with_parts() -> None:
    with pytest.raises(FluxpyError) as info:
        kinds.load(with_spec(interval="5x"))
    err = info.value
    assert isinstance(err, ModelError)
    assert (err.subject, err.field, err.problem) == (
        "Kustomization/flux-system/apps", "spec.interval", 'invalid duration "5x"')
    assert err.hint is not None and "1h30m" in err.hint


def test_load_rejects_objects_that_are_not_flux_kinds() -> None:
    with pytest.raises(ModelError) as info:
        kinds.load({"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": "web", "namespace": "apps"}})
    assert str(info.value) == ('Deployment/apps/web: apiVersion: "apps/v1" kind "Deployment" '
                               "is not a Flux kind")


def test_missing_optional_fields_and_nulls_are_tolerated() -> None:
    obj = with_spec(path=None, patches=None, wait=None, postBuild=None)
    obj["status"] = None
    k = kinds.load(obj)
    assert k.status.conditions == () and k.status.observed_generation == -1


def test_unknown_fields_are_kept_in_raw() -> None:
    obj = with_spec(someFutureField={"x": 1})
    obj["metadata"]["managedFields"] = [{"manager": "kubectl"}]
    model = kinds.load(obj)
    assert model.raw["spec"]["someFutureField"] == {"x": 1}
    assert model.raw["metadata"]["managedFields"] == [{"manager": "kubectl"}]
