"""Step "wait for readiness": poll objects until kstatus says they are Current.

After apply and prune, a Kustomization with `spec.wait: true` waits for every
applied object, and one with `spec.healthChecks` waits for the objects listed
there (FLUX-COMPAT section 3); the pipeline passes either set here as
manifests. Flux does this with `fluxcd/pkg/ssa` `WaitForSetWithContext`, which
runs a kstatus poller; this module does the same with `fluxpy.health.assess`
for the verdict and `Kube` for the reads.

What Flux does, and so what this does:

- **Fail fast.** `ssa.WaitOptions.FailFast` stops the wait as soon as one
  object's kstatus is Failed. kustomize-controller sets it from its feature
  gates (`main.go`: `failFast := true`, turned off only by the opt-in gate
  `DisableFailFastBehavior`, default false since v1.1), so a stock controller
  fails fast. A Failed object ends the wait at once with
  `failed early due to stalled resources: [Deployment/apps/web status: 'Failed']`,
  listing only the Failed objects, as `manager_wait.go` does once the wait
  was cancelled rather than timed out.
- **Timeout.** Otherwise the wait ends at `timeout` with
  `timeout waiting for: [Deployment/apps/web status: 'InProgress', ...]`,
  every object not Current, in `manager_wait.go`'s words. Flux prints the
  kstatus status only (its `: <error>` suffix is for objects the poller could
  not read); the kstatus messages (`Ready: 0/1`) go into the error's `hint`
  and `not_ready`. Flux lists them in Go map order; fluxpy in input order.
- **A missing object is NotFound**, and stays not ready until the timeout.
  So is an object whose kind the server does not serve (a CRD not installed
  yet): discovery is asked again on each poll, since the CRD may appear.
- **No apiVersion means the core group.** `healthChecks[].apiVersion` is
  optional; Flux parses "" as the core group (`schema.ParseGroupVersion`), so
  a `Deployment` named without one is never found. fluxpy does the same
  rather than guess, and says so in the object's message.
- **Current is final** (a fluxpy choice). Flux's poller reads every object
  at each interval; fluxpy stops reading an object once it was seen Current,
  which saves most of the requests of a long wait. The one difference: an
  object that falls back from Current during the wait still counts as ready.

Polling cost (the bench waits on 1,000 objects): each poll reads only the
objects not yet Current, with one LIST per (resource, namespace) group
holding `LIST_THRESHOLD` (3) or more of them and one GET per object
otherwise, so a poll never costs more than one request per object (a very
large namespace can make one LIST several pages). Errors other than "not
found" (403, 5xx after the transport's retries) end the wait at once instead
of being retried until the timeout as Flux's poller does: they rarely heal
within a timeout, and the API's own message says more than a status would.
The wait does not skip the Kustomization itself (`A Kustomization never waits
on itself`); the caller leaves it out of `objects`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluxpy.errors import FluxpyError
from fluxpy.health import Health, Status, assess
from fluxpy.kube import errors as kube_errors
from fluxpy.models import duration
from fluxpy.models.meta import ObjectRef

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.kube.resource import Resource

HEALTH_CHECK_FAILED = "HealthCheckFailed"
"""The condition reason Flux records when the wait fails."""

LIST_THRESHOLD = 3
"""A (resource, namespace) group with at least this many objects to poll is LISTed, not GOT."""

HINT_DETAILS = 5
"""How many objects' kstatus messages the hint spells out."""

CORE_VERSION = "v1"
"""The apiVersion assumed when a health check names none (Flux reads "" as the core group)."""

NotReady = tuple[ObjectRef, Status, str]
"""An object that is not Current: its identity, kstatus status and kstatus message."""


@dataclass(frozen=True, slots=True)
class WaitResult:
    """A successful wait.

    Args:
        seconds: how long it took (by the injected clock).
        checked: how many distinct objects were waited for.
    """

    seconds: float
    checked: int


