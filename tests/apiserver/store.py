"""The object store: resourceVersions, deletion, garbage collection and watch fan-out.

Objects are kept per (group, plural) in dicts keyed by (namespace, name) and
are never mutated once stored: every write stores a new dict. Readers can thus
take references under the lock and serialise them afterwards, which keeps a
LIST of hundreds of objects cheap; anything handed to Python callers is copied.

One global counter provides resourceVersions, like etcd's revision. Every
change is appended to a bounded history and offered to the registered watchers,
so a watch can resume from an older resourceVersion until the history has moved
past it (410 Expired).

Deletion follows the apiserver and the garbage collector closely enough for
fluxpy's prune and wait logic: finalizers keep an object (with
`deletionTimestamp`) until they are removed by a later write; Background
propagation deletes owner-referenced dependents after the owner; Foreground
keeps the owner (finalizer `foregroundDeletion`) until its dependents are gone;
Orphan strips the owner references. Deleting a Namespace deletes its contents,
and deleting a CRD deletes its custom objects.

The store also drives the simulated controllers (readiness of workloads and
establishment of CRDs): it writes their status on generation changes and
finishes pending transitions in `tick()`, called on every request and while
watches idle.
"""

from __future__ import annotations

import copy
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.apiserver import crds, errors, fields
from tests.apiserver.builtin import ResourceType
from tests.apiserver.faults import Readiness
from tests.apiserver.registry import Registry
from tests.apiserver.selectors import Matcher

Obj = dict[str, Any]
TypeKey = tuple[str, str]
FOREGROUND = "foregroundDeletion"
CONTROLLER_MANAGER = "kube-controller-manager"


