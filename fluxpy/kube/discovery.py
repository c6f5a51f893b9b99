"""Which kinds the API server serves, and at which URLs: names to `Resource`s.

The CLI resolves what a user typed (`ks`, `kustomizations`,
`Kustomization.kustomize.toolkit.fluxcd.io`, `deployments.apps`,
`Deployment.v1.apps`) with `Discovery.resolve`, and objects read from
manifests with `Discovery.for_kind(apiVersion, kind)`. Both are lazy: nothing
is fetched until asked, and `for_kind` fetches only the one group-version it
needs. Flux kinds are usually known statically, so most runs never get here;
`fluxpy.kube.client.Kube` accepts a `Resource` built by hand.

Full discovery reads `/api`, `/apis` and every group-version list (in
parallel), ordering the result like kubectl: the core group first, then the
groups in the server's order, and within a group its preferred version first.
The table is cached in memory and, as kubectl does, on disk for ten minutes
under `$XDG_CACHE_HOME/fluxpy/discovery/<host_port>/resources.json` (set
`FLUXPY_NO_DISCOVERY_CACHE=1` to skip the disk). A name that is not in a
cached table triggers one fresh fetch before `UnknownKindError`, so a CRD
installed a moment ago is found.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

from fluxpy.kube import errors
from fluxpy.kube.resource import Resource
from fluxpy.kube.transport import Transport, build

log = logging.getLogger("fluxpy.kube")

TTL = 600.0
CACHE_FORMAT = 1
_UNSAFE = re.compile(r"[^\w.-]")


def cache_dir_for(server: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    """The disk cache directory for a server, or None when disabled.

    Args:
        server: the API server URL.
        environ: where `XDG_CACHE_HOME`, `HOME` and `FLUXPY_NO_DISCOVERY_CACHE` come from.
    """
    env = os.environ if environ is None else environ
    if env.get("FLUXPY_NO_DISCOVERY_CACHE"):
        return None
    root = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
    parts = urllib.parse.urlsplit(server)
    host = _UNSAFE.sub("_", (parts.netloc + parts.path.rstrip("/")).replace(":", "_"))
    return os.path.join(root, "fluxpy", "discovery", host)


class Discovery:
    """Resolves names and (apiVersion, kind) pairs to `Resource`s for one server.

    Args:
        transport: where requests go.
        cache_dir: disk cache directory; None disables the disk cache.
        ttl: how long the disk cache is trusted, in seconds.
    """

    def __init__(self, transport: Transport, *, cache_dir: str | None = None, ttl: float = TTL) -> None:
        self._transport = transport
        self._cache_dir = cache_dir
        self._ttl = ttl
        self._lock = threading.Lock()
        self._table: list[tuple[Resource, str]] | None = None  # (resource, singular name)
        self._by_gv: dict[str, list[Resource]] = {}

    def resolve(self, name: str, *, group: str | None = None) -> Resource:
        """The resource for a kind, plural, singular or short name (case-insensitive).

        Also accepts `plural.group`, `Kind.group` and `Kind.version.group`.

        Args:
            name: what the user typed.
            group: restrict to this API group ("" for core).

        Raises:
            UnknownKindError: the server does not serve it, even after a fresh fetch.
        """
        with self._lock:
            fetched = False
            if self._table is None:
                self._table, fetched = self._load_or_fetch()
            found = _match(self._table, name, group)
            if found is None and not fetched:
                log.debug("discovery: %r not in cached table, refreshing", name)
                self._table = self._fetch_all()
                found = _match(self._table, name, group)
        if found is None:
            where = f' in group "{group}"' if group else ""
            raise errors.UnknownKindError(f'unknown kind "{name}"{where}: the server does not serve it',
                                          hint="list kinds with kubectl api-resources")
        return found

    def resources(self) -> list[Resource]:
        """Every served resource, preferred versions first."""
        with self._lock:
            if self._table is None:
                self._table, _ = self._load_or_fetch()
            return [r for r, _ in self._table]

    def for_kind(self, api_version: str, kind: str) -> Resource:
        """The resource for an object's `apiVersion` and `kind`.

        Fetches only that group-version's list, once per process, and again
        once if the kind is missing from it.

        Raises:
            UnknownKindError: the group-version or the kind is not served.
        """
        group, _, version = api_version.rpartition("/")
        with self._lock:
            known = self._known_gv(group, version)
            found = _find_kind(known or [], kind)
            if found is None:
                self._by_gv[api_version] = self._fetch_gv(group, version)
                found = _find_kind(self._by_gv[api_version], kind)
        if found is None:
            raise errors.UnknownKindError(
                f'unknown kind "{kind}" in apiVersion "{api_version}": the server does not serve it',
                hint="is the CRD installed? list kinds with kubectl api-resources")
        return found

    def invalidate(self) -> None:
        """Forget everything, in memory and on disk."""
        with self._lock:
            self._table, self._by_gv = None, {}
            if self._cache_dir:
                try:
                    os.remove(os.path.join(self._cache_dir, "resources.json"))
                except OSError:
                    pass

    def _known_gv(self, group: str, version: str) -> list[Resource] | None:
        gv = f"{group}/{version}" if group else version
        if gv in self._by_gv:
            return self._by_gv[gv]
        if self._table is None and self._cache_dir:
            self._table = self._read_cache()
        if self._table is not None:
            return [r for r, _ in self._table if r.group == group and r.version == version]
        return None

    def _load_or_fetch(self) -> tuple[list[tuple[Resource, str]], bool]:
        cached = self._read_cache() if self._cache_dir else None
        if cached is not None:
            return cached, False
        return self._fetch_all(), True

    def _get(self, path: str) -> Any:
        return self._transport.send(build("GET", path, verb="get", subject=f"discovery {path}")).json()

    def _fetch_gv(self, group: str, version: str) -> list[Resource]:
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        try:
            doc = self._get(path)
        except errors.NotFoundError:
            return []
        return [r for r, _ in _parse_list(doc, group, version)]

    def _fetch_all(self) -> list[tuple[Resource, str]]:
        gvs: list[tuple[str, str]] = [("", v) for v in (self._get("/api") or {}).get("versions", [])]
        for g in (self._get("/apis") or {}).get("groups", []):
            preferred = (g.get("preferredVersion") or {}).get("version")
            versions = [v["version"] for v in g.get("versions", [])]
            versions.sort(key=lambda v: v != preferred)  # stable: preferred first
            gvs.extend((g["name"], v) for v in versions)

        def one(gv: tuple[str, str]) -> list[tuple[Resource, str]]:
            group, version = gv
            path = f"/apis/{group}/{version}" if group else f"/api/{version}"
            try:
                return _parse_list(self._get(path), group, version)
            except (errors.NotFoundError, errors.ServerError, errors.UnreachableError) as e:
                # A broken aggregated API (metrics-server down) must not hide the rest.
                log.warning("discovery: skipping %s: %s", path, e)
                return []

        with ThreadPoolExecutor(max_workers=min(8, max(1, len(gvs)))) as pool:
            table = [entry for part in pool.map(one, gvs) for entry in part]
        self._by_gv = {}
        self._write_cache(table)
        return table

    def _read_cache(self) -> list[tuple[Resource, str]] | None:
        assert self._cache_dir
        path = os.path.join(self._cache_dir, "resources.json")
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            if doc.get("format") != CACHE_FORMAT or time.time() - float(doc["fetched"]) > self._ttl:
                return None
            return [(Resource(**{**r["resource"], "short_names": tuple(r["resource"]["short_names"]),
                                 "verbs": tuple(r["resource"]["verbs"]),
                                 "subresources": tuple(r["resource"]["subresources"])}), r["singular"])
                    for r in doc["resources"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write_cache(self, table: Sequence[tuple[Resource, str]]) -> None:
        if not self._cache_dir:
            return
        doc = {"format": CACHE_FORMAT, "fetched": time.time(), "server": self._transport.config.server,
               "resources": [{"resource": asdict(r), "singular": s} for r, s in table]}
        try:
            os.makedirs(self._cache_dir, mode=0o700, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._cache_dir, prefix=".resources-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            os.replace(tmp, os.path.join(self._cache_dir, "resources.json"))
        except OSError as e:  # a cache is an optimisation; never fail the command for it
            log.debug("discovery: cannot write cache in %s: %s", self._cache_dir, e)


def _parse_list(doc: Any, group: str, version: str) -> list[tuple[Resource, str]]:
    entries = (doc or {}).get("resources", [])
    subs: dict[str, list[str]] = {}
    for e in entries:
        if "/" in e.get("name", ""):
            parent, sub = e["name"].split("/", 1)
            subs.setdefault(parent, []).append(sub)
    out = []
    for e in entries:
        name = e.get("name", "")
        if not name or "/" in name:
            continue
        r = Resource(group=group, version=version, kind=e.get("kind", ""), plural=name,
                     namespaced=bool(e.get("namespaced")), short_names=tuple(e.get("shortNames") or ()),
                     verbs=tuple(e.get("verbs") or ()), subresources=tuple(subs.get(name, ())))
        out.append((r, str(e.get("singularName") or e.get("kind", "")).lower()))
    return out


def _find_kind(resources: Sequence[Resource], kind: str) -> Resource | None:
    for r in resources:
        if r.kind == kind:
            return r
    lower = kind.lower()
    return next((r for r in resources if r.kind.lower() == lower), None)


def _match(table: Sequence[tuple[Resource, str]], name: str, group: str | None) -> Resource | None:
    n = name.strip().lower()
    wanted: list[tuple[str, str | None, str | None]] = []
    if group is not None:
        wanted.append((n, None, group.lower()))
    else:
        wanted.append((n, None, None))
        parts = n.split(".")
        if len(parts) >= 3:
            wanted.append((parts[0], parts[1], ".".join(parts[2:])))
        if len(parts) >= 2:
            wanted.append((parts[0], None, ".".join(parts[1:])))
    for res_name, version, grp in wanted:
        pool = [(r, s) for r, s in table
                if (grp is None or r.group == grp) and (version is None or r.version == version)]
        # Full names beat short names, as in kubectl.
        for r, singular in pool:
            if res_name in (r.plural, singular, r.kind.lower()):
                return r
        for r, _ in pool:
            if res_name in (s.lower() for s in r.short_names):
                return r
    return None
