"""The Kustomization status through a run, as kustomize-controller writes it.

Covers: the stage messages in Flux's words; working (Ready=Unknown
`Reconciliation in progress` on every run, also for a ready object;
Reconciling=True/Progressing with the stage message; Stalled removed;
Healthy=Unknown during checks; lastAttemptedRevision from the build stage
on); success (Ready=True `Applied revision: <rev>`, Healthy per health
outcome, Reconciling removed, observedGeneration, revisions, inventory,
history, lastHandledReconcileAt); failure (Ready=False with the reason,
Reconciling kept as ProgressingWithRetry, Healthy=False for health checks,
observedGeneration/lastAppliedRevision/inventory kept, history only once
apply was attempted); recovery; lastTransitionTime rules; message
truncation; the history rules of `meta.History.Upsert` (same digest and
status counts up and moves to the front, a new status is a new entry, at
most 5, newest first, Go durations); the build digest; the merge patch.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fluxpy.models import conditions as conds
from fluxpy.models.inventory import Inventory, InventoryEntry
from fluxpy.models.kustomize import HistoryEntry, Kustomization, KustomizationStatus
from fluxpy.source import status as source_status
from fluxpy.sync import status

T0 = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 20, 9, 5, 0, 500000, tzinfo=UTC)
T2 = datetime(2026, 11, 20, 9, 10, 0, tzinfo=UTC)
REV = "main@sha1:" + "a" * 40
REV2 = "main@sha1:" + "b" * 40
ORIGIN = "v1.2.3@sha1:" + "c" * 40
DIGEST = "sha256:" + "1" * 64
DIGEST2 = "sha256:" + "2" * 64
TIMEOUT = timedelta(minutes=4, seconds=30)
INV = Inventory.of([InventoryEntry("apps_web_apps_Deployment", "v1")])
INV2 = Inventory.of([InventoryEntry("apps_web_apps_Deployment", "v1"), InventoryEntry("apps_web__Service", "v1")])
TOKEN = "2026-11-20T09:00:00.123456789Z"


def ks(*, generation: int = 2, status_: KustomizationStatus | dict[str, Any] | None = None,
       annotations: dict[str, str] | None = None, spec: dict[str, Any] | None = None) -> Kustomization:
    """A Kustomization whose status went through the API form, as the pipeline reads it back."""
    st = status_.to_dict() if isinstance(status_, KustomizationStatus) else status_
    return Kustomization.from_dict({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system", "generation": generation,
                     "annotations": annotations or {}},
        "spec": {"interval": "5m", "prune": True, "path": "./apps",
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"}, **(spec or {})},
        "status": st or {},
    })


def types(st: KustomizationStatus) -> dict[str, tuple[str, str]]:
    return {c.type: (str(c.status), c.reason) for c in st.conditions}


def cond(st: KustomizationStatus, type_: str) -> conds.Condition:
    found = conds.get(st.conditions, type_)
    assert found is not None, f"no {type_} condition"
    return found


def run_ok(obj: Kustomization, *, now: datetime, revision: str = REV, digest: str = DIGEST,
           health: str = "none", inventory: Inventory = INV) -> KustomizationStatus:
    """A whole successful run: the progress writes, then success."""
    obj = ks(generation=obj.generation, status_=status.progressing(
        obj, message=status.fetching_message(revision, timeout=TIMEOUT), revision=None, now=now),
        annotations=dict(obj.metadata.annotations))
    obj = ks(generation=obj.generation, status_=status.progressing(
        obj, message=status.building_message(revision, timeout=TIMEOUT), revision=revision, now=now),
        annotations=dict(obj.metadata.annotations))
    if health == "passed":
        obj = ks(generation=obj.generation, status_=status.checking_health(
            obj, revision=revision, timeout=TIMEOUT, now=now), annotations=dict(obj.metadata.annotations))
        return status.succeeded(obj, revision=revision, origin_revision=None, inventory=inventory,
                                digest=digest, duration=timedelta(seconds=3), health="passed",
                                health_duration=timedelta(seconds=1.5), now=now)
    return status.succeeded(obj, revision=revision, origin_revision=None, inventory=inventory, digest=digest,
                            duration=timedelta(seconds=3), health="none", now=now)


# --- messages ---------------------------------------------------------------------------------

def test_stage_messages_use_flux_wording() -> None:
    assert status.fetching_message(REV, timeout=TIMEOUT) == (
        f"Fetching manifests for revision {REV} with a timeout of 4m30s")
    assert status.building_message(REV, timeout=timedelta(minutes=1)) == (
        f"Building manifests for revision {REV} with a timeout of 1m0s")
    assert status.detecting_drift_message(REV, timeout=TIMEOUT) == (
        f"Detecting drift for revision {REV} with a timeout of 4m30s")
    assert status.health_checks_message(REV, timeout=TIMEOUT) == (
        f"Running health checks for revision {REV} with a timeout of 4m30s")
    assert status.applied_message(REV) == f"Applied revision: {REV}"
    assert status.health_passed_message(timedelta(seconds=5, microseconds=12345)) == (
        "Health check passed in 5.012345s")


# --- working --------------------------------------------------------------------------------

def test_fresh_object_working_is_ready_unknown_and_reconciling() -> None:
    msg = status.fetching_message(REV, timeout=TIMEOUT)
    st = status.progressing(ks(), message=msg, revision=None, now=T0)
    assert types(st) == {"Reconciling": ("True", "Progressing"), "Ready": ("Unknown", "Progressing")}
    assert [c.type for c in st.conditions] == ["Reconciling", "Ready"]
    assert cond(st, "Reconciling").message == msg
    assert cond(st, "Ready").message == "Reconciliation in progress"
    assert all(c.observed_generation == 2 and c.last_transition_time == T0 for c in st.conditions)
    assert st.last_attempted_revision is None
    assert st.observed_generation == -1


def test_build_stage_records_last_attempted_revision() -> None:
    fetching = status.progressing(ks(), message="x", revision=None, now=T0)
    st = status.progressing(ks(status_=fetching), message=status.building_message(REV, timeout=TIMEOUT),
                            revision=REV, now=T1)
    assert st.last_attempted_revision == REV


def test_stages_keep_ready_transition_time_and_move_reconciling() -> None:
    first = status.progressing(ks(), message=status.fetching_message(REV, timeout=TIMEOUT), revision=None, now=T0)
    second = status.progressing(ks(status_=first), message=status.detecting_drift_message(REV, timeout=TIMEOUT),
                                revision=REV, now=T1)
    assert cond(second, "Ready").last_transition_time == T0
    assert cond(second, "Reconciling").last_transition_time == T1.replace(microsecond=0)


def test_ready_object_goes_unknown_while_working() -> None:
    # kustomize-controller marks Ready Unknown at the start of every run.
    ready = ks(status_=run_ok(ks(), now=T0))
    st = status.progressing(ready, message=status.fetching_message(REV, timeout=TIMEOUT), revision=None, now=T1)
    assert types(st)["Ready"] == ("Unknown", "Progressing")
    assert st.last_applied_revision == REV and st.observed_generation == 2


def test_working_removes_stalled() -> None:
    stalled = ks(status_={"conditions": [
        {"type": "Stalled", "status": "True", "reason": "InvalidCELExpression", "message": "bad",
         "lastTransitionTime": "2026-11-20T08:00:00Z"},
        {"type": "Ready", "status": "False", "reason": "InvalidCELExpression", "message": "bad",
         "lastTransitionTime": "2026-11-20T08:00:00Z"}]})
    st = status.progressing(stalled, message="Fetching", revision=None, now=T0)
    assert "Stalled" not in types(st)


def test_health_checks_mark_healthy_unknown_with_the_stage_message() -> None:
    st = status.checking_health(ks(), revision=REV, timeout=TIMEOUT, now=T0)
    msg = f"Running health checks for revision {REV} with a timeout of 4m30s"
    assert types(st) == {"Reconciling": ("True", "Progressing"), "Ready": ("Unknown", "Progressing"),
                         "Healthy": ("Unknown", "Progressing")}
    assert cond(st, "Healthy").message == msg and cond(st, "Reconciling").message == msg
    assert [c.type for c in st.conditions] == ["Reconciling", "Ready", "Healthy"]


def test_handled_token_is_written_when_the_run_ends_not_while_working() -> None:
    obj = ks(annotations={"reconcile.fluxcd.io/requestedAt": TOKEN})
    working = status.progressing(obj, message="x", revision=None, now=T0)
    assert working.last_handled_reconcile_at is None
    done = run_ok(obj, now=T0)
    assert done.last_handled_reconcile_at == TOKEN
    broken = status.failed(obj, reason="DependencyNotReady", message="dependency 'flux-system/infra' is not ready",
                           revision=REV, inventory=None, digest=None, duration=timedelta(0), now=T0)
    assert broken.last_handled_reconcile_at == TOKEN


# --- success ----------------------------------------------------------------------------------

def test_fresh_object_success() -> None:
    st = run_ok(ks(), now=T0)
    assert types(st) == {"Ready": ("True", "ReconciliationSucceeded")}
    assert cond(st, "Ready").message == f"Applied revision: {REV}"
    assert st.observed_generation == 2
    assert st.last_applied_revision == REV and st.last_attempted_revision == REV
    assert st.last_applied_origin_revision is None
    assert st.inventory == INV
    assert [(h.digest, h.last_reconciled_status, h.total_reconciliations) for h in st.history] == [
        (DIGEST, "ReconciliationSucceeded", 1)]
    assert st.history[0].metadata == {"revision": REV}


def test_success_with_passed_health_checks_sets_healthy() -> None:
    st = run_ok(ks(spec={"wait": True}), now=T0, health="passed")
    assert types(st) == {"Ready": ("True", "ReconciliationSucceeded"), "Healthy": ("True", "Succeeded")}
    assert cond(st, "Healthy").message == "Health check passed in 1.5s"
    assert [c.type for c in st.conditions] == ["Ready", "Healthy"]


def test_success_without_checks_removes_healthy() -> None:
    healthy = ks(status_=run_ok(ks(spec={"wait": True}), now=T0, health="passed"))
    st = run_ok(healthy, now=T1)
    assert "Healthy" not in types(st)


def test_success_health_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="health_duration"):
        status.succeeded(ks(), revision=REV, origin_revision=None, inventory=INV, digest=DIGEST,
                         duration=timedelta(seconds=1), health="passed", now=T0)
    with pytest.raises(ValueError, match='unsupported health "failed"'):
        status.succeeded(ks(), revision=REV, origin_revision=None, inventory=INV, digest=DIGEST,
                         duration=timedelta(seconds=1), health="failed", now=T0)  # type: ignore[arg-type]


def test_repeat_success_restamps_ready_because_it_passed_through_unknown() -> None:
    first = run_ok(ks(), now=T0)
    again = run_ok(ks(status_=first), now=T1)
    assert cond(first, "Ready").last_transition_time == T0
    assert cond(again, "Ready").last_transition_time == T1.replace(microsecond=0)
    assert cond(again, "Ready").message == cond(first, "Ready").message
    assert again.history[0].total_reconciliations == 2
    assert again.history[0].first_reconciled == T0


def test_success_called_on_the_unprogressed_object_still_restamps_ready() -> None:
    first = run_ok(ks(), now=T0)
    again = status.succeeded(ks(status_=first), revision=REV, origin_revision=None, inventory=INV,
                             digest=DIGEST, duration=timedelta(seconds=1), health="none", now=T2)
    assert cond(again, "Ready").last_transition_time == T2


def test_success_records_and_clears_origin_revision() -> None:
    with_origin = status.succeeded(ks(), revision=REV, origin_revision=ORIGIN, inventory=INV, digest=DIGEST,
                                   duration=timedelta(seconds=1), health="none", now=T0)
    assert with_origin.last_applied_origin_revision == ORIGIN
    assert with_origin.history[0].metadata == {"originRevision": ORIGIN, "revision": REV}
    without = status.succeeded(ks(status_=with_origin), revision=REV2, origin_revision=None, inventory=INV,
                               digest=DIGEST2, duration=timedelta(seconds=1), health="none", now=T1)
    assert without.last_applied_origin_revision is None


def test_success_observes_the_new_generation() -> None:
    first = run_ok(ks(generation=2), now=T0)
    st = run_ok(ks(generation=3, status_=first), now=T1)
    assert st.observed_generation == 3
    assert cond(st, "Ready").observed_generation == 3


# --- failure ----------------------------------------------------------------------------------

def test_failure_keeps_last_applied_revision_and_generation() -> None:
    good = run_ok(ks(generation=2), now=T0)
    obj = ks(generation=3, status_=good)
    drift = status.detecting_drift_message(REV2, timeout=TIMEOUT)
    obj = ks(generation=3, status_=status.progressing(obj, message=drift, revision=REV2, now=T1))
    st = status.failed(obj, reason="ReconciliationFailed", message="Deployment/apps/web dry-run failed: invalid",
                       revision=REV2, inventory=None, digest=DIGEST2, duration=timedelta(seconds=2), now=T1)
    assert types(st) == {"Reconciling": ("True", "ProgressingWithRetry"), "Ready": ("False", "ReconciliationFailed")}
    assert cond(st, "Reconciling").message == drift
    assert cond(st, "Ready").message == "Deployment/apps/web dry-run failed: invalid"
    assert st.observed_generation == 2
    assert st.last_applied_revision == REV
    assert st.last_attempted_revision == REV2
    assert st.inventory == INV


def test_failure_before_any_progress_adds_no_reconciling() -> None:
    ready = ks(status_=run_ok(ks(), now=T0))
    st = status.failed(ready, reason="DependencyNotReady", message="dependency 'flux-system/infra' is not ready",
                       revision=REV2, inventory=None, digest=None, duration=timedelta(0), now=T1)
    assert types(st) == {"Ready": ("False", "DependencyNotReady")}


@pytest.mark.parametrize("reason", ["ArtifactFailed", "DependencyNotReady"])
def test_failure_before_the_download_keeps_last_attempted_revision(reason: str) -> None:
    ready = ks(status_=run_ok(ks(), now=T0))
    st = status.failed(ready, reason=reason, message="x", revision=REV2, inventory=None, digest=None,
                       duration=timedelta(0), now=T1)
    assert st.last_attempted_revision == REV


def test_failed_health_check_sets_healthy_false_with_the_wait_error() -> None:
    obj = ks(spec={"wait": True}, status_=status.checking_health(ks(), revision=REV, timeout=TIMEOUT, now=T0))
    wait_error = "timeout waiting for: [Deployment/apps/web status: 'InProgress']"
    st = status.failed(obj, reason="HealthCheckFailed", message=f"health check failed after 4m30.001s: {wait_error}",
                       revision=REV, inventory=INV, digest=DIGEST, duration=timedelta(minutes=5), now=T1)
    assert types(st) == {"Reconciling": ("True", "ProgressingWithRetry"), "Ready": ("False", "HealthCheckFailed"),
                         "Healthy": ("False", "HealthCheckFailed")}
    assert cond(st, "Ready").message == f"health check failed after 4m30.001s: {wait_error}"
    assert cond(st, "Healthy").message == wait_error
    explicit = status.failed(obj, reason="HealthCheckFailed", message="health check failed after 1s: x",
                             health_message="y", revision=REV, inventory=INV, digest=DIGEST,
                             duration=timedelta(seconds=1), now=T1)
    assert cond(explicit, "Healthy").message == "y"


def test_other_failures_leave_healthy_alone() -> None:
    healthy = ks(spec={"wait": True}, status_=run_ok(ks(spec={"wait": True}), now=T0, health="passed"))
    st = status.failed(healthy, reason="BuildFailed", message="kustomize build failed: x", revision=REV2,
                       inventory=None, digest=None, duration=timedelta(0), now=T1)
    assert types(st)["Healthy"] == ("True", "Succeeded")


def test_failure_replaces_the_inventory_only_when_given() -> None:
    good = ks(status_=run_ok(ks(), now=T0))
    kept = status.failed(good, reason="BuildFailed", message="x", revision=REV2, inventory=None, digest=None,
                         duration=timedelta(0), now=T1)
    union = status.failed(good, reason="ReconciliationFailed", message="x", revision=REV2, inventory=INV2,
                          digest=DIGEST2, duration=timedelta(0), now=T1)
    assert kept.inventory == INV and union.inventory == INV2


@pytest.mark.parametrize("reason", ["ReconciliationFailed", "PruneFailed", "HealthCheckFailed"])
def test_failure_after_apply_is_recorded_in_history(reason: str) -> None:
    good = ks(status_=run_ok(ks(), now=T0))
    st = status.failed(good, reason=reason, message="x", revision=REV2, origin_revision=ORIGIN, inventory=None,
                       digest=DIGEST2, duration=timedelta(seconds=62, milliseconds=500), now=T1)
    assert [(h.digest, h.last_reconciled_status) for h in st.history] == [
        (DIGEST2, reason), (DIGEST, "ReconciliationSucceeded")]
    assert st.history[0].metadata == {"originRevision": ORIGIN, "revision": REV2}
    assert st.history[0].to_dict()["lastReconciledDuration"] == "1m2.5s"


@pytest.mark.parametrize("reason", ["BuildFailed", "ArtifactFailed", "DependencyNotReady"])
def test_failure_before_apply_is_not_in_history(reason: str) -> None:
    good = ks(status_=run_ok(ks(), now=T0))
    st = status.failed(good, reason=reason, message="x", revision=REV2, inventory=None, digest=DIGEST2,
                       duration=timedelta(0), now=T1)
    assert st.history == good.status.history


def test_repeated_dependency_failure_keeps_ready_transition_time() -> None:
    first = status.failed(ks(), reason="DependencyNotReady", message="dependency 'flux-system/infra' is not ready",
                          revision=REV, inventory=None, digest=None, duration=timedelta(0), now=T0)
    again = status.failed(ks(status_=first), reason="DependencyNotReady",
                          message="dependency 'flux-system/infra' is not ready", revision=REV, inventory=None,
                          digest=None, duration=timedelta(0), now=T1)
    assert cond(again, "Ready").last_transition_time == T0


def test_recovery_after_failure() -> None:
    obj = ks(spec={"wait": True}, status_=status.checking_health(ks(), revision=REV, timeout=TIMEOUT, now=T0))
    broken = status.failed(obj, reason="HealthCheckFailed", message="health check failed after 1s: x",
                           revision=REV, inventory=INV, digest=DIGEST, duration=timedelta(seconds=1), now=T0)
    st = run_ok(ks(spec={"wait": True}, status_=broken), now=T1, health="passed")
    assert types(st) == {"Ready": ("True", "ReconciliationSucceeded"), "Healthy": ("True", "Succeeded")}
    assert [(h.digest, h.last_reconciled_status) for h in st.history] == [
        (DIGEST, "ReconciliationSucceeded"), (DIGEST, "HealthCheckFailed")]
    assert st.observed_generation == 2


def test_condition_messages_are_truncated() -> None:
    long = "x" * 40_000
    st = status.failed(ks(), reason="HealthCheckFailed", message=long, revision=REV, inventory=None, digest=None,
                       duration=timedelta(0), now=T0)
    for c in st.conditions:
        assert len(c.message) == conds.MAX_MESSAGE_LENGTH and c.message.endswith("...")


def test_status_round_trips_through_the_api_form() -> None:
    st = run_ok(ks(spec={"wait": True}), now=T1, health="passed")
    assert ks(status_=st).status == st


# --- history ----------------------------------------------------------------------------------

def entry(digest: str, status_: str = "ReconciliationSucceeded", *, at: datetime = T0, total: int = 1) -> HistoryEntry:
    return HistoryEntry(digest, at, at, timedelta(seconds=1), status_, total, {"revision": REV})


def test_history_same_digest_and_status_counts_up_and_keeps_first_reconciled() -> None:
    out = status.upsert_history([entry(DIGEST, total=4)], digest=DIGEST, status="ReconciliationSucceeded", now=T1,
                                duration=timedelta(seconds=2), metadata={"revision": REV2})
    assert len(out) == 1
    assert out[0].total_reconciliations == 5
    assert out[0].first_reconciled == T0
    assert out[0].last_reconciled == T1.replace(microsecond=0)
    assert out[0].last_reconciled_duration == timedelta(seconds=2)
    assert out[0].metadata == {"revision": REV2}


def test_history_same_digest_with_another_status_is_a_new_entry() -> None:
    out = status.upsert_history([entry(DIGEST)], digest=DIGEST, status="HealthCheckFailed", now=T1,
                                duration=timedelta(seconds=2), metadata={})
    assert [(h.last_reconciled_status, h.total_reconciliations) for h in out] == [
        ("HealthCheckFailed", 1), ("ReconciliationSucceeded", 1)]


def test_history_moves_a_reconciled_entry_to_the_front() -> None:
    old = [entry("sha256:c"), entry("sha256:b"), entry(DIGEST)]
    out = status.upsert_history(old, digest=DIGEST, status="ReconciliationSucceeded", now=T1,
                                duration=timedelta(seconds=1), metadata={})
    assert [h.digest for h in out] == [DIGEST, "sha256:c", "sha256:b"]


def test_history_keeps_the_five_newest_first() -> None:
    history: tuple[HistoryEntry, ...] = ()
    for i in range(7):
        history = status.upsert_history(history, digest=f"sha256:{i}", status="ReconciliationSucceeded",
                                        now=T0 + timedelta(minutes=i), duration=timedelta(seconds=1), metadata={})
    assert [h.digest for h in history] == [f"sha256:{i}" for i in (6, 5, 4, 3, 2)]


# --- digest and patch -------------------------------------------------------------------------

def test_digest_is_sha256_of_the_yaml_bytes() -> None:
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n---\napiVersion: v1\nkind: ConfigMap\n"
    assert status.digest(text) == "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    assert status.digest("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_merge_patch_is_the_source_one() -> None:
    assert status.merge_patch is source_status.merge_patch
    old = run_ok(ks(), now=T0).to_dict()
    new = status.failed(ks(status_=old), reason="BuildFailed", message="x", revision=REV2, inventory=None,
                        digest=None, duration=timedelta(0), now=T1).to_dict()
    patch = status.merge_patch(old, new)["status"]
    assert set(patch) == {"conditions", "lastAttemptedRevision"}