class HealthCheckError(FluxpyError):
    """Objects did not become Current: one Failed (fail fast) or the timeout expired.

    The message is Flux's (`timeout waiting for: [...]` or
    `failed early due to stalled resources: [...]`), which Flux writes to the
    `Healthy` condition; `ready_message` is what it writes to `Ready`.

    Args:
        message: the one-line message, naming the objects.
        not_ready: the objects the message names, with status and kstatus message.
        seconds: how long the wait ran.
        timed_out: True for a timeout, False for fail-fast.
        hint: the kstatus messages and what to do.
    """

    reason = HEALTH_CHECK_FAILED

    def __init__(self, message: str, *, not_ready: list[NotReady], seconds: float, timed_out: bool,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.not_ready = not_ready
        self.seconds = seconds
        self.timed_out = timed_out

    @property
    def ready_message(self) -> str:
        """`health check failed after <duration>: <message>`, as kustomize-controller's `checkHealth` wraps it."""
        return f"health check failed after {duration.format(self.seconds)}: {self.message}"


@dataclass(slots=True)
class _Target:
    """One object to wait for, and what was last seen of it."""

    ref: ObjectRef
    api_version: str
    kind: str
    name: str
    namespace: str | None
    health: Health


def wait_for(kube: Kube, objects: Sequence[Mapping[str, Any]], *, timeout: float, interval: float = 2.0,
             clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
             on_poll: Callable[[int, int], None] | None = None) -> WaitResult:
    """Poll `objects` until every one is Current.

    Args:
        kube: the cluster.
        objects: manifests naming what to wait for (apiVersion, kind,
            metadata.name, metadata.namespace; a namespaced object without a
            namespace is looked for in the context's namespace). Duplicates
            are waited for once.
        timeout: seconds before giving up; 0 polls once.
        interval: seconds between polls.
        clock: monotonic seconds (tests inject a fake one).
        sleep: how to wait between polls (tests inject a fake one).
        on_poll: called after each poll with (objects Current, objects in all).

    Returns:
        How long it took and how many objects were checked.

    Raises:
        HealthCheckError: an object is Failed, or the timeout expired first.
        KubeError: reading the objects failed other than with "not found".
    """
    start = clock()
    targets = _targets(objects)
    poller = _Poller(kube)
    pending = list(targets)
    while True:
        poller.poll(pending)
        pending = [t for t in pending if not t.health.current]
        if on_poll is not None:
            on_poll(len(targets) - len(pending), len(targets))
        if not pending:
            return WaitResult(clock() - start, len(targets))
        failed = [t for t in pending if t.health.status is Status.FAILED]
        if failed:
            raise _error(failed, seconds=clock() - start, timed_out=False)
        now = clock()
        if now - start >= timeout:
            raise _error(pending, seconds=now - start, timed_out=True)
        sleep(max(0.0, min(interval, start + timeout - now)))


def failure_message(not_ready: Sequence[NotReady], *, timed_out: bool) -> str:
    """Flux's one-line message for objects that did not become Current.

    Args:
        not_ready: the objects to name, in order.
        timed_out: True for `timeout waiting for`, False for
            `failed early due to stalled resources`.
    """
    prefix = "timeout waiting for" if timed_out else "failed early due to stalled resources"
    entries = ", ".join(f"{ref} status: '{status}'" for ref, status, _ in not_ready)
    return f"{prefix}: [{entries}]"


def _error(targets: Sequence[_Target], *, seconds: float, timed_out: bool) -> HealthCheckError:
    not_ready = [(t.ref, t.health.status, t.health.message) for t in targets]
    details = "; ".join(f"{ref}: {msg}" for ref, _, msg in not_ready[:HINT_DETAILS] if msg)
    if len(not_ready) > HINT_DETAILS:
        details += f"; and {len(not_ready) - HINT_DETAILS} more"
    advice = ("inspect them with kubectl describe, or allow more time with --timeout" if timed_out
              else "inspect them with kubectl describe, fix the cause and sync again")
    hint = f"{details}; {advice}" if details else advice
    return HealthCheckError(failure_message(not_ready, timed_out=timed_out), not_ready=not_ready,
                            seconds=seconds, timed_out=timed_out, hint=hint)


def _targets(objects: Sequence[Mapping[str, Any]]) -> list[_Target]:
    seen: set[tuple[str, str, str, str]] = set()
    out: list[_Target] = []
    for obj in objects:
        meta = obj.get("metadata")
        meta = meta if isinstance(meta, Mapping) else {}
        api_version, kind = str(obj.get("apiVersion") or CORE_VERSION), str(obj.get("kind") or "")
        name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "") or None
        if not kind or not name:
            raise kube_errors.KubeError(f"{kind or '?'}/{name or '?'}: cannot wait for an object without "
                                        "kind or metadata.name",
                                        hint="every health check needs a kind and a name")
        key = (api_version.rpartition("/")[0], kind, namespace or "", name)
        if key in seen:
            continue
        seen.add(key)
        out.append(_Target(ObjectRef(kind, namespace, name), api_version, kind, name, namespace,
                           Health(Status.IN_PROGRESS, "not polled yet")))
    return out


