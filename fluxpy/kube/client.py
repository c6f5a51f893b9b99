"""`Kube`: the verbs the rest of fluxpy uses on the cluster.

Every pipeline stage that reads or writes the cluster receives a `Kube`
(tests pass one pointing at the API emulator). Each verb builds a
`transport.Request` from a `Resource` and sends it through
`Transport.send`, the single HTTP path; this module adds no retries or error
mapping of its own, only Kubernetes semantics: list paging, `apiVersion`/`kind`
on list items, server-side apply parameters, delete options, watch streams
with bookmarks and expiry.

Objects passed as dicts are addressed from their `apiVersion`, `kind` and
`metadata`; a namespaced object without a namespace goes to the context's
default namespace, as with kubectl. Verbs that take a `Resource` accept one
built without discovery (the Flux kinds are known statically).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import urllib3.exceptions as u3

from fluxpy.kube.config import ClusterConfig
from fluxpy.kube.config import load as load_config
from fluxpy.kube import errors, failures
from fluxpy.kube.discovery import Discovery, cache_dir_for
from fluxpy.kube.resource import Resource
from fluxpy.kube.transport import (
    APPLY_PATCH, JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, Backoff, Request, Transport, build)

log = logging.getLogger("fluxpy.kube")

PatchType = Literal["merge", "json", "strategic"]
# Aliases, because `Kube.list` shadows the builtin inside the class body.
Object = dict[str, Any]
Objects = list[dict[str, Any]]
JsonPatch = list[Any]
_PATCH_TYPES: dict[str, str] = {"merge": MERGE_PATCH, "json": JSON_PATCH, "strategic": STRATEGIC_PATCH}
# Watches are re-opened every few minutes, so a silently dead connection
# is noticed and server-side limits on watch length are never hit.
WATCH_SEGMENT = 300


def ref(kind: str, namespace: str | None, name: str) -> str:
    """`Kind/namespace/name`, or `Kind/name` for cluster-scoped objects."""
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


class Kube:
    """A connection to one API server.

    Args:
        config: the cluster configuration (see `fluxpy.kube.config.load`).
        timeout: per-request read timeout in seconds.
        backoff: retry policy; tests pass a fast one.
        discovery_cache: disk cache directory for discovery; default derived
            from the server (see `discovery.cache_dir_for`), "" disables it.
    """

    def __init__(self, config: ClusterConfig, *, timeout: float = 30.0,
                 backoff: Backoff | None = None, discovery_cache: str | None = None) -> None:
        self.config = config
        self.transport = Transport(config, timeout=timeout, backoff=backoff)
        cache = cache_dir_for(config.server) if discovery_cache is None else (discovery_cache or None)
        self.discovery = Discovery(self.transport, cache_dir=cache)

    @classmethod
    def connect(cls, *, kubeconfig: str | None = None, context: str | None = None,
                timeout: float = 30.0) -> Kube:
        """Load the kubeconfig (or in-cluster config) and return a client; nothing is sent yet.

        Args:
            kubeconfig: explicit kubeconfig path; default KUBECONFIG, ~/.kube/config, in-cluster.
            context: context name; default the current context.
            timeout: per-request read timeout in seconds.

        Raises:
            ConfigError: no usable configuration.
        """
        return cls(load_config(kubeconfig=kubeconfig, context=context), timeout=timeout)

    def __repr__(self) -> str:
        return f"Kube(server={self.server!r}, context={self.context!r})"

    def __enter__(self) -> Kube:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    @property
    def namespace(self) -> str:
        """The context's default namespace ("default" if unset)."""
        return self.config.namespace or "default"

    @property
    def context(self) -> str:
        """The kubeconfig context in use."""
        return self.config.context

    @property
    def server(self) -> str:
        """The API server URL."""
        return self.config.server

    # -- discovery -----------------------------------------------------------------

    def resource(self, name: str, *, group: str | None = None) -> Resource:
        """Resolve a kind, plural, singular or short name (see `Discovery.resolve`)."""
        return self.discovery.resolve(name, group=group)

    def resource_for(self, api_version: str, kind: str) -> Resource:
        """The resource for an object's apiVersion and kind (see `Discovery.for_kind`)."""
        return self.discovery.for_kind(api_version, kind)

    # -- reads -----------------------------------------------------------------------

    def get(self, res: Resource, name: str, *, namespace: str | None = None) -> dict[str, Any]:
        """Read one object.

        Args:
            res: its resource.
            name: its name.
            namespace: its namespace; default the context's (ignored if cluster-scoped).

        Raises:
            NotFoundError: it does not exist.
        """
        ns = self._ns(res, namespace)
        obj = self._send(build("GET", res.path(namespace=ns, name=name), verb="get", resource=res,
                               namespace=ns, subject=ref(res.kind, ns, name)))
        return _with_type(obj, res)

    def list(self, res: Resource, *, namespace: str | None = None, label_selector: str | None = None,
             field_selector: str | None = None, limit: int = 500) -> Objects:
        """List objects, following `continue` to the end.

        Args:
            res: the resource.
            namespace: one namespace; None lists all namespaces.
            label_selector: e.g. "app=web,tier!=db".
            field_selector: e.g. "metadata.name=apps".
            limit: page size.

        Returns:
            The items, each with `apiVersion` and `kind` set.
        """
        ns = namespace if res.namespaced else None
        subject = f"{res} in namespace {ns}" if ns else (f"{res} in all namespaces" if res.namespaced else str(res))
        items: Objects = []
        token: str | None = None
        restarted = False
        while True:
            req = build("GET", res.path(namespace=ns), query={
                "labelSelector": label_selector, "fieldSelector": field_selector, "limit": limit,
                "continue": token}, verb="list", resource=res, namespace=ns, subject=subject)
            try:
                page = self._send(req)
            except errors.GoneError:
                if token is None or restarted:
                    raise
                # The continue token expired between pages: start over once.
                restarted, token, items = True, None, []
                continue
            items.extend(_with_type(i, res) for i in page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue") or None
            if not token:
                return items

    # -- writes ----------------------------------------------------------------------

    def create(self, obj: Mapping[str, Any], *, dry_run: bool = False,
               field_manager: str | None = None) -> dict[str, Any]:
        """Create an object (POST).

        Raises:
            AlreadyExistsError: an object with that name exists.
            InvalidError: the server rejected the object.
        """
        res, ns, name = self._address(obj, need_name=False)
        label = name or str((obj.get("metadata") or {}).get("generateName", "")) + "*"
        return self._send(build("POST", res.path(namespace=ns), query=_write_q(dry_run, field_manager),
                                body=obj, verb="create", resource=res, namespace=ns,
                                subject=ref(res.kind, ns, label)))

    def replace(self, obj: Mapping[str, Any], *, dry_run: bool = False,
                field_manager: str | None = None) -> dict[str, Any]:
        """Replace an object (PUT); `metadata.resourceVersion` makes it conditional.

        Raises:
            ConflictError: the object changed since it was read.
        """
        return self._put(obj, None, dry_run=dry_run, field_manager=field_manager)

    def replace_status(self, obj: Mapping[str, Any], *, dry_run: bool = False,
                       field_manager: str | None = None) -> dict[str, Any]:
        """Replace an object's status subresource (PUT .../status)."""
        return self._put(obj, "status", dry_run=dry_run, field_manager=field_manager)

    def patch(self, res: Resource, name: str, patch: Mapping[str, Any] | JsonPatch, *,
              namespace: str | None = None, patch_type: PatchType = "merge", subresource: str | None = None,
              dry_run: bool = False, field_manager: str | None = None) -> dict[str, Any]:
        """Patch an object.

        Args:
            res: its resource.
            name: its name.
            patch: a merge or strategic-merge patch (mapping) or a JSON patch (list).
            namespace: its namespace; default the context's.
            patch_type: "merge" (RFC 7386), "json" (RFC 6902) or "strategic".
            subresource: e.g. "status".
            dry_run: let the server validate without persisting.
            field_manager: the manager recorded in managedFields.
        """
        if patch_type not in _PATCH_TYPES:
            raise ValueError(f"patch_type must be one of {', '.join(_PATCH_TYPES)}, not {patch_type!r}")
        ns = self._ns(res, namespace)
        return self._send(build(
            "PATCH", res.path(namespace=ns, name=name, subresource=subresource),
            query=_write_q(dry_run, field_manager), body=patch, content_type=_PATCH_TYPES[patch_type],
            verb="patch", resource=res, namespace=ns, subject=ref(res.kind, ns, name)))

    def apply(self, obj: Mapping[str, Any], *, field_manager: str, force: bool = False,
              dry_run: bool = False, subresource: str | None = None) -> dict[str, Any]:
        """Server-side apply an object (PATCH application/apply-patch+yaml).

        Args:
            obj: the desired state, with apiVersion, kind and metadata.name.
            field_manager: who owns the applied fields.
            force: take over fields owned by other managers instead of failing.
            dry_run: let the server compute the result without persisting.
            subresource: e.g. "status".

        Raises:
            ConflictError: another manager owns a field (without `force`).
        """
        res, ns, name = self._address(obj, need_name=True)
        query = {**_write_q(dry_run, field_manager), "force": True if force else None}
        return self._send(build(
            "PATCH", res.path(namespace=ns, name=name, subresource=subresource), query=query, body=obj,
            content_type=APPLY_PATCH, verb="patch", resource=res, namespace=ns,
            subject=ref(res.kind, ns, name)))

    def delete(self, res: Resource, name: str, *, namespace: str | None = None,
               propagation: Literal["Background", "Foreground", "Orphan"] = "Background",
               dry_run: bool = False) -> dict[str, Any] | None:
        """Delete an object.

        Returns:
            The object as the server returned it (still present with a
            `deletionTimestamp` while finalizers run), or None when the server
            answered with only a `Status`.

        Raises:
            NotFoundError: it does not exist.
        """
        ns = self._ns(res, namespace)
        body: dict[str, Any] = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": propagation}
        if dry_run:
            body["dryRun"] = ["All"]
        out = self._send(build("DELETE", res.path(namespace=ns, name=name),
                               query={"dryRun": "All" if dry_run else None}, body=body, verb="delete",
                               resource=res, namespace=ns, subject=ref(res.kind, ns, name)))
        return None if not out or out.get("kind") == "Status" else out

    # -- watch -----------------------------------------------------------------------

    def watch(self, res: Resource, *, namespace: str | None = None, resource_version: str | None = None,
              label_selector: str | None = None,
              timeout_seconds: int | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """Stream changes as (type, object) pairs: ADDED, MODIFIED, DELETED.

        Bookmarks only advance the resource version and are not yielded. When
        the server says the version is too old (410 Gone), the watch restarts
        from the current state, which yields ADDED for every existing object
        again, so handlers must be idempotent. Dropped streams reconnect from
        the last version seen.

        Args:
            res: the resource.
            namespace: one namespace; None watches all namespaces.
            resource_version: start after this version; None starts with the current state.
            label_selector: restrict to matching objects.
            timeout_seconds: stop after this long; None watches until the caller stops.
        """
        ns = namespace if res.namespaced else None
        subject = f"{res} in namespace {ns}" if ns else f"watch {res}"
        deadline = time.monotonic() + timeout_seconds if timeout_seconds is not None else None
        rv, failures_in_row = resource_version, 0
        while True:
            remaining = WATCH_SEGMENT if deadline is None else int(deadline - time.monotonic() + 0.999)
            if remaining <= 0:
                return
            req = build("GET", res.path(namespace=ns), query={
                "watch": True, "allowWatchBookmarks": True, "resourceVersion": rv,
                "labelSelector": label_selector, "timeoutSeconds": remaining},
                verb="watch", resource=res, namespace=ns, subject=subject, stream=True,
                timeout=remaining + self.transport.timeout)
            try:
                resp = self.transport.send(req)
            except errors.GoneError:
                rv = None
                continue
            started, seen = time.monotonic(), 0
            try:
                for line in resp.lines():
                    seen += 1
                    event = json.loads(line)
                    kind, obj = str(event.get("type", "")), event.get("object") or {}
                    if kind == "ERROR":
                        if obj.get("code") == 410:
                            log.debug("watch %s: resourceVersion %s expired, restarting", res, rv)
                            rv = None
                            break
                        raise failures.from_response(req, int(obj.get("code") or 500), json.dumps(obj).encode(),
                                                     context=self.context, server=self.server, attempts=1)
                    rv = (obj.get("metadata") or {}).get("resourceVersion") or rv
                    failures_in_row = 0
                    if kind == "BOOKMARK":
                        continue
                    yield kind, obj
            except (u3.HTTPError, OSError) as e:
                failures_in_row += 1
                if failures_in_row >= self.transport.backoff.attempts:
                    raise failures.unreachable(req, e, server=self.server, timeout=req.timeout or 0.0,
                                               sent=False) from e
                time.sleep(self.transport.backoff.delay(failures_in_row))
            else:
                if not seen and time.monotonic() - started < 1.0:
                    # The server ends streams at once; do not spin.
                    time.sleep(self.transport.backoff.delay(1))
            finally:
                resp.close()

    # -- helpers -----------------------------------------------------------------------

    def _send(self, req: Request) -> dict[str, Any]:
        out = self.transport.send(req).json()
        return out if isinstance(out, dict) else {}

    def _ns(self, res: Resource, namespace: str | None) -> str | None:
        if not res.namespaced:
            return None
        return namespace or self.namespace

    def _address(self, obj: Mapping[str, Any], *, need_name: bool) -> tuple[Resource, str | None, str]:
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        meta = obj.get("metadata") or {}
        name = str(meta.get("name") or "")
        if not api_version or not kind:
            raise errors.KubeError(f"{kind or '?'}/{name or '?'}: object has no apiVersion or kind",
                                   hint="every manifest needs apiVersion and kind")
        if need_name and not name:
            raise errors.KubeError(f"{kind}: object has no metadata.name")
        res = self.resource_for(str(api_version), str(kind))
        return res, self._ns(res, meta.get("namespace")), name

    def _put(self, obj: Mapping[str, Any], subresource: str | None, *, dry_run: bool,
             field_manager: str | None) -> dict[str, Any]:
        res, ns, name = self._address(obj, need_name=True)
        return self._send(build("PUT", res.path(namespace=ns, name=name, subresource=subresource),
                                query=_write_q(dry_run, field_manager), body=obj, verb="update",
                                resource=res, namespace=ns, subject=ref(res.kind, ns, name)))


def _write_q(dry_run: bool, field_manager: str | None) -> dict[str, str | int | bool | None]:
    return {"dryRun": "All" if dry_run else None, "fieldManager": field_manager}


def _with_type(obj: dict[str, Any], res: Resource) -> dict[str, Any]:
    # List items come without apiVersion/kind; callers want self-describing objects.
    obj.setdefault("apiVersion", res.api_version)
    obj.setdefault("kind", res.kind)
    return obj
