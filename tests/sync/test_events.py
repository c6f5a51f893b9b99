"""The Events kustomize-controller records, built from a run's outcome.

Covers: the reason is the Ready reason at the time of the event (Progressing
while working, the failure reason, ReconciliationSucceeded at the end) or the
severity when there is none; Warning only for errors; the revision and origin
revision annotations; the apply event lists only changed objects and is not
sent when nothing changed; the prune event prints the whole delete change
set; `Health check passed in <d>` only when the object was not healthy or a
new revision drifted; the final `Reconciliation finished in <d>, next run in
<interval>` with `commit_status: update`, only when Ready; the
dependency-not-ready and failure events.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fluxpy.apply.actions import Action, ChangeSet, ChangeSetEntry
from fluxpy.models.conditions import Condition, ConditionStatus
from fluxpy.models.inventory import Inventory
from fluxpy.models.kustomize import KustomizationStatus
from fluxpy.models.meta import ObjectRef
from fluxpy.source import events as source_events
from fluxpy.sync import events

T0 = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
REV = "main@sha1:" + "a" * 40
REV2 = "main@sha1:" + "b" * 40
ORIGIN = "v1.2.3@sha1:" + "c" * 40


def st(*conditions: tuple[str, str, str], last_applied: str | None = None,
       last_applied_origin: str | None = None) -> KustomizationStatus:
    return KustomizationStatus(
        conditions=tuple(Condition(t, ConditionStatus(s), r, "", 1, T0) for t, s, r in conditions),
        last_applied_revision=last_applied, last_applied_origin_revision=last_applied_origin,
        inventory=Inventory())


WORKING = st(("Reconciling", "True", "Progressing"), ("Ready", "Unknown", "Progressing"))
READY = st(("Ready", "True", "ReconciliationSucceeded"), last_applied=REV)
HEALTHY = st(("Ready", "True", "ReconciliationSucceeded"), ("Healthy", "True", "Succeeded"), last_applied=REV)


def cs(*entries: tuple[str, str | None, str, Action]) -> ChangeSet:
    return ChangeSet(tuple(ChangeSetEntry(ObjectRef(k, ns, n), a) for k, ns, n, a in entries))


def test_controller_and_event_spec_are_shared_with_source() -> None:
    assert events.CONTROLLER == "kustomize-controller"
    assert events.EventSpec is source_events.EventSpec


def test_reason_is_the_ready_reason_or_the_severity() -> None:
    assert events.reason_of(WORKING, "info") == "Progressing"
    assert events.reason_of(st(), "info") == "info"
    assert events.reason_of(st(), "error") == "error"


def test_apply_event_lists_only_changed_objects() -> None:
    changes = cs(("Namespace", None, "apps", Action.CREATED), ("Service", "apps", "web", Action.UNCHANGED),
                 ("Deployment", "apps", "web", Action.CONFIGURED), ("ConfigMap", "apps", "x", Action.SKIPPED))
    ev = events.applied(WORKING, changes, revision=REV, origin_revision=ORIGIN)
    assert ev == events.EventSpec("Normal", "Progressing", "Namespace/apps created\nDeployment/apps/web configured",
                                  {"kustomize.toolkit.fluxcd.io/revision": REV,
                                   "kustomize.toolkit.fluxcd.io/originRevision": ORIGIN})


def test_no_apply_event_when_nothing_changed() -> None:
    changes = cs(("Service", "apps", "web", Action.UNCHANGED), ("ConfigMap", "apps", "x", Action.SKIPPED))
    assert events.applied(WORKING, changes, revision=REV) is None
    assert events.applied(WORKING, ChangeSet(), revision=REV) is None


def test_prune_event_prints_the_whole_delete_change_set() -> None:
    changes = cs(("Deployment", "apps", "old", Action.DELETED), ("ConfigMap", "apps", "keep", Action.SKIPPED))
    ev = events.pruned(WORKING, changes, revision=REV)
    assert ev is not None
    assert (ev.type, ev.reason) == ("Normal", "Progressing")
    assert ev.message == "Deployment/apps/old deleted\nConfigMap/apps/keep skipped"
    assert ev.annotations == {"kustomize.toolkit.fluxcd.io/revision": REV}
    assert events.pruned(WORKING, ChangeSet(), revision=REV) is None


def test_health_passed_is_announced_when_not_healthy_before() -> None:
    ev = events.health_passed(WORKING, previous=READY, elapsed=timedelta(seconds=12, milliseconds=250),
                              revision=REV, drifted=False)
    assert ev == events.EventSpec("Normal", "Progressing", "Health check passed in 12.25s",
                                  {"kustomize.toolkit.fluxcd.io/revision": REV})


def test_health_passed_is_quiet_for_a_healthy_object_without_new_drift() -> None:
    assert events.health_passed(WORKING, previous=HEALTHY, elapsed=timedelta(seconds=1), revision=REV,
                                drifted=True) is None
    assert events.health_passed(WORKING, previous=HEALTHY, elapsed=timedelta(seconds=1), revision=REV2,
                                drifted=False) is None


def test_health_passed_is_announced_for_a_new_revision_that_drifted() -> None:
    ev = events.health_passed(WORKING, previous=HEALTHY, elapsed=timedelta(seconds=1), revision=REV2,
                              origin_revision=ORIGIN, drifted=True)
    assert ev is not None and ev.message == "Health check passed in 1s"
    assert ev.annotations["kustomize.toolkit.fluxcd.io/originRevision"] == ORIGIN


def test_finished_event_carries_the_applied_revisions_and_commit_status() -> None:
    done = st(("Ready", "True", "ReconciliationSucceeded"), last_applied=REV, last_applied_origin=ORIGIN)
    ev = events.finished(done, elapsed=timedelta(seconds=2, microseconds=345678), interval=timedelta(minutes=10))
    assert ev == events.EventSpec(
        "Normal", "ReconciliationSucceeded", "Reconciliation finished in 2.345678s, next run in 10m0s",
        {"kustomize.toolkit.fluxcd.io/commit_status": "update", "kustomize.toolkit.fluxcd.io/revision": REV,
         "kustomize.toolkit.fluxcd.io/originRevision": ORIGIN})


def test_no_finished_event_unless_ready() -> None:
    failed = st(("Ready", "False", "BuildFailed"), last_applied=REV)
    assert events.finished(failed, elapsed=timedelta(seconds=1), interval=timedelta(minutes=5)) is None


def test_dependency_not_ready_event() -> None:
    waiting = st(("Ready", "False", "DependencyNotReady"))
    ev = events.dependency_not_ready(waiting, revision=REV)
    assert ev == events.EventSpec("Normal", "DependencyNotReady",
                                  "Dependencies do not meet ready condition, retrying in 30s",
                                  {"kustomize.toolkit.fluxcd.io/revision": REV})
    slow = events.dependency_not_ready(waiting, revision=REV, retry_in=timedelta(minutes=1))
    assert slow.message.endswith("retrying in 1m0s")


def test_failure_is_a_warning_with_the_ready_reason() -> None:
    broken = st(("Reconciling", "True", "ProgressingWithRetry"), ("Ready", "False", "HealthCheckFailed"))
    msg = "health check failed after 30s: timeout waiting for: [Deployment/apps/web status: 'InProgress']"
    ev = events.failure(broken, msg, revision=REV, origin_revision=ORIGIN)
    assert (ev.type, ev.reason, ev.message) == ("Warning", "HealthCheckFailed", msg)
    assert set(ev.annotations) == {"kustomize.toolkit.fluxcd.io/revision",
                                   "kustomize.toolkit.fluxcd.io/originRevision"}


def test_failure_without_revision_or_ready_condition() -> None:
    ev = events.failure(st(), "terminal error: bad expression")
    assert ev == events.EventSpec("Warning", "error", "terminal error: bad expression", {})
