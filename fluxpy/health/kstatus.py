"""kstatus: is a live object Current, InProgress, Failed or Terminating?

The wait step of the Kustomization pipeline (FLUX-COMPAT section 8) calls
`assess` on each polled object. The rules and messages follow
`sigs.k8s.io/cli-utils/pkg/kstatus/status` (`generic.go`, `core.go`,
`status.go`), which Flux's `ssa` wait uses:

1. generic checks first: `metadata.deletionTimestamp` -> Terminating;
   `status.observedGeneration` present and different from `metadata.generation`
   -> InProgress; a `Reconciling=True` condition -> InProgress; `Stalled=True`
   -> Failed;
2. then the built-in rules, keyed by API group and kind exactly as kstatus keys
   them (`apps/Deployment`, `extensions/Deployment`, core `Pod`, ...), so a
   CRD that happens to be called `Deployment` in another group is not judged
   by the Deployment rules;
3. anything else by its `Ready` condition: True -> Current, False/Unknown ->
   InProgress, absent -> Current. This is how Flux judges its own CRs (plain
   kstatus would say Current); see FLUX-COMPAT section 8.

Deviation note: the 15-second grace for an unschedulable Pod is measured from
`metadata.creationTimestamp`, as kstatus's `podConditions` does, not from the
condition's lastTransitionTime. `now` is a parameter so the rule is testable.

`assess(None)` returns NotFound, the status kstatus reports for an object the
poller could not find.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from fluxpy.models.meta import parse_time

SCHEDULE_WINDOW = timedelta(seconds=15)
"""How long a Pod may stay unschedulable before it counts as Failed."""

_MAX_INT32 = 2**31 - 1


class Status(StrEnum):
    """The kstatus status of one object."""

    CURRENT = "Current"
    IN_PROGRESS = "InProgress"
    FAILED = "Failed"
    TERMINATING = "Terminating"
    NOT_FOUND = "NotFound"


@dataclass(frozen=True, slots=True)
class Health:
    """The result of assessing one object.

    Args:
        status: the kstatus status.
        message: why, in kstatus's words (e.g. `Replicas: 1/3`).
    """

    status: Status
    message: str

    @property
    def current(self) -> bool:
        """True when the object is Current (healthy)."""
        return self.status is Status.CURRENT


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def _int(obj: Mapping[str, Any], *path: str, default: int) -> int:
    value = _get(obj, *path)
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return value


def _str(obj: Mapping[str, Any], *path: str, default: str = "") -> str:
    value = _get(obj, *path)
    return value if isinstance(value, str) else default


def _conditions(obj: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    value = _get(obj, "status", "conditions")
    if not isinstance(value, list):
        return []
    return [c for c in value if isinstance(c, Mapping)]


def _condition(obj: Mapping[str, Any], ctype: str) -> Mapping[str, Any] | None:
    for cond in _conditions(obj):
        if cond.get("type") == ctype:
            return cond
    return None


def _has(obj: Mapping[str, Any], ctype: str, status: str) -> bool:
    cond = _condition(obj, ctype)
    return cond is not None and cond.get("status") == status


def _msg(cond: Mapping[str, Any]) -> str:
    value = cond.get("message")
    return value if isinstance(value, str) else ""


def _current(message: str) -> Health:
    return Health(Status.CURRENT, message)


def _progress(message: str) -> Health:
    return Health(Status.IN_PROGRESS, message)


def _failed(message: str) -> Health:
    return Health(Status.FAILED, message)


# --- generic ---------------------------------------------------------------

def _generic(obj: Mapping[str, Any]) -> Health | None:
    if _get(obj, "metadata", "deletionTimestamp"):
        return Health(Status.TERMINATING, "Resource scheduled for deletion")
    generation = _get(obj, "metadata", "generation")
    observed = _get(obj, "status", "observedGeneration")
    if isinstance(generation, int) and isinstance(observed, int) and observed != generation:
        kind = _str(obj, "kind")
        return _progress(f"{kind} generation is {generation}, "
                         f"but latest observed generation is {observed}")
    for cond in _conditions(obj):
        if cond.get("type") == "Reconciling" and cond.get("status") == "True":
            return _progress(_msg(cond))
        if cond.get("type") == "Stalled" and cond.get("status") == "True":
            return _failed(_msg(cond))
    return None


# --- per kind --------------------------------------------------------------

def _always(obj: Mapping[str, Any], now: datetime) -> Health:
    return _current("Resource is always ready")


def _pdb(obj: Mapping[str, Any], now: datetime) -> Health:
    return _current("AllowedDisruptions has been computed.")


def _deployment(obj: Mapping[str, Any], now: datetime) -> Health:
    progressing = _int(obj, "spec", "progressDeadlineSeconds", default=_MAX_INT32) == _MAX_INT32
    available = False
    for cond in _conditions(obj):
        if cond.get("type") == "Progressing":
            if cond.get("reason") == "ProgressDeadlineExceeded":
                return _failed("Progress deadline exceeded")
            if cond.get("status") == "True" and cond.get("reason") == "NewReplicaSetAvailable":
                progressing = True
        elif cond.get("type") == "Available" and cond.get("status") == "True":
            available = True
    spec = _int(obj, "spec", "replicas", default=1)
    replicas = _int(obj, "status", "replicas", default=0)
    updated = _int(obj, "status", "updatedReplicas", default=0)
    ready = _int(obj, "status", "readyReplicas", default=0)
    avail = _int(obj, "status", "availableReplicas", default=0)
    if spec > replicas:
        return _progress(f"Replicas: {replicas}/{spec}")
    if spec > updated:
        return _progress(f"Updated: {updated}/{spec}")
    if replicas > spec:
        return _progress(f"Pending termination: {replicas - spec}")
    if updated > avail:
        return _progress(f"Available: {avail}/{updated}")
    if spec > ready:
        return _progress(f"Ready: {ready}/{spec}")
    if not progressing:
        return _progress("ReplicaSet not Available")
    if not available:
        return _progress("Deployment not Available")
    return _current(f"Deployment is available. Replicas: {replicas}")


def _statefulset(obj: Mapping[str, Any], now: datetime) -> Health:
    if _str(obj, "spec", "updateStrategy", "type") == "OnDelete":
        return _current("StatefulSet is using the ondelete update strategy")
    spec = _int(obj, "spec", "replicas", default=1)
    ready = _int(obj, "status", "readyReplicas", default=0)
    current = _int(obj, "status", "currentReplicas", default=0)
    updated = _int(obj, "status", "updatedReplicas", default=0)
    replicas = _int(obj, "status", "replicas", default=0)
    partition = _int(obj, "spec", "updateStrategy", "rollingUpdate", "partition", default=-1)
    if spec > replicas:
        return _progress(f"Replicas: {replicas}/{spec}")
    if spec > ready:
        return _progress(f"Ready: {ready}/{spec}")
    if replicas > spec:
        return _progress(f"Pending termination: {replicas - spec}")
    if partition != -1:
        if updated < spec - partition:
            return _progress(f"updated: {updated}/{spec - partition}")
        return _current(f"Partition rollout complete. updated: {updated}")
    if spec > current:
        return _progress(f"current: {current}/{spec}")
    if _str(obj, "status", "currentRevision") != _str(obj, "status", "updateRevision"):
        return _progress("Waiting for updated revision to match current")
    return _current(f"All replicas scheduled as expected. Replicas: {replicas}")


def _daemonset(obj: Mapping[str, Any], now: datetime) -> Health:
    kind = _str(obj, "kind")
    if not isinstance(_get(obj, "metadata", "generation"), int):
        return _progress(f"{kind} metadata.generation not found")
    if not isinstance(_get(obj, "status", "observedGeneration"), int):
        return _progress(f"{kind} status.observedGeneration not found")
    desired = _int(obj, "status", "desiredNumberScheduled", default=-1)
    if desired == -1:
        return _progress("Missing .status.desiredNumberScheduled")
    for field, label in (("currentNumberScheduled", "Current"), ("updatedNumberScheduled", "Updated"),
                         ("numberAvailable", "Available"), ("numberReady", "Ready")):
        have = _int(obj, "status", field, default=0)
        if desired > have:
            return _progress(f"{label}: {have}/{desired}")
    return _current(f"All replicas scheduled as expected. Replicas: {desired}")


def _replicaset(obj: Mapping[str, Any], now: datetime) -> Health:
    if _has(obj, "ReplicaFailure", "True"):
        return _progress("Replica Failure condition. Check Pods")
    spec = _int(obj, "spec", "replicas", default=1)
    replicas = _int(obj, "status", "replicas", default=0)
    for field, label in (("fullyLabeledReplicas", "Labelled"), ("availableReplicas", "Available"),
                         ("readyReplicas", "Ready")):
        have = _int(obj, "status", field, default=0)
        if spec > have:
            return _progress(f"{label}: {have}/{spec}")
    if replicas > spec:
        return _progress(f"Pending termination: {replicas - spec}")
    return _current(f"ReplicaSet is available. Replicas: {replicas}")


def _job(obj: Mapping[str, Any], now: datetime) -> Health:
    parallelism = _int(obj, "spec", "parallelism", default=1)
    completions = _int(obj, "spec", "completions", default=parallelism)
    succeeded = _int(obj, "status", "succeeded", default=0)
    active = _int(obj, "status", "active", default=0)
    failed = _int(obj, "status", "failed", default=0)
    for cond in _conditions(obj):
        if cond.get("status") != "True":
            continue
        if cond.get("type") == "Complete":
            return _current(f"Job Completed. succeeded: {succeeded}/{completions}")
        if cond.get("type") == "Failed":
            return _failed(f"Job Failed. failed: {failed}/{completions}")
        if cond.get("type") == "Suspended":
            return _current("Job is suspended")
    if not _str(obj, "status", "startTime"):
        return _progress("Job not started")
    return _current(f"Job in progress. success:{succeeded}, active: {active}, failed: {failed}")


def _crash_looping(obj: Mapping[str, Any]) -> list[str]:
    statuses = _get(obj, "status", "containerStatuses")
    if not isinstance(statuses, list):
        return []
    names = []
    for cs in statuses:
        if isinstance(cs, Mapping) and isinstance(cs.get("name"), str) \
                and _get(cs, "state", "waiting", "reason") == "CrashLoopBackOff":
            names.append(str(cs["name"]))
    return names


def _pod(obj: Mapping[str, Any], now: datetime) -> Health:
    phase = _str(obj, "status", "phase")
    if phase == "Succeeded":
        return _current("Pod has completed successfully")
    if phase == "Failed":
        return _current("Pod has completed, but not successfully")
    if phase == "Running":
        if _has(obj, "Ready", "True"):
            return _current("Pod is Ready")
        looping = _crash_looping(obj)
        if looping:
            return _failed(f"Containers in CrashLoop state: {','.join(looping)}")
        return _progress("Pod is running but is not Ready")
    if phase == "Pending":
        cond = _condition(obj, "PodScheduled")
        if cond is not None and cond.get("status") == "False" and cond.get("reason") == "Unschedulable":
            created = _str(obj, "metadata", "creationTimestamp")
            try:
                since = parse_time(created) if created else now
            except ValueError:
                since = now
            if now - SCHEDULE_WINDOW < since:
                return _progress("Pod has not been scheduled")
            return _failed("Pod could not be scheduled")
        return _progress("Pod is in the Pending phase")
    if not phase:
        return _progress("Pod phase not available")
    # kstatus returns an error for an unknown phase; the wait loop treats that
    # as not ready yet, which InProgress expresses without an exception.
    return _progress(f"unknown phase {phase}")


def _pvc(obj: Mapping[str, Any], now: datetime) -> Health:
    phase = _str(obj, "status", "phase", default="unknown")
    if phase != "Bound":
        return _progress(f"PVC is not Bound. phase: {phase}")
    return _current("PVC is Bound")


def _service(obj: Mapping[str, Any], now: datetime) -> Health:
    # kstatus checks spec.clusterIP, not status.loadBalancer.ingress: a
    # LoadBalancer Service without an external address is still Current.
    if _str(obj, "spec", "type", default="ClusterIP") == "LoadBalancer" \
            and not _str(obj, "spec", "clusterIP"):
        return _progress("ClusterIP not set. Service type: LoadBalancer")
    return _current("Service is ready")


def _crd(obj: Mapping[str, Any], now: datetime) -> Health:
    for cond in _conditions(obj):
        if cond.get("type") == "NamesAccepted" and cond.get("status") == "False":
            return _failed(_msg(cond))
        if cond.get("type") == "Established":
            if cond.get("status") == "False" and cond.get("reason") != "Installing":
                return _failed(_msg(cond))
            if cond.get("status") == "True":
                return _current("CRD is established")
    return _progress("Install in progress")


def _ready_condition(obj: Mapping[str, Any], now: datetime) -> Health:
    cond = _condition(obj, "Ready")
    if cond is None:
        return _current("Resource is current")
    if cond.get("status") == "True":
        return _current(_msg(cond) or "Resource is Ready")
    return _progress(_msg(cond) or f"Ready condition is {cond.get('status') or 'Unknown'}")


_Rule = Callable[[Mapping[str, Any], datetime], Health]

RULES: Mapping[str, _Rule] = {
    "Service": _service,
    "Pod": _pod,
    "Secret": _always,
    "PersistentVolumeClaim": _pvc,
    "apps/StatefulSet": _statefulset,
    "apps/DaemonSet": _daemonset,
    "extensions/DaemonSet": _daemonset,
    "apps/Deployment": _deployment,
    "extensions/Deployment": _deployment,
    "apps/ReplicaSet": _replicaset,
    "extensions/ReplicaSet": _replicaset,
    "policy/PodDisruptionBudget": _pdb,
    "batch/CronJob": _always,
    "ConfigMap": _always,
    "batch/Job": _job,
    "apiextensions.k8s.io/CustomResourceDefinition": _crd,
}
"""The built-in rules, keyed `group/Kind` (`Kind` for the core group), as kstatus's `legacyTypes`."""


def rule_key(obj: Mapping[str, Any]) -> str:
    """`group/Kind`, or `Kind` for the core group: the key into `RULES`."""
    group = _str(obj, "apiVersion").rpartition("/")[0]
    kind = _str(obj, "kind")
    return f"{group}/{kind}" if group else kind


def assess(obj: Mapping[str, Any] | None, *, now: datetime | None = None) -> Health:
    """The kstatus health of one live object.

    Args:
        obj: the object as read from the API server (with `status`), or None
            when it was not found.
        now: the current time (default: the wall clock); only the Pod
            unschedulable grace period reads it.

    Returns:
        The status and kstatus's message for it.
    """
    if obj is None:
        return Health(Status.NOT_FOUND, "Resource not found")
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    generic = _generic(obj)
    if generic is not None:
        return generic
    return RULES.get(rule_key(obj), _ready_condition)(obj, now)
