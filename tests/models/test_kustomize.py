"""Kustomization model (`fluxpy.models.kustomize`).

Covers: the timeout rule (`timeout`, else `interval - 30s`, never below 30s),
`retryInterval` defaulting to `interval`, the deletion policies (MirrorPrune
following `prune`), source kinds, `prune` being required, postBuild and
decryption defaults, health-check switches, and status round trip with
inventory and history.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fluxpy.models.errors import ModelError
from fluxpy.models.inventory import Inventory, InventoryEntry
from fluxpy.models.kustomize import Kustomization, KustomizationStatus


def ks(**spec: Any) -> Kustomization:
    base: dict[str, Any] = {"interval": "10m", "prune": True,
                            "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}
    base.update(spec)
    return Kustomization.from_dict({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system", "generation": 1},
        "spec": base})


@pytest.mark.parametrize(("interval", "timeout", "effective"), [
    ("10m", None, timedelta(minutes=9, seconds=30)),
    ("1m", None, timedelta(seconds=30)),
    ("45s", None, timedelta(seconds=30)),
    ("5s", None, timedelta(seconds=30)),
    ("10m", "2m", timedelta(minutes=2)),
    ("10m", "20m", timedelta(minutes=20)),
    ("10m", "10s", timedelta(seconds=30)),
])
def test_timeout_defaults_to_interval_minus_30s_and_never_goes_below_30s(
        interval: str, timeout: str | None, effective: timedelta) -> None:
    extra = {"timeout": timeout} if timeout else {}
    assert ks(interval=interval, **extra).spec.effective_timeout == effective


def test_retry_interval_defaults_to_interval() -> None:
    assert ks().spec.effective_retry_interval == timedelta(minutes=10)
    assert ks(retryInterval="2m").spec.effective_retry_interval == timedelta(minutes=2)


@pytest.mark.parametrize(("policy", "prune", "deletes"), [
    (None, True, True), (None, False, False), ("MirrorPrune", False, False),
    ("Delete", False, True), ("WaitForTermination", False, True), ("Orphan", True, False),
])
def test_deletion_policy_mirror_prune_follows_prune(policy: str | None, prune: bool,
                                                    deletes: bool) -> None:
    extra = {"deletionPolicy": policy} if policy else {}
    k = ks(prune=prune, **extra)
    assert k.spec.prunes_on_delete is deletes
    assert k.spec.deletion_policy == (policy or "MirrorPrune")


def test_prune_is_required() -> None:
    with pytest.raises(ModelError, match=r"Kustomization/flux-system/apps: spec\.prune: "
                                         "required field is missing"):
        Kustomization.from_dict({"kind": "Kustomization",
                                 "metadata": {"name": "apps", "namespace": "flux-system"},
                                 "spec": {"interval": "1m", "sourceRef": {
                                     "kind": "GitRepository", "name": "x"}}})


@pytest.mark.parametrize("kind", ["GitRepository", "OCIRepository", "Bucket", "ExternalArtifact"])
def test_source_ref_accepts_the_four_artifact_kinds(kind: str) -> None:
    assert ks(sourceRef={"kind": kind, "name": "s"}).spec.source_ref.kind == kind


def test_source_ref_rejects_helm_repositories() -> None:
    with pytest.raises(ModelError) as info:
        ks(sourceRef={"kind": "HelmRepository", "name": "s"})
    assert info.value.field == "spec.sourceRef.kind"


def test_post_build_and_decryption_defaults() -> None:
    k = ks(postBuild={"substitute": {"a": "b"}}, decryption={"provider": "sops"})
    assert k.spec.post_build is not None
    assert k.spec.post_build.substitute_strategy == "WithVariables"
    assert k.spec.decryption is not None and k.spec.decryption.secret_ref is None


@pytest.mark.parametrize(("spec", "enabled"), [
    ({}, False), ({"wait": True}, True),
    ({"healthChecks": [{"kind": "Deployment", "name": "web", "namespace": "apps"}]}, True),
])
def test_health_checks_enabled_by_wait_or_health_checks(spec: dict[str, Any],
                                                        enabled: bool) -> None:
    assert ks(**spec).spec.health_checks_enabled is enabled


def test_status_writes_inventory_and_revisions_in_api_form() -> None:
    status = KustomizationStatus(
        observed_generation=2, last_applied_revision="main@sha1:abc",
        last_attempted_revision="main@sha1:abc",
        inventory=Inventory.of([InventoryEntry.for_object(api_version="v1", kind="Namespace",
                                                          name="apps")]))
    assert status.to_dict() == {
        "observedGeneration": 2, "lastAppliedRevision": "main@sha1:abc",
        "lastAttemptedRevision": "main@sha1:abc",
        "inventory": {"entries": [{"id": "_apps__Namespace", "v": "v1"}]}}


def test_empty_status_writes_only_the_crd_default_generation() -> None:
    assert KustomizationStatus().to_dict() == {"observedGeneration": -1}