class _Poller:
    """Reads the objects still pending, a LIST per crowded group and a GET otherwise."""

    def __init__(self, kube: Kube) -> None:
        self.kube = kube
        self.resources: dict[tuple[str, str], Resource] = {}

    def poll(self, pending: Sequence[_Target]) -> None:
        """Assess every target in `pending` afresh, updating its `health` and `ref`."""
        groups: dict[tuple[Resource, str | None], list[_Target]] = {}
        unserved: dict[tuple[str, str], str] = {}
        for target in pending:
            key = (target.api_version, target.kind)
            if key in unserved:
                target.health = Health(Status.NOT_FOUND, unserved[key])
                continue
            res = self._resource(target)
            if res is None:
                unserved[key] = f"the server does not serve {target.kind} in {target.api_version}"
                if target.api_version == CORE_VERSION:
                    unserved[key] += " (a health check without apiVersion names the core group)"
                target.health = Health(Status.NOT_FOUND, unserved[key])
                continue
            namespace = (target.namespace or self.kube.namespace) if res.namespaced else None
            target.ref = ObjectRef(target.kind, namespace, target.name)
            groups.setdefault((res, namespace), []).append(target)
        for (res, namespace), members in groups.items():
            if len(members) >= LIST_THRESHOLD:
                self._poll_list(res, namespace, members)
            else:
                for target in members:
                    self._poll_get(res, namespace, target)

    def _resource(self, target: _Target) -> Resource | None:
        key = (target.api_version, target.kind)
        res = self.resources.get(key)
        if res is None:
            try:
                res = self.kube.resource_for(target.api_version, target.kind)
            except kube_errors.UnknownKindError:
                # Includes ResourceNotServedError: a CRD not (yet) installed.
                return None
            self.resources[key] = res
        return res

    def _poll_list(self, res: Resource, namespace: str | None, members: Sequence[_Target]) -> None:
        try:
            items = self.kube.list(res, namespace=namespace)
        except kube_errors.NotFoundError:
            # The resource stopped being served (CRD deleted since discovery).
            self.resources.pop((members[0].api_version, members[0].kind), None)
            items = []
        by_name = {str((i.get("metadata") or {}).get("name") or ""): i for i in items}
        for target in members:
            target.health = assess(by_name.get(target.name))

    def _poll_get(self, res: Resource, namespace: str | None, target: _Target) -> None:
        try:
            live: dict[str, Any] | None = self.kube.get(res, target.name, namespace=namespace)
        except kube_errors.ResourceNotServedError:
            self.resources.pop((target.api_version, target.kind), None)
            live = None
        except kube_errors.NotFoundError:
            live = None
        target.health = assess(live)
