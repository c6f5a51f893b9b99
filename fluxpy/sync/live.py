"""The in-cluster objects a build will be compared with, read in few requests.

Validate and apply need, for every object of a build, the object as it is in
the cluster. Reading them one by one costs a request each; Flux's controller
does so, but a one-shot CLI run against a remote API server pays for every
round trip. So `LiveIndex.load` lists each resource type once, filtered by
the Kustomization's ownership labels (`kustomize.toolkit.fluxcd.io/name` and
`/namespace`): everything applied by an earlier run carries them. Objects not
found that way are either new or not yet owned (adopted from another
manager); the dry-run answer tells which (a new object comes back without a
`resourceVersion`), and only an adopted object that needs its metadata
cleaned costs a GET (`fetch`).

A list across all namespaces needs cluster-wide permission; when it is
denied, each namespace of the build is listed instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fluxpy.apply import actions

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.kube.resource import Resource

Key = tuple[str, str, str, str]
"""`(group, kind, namespace, name)`: an object's identity, whatever its version."""


def key_of(obj: Mapping[str, Any]) -> Key:
    """The identity of a manifest or live object."""
    meta = obj.get("metadata") or {}
    group = str(obj.get("apiVersion") or "").rpartition("/")[0]
    return group, str(obj.get("kind") or ""), str(meta.get("namespace") or ""), str(meta.get("name") or "")


def owner_selector(name: str, namespace: str) -> str:
    """The label selector of the objects a Kustomization applied."""
    return f"{actions.NAME_LABEL}={name},{actions.NAMESPACE_LABEL}={namespace}"


@dataclass
class LiveIndex:
    """Live objects by identity; `None` marks an object known not to exist.

    Args:
        objects: what the lists returned (and GETs added).
        listed: the resource types that were listed (an object of a listed
            type that is absent is not owned by us, not necessarily absent).
    """

    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    listed: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, kube: Kube, groups: Iterable[tuple[Resource, Iterable[str]]], *, owner: tuple[str, str]) -> LiveIndex:
        """List the owned objects of each resource type.

        Args:
            kube: the cluster.
            groups: each resource type with the namespaces the build uses in
                it ("" for cluster-scoped).
            owner: `(name, namespace)` of the Kustomization.
        """
        from fluxpy.kube import errors as kerr

        index = cls()
        selector = owner_selector(*owner)
        for res, namespaces in groups:
            try:
                items = kube.list(res, namespace=None, label_selector=selector)
            except kerr.ForbiddenError:
                if not res.namespaced:
                    raise
                items = [o for ns in sorted(set(namespaces))
                         for o in kube.list(res, namespace=ns, label_selector=selector)]
            for obj in items:
                index.objects[key_of(obj)] = obj
            index.listed.add((res.group, res.kind))
        return index

    @classmethod
    def for_objects(cls, kube: Kube, objs: Iterable[Mapping[str, Any]], *, owner: tuple[str, str]) -> LiveIndex:
        """`load` for the resource types and namespaces of a build's objects.

        Kinds the server does not serve yet (defined by the build's own CRDs)
        are skipped: nothing of them can exist.
        """
        from fluxpy.kube import errors as kerr

        groups: dict[tuple[str, str], tuple[Resource, set[str]]] = {}
        for obj in objs:
            try:
                res = kube.resource_for(str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""))
            except kerr.UnknownKindError:
                continue
            entry = groups.setdefault((res.group, res.plural), (res, set()))
            entry[1].add(str((obj.get("metadata") or {}).get("namespace") or ""))
        return cls.load(kube, groups.values(), owner=owner)

    def get(self, obj: Mapping[str, Any]) -> dict[str, Any] | None:
        """The live object for a manifest, if it was listed (or fetched)."""
        with self._lock:
            return self.objects.get(key_of(obj))

    def put(self, obj: Mapping[str, Any], live: dict[str, Any]) -> None:
        """Remember a live object read or written since the lists."""
        with self._lock:
            self.objects[key_of(obj)] = live

    def fetch(self, kube: Kube, res: Resource, obj: Mapping[str, Any]) -> dict[str, Any] | None:
        """GET one object (not owned yet, so not listed); None when it does not exist."""
        from fluxpy.kube import errors as kerr

        meta = obj.get("metadata") or {}
        try:
            live = kube.get(res, str(meta.get("name") or ""), namespace=meta.get("namespace"))
        except kerr.NotFoundError:
            return None
        self.put(obj, live)
        return live
