"""Fault injection and readiness simulation: the emulator's two kinds of mischief.

`Faults` answers matching requests with an injected status (500, 429 with
Retry-After, ...), a delay, or a dropped connection, so fluxpy's retry and
timeout paths can be tested. `Readiness` plays the controllers a test cluster
lacks: it decides what status a Deployment, StatefulSet, DaemonSet, ReplicaSet,
Job, Pod or PVC reports, following kstatus' rules for Current / InProgress /
Failed, and when. The store writes the "in progress" status when the object's
generation changes and the final one once its delay has passed; nothing runs in
the background, the store catches up on each request and while watches idle.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Fault:
    """One injected fault; see `Faults.add`."""

    status: int | None
    method: str | None
    path: re.Pattern[str] | None
    times: int | None
    retry_after: float | None
    delay: float
    drop: bool

    def matches(self, method: str, path: str) -> bool:
        """Whether a request with `method` and URL `path` is affected."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path.search(path) is not None


class Faults:
    """The list of injected faults, consulted before each request is served."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        *,
        status: int | None = 500,
        method: str | None = None,
        path: str | None = None,
        times: int | None = 1,
        retry_after: float | None = None,
        delay: float = 0.0,
        drop: bool = False,
    ) -> Fault:
        """Inject a fault.

        Args:
            status: HTTP status to answer with (a `kind: Status` body), or None to
                serve the request normally after `delay`.
            method: HTTP method to match (any when None).
            path: regex searched (`re.search`) in the URL path, without the query.
            times: how many requests it affects; None means every request.
            retry_after: seconds for the `Retry-After` header and
                `details.retryAfterSeconds` (use with 429 or 503).
            delay: seconds to sleep before answering.
            drop: close the connection without any response.

        Returns:
            The fault, e.g. to inspect its remaining `times`.
        """
        fault = Fault(
            status=status,
            method=method,
            path=re.compile(path) if path is not None else None,
            times=times,
            retry_after=retry_after,
            delay=delay,
            drop=drop,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """Return the first fault matching the request, using up one of its `times`."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, path):
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None


