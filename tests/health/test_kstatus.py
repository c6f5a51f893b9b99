"""kstatus health rules (FLUX-COMPAT section 8; messages from cli-utils kstatus core.go/generic.go).

Covers: the generic checks and their precedence (deletionTimestamp,
observedGeneration, Reconciling, Stalled) over per-kind rules; Deployment
(replica counts, surplus, Available, Progressing, no progressDeadlineSeconds,
ProgressDeadlineExceeded); StatefulSet (OnDelete, partition, revisions);
DaemonSet (generation must be observed); ReplicaSet; Job (Complete, Failed,
Suspended, not started, running); Pod (phases, CrashLoopBackOff,
Unschedulable within and beyond 15s from creation); PVC; Service
(LoadBalancer needs spec.clusterIP); CRD (Established, NamesAccepted,
Installing); always-Current kinds; Ready-condition fallback for other kinds
(Flux CRs); rules keyed by group so a same-named custom kind is not matched;
NotFound for a missing object.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fluxpy.health import Health, Status, assess

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def cond(ctype: str, status: str, reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": ctype, "status": status, "reason": reason, "message": message}


def obj(api_version: str, kind: str, *, spec: dict[str, Any] | None = None,
        status: dict[str, Any] | None = None, generation: int | None = None,
        **meta: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "web", "namespace": "apps", **meta}
    if generation is not None:
        metadata["generation"] = generation
    out: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    if spec is not None:
        out["spec"] = spec
    if status is not None:
        out["status"] = status
    return out


def deploy(spec_replicas: int | None = 3, *, replicas: int = 3, updated: int = 3, ready: int = 3,
           available: int = 3, conditions: list[dict[str, str]] | None = None,
           deadline: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if spec_replicas is not None:
        spec["replicas"] = spec_replicas
    if deadline:
        spec["progressDeadlineSeconds"] = 600
    if conditions is None:
        conditions = [cond("Available", "True", "MinimumReplicasAvailable"),
                      cond("Progressing", "True", "NewReplicaSetAvailable")]
    return obj("apps/v1", "Deployment", spec=spec, generation=2, status={
        "observedGeneration": 2, "replicas": replicas, "updatedReplicas": updated,
        "readyReplicas": ready, "availableReplicas": available, "conditions": conditions})


def sts(*, strategy: dict[str, Any] | None = None, replicas: int = 3, ready: int = 3,
        current: int = 3, updated: int = 3, cur_rev: str = "web-1", upd_rev: str = "web-1") -> dict[str, Any]:
    return obj("apps/v1", "StatefulSet",
               spec={"replicas": 3, "updateStrategy": strategy or {"type": "RollingUpdate"}},
               status={"replicas": replicas, "readyReplicas": ready, "currentReplicas": current,
                       "updatedReplicas": updated, "currentRevision": cur_rev, "updateRevision": upd_rev})


def ds(generation: bool = True, **status: Any) -> dict[str, Any]:
    base = {"desiredNumberScheduled": 2, "currentNumberScheduled": 2, "updatedNumberScheduled": 2,
            "numberAvailable": 2, "numberReady": 2}
    base.update(status)
    if generation:
        base.setdefault("observedGeneration", 1)
    return obj("apps/v1", "DaemonSet", generation=1 if generation else None,
               status={k: v for k, v in base.items() if v is not None})


def rs(**status: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"replicas": 2, "fullyLabeledReplicas": 2, "availableReplicas": 2,
                            "readyReplicas": 2}
    base.update(status)
    return obj("apps/v1", "ReplicaSet", spec={"replicas": 2}, status=base)


def job(conditions: list[dict[str, str]] | None = None, start: bool = True) -> dict[str, Any]:
    status: dict[str, Any] = {"succeeded": 1, "active": 0, "failed": 2, "conditions": conditions or []}
    if start:
        status["startTime"] = "2024-05-01T11:00:00Z"
    return obj("batch/v1", "Job", spec={"completions": 1}, status=status)


def pod(phase: str | None, conditions: list[dict[str, str]] | None = None,
        containers: list[dict[str, Any]] | None = None, created: str = "2024-05-01T11:59:00Z") -> dict[str, Any]:
    status: dict[str, Any] = {"conditions": conditions or []}
    if phase is not None:
        status["phase"] = phase
    if containers is not None:
        status["containerStatuses"] = containers
    return obj("v1", "Pod", status=status, creationTimestamp=created)


UNSCHEDULABLE = [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available")]
CRASHING = [{"name": "app", "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
            {"name": "sidecar", "state": {"running": {}}},
            {"name": "init", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]

CASES: list[tuple[str, dict[str, Any] | None, Status, str]] = [
    # generic
    ("deleting object is terminating even if healthy",
     {**deploy(), "metadata": {"name": "web", "deletionTimestamp": "2024-05-01T11:00:00Z"}},
     Status.TERMINATING, "Resource scheduled for deletion"),
    ("unobserved generation is in progress",
     obj("apps/v1", "Deployment", generation=3, status={"observedGeneration": 2}),
     Status.IN_PROGRESS, "Deployment generation is 3, but latest observed generation is 2"),
    ("reconciling true is in progress with its message",
     obj("example.com/v1", "Widget", status={"conditions": [
         cond("Ready", "True"), cond("Reconciling", "True", "Progressing", "working on it")]}),
     Status.IN_PROGRESS, "working on it"),
    ("stalled true is failed with its message",
     obj("example.com/v1", "Widget", status={"conditions": [cond("Stalled", "True", "Bad", "broken spec")]}),
     Status.FAILED, "broken spec"),
    ("missing object is not found", None, Status.NOT_FOUND, "Resource not found"),
    # Deployment
    ("deployment with all replicas available is current", deploy(),
     Status.CURRENT, "Deployment is available. Replicas: 3"),
    ("deployment without spec replicas defaults to one", deploy(None, replicas=1, updated=1, ready=1, available=1),
     Status.CURRENT, "Deployment is available. Replicas: 1"),
    ("deployment with too few replicas", deploy(replicas=1), Status.IN_PROGRESS, "Replicas: 1/3"),
    ("deployment with too few updated", deploy(updated=2), Status.IN_PROGRESS, "Updated: 2/3"),
    ("deployment with surplus pods", deploy(replicas=4), Status.IN_PROGRESS, "Pending termination: 1"),
    ("deployment with too few available", deploy(available=1), Status.IN_PROGRESS, "Available: 1/3"),
    ("deployment with too few ready", deploy(ready=2), Status.IN_PROGRESS, "Ready: 2/3"),
    ("deployment still progressing", deploy(conditions=[
        cond("Available", "True"), cond("Progressing", "True", "ReplicaSetUpdated")]),
     Status.IN_PROGRESS, "ReplicaSet not Available"),
    ("deployment without progress deadline needs no progressing condition",
     deploy(deadline=False, conditions=[cond("Available", "True")]),
     Status.CURRENT, "Deployment is available. Replicas: 3"),
    ("deployment not available", deploy(conditions=[
        cond("Available", "False"), cond("Progressing", "True", "NewReplicaSetAvailable")]),
     Status.IN_PROGRESS, "Deployment not Available"),
    ("deployment past progress deadline is failed", deploy(replicas=1, conditions=[
        cond("Progressing", "False", "ProgressDeadlineExceeded")]),
     Status.FAILED, "Progress deadline exceeded"),
    # StatefulSet
    ("statefulset on delete strategy is current", sts(strategy={"type": "OnDelete"}, ready=0),
     Status.CURRENT, "StatefulSet is using the ondelete update strategy"),
    ("statefulset with too few replicas", sts(replicas=2), Status.IN_PROGRESS, "Replicas: 2/3"),
    ("statefulset with too few ready", sts(ready=1), Status.IN_PROGRESS, "Ready: 1/3"),
    ("statefulset partition rollout pending",
     sts(strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}, updated=1),
     Status.IN_PROGRESS, "updated: 1/2"),
    ("statefulset partition rollout complete",
     sts(strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}, updated=2, upd_rev="web-2"),
     Status.CURRENT, "Partition rollout complete. updated: 2"),
    ("statefulset with too few current", sts(current=2), Status.IN_PROGRESS, "current: 2/3"),
    ("statefulset revision mismatch", sts(upd_rev="web-2"),
     Status.IN_PROGRESS, "Waiting for updated revision to match current"),
    ("statefulset all ready", sts(), Status.CURRENT, "All replicas scheduled as expected. Replicas: 3"),
    # DaemonSet
    ("daemonset without generation", ds(generation=False),
     Status.IN_PROGRESS, "DaemonSet metadata.generation not found"),
    ("daemonset without observed generation", {**ds(), "status": {"desiredNumberScheduled": 2}},
     Status.IN_PROGRESS, "DaemonSet status.observedGeneration not found"),
    ("daemonset without desired number", ds(desiredNumberScheduled=None),
     Status.IN_PROGRESS, "Missing .status.desiredNumberScheduled"),
    ("daemonset with too few updated", ds(updatedNumberScheduled=1), Status.IN_PROGRESS, "Updated: 1/2"),
    ("daemonset with too few ready", ds(numberReady=0), Status.IN_PROGRESS, "Ready: 0/2"),
    ("daemonset all scheduled", ds(), Status.CURRENT, "All replicas scheduled as expected. Replicas: 2"),
    # ReplicaSet
    ("replicaset with replica failure", {**rs(), "status": {"conditions": [cond("ReplicaFailure", "True")]}},
     Status.IN_PROGRESS, "Replica Failure condition. Check Pods"),
    ("replicaset with too few labelled", rs(fullyLabeledReplicas=1), Status.IN_PROGRESS, "Labelled: 1/2"),
    ("replicaset with surplus", rs(replicas=3), Status.IN_PROGRESS, "Pending termination: 1"),
    ("replicaset available", rs(), Status.CURRENT, "ReplicaSet is available. Replicas: 2"),
    # Job
    ("job complete", job([cond("Complete", "True")]), Status.CURRENT, "Job Completed. succeeded: 1/1"),
    ("job failed", job([cond("Failed", "True", "BackoffLimitExceeded")]),
     Status.FAILED, "Job Failed. failed: 2/1"),
    ("job suspended", job([cond("Suspended", "True")], start=False), Status.CURRENT, "Job is suspended"),
    ("job not started", job(start=False), Status.IN_PROGRESS, "Job not started"),
    ("running job is current", job(), Status.CURRENT, "Job in progress. success:1, active: 0, failed: 2"),
    # Pod
    ("succeeded pod is current", pod("Succeeded"), Status.CURRENT, "Pod has completed successfully"),
    ("failed pod is current", pod("Failed"), Status.CURRENT, "Pod has completed, but not successfully"),
    ("running ready pod is current", pod("Running", [cond("Ready", "True")]), Status.CURRENT, "Pod is Ready"),
    ("crash looping pod is failed naming containers", pod("Running", [cond("Ready", "False")], CRASHING),
     Status.FAILED, "Containers in CrashLoop state: app,init"),
    ("running unready pod is in progress", pod("Running", [cond("Ready", "False")]),
     Status.IN_PROGRESS, "Pod is running but is not Ready"),
    ("unschedulable pod within 15s is in progress", pod("Pending", UNSCHEDULABLE, created="2024-05-01T11:59:50Z"),
     Status.IN_PROGRESS, "Pod has not been scheduled"),
    ("unschedulable pod after 15s is failed", pod("Pending", UNSCHEDULABLE, created="2024-05-01T11:59:40Z"),
     Status.FAILED, "Pod could not be scheduled"),
    ("pending pod is in progress", pod("Pending"), Status.IN_PROGRESS, "Pod is in the Pending phase"),
    ("pod without phase is in progress", pod(None), Status.IN_PROGRESS, "Pod phase not available"),
    # PVC, Service
    ("bound pvc is current", obj("v1", "PersistentVolumeClaim", status={"phase": "Bound"}),
     Status.CURRENT, "PVC is Bound"),
    ("pending pvc is in progress", obj("v1", "PersistentVolumeClaim", status={"phase": "Pending"}),
     Status.IN_PROGRESS, "PVC is not Bound. phase: Pending"),
    ("pvc without status is in progress", obj("v1", "PersistentVolumeClaim"),
     Status.IN_PROGRESS, "PVC is not Bound. phase: unknown"),
    ("load balancer without cluster ip is in progress", obj("v1", "Service", spec={"type": "LoadBalancer"}),
     Status.IN_PROGRESS, "ClusterIP not set. Service type: LoadBalancer"),
    ("load balancer with cluster ip but no ingress is current",
     obj("v1", "Service", spec={"type": "LoadBalancer", "clusterIP": "10.0.0.7"}, status={"loadBalancer": {}}),
     Status.CURRENT, "Service is ready"),
    ("cluster ip service is current", obj("v1", "Service", spec={"ports": [{"port": 80}]}),
     Status.CURRENT, "Service is ready"),
    # CRD
    ("established crd is current", obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", status={
        "conditions": [cond("NamesAccepted", "True"), cond("Established", "True")]}),
     Status.CURRENT, "CRD is established"),
    ("crd with names not accepted is failed", obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", status={
        "conditions": [cond("NamesAccepted", "False", "MultipleNamesNotAllowed", "plural conflicts")]}),
     Status.FAILED, "plural conflicts"),
    ("installing crd is in progress", obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", status={
        "conditions": [cond("Established", "False", "Installing", "installing")]}),
     Status.IN_PROGRESS, "Install in progress"),
    ("crd not established for another reason is failed",
     obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", status={
         "conditions": [cond("Established", "False", "Terminating", "being deleted")]}),
     Status.FAILED, "being deleted"),
    # always current
    ("configmap is always current", obj("v1", "ConfigMap"), Status.CURRENT, "Resource is always ready"),
    ("secret is always current", obj("v1", "Secret"), Status.CURRENT, "Resource is always ready"),
    ("cronjob is always current", obj("batch/v1", "CronJob"), Status.CURRENT, "Resource is always ready"),
    ("pdb is always current", obj("policy/v1", "PodDisruptionBudget"),
     Status.CURRENT, "AllowedDisruptions has been computed."),
    # Ready fallback
    ("flux kustomization ready true is current", obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization",
     generation=1, status={"observedGeneration": 1, "conditions": [
         cond("Ready", "True", "ReconciliationSucceeded", "Applied revision: main@sha1:abc")]}),
     Status.CURRENT, "Applied revision: main@sha1:abc"),
    ("flux kustomization ready false is in progress", obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization",
     status={"conditions": [cond("Ready", "False", "BuildFailed", "kustomize build failed")]}),
     Status.IN_PROGRESS, "kustomize build failed"),
    ("ready unknown is in progress", obj("example.com/v1", "Widget", status={
        "conditions": [cond("Ready", "Unknown", "Progressing")]}),
     Status.IN_PROGRESS, "Ready condition is Unknown"),
    ("custom resource without ready condition is current", obj("example.com/v1", "Widget"),
     Status.CURRENT, "Resource is current"),
    ("custom kind named deployment uses the ready rule", obj("example.com/v1", "Deployment"),
     Status.CURRENT, "Resource is current"),
]


@pytest.mark.parametrize(("case", "manifest", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_assess(case: str, manifest: dict[str, Any] | None, status: Status, message: str) -> None:
    assert assess(manifest, now=NOW) == Health(status, message)


def test_naive_now_is_taken_as_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    assert assess(pod("Pending", UNSCHEDULABLE, created="2024-05-01T11:59:40Z"), now=naive).status \
        is Status.FAILED


def test_health_current_flag_is_true_only_for_current() -> None:
    assert Health(Status.CURRENT, "").current
    assert not Health(Status.IN_PROGRESS, "").current
