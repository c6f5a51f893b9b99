"""Step "apply": server-side apply of the validated objects, stage by stage.

As kustomize-controller (FLUX-COMPAT section 3): field manager
`kustomize-controller` with ownership forced; stages from
`fluxpy.apply.order` (cluster definitions, then `*Class` kinds, then
everything else), and after a stage that created or changed CRDs, a wait
(at most `establish_timeout`) until they are Established so the next stage's
custom resources are served. Objects deferred by validation (in a Namespace
or of a CRD the build creates) are dry-run when their stage comes.

Only objects that drifted are written: validation's dry-run answer is
compared with the live object, and an equal one is `unchanged` with no
request at all. Before the first apply to an object that other tools
managed, its stale metadata is removed with `actions.clean_live`'s JSON
patch (not for `ssa: Merge`). An object whose immutable fields changed and
that may be re-created (`spec.force` or its `force: enabled` annotation) is
deleted, and applied again once it is gone.

Results are recorded as they finish (`Applier.entries`), so when a request
fails or the user presses Ctrl-C mid-stage, the caller still knows exactly
which objects were written, for the inventory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluxpy.apply import actions, order
from fluxpy.apply.actions import Action, ChangeSet, ChangeSetEntry
from fluxpy.errors import FluxpyError
from fluxpy.sync import pool, validate
from fluxpy.sync.validate import Checked, Failure

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.sync.live import LiveIndex

ESTABLISH_TIMEOUT = 60.0
"""How long a stage waits for its CRDs to be Established (Flux: 60s)."""

GONE_TIMEOUT = 30.0
"""How long a re-created object's deletion may take."""


class ApplyError(FluxpyError):
    """One or more objects could not be applied; later stages were not applied."""

    reason = "ReconciliationFailed"

    def __init__(self, failures: Sequence[Failure]) -> None:
        n = len(failures)
        super().__init__(f"apply failed for {n} object{'s' if n != 1 else ''}: "
                         + "; ".join(f.message for f in failures),
                         hint="fix the manifests (or the cluster) and reconcile again")
        self.failures = tuple(failures)


@dataclass(frozen=True, slots=True)
class Done:
    """What happened to one object: an entry, or the failure."""

    item: Checked
    action: Action | None = None
    failure: Failure | None = None


