"""The GitRepository status after a pull, as source-controller writes it.

Covers: success sets Ready and ArtifactInStorage (Succeeded, `stored
artifact for revision '<rev>'`), observedGeneration, the observed* fields and
lastHandledReconcileAt, and removes FetchFailed/Reconciling; failure sets
FetchFailed and Ready=False with the reason, keeps Reconciling as
ProgressingWithRetry, keeps the previous artifact and observedGeneration;
lastTransitionTime moves only when a condition changes; the merge patch
removes vanished fields.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fluxpy.models.common import Artifact
from fluxpy.models.source import GitRepository
from fluxpy.source import status

T0 = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 20, 9, 5, 0, tzinfo=UTC)
REV = "main@sha1:" + "a" * 40


def repo(*, generation: int = 2, status_: dict[str, Any] | None = None, annotations: dict[str, str] | None = None,
         spec: dict[str, Any] | None = None) -> GitRepository:
    return GitRepository.from_dict({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "app", "namespace": "flux-system", "generation": generation,
                     "annotations": annotations or {}},
        "spec": {"interval": "1m0s", "url": "https://git.example.com/app", "ref": {"branch": "main"}, **(spec or {})},
        "status": status_ or {},
    })


def artifact(revision: str = REV) -> Artifact:
    return Artifact(path="gitrepository/flux-system/app/x.tar.gz", url="http://x/", revision=revision,
                    digest="sha256:" + "0" * 64, last_update_time=T0, size=10)


def types(st: Any) -> dict[str, tuple[str, str]]:
    return {c.type: (c.status, c.reason) for c in st.conditions}


def test_success_sets_ready_and_artifact_in_storage() -> None:
    r = repo(spec={"ignore": "/docs\n", "recurseSubmodules": True},
             annotations={"reconcile.fluxcd.io/requestedAt": "2026-11-20T09:00:00Z"})
    st = status.succeeded(r, artifact(), now=T0)
    assert types(st) == {"Ready": ("True", "Succeeded"), "ArtifactInStorage": ("True", "Succeeded")}
    assert [c.type for c in st.conditions] == ["Ready", "ArtifactInStorage"]
    assert all(c.message == f"stored artifact for revision '{REV}'" for c in st.conditions)
    assert st.observed_generation == 2
    assert st.artifact == artifact()
    assert st.observed_ignore == "/docs\n" and st.observed_recurse_submodules is True
    assert st.last_handled_reconcile_at == "2026-11-20T09:00:00Z"


def test_failure_keeps_last_artifact_and_generation() -> None:
    good = repo(generation=2)
    done = repo(generation=3, status_=status.succeeded(good, artifact(), now=T0).to_dict())
    st = status.failed(done, reason="AuthenticationFailed", message="authentication required", now=T1)
    assert types(st) == {"Reconciling": ("True", "ProgressingWithRetry"), "Ready": ("False", "AuthenticationFailed"),
                         "ArtifactInStorage": ("True", "Succeeded"), "FetchFailed": ("True", "AuthenticationFailed")}
    assert [c.type for c in st.conditions][:2] == ["Reconciling", "Ready"]
    assert st.artifact == artifact()
    assert st.observed_generation == 2


def test_recovery_removes_fetch_failed_and_reconciling() -> None:
    broken = repo(status_=status.failed(repo(), reason="GitOperationFailed", message="x", now=T0).to_dict())
    st = status.succeeded(broken, artifact(), now=T1)
    assert set(types(st)) == {"Ready", "ArtifactInStorage"}


def test_unchanged_success_keeps_transition_times() -> None:
    first = status.succeeded(repo(), artifact(), now=T0)
    again = status.succeeded(repo(status_=first.to_dict()), artifact(), now=T1)
    assert [c.last_transition_time for c in again.conditions] == [c.last_transition_time for c in first.conditions]


def test_merge_patch_nulls_vanished_fields_and_skips_equal_ones() -> None:
    old = {"observedGeneration": 1, "observedIgnore": "x", "conditions": [{"type": "Ready"}]}
    new = {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True"}]}
    assert status.merge_patch(old, new) == {"status": {"observedIgnore": None,
                                                       "conditions": [{"type": "Ready", "status": "True"}]}}
