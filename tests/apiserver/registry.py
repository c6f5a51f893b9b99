"""Which resources are served right now, and the discovery documents for them.

The registry starts with the built-in table and gains or loses custom types as
CustomResourceDefinitions become Established or are deleted. Lookups are dict
hits (the HTTP layer resolves every request through here), and the discovery
documents (`/api`, `/apis`, `/apis/<group>[/<version>]`) are rendered from the
same data, so a CRD appears in discovery exactly when its objects are served.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from tests.apiserver.builtin import BUILTIN, VERBS, ResourceType

_KUBE_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key putting versions in Kubernetes priority order (v2 > v1 > v1beta2 > v1alpha1 > foo)."""
    m = _KUBE_VERSION.match(version)
    if not m:
        return (3, 0, 0, version)
    major, stage, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (rank, -major, -minor, "")


class Registry:
    """The set of served resource types.

    Thread-safe: custom types are swapped in under a lock and lookups read an
    immutable snapshot of the index.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._custom: dict[str, tuple[ResourceType, ...]] = {}
        self._index: dict[tuple[str, str, str], ResourceType] = {}
        self._kinds: dict[tuple[str, str, str], ResourceType] = {}
        self._types: tuple[ResourceType, ...] = ()
        self._rebuild()

    def _rebuild(self) -> None:
        types = list(BUILTIN)
        for custom in self._custom.values():
            types.extend(custom)
        self._types = tuple(types)
        self._index = {(t.group, t.version, t.plural): t for t in types}
        self._kinds = {(t.group, t.version, t.kind): t for t in types}

    def set_custom(self, crd_name: str, types: Iterable[ResourceType]) -> None:
        """Serve `types` for the CRD `crd_name` (replacing what it served before)."""
        with self._lock:
            self._custom[crd_name] = tuple(types)
            self._rebuild()

    def drop_custom(self, crd_name: str) -> None:
        """Stop serving the types of the CRD `crd_name`."""
        with self._lock:
            if self._custom.pop(crd_name, None) is not None:
                self._rebuild()

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        """The type served at /apis/group/version/plural, or None."""
        return self._index.get((group, version, plural))

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        """The type for an object's apiVersion and kind, or None."""
        group, _, version = api_version.rpartition("/")
        return self._kinds.get((group, version, kind))

    def types(self) -> tuple[ResourceType, ...]:
        """Every served type, built-in first."""
        return self._types

    def versions(self, group: str) -> list[str]:
        """Served versions of `group`, preferred first."""
        found = {t.version for t in self._types if t.group == group}
        return sorted(found, key=version_priority)

    def groups(self) -> list[str]:
        """Served non-core groups in first-seen order (built-ins first, like a real server)."""
        seen: dict[str, None] = {}
        for t in self._types:
            if t.group:
                seen.setdefault(t.group, None)
        return list(seen)


def version_info() -> dict[str, Any]:
    """The `/version` document."""
    return {
        "major": "1",
        "minor": "33",
        "gitVersion": "v1.33.0-emulator",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-01-01T00:00:00Z",
        "goVersion": "go1.24.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def api_versions(address: str) -> dict[str, Any]:
    """The `/api` document."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
    }


def _group(registry: Registry, group: str) -> dict[str, Any]:
    versions = [{"groupVersion": f"{group}/{v}", "version": v} for v in registry.versions(group)]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def api_group_list(registry: Registry) -> dict[str, Any]:
    """The `/apis` document."""
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [_group(registry, g) for g in registry.groups()],
    }


def api_group(registry: Registry, group: str) -> dict[str, Any] | None:
    """The `/apis/<group>` document, or None if the group is not served."""
    if group not in registry.groups():
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(registry, group)}


def resource_list(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    """The `/api/v1` or `/apis/<group>/<version>` APIResourceList, or None if not served."""
    types = [t for t in registry.types() if t.group == group and t.version == version]
    if not types:
        return None
    resources: list[dict[str, Any]] = []
    for t in types:
        entry: dict[str, Any] = {
            "name": t.plural,
            "singularName": t.singular,
            "namespaced": t.namespaced,
            "kind": t.kind,
            "verbs": list(VERBS),
        }
        if t.short_names:
            entry["shortNames"] = list(t.short_names)
        if t.categories:
            entry["categories"] = list(t.categories)
        resources.append(entry)
        if t.status:
            resources.append({
                "name": f"{t.plural}/status",
                "singularName": "",
                "namespaced": t.namespaced,
                "kind": t.kind,
                "verbs": ["get", "patch", "update"],
            })
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def openapi_v3_root(registry: Registry) -> dict[str, Any]:
    """The `/openapi/v3` index: one entry per served group-version.

    Only as much OpenAPI as kubectl needs to see that the server validates
    fields itself (`fieldValidation`), so it skips client-side schema checks.
    """
    gvs = {(t.group, t.version) for t in registry.types()}
    return {"paths": {
        _gv_path(g, v): {"serverRelativeURL": f"/openapi/v3/{_gv_path(g, v)}?hash=emulator"}
        for g, v in sorted(gvs)
    }}


def openapi_v3_group_version(registry: Registry, group: str, version: str) -> dict[str, Any] | None:
    """A minimal OpenAPI v3 document for one group-version: PATCH operations that
    declare their GVK and the `fieldValidation` query parameter."""
    types = [t for t in registry.types() if t.group == group and t.version == version]
    if not types:
        return None
    paths: dict[str, Any] = {}
    for t in types:
        scope = "namespaces/{namespace}/" if t.namespaced else ""
        paths[f"/{_gv_path(group, version)}/{scope}{t.plural}/{{name}}"] = {"patch": {
            "operationId": f"patch{t.kind}",
            "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": t.kind},
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                           {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
                           {"name": "dryRun", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}},
        }}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.33.0"},
            "paths": paths, "components": {"schemas": {}}}