#: The kinds whose status the emulator simulates, by (group, kind).
SIMULATED: frozenset[tuple[str, str]] = frozenset({
    ("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "DaemonSet"),
    ("apps", "ReplicaSet"), ("batch", "Job"), ("", "Pod"), ("", "PersistentVolumeClaim"),
})


@dataclass(frozen=True, slots=True)
class Plan:
    """When an object becomes ready: `seconds` (None = never) and whether it fails instead."""

    seconds: float | None = 0.0
    fail: bool = False


class Readiness:
    """Per-kind readiness plans and the status each phase reports."""

    def __init__(self) -> None:
        self._plans: dict[str, Plan] = {}

    def set(self, kind: str, seconds: float | None, fail: bool = False) -> None:
        """Make objects of `kind` become ready (or fail) `seconds` after each spec change."""
        self._plans[kind] = Plan(seconds, fail)

    def plan(self, group: str, kind: str) -> Plan | None:
        """The plan for a kind, or None if the kind is not simulated."""
        if (group, kind) not in SIMULATED:
            return None
        return self._plans.get(kind, Plan())

    @staticmethod
    def status(obj: dict[str, Any], phase: str, now: str) -> dict[str, Any]:
        """The status `obj` reports in `phase` ("progressing", "ready" or "failed")."""
        kind = obj.get("kind", "")
        builder = _BUILDERS[kind]
        return builder(obj, phase, now)


def _cond(type_: str, status: str, reason: str, message: str, now: str) -> dict[str, Any]:
    return {
        "type": type_, "status": status, "reason": reason, "message": message,
        "lastTransitionTime": now, "lastUpdateTime": now,
    }


def _replicas(obj: dict[str, Any]) -> int:
    value = (obj.get("spec") or {}).get("replicas", 1)
    return int(value) if isinstance(value, int) else 1


def _generation(obj: dict[str, Any]) -> int:
    return int(obj.get("metadata", {}).get("generation", 1))


def _deployment(obj: dict[str, Any], phase: str, now: str) -> dict[str, Any]:
    n, name = _replicas(obj), obj["metadata"]["name"]
    ready = n if phase == "ready" else 0
    status: dict[str, Any] = {
        "observedGeneration": _generation(obj),
        "replicas": n, "updatedReplicas": n, "readyReplicas": ready,
        "availableReplicas": ready, "unavailableReplicas": n - ready,
    }
    if phase == "ready":
        conds = [
            _cond("Available", "True", "MinimumReplicasAvailable",
                  "Deployment has minimum availability.", now),
            _cond("Progressing", "True", "NewReplicaSetAvailable",
                  f'ReplicaSet "{name}-5d4f7b8c9" has successfully progressed.', now),
        ]
    elif phase == "failed":
        conds = [
            _cond("Available", "False", "MinimumReplicasUnavailable",
                  "Deployment does not have minimum availability.", now),
            _cond("Progressing", "False", "ProgressDeadlineExceeded",
                  f'ReplicaSet "{name}-5d4f7b8c9" has timed out progressing.', now),
        ]
    else:
        conds = [
            _cond("Available", "False", "MinimumReplicasUnavailable",
                  "Deployment does not have minimum availability.", now),
            _cond("Progressing", "True", "ReplicaSetUpdated",
                  f'ReplicaSet "{name}-5d4f7b8c9" is progressing.', now),
        ]
    if not ready:
        status.pop("readyReplicas")
        status.pop("availableReplicas")
    else:
        status.pop("unavailableReplicas")
    status["conditions"] = conds
    return status


def _statefulset(obj: dict[str, Any], phase: str, now: str) -> dict[str, Any]:
    n = _replicas(obj)
    ready = n if phase == "ready" else 0
    revision = f"{obj['metadata']['name']}-7c9d6b5f4"
    return {
        "observedGeneration": _generation(obj), "replicas": n, "readyReplicas": ready,
        "currentReplicas": ready, "updatedReplicas": n, "availableReplicas": ready,
        "currentRevision": revision if ready else f"{revision}-old", "updateRevision": revision,
        "collisionCount": 0,
    }


def _daemonset(obj: dict[str, Any], phase: str, now: str) -> dict[str, Any]:
    ready = 1 if phase == "ready" else 0
    return {
        "observedGeneration": _generation(obj), "desiredNumberScheduled": 1,
        "currentNumberScheduled": 1, "updatedNumberScheduled": 1,
        "numberReady": ready, "numberAvailable": ready, "numberMisscheduled": 0,
        **({} if ready else {"numberUnavailable": 1}),
    }


def _replicaset(obj: dict[str, Any], phase: str, now: str) -> dict[str, Any]:
    n = _replicas(obj)
    ready = n if phase == "ready" else 0
    status: dict[str, Any] = {
        "observedGeneration": _generation(obj), "replicas": n, "fullyLabeledReplicas": n,
        "readyReplicas": ready, "availableReplicas": ready,
    }
    if phase == "failed":
        status["conditions"] = [_cond("ReplicaFailure", "True", "FailedCreate",
                                      "pods are forbidden: exceeded quota", now)]
    return status


def _job(obj: dict[str, Any], phase: str, now: str) -> dict[str, Any]:
    completions = (obj.get("spec") or {}).get("completions", 1)
    if phase == "ready":
        return {
            "startTime": now, "completionTime": now, "succeeded": completions, "ready": 0,
            "conditions": [
                _cond("SuccessCriteriaMet", "True", "CompletionsReached",
                      "Reached expected number of succeeded pods", now),
                _cond("Complete", "True", "CompletionsReached",
                      "Reached expected number of succeeded pods", now),
            ],
        }
    if phase == "failed":
        return {
            "startTime": now, "failed": 1, "ready": 0,
            "conditions": [
                _cond("FailureTarget", "True", "BackoffLimitExceeded",
                      "Job has reached the specified backoff limit", now),
                _cond("Failed", "True", "BackoffLimitExceeded",
                      "Job has reached the specified backoff limit", now),
            ],
        }
    return {"startTime": now, "active": 1, "ready": 0}


def _pod(obj: dict[str, Any], phase: str, now: str) -> dict[str, Any]:
    if phase == "ready":
        conds = [
            {"type": t, "status": "True", "lastTransitionTime": now}
            for t in ("PodReadyToStartContainers", "Initialized", "Ready",
                      "ContainersReady", "PodScheduled")
        ]
        return {"phase": "Running", "conditions": conds, "podIP": "10.244.0.10",
                "hostIP": "172.18.0.2", "startTime": now, "qosClass": "BestEffort"}
    if phase == "failed":
        return {"phase": "Failed", "reason": "Error", "message": "container exited with code 1",
                "startTime": now, "qosClass": "BestEffort"}
    return {"phase": "Pending", "qosClass": "BestEffort", "conditions": [
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": now}]}


def _pvc(obj: dict[str, Any], phase: str, now: str) -> dict[str, Any]:
    if phase == "ready":
        spec = obj.get("spec") or {}
        storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
        return {"phase": "Bound", "accessModes": spec.get("accessModes", ["ReadWriteOnce"]),
                "capacity": {"storage": storage}}
    return {"phase": "Pending"}


_BUILDERS = {
    "Deployment": _deployment,
    "StatefulSet": _statefulset,
    "DaemonSet": _daemonset,
    "ReplicaSet": _replicaset,
    "Job": _job,
    "Pod": _pod,
    "PersistentVolumeClaim": _pvc,
}