def drifted(dry: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    """Whether applying would change the live object (dry-run answer vs live).

    `status` and `metadata.resourceVersion` are left out (a controller may
    update the status between the list and the dry-run), and so are the
    timestamps of managedFields entries.
    """
    return _comparable(dry) != _comparable(live)


def _comparable(obj: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = dict(out.get("metadata") or {})
    meta.pop("resourceVersion", None)
    fields = meta.get("managedFields")
    if isinstance(fields, list):
        meta["managedFields"] = [{k: v for k, v in f.items() if k != "time"} if isinstance(f, Mapping) else f
                                 for f in fields]
    out["metadata"] = meta
    return out


class Applier:
    """Applies validated objects and records what it did.

    Args:
        kube: the cluster.
        index: the live objects listed before validation.
        force: the Kustomization's `spec.force` (for deferred objects).
        workers: requests in flight at once.
        on_entry: called (in the caller's thread) with each finished entry.
        custom_stage: `(group, kind)` pairs applied in a stage of their own.
        establish_timeout, sleep, clock: the CRD wait (tests make it fast).
    """

    def __init__(self, kube: Kube, *, index: LiveIndex, force: bool, workers: int = pool.WORKERS,
                 on_entry: Callable[[ChangeSetEntry], None] | None = None,
                 custom_stage: Collection[tuple[str, str]] = (), establish_timeout: float = ESTABLISH_TIMEOUT,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.kube = kube
        self.index = index
        self.force = force
        self.workers = workers
        self.on_entry = on_entry
        self.custom_stage = custom_stage
        self.establish_timeout = establish_timeout
        self.sleep = sleep
        self.clock = clock
        self._lock = threading.Lock()
        self._done: dict[int, Done] = {}
        self._order: list[Checked] = []

    @property
    def entries(self) -> ChangeSet:
        """The objects done so far (failed ones left out), in apply order."""
        with self._lock:
            done = [self._done[id(i)] for i in self._order if id(i) in self._done]
        return ChangeSet(tuple(ChangeSetEntry(d.item.subject, d.action) for d in done if d.action is not None))

    @property
    def written(self) -> list[dict[str, Any]]:
        """The manifests now in the cluster as built (created, configured, unchanged), apply order."""
        keep = (Action.CREATED, Action.CONFIGURED, Action.UNCHANGED)
        with self._lock:
            return [self._done[id(i)].item.obj for i in self._order
                    if id(i) in self._done and self._done[id(i)].action in keep]

    def managed(self) -> list[dict[str, Any]]:
        """The manifests for the inventory, in apply order: every object of the change set.

        Skipped objects (`ssa: Ignore`, `IfNotPresent`, `reconcile: disabled`)
        stay in it, as Flux's `Inventory.AddChangeSet` keeps them: dropping
        them would let the next prune delete an object the user only meant to
        stop applying (prune itself never deletes an object whose live copy
        carries those annotations).
        """
        with self._lock:
            return [item.obj for item in self._order
                    if (done := self._done.get(id(item))) is not None and done.action is not None]

    def run(self, items: Sequence[Checked]) -> ChangeSet:
        """Apply every item, stage by stage.

        Raises:
            ApplyError: objects failed; their stage finished, later stages were not started.
            fluxpy.kube.errors.KubeError: the cluster failed (unreachable, 5xx after retries).
            KeyboardInterrupt: interrupted; `entries` tells what was done.
        """
        by_obj = {id(i.obj): i for i in items}
        stages = order.stages([i.obj for i in items], custom_stage=self.custom_stage)
        with self._lock:
            self._order = [by_obj[id(o)] for stage in stages for o in stage]
        for stage in stages:
            todo = [by_obj[id(o)] for o in stage]
            results = pool.each(todo, self._one, workers=self.workers, on_done=self._report)
            failures = [d.failure for d in results if d.failure is not None]
            if failures:
                raise ApplyError(failures)
            self._wait_established([d for d in results if d.action in (Action.CREATED, Action.CONFIGURED)])
        return self.entries

    def _report(self, item: Checked, done: Done) -> None:
        if self.on_entry is not None and done.action is not None:
            self.on_entry(ChangeSetEntry(item.subject, done.action))

    def _record(self, done: Done) -> Done:
        with self._lock:
            self._done[id(done.item)] = done
        return done

    def _one(self, item: Checked) -> Done:
        from fluxpy.kube import errors as kerr

        if item.deferred:
            failure = self._check_deferred(item)
            if failure is not None:
                return self._record(Done(item, failure=failure))
        if item.policy.decision is actions.Decision.SKIP:
            return self._record(Done(item, Action.SKIPPED))
        try:
            action = self._apply(item)
        except (kerr.InvalidError, kerr.NotFoundError, kerr.BadRequestError, kerr.ConflictError) as err:
            message = validate.mask(f"{item.subject} apply failed ({err.reason or err.status}): "
                                    f"{err.message}", item.obj)
            return self._record(Done(item, failure=Failure(item.subject, message)))
        return self._record(Done(item, action))

    def _check_deferred(self, item: Checked) -> Failure | None:
        from fluxpy.kube import errors as kerr

        if item.resource is None:
            try:
                item.resource = self.kube.resource_for(str(item.obj.get("apiVersion") or ""),
                                                       str(item.obj.get("kind") or ""))
            except kerr.UnknownKindError:
                return Failure(item.subject, f"{item.subject} dry-run failed: no matches for kind "
                                             f"\"{item.obj.get('kind')}\" in version \"{item.obj.get('apiVersion')}\"")
        if item.policy.decision is actions.Decision.SKIP:
            return None
        failure = validate.dry_run(self.kube, item)
        if failure is None and item.exists and self.index.get(item.obj) is None:
            item.policy = actions.ssa_policy(item.obj, item.dry, force=self.force)
        return failure

    def _apply(self, item: Checked) -> Action:
        kube = self.kube
        assert item.resource is not None
        if item.recreate:
            self._delete_and_wait(item)
            result = kube.apply(item.obj, field_manager=actions.FIELD_MANAGER, force=True)
            self.index.put(item.obj, result)
            return Action.CREATED
        if not item.exists:
            result = kube.apply(item.obj, field_manager=actions.FIELD_MANAGER, force=True)
            self.index.put(item.obj, result)
            return Action.CREATED
        live = self.index.get(item.obj)
        assert item.dry is not None
        if live is not None and not drifted(item.dry, live):
            return Action.UNCHANGED
        if item.policy.cleanup:
            live = live if live is not None else self.index.fetch(kube, item.resource, item.obj)
            ops = actions.clean_live(live) if live is not None else []
            if ops:
                meta = item.obj.get("metadata") or {}
                kube.patch(item.resource, str(meta.get("name")), ops, namespace=meta.get("namespace"),
                           patch_type="json", field_manager=actions.FIELD_MANAGER)
        result = kube.apply(item.obj, field_manager=actions.FIELD_MANAGER, force=True)
        self.index.put(item.obj, result)
        return Action.CONFIGURED

    def _delete_and_wait(self, item: Checked) -> None:
        from fluxpy.kube import errors as kerr

        assert item.resource is not None
        meta = item.obj.get("metadata") or {}
        name, namespace = str(meta.get("name")), meta.get("namespace")
        try:
            kube_deleted = self.kube.delete(item.resource, name, namespace=namespace)
        except kerr.NotFoundError:
            return
        if kube_deleted is None:
            return
        deadline = self.clock() + GONE_TIMEOUT
        while self.clock() < deadline:
            try:
                self.kube.get(item.resource, name, namespace=namespace)
            except kerr.NotFoundError:
                return
            self.sleep(0.5)
        raise kerr.KubeError(f"{item.subject}: still terminating {GONE_TIMEOUT:.0f}s after it was deleted "
                             "to be re-created", hint="check its finalizers, then reconcile again")

    def _wait_established(self, done: Sequence[Done]) -> None:
        """Wait until the CRDs just applied are Established (and their kinds are served)."""
        from fluxpy.health import kstatus
        from fluxpy.kube import errors as kerr

        crds = [d.item for d in done if d.item.obj.get("kind") == "CustomResourceDefinition"
                and order.is_cluster_definition(d.item.obj)]
        deadline = self.clock() + self.establish_timeout
        for item in crds:
            assert item.resource is not None
            name = str((item.obj.get("metadata") or {}).get("name"))
            while True:
                try:
                    live = self.kube.get(item.resource, name)
                    health = kstatus.assess(live)
                    if health.current:
                        break
                    why = health.message
                except kerr.NotFoundError:
                    why = "not found"
                if self.clock() >= deadline:
                    raise ApplyError([Failure(item.subject, f"{item.subject} is not Established after "
                                                            f"{self.establish_timeout:.0f}s: {why}")])
                self.sleep(0.5)