def now_rfc3339() -> str:
    """The current UTC time as RFC 3339 with a `Z` suffix, second precision."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _meta(obj: Obj) -> dict[str, Any]:
    meta: dict[str, Any] = obj.get("metadata") or {}
    return meta


def with_meta(obj: Obj, **changes: Any) -> Obj:
    """A shallow copy of `obj` with a copied metadata carrying `changes` (None removes a key)."""
    new = dict(obj)
    meta = dict(_meta(obj))
    for key, value in changes.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    new["metadata"] = meta
    return new


@dataclass(slots=True)
class Event:
    """One change, as kept in the history."""

    rv: int
    key: TypeKey
    type: str
    old: Obj | None
    new: Obj


@dataclass(eq=False)
class Watcher:
    """A registered watch: a filter and the queue its events go to.

    The transitions follow the watch cache: a MODIFIED object that stops
    matching the selectors is sent as DELETED, one that starts matching as ADDED.
    """

    key: TypeKey
    namespace: str | None
    labels: Matcher
    fields: Matcher
    queue: queue.Queue[tuple[str, Obj]] = field(default_factory=queue.Queue)

    def matches(self, obj: Obj | None) -> bool:
        """Whether `obj` passes the namespace and selector filters."""
        if obj is None:
            return False
        if self.namespace is not None and _meta(obj).get("namespace") != self.namespace:
            return False
        return self.labels(obj) and self.fields(obj)

    def offer(self, etype: str, old: Obj | None, new: Obj) -> None:
        """Queue the event `etype` (old -> new) as this watcher should see it."""
        was, now = self.matches(old), self.matches(new)
        if etype == "DELETED":
            if was or now:
                self.queue.put(("DELETED", new))
        elif now and (was or etype == "ADDED"):
            self.queue.put((etype, new))
        elif now:
            self.queue.put(("ADDED", new))
        elif was:
            self.queue.put(("DELETED", new))


@dataclass(slots=True)
class _Pending:
    rt: ResourceType
    namespace: str
    name: str
    due: float
    generation: int
    finish: Callable[[Obj], Obj]


class Store:
    """Thread-safe object store; see the module docstring.

    Args:
        registry: the served types; updated when CRDs are written or removed.
        readiness: the workload readiness plans.
        history: how many events are kept for watches resuming from a resourceVersion.
    """

    def __init__(self, registry: Registry, readiness: Readiness, *, history: int = 1000) -> None:
        self.lock = threading.RLock()
        self.registry = registry
        self.readiness = readiness
        self.crd_delay: float | None = 0.0
        self._data: dict[TypeKey, dict[tuple[str, str], Obj]] = {}
        self._types: dict[TypeKey, ResourceType] = {}
        self._uids: dict[str, tuple[TypeKey, str, str]] = {}
        self._rv = 0
        self._history: deque[Event] = deque(maxlen=history)
        self._floor = 0
        self._watchers: list[Watcher] = []
        self._pending: dict[tuple[TypeKey, str, str], _Pending] = {}

    # ---- reads -------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        """The current (latest) resourceVersion."""
        return self._rv

    def get(self, rt: ResourceType, namespace: str, name: str) -> Obj | None:
        """The stored object (a shared reference: do not mutate), or None."""
        return self._data.get(rt.storage_key, {}).get((namespace if rt.namespaced else "", name))

    def list(self, rt: ResourceType, namespace: str | None) -> tuple[list[Obj], int]:
        """Objects of `rt` (in `namespace`, or all when None) sorted by namespace/name, and the list RV."""
        with self.lock:
            bucket = self._data.get(rt.storage_key, {})
            if namespace is None or not rt.namespaced:
                keys = sorted(bucket)
            else:
                keys = sorted(k for k in bucket if k[0] == namespace)
            return [bucket[k] for k in keys], self._rv

    def namespace(self, name: str) -> Obj | None:
        """The Namespace object `name`, or None."""
        return self._data.get(("", "namespaces"), {}).get(("", name))

    # ---- writes ------------------------------------------------------------

    def insert(self, rt: ResourceType, obj: Obj, *, simulate: bool = True) -> Obj:
        """Store a new, fully prepared object; assigns its resourceVersion.

        Args:
            rt: the object's type.
            obj: the object (owned by the store from now on).
            simulate: run the simulated controllers (readiness, CRD establishment).

        Returns:
            The stored object.
        """
        with self.lock:
            if simulate:
                obj = self._simulate(rt, None, obj)
            return self._put(rt, None, obj)

    def replace(self, rt: ResourceType, old: Obj, new: Obj, *, simulate: bool = True) -> Obj:
        """Store `new` in place of `old`; finishes a deletion whose finalizers are gone.

        Args:
            rt: the object's type.
            old: the stored object.
            new: its replacement (owned by the store from now on).
            simulate: run the simulated controllers on a generation change.

        Returns:
            The stored (or, when the deletion finished, the last) state.
        """
        with self.lock:
            if simulate:
                new = self._simulate(rt, old, new)
            stored = self._put(rt, old, new)
            meta = _meta(stored)
            if meta.get("deletionTimestamp") and not meta.get("finalizers"):
                if not (rt.group == "" and rt.kind == "Namespace"):
                    self._remove(rt, stored)
                else:
                    self._finish_namespace(meta["name"])
            return stored

    def delete(self, rt: ResourceType, obj: Obj, *, policy: str = "Background") -> Obj | None:
        """Delete `obj` with a propagation policy.

        Args:
            rt: the object's type.
            obj: the stored object.
            policy: "Background", "Foreground" or "Orphan".

        Returns:
            The object still stored (being finalized), or None when it is gone.
        """
        with self.lock:
            if rt.group == "" and rt.kind == "Namespace":
                return self._delete_namespace(obj)
            uid = _meta(obj).get("uid", "")
            if policy == "Orphan":
                self._orphan(uid)
            finalizers = list(_meta(obj).get("finalizers") or [])
            dependents = self._dependents(uid) if policy == "Foreground" else []
            if dependents and FOREGROUND not in finalizers:
                finalizers.append(FOREGROUND)
            if not finalizers:
                self._remove(rt, obj)
                return None
            self._mark_deleting(rt, obj, finalizers)
            for dep_rt, dep in dependents:
                live = self.get(dep_rt, _meta(dep).get("namespace", ""), _meta(dep)["name"])
                if live is not None:
                    self.delete(dep_rt, live, policy="Foreground")
            self._release_foreground(uid)
            return self._by_uid(uid)[1] if self._by_uid(uid) else None

    def tick(self) -> None:
        """Finish simulated transitions whose time has come."""
        if not self._pending:
            return
        now = time.monotonic()
        with self.lock:
            for key, pending in list(self._pending.items()):
                if pending.due > now:
                    continue
                del self._pending[key]
                obj = self.get(pending.rt, pending.namespace, pending.name)
                if obj is None or _meta(obj).get("generation", 1) != pending.generation:
                    continue
                self._put(pending.rt, obj, pending.finish(obj))

    # ---- watches -----------------------------------------------------------

    def watch(
        self, rt: ResourceType, namespace: str | None, labels: Matcher, fields_: Matcher,
        resource_version: str | None,
    ) -> Watcher:
        """Register a watcher, pre-filled with the events it must see first.

        Without a resourceVersion (or "0") it starts with ADDED for every match;
        otherwise the history after that resourceVersion is replayed.

        Raises:
            errors.ApiError: 410 Expired when the history no longer reaches back that far.
        """
        with self.lock:
            w = Watcher(rt.storage_key, namespace if rt.namespaced else None, labels, fields_)
            if not resource_version or resource_version == "0":
                objs, _ = self.list(rt, w.namespace)
                for obj in objs:
                    if w.matches(obj):
                        w.queue.put(("ADDED", obj))
            else:
                try:
                    since = int(resource_version)
                except ValueError:
                    raise errors.bad_request(
                        f'resourceVersion: Invalid value: "{resource_version}": must be an integer'
                    ) from None
                if since < self._floor:
                    raise errors.expired(since, self._floor + 1)
                for event in self._history:
                    if event.rv > since and event.key == w.key:
                        w.offer(event.type, event.old, event.new)
            self._watchers.append(w)
            return w

    def unwatch(self, watcher: Watcher) -> None:
        """Unregister a watcher."""
        with self.lock:
            if watcher in self._watchers:
                self._watchers.remove(watcher)

    # ---- internals ---------------------------------------------------------

    def _put(self, rt: ResourceType, old: Obj | None, new: Obj) -> Obj:
        self._rv += 1
        new = with_meta(new, resourceVersion=str(self._rv))
        meta = new["metadata"]
        key = rt.storage_key
        self._types.setdefault(key, rt)
        self._data.setdefault(key, {})[(meta.get("namespace", "") if rt.namespaced else "", meta["name"])] = new
        self._uids[meta["uid"]] = (key, meta.get("namespace", ""), meta["name"])
        self._emit(rt, "MODIFIED" if old is not None else "ADDED", old, new)
        if rt.group == crds.CRD_GROUP and rt.kind == "CustomResourceDefinition":
            self._serve_crd(new)
        return new

    def _emit(self, rt: ResourceType, etype: str, old: Obj | None, new: Obj) -> None:
        if self._history.maxlen and len(self._history) == self._history.maxlen:
            self._floor = self._history[0].rv
        self._history.append(Event(self._rv, rt.storage_key, etype, old, new))
        for w in self._watchers:
            if w.key == rt.storage_key:
                w.offer(etype, old, new)

    def _remove(self, rt: ResourceType, obj: Obj) -> None:
        meta = _meta(obj)
        key, ns, name = rt.storage_key, meta.get("namespace", "") if rt.namespaced else "", meta["name"]
        if self._data.get(key, {}).pop((ns, name), None) is None:
            return
        self._uids.pop(meta.get("uid", ""), None)
        self._pending.pop((key, ns, name), None)
        self._rv += 1
        gone = with_meta(obj, resourceVersion=str(self._rv))
        self._emit(rt, "DELETED", obj, gone)
        if rt.group == crds.CRD_GROUP and rt.kind == "CustomResourceDefinition":
            self._drop_crd(obj)
        self._collect(meta.get("uid", ""))
        for ref in meta.get("ownerReferences") or []:
            self._release_foreground(ref.get("uid", ""))
        if rt.namespaced and ns:
            self._finish_namespace(ns)

    def _mark_deleting(self, rt: ResourceType, obj: Obj, finalizers: list[str]) -> Obj:
        meta = _meta(obj)
        if meta.get("deletionTimestamp") and meta.get("finalizers") == finalizers:
            return obj
        changes: dict[str, Any] = {"finalizers": finalizers}
        if not meta.get("deletionTimestamp"):
            changes.update(
                deletionTimestamp=now_rfc3339(), deletionGracePeriodSeconds=0,
                generation=int(meta.get("generation", 1)) + 1,
            )
        return self._put(rt, obj, with_meta(obj, **changes))

    def _by_uid(self, uid: str) -> tuple[ResourceType, Obj] | None:
        where = self._uids.get(uid)
        if where is None:
            return None
        key, ns, name = where
        obj = self._data.get(key, {}).get((ns if self._types[key].namespaced else "", name))
        return (self._types[key], obj) if obj is not None else None

    def _dependents(self, uid: str) -> list[tuple[ResourceType, Obj]]:
        if not uid:
            return []
        found = []
        for key, bucket in self._data.items():
            for obj in bucket.values():
                refs = _meta(obj).get("ownerReferences") or []
                if any(ref.get("uid") == uid for ref in refs):
                    found.append((self._types[key], obj))
        return found

    def _strip_owner(self, rt: ResourceType, obj: Obj, uid: str) -> None:
        refs = [r for r in _meta(obj).get("ownerReferences") or [] if r.get("uid") != uid]
        self._put(rt, obj, with_meta(obj, ownerReferences=refs or None))

    def _orphan(self, uid: str) -> None:
        for dep_rt, dep in self._dependents(uid):
            self._strip_owner(dep_rt, dep, uid)

    def _collect(self, uid: str) -> None:
        """Garbage-collect the dependents of the removed owner `uid` (background)."""
        for dep_rt, dep in self._dependents(uid):
            live = self._by_uid(_meta(dep).get("uid", ""))
            if live is None:
                continue
            dep = live[1]
            others = [r for r in _meta(dep).get("ownerReferences") or []
                      if r.get("uid") != uid and r.get("uid") in self._uids]
            if others:
                self._strip_owner(dep_rt, dep, uid)
            elif not _meta(dep).get("deletionTimestamp"):
                self.delete(dep_rt, dep, policy="Background")

    def _release_foreground(self, uid: str) -> None:
        """Drop the `foregroundDeletion` finalizer of owner `uid` once it has no dependents."""
        found = self._by_uid(uid)
        if found is None:
            return
        rt, owner = found
        finalizers = list(_meta(owner).get("finalizers") or [])
        if FOREGROUND not in finalizers or self._dependents(uid):
            return
        finalizers.remove(FOREGROUND)
        self.replace(rt, owner, with_meta(owner, finalizers=finalizers or None))

    def _delete_namespace(self, ns_obj: Obj) -> Obj | None:
        name = _meta(ns_obj)["name"]
        ns_rt = self.registry.lookup("", "v1", "namespaces")
        assert ns_rt is not None
        if not _meta(ns_obj).get("deletionTimestamp"):
            marked = with_meta(ns_obj, deletionTimestamp=now_rfc3339())
            marked["status"] = {"phase": "Terminating"}
            ns_obj = self._put(ns_rt, ns_obj, marked)
        for key, bucket in list(self._data.items()):
            rt = self._types[key]
            if not rt.namespaced:
                continue
            for (ns, _), obj in list(bucket.items()):
                if ns == name and not _meta(obj).get("deletionTimestamp"):
                    self.delete(rt, obj, policy="Background")
        self._finish_namespace(name)
        return self.namespace(name)

    def _finish_namespace(self, name: str) -> None:
        ns_obj = self.namespace(name)
        if ns_obj is None or not _meta(ns_obj).get("deletionTimestamp"):
            return
        if _meta(ns_obj).get("finalizers"):
            return
        for key, bucket in self._data.items():
            if self._types[key].namespaced and any(ns == name for ns, _ in bucket):
                return
        ns_rt = self.registry.lookup("", "v1", "namespaces")
        assert ns_rt is not None
        self._remove(ns_rt, ns_obj)

    # ---- simulated controllers --------------------------------------------

    def _simulate(self, rt: ResourceType, old: Obj | None, new: Obj) -> Obj:
        if rt.group == crds.CRD_GROUP and rt.kind == "CustomResourceDefinition":
            return self._simulate_crd(rt, old, new)
        plan = self.readiness.plan(rt.group, rt.kind)
        generation = _meta(new).get("generation", 1)
        if plan is None or _meta(new).get("deletionTimestamp"):
            return new
        if old is None and new.get("status"):
            return new  # seeded with an explicit status: leave it alone
        if old is not None and _meta(old).get("generation", 1) == generation:
            return new
        now = now_rfc3339()
        if plan.seconds == 0:
            return self._controller_status(rt, new, "failed" if plan.fail else "ready", now)
        out = self._controller_status(rt, new, "progressing", now)
        if plan.seconds is not None:
            meta = _meta(new)
            key = (rt.storage_key, meta.get("namespace", "") if rt.namespaced else "", meta["name"])
            phase = "failed" if plan.fail else "ready"
            self._pending[key] = _Pending(
                rt, key[1], key[2], time.monotonic() + plan.seconds, generation,
                lambda obj: self._controller_status(rt, obj, phase, now_rfc3339()),
            )
        return out

    def _controller_status(self, rt: ResourceType, obj: Obj, phase: str, now: str) -> Obj:
        new = dict(obj)
        new["status"] = self.readiness.status(obj, phase, now)
        new["metadata"] = dict(_meta(obj))
        fields.track_update(rt, obj, new, manager=CONTROLLER_MANAGER, now=now, subresource="status")
        return new

    def _simulate_crd(self, rt: ResourceType, old: Obj | None, new: Obj) -> Obj:
        if old is not None:
            return new  # the status split kept the status the "controller" wrote
        if self.crd_delay == 0:
            return crds.with_status(new, established=True, now=now_rfc3339())
        out = crds.with_status(new, established=False, now=now_rfc3339())
        if self.crd_delay is not None:
            name = _meta(new)["name"]
            self._pending[(rt.storage_key, "", name)] = _Pending(
                rt, "", name, time.monotonic() + self.crd_delay, _meta(new).get("generation", 1),
                lambda obj: crds.with_status(obj, established=True, now=now_rfc3339()),
            )
        return out

    def _serve_crd(self, crd: Obj) -> None:
        name = _meta(crd)["name"]
        if crds.is_established(crd) and not _meta(crd).get("deletionTimestamp"):
            self.registry.set_custom(name, crds.resource_types(crd))
        else:
            self.registry.drop_custom(name)

    def _drop_crd(self, crd: Obj) -> None:
        spec = crd.get("spec") or {}
        key = (spec.get("group", ""), (spec.get("names") or {}).get("plural", ""))
        self.registry.drop_custom(_meta(crd)["name"])
        for obj in list(self._data.get(key, {}).values()):
            self._remove(self._types[key], obj)
        self._data.pop(key, None)


def deep_copy(obj: Obj | None) -> Obj | None:
    """A deep copy for callers outside the store."""
    return copy.deepcopy(obj) if obj is not None else None
