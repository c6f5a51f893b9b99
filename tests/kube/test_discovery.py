"""Discovery (fluxpy.kube.discovery) against a scripted API server on 127.0.0.1.

Covers: kinds, plurals, singulars and short names, case-insensitively, and the
`plural.group`, `Kind.group` and `Kind.version.group` forms; the core group
winning over others and a group's preferred version winning within it;
subresources attached to their resource; the on-disk cache (path under
XDG_CACHE_HOME, reused by a new client, disabled by FLUXPY_NO_DISCOVERY_CACHE,
ignored after its TTL); one refresh on a miss before UnknownKindError;
lookup by (apiVersion, kind) fetching one group-version only; broken
aggregated APIs skipped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from fluxpy.kube import errors
from fluxpy.kube.config import ClusterConfig
from fluxpy.kube.discovery import Discovery, cache_dir_for
from fluxpy.kube.transport import Backoff, Transport
from tests.kube.stub import Reply, Stub

FLUX_KS = "kustomize.toolkit.fluxcd.io"


def res(name: str, kind: str, namespaced: bool = True, short: tuple[str, ...] = (),
        singular: str = "") -> dict[str, Any]:
    return {"name": name, "singularName": singular, "kind": kind, "namespaced": namespaced,
            "shortNames": list(short), "verbs": ["get", "list"]}


def group(name: str, *versions: str) -> dict[str, Any]:
    return {"name": name, "versions": [{"groupVersion": f"{name}/{v}", "version": v} for v in versions],
            "preferredVersion": {"groupVersion": f"{name}/{versions[0]}", "version": versions[0]}}


def serve(stub: Stub, *, with_flux: bool = True) -> None:
    stub.routes.clear()
    stub.on("GET", "/api", Reply(200, {"kind": "APIVersions", "versions": ["v1"]}))
    stub.on("GET", "/api/v1", Reply(200, {"resources": [
        res("namespaces", "Namespace", False, ("ns",)), res("configmaps", "ConfigMap", short=("cm",)),
        res("events", "Event", short=("ev",)), res("pods", "Pod", short=("po",)), res("pods/status", "Pod")]}))
    groups = [group("apps", "v1"), group("events.k8s.io", "v1"), group("metrics.k8s.io", "v1beta1")]
    if with_flux:
        groups.append(group(FLUX_KS, "v1", "v1beta2"))
    stub.on("GET", "/apis", Reply(200, {"kind": "APIGroupList", "groups": groups}))
    stub.on("GET", "/apis/apps/v1", Reply(200, {"resources": [res("deployments", "Deployment", short=("deploy",))]}))
    stub.on("GET", "/apis/events.k8s.io/v1", Reply(200, {"resources": [res("events", "Event", short=("ev",))]}))
    stub.on("GET", "/apis/metrics.k8s.io/v1beta1", Reply(503, "service unavailable"))
    for v in ("v1", "v1beta2"):
        stub.on("GET", f"/apis/{FLUX_KS}/{v}", Reply(200, {"resources": [
            res("kustomizations", "Kustomization", short=("ks",), singular="kustomization"),
            res("kustomizations/status", "Kustomization")]}))


def discovery(stub: Stub, *, cache: bool = True) -> Discovery:
    t = Transport(ClusterConfig(server=stub.url, context="c"), backoff=Backoff(attempts=1))
    return Discovery(t, cache_dir=cache_dir_for(stub.url) if cache else None)


@pytest.mark.parametrize(("name", "expect"), [
    ("ks", (FLUX_KS, "v1", "Kustomization")),
    ("KS", (FLUX_KS, "v1", "Kustomization")),
    ("kustomization", (FLUX_KS, "v1", "Kustomization")),
    ("Kustomizations", (FLUX_KS, "v1", "Kustomization")),
    (f"kustomizations.{FLUX_KS}", (FLUX_KS, "v1", "Kustomization")),
    (f"Kustomization.{FLUX_KS}", (FLUX_KS, "v1", "Kustomization")),
    (f"Kustomization.v1beta2.{FLUX_KS}", (FLUX_KS, "v1beta2", "Kustomization")),
    ("deployments.apps", ("apps", "v1", "Deployment")),
    ("deploy", ("apps", "v1", "Deployment")),
    ("cm", ("", "v1", "ConfigMap")),
    ("events", ("", "v1", "Event")),
    ("events.events.k8s.io", ("events.k8s.io", "v1", "Event")),
])
def test_names_resolve_like_kubectl(stub: Stub, name: str, expect: tuple[str, str, str]) -> None:
    serve(stub)
    r = discovery(stub, cache=False).resolve(name)
    assert (r.group, r.version, r.kind) == expect


def test_group_option_restricts_the_group(stub: Stub) -> None:
    serve(stub)
    assert discovery(stub, cache=False).resolve("event", group="events.k8s.io").group == "events.k8s.io"


def test_resources_carry_scope_short_names_and_subresources(stub: Stub) -> None:
    serve(stub)
    d = discovery(stub, cache=False)
    ks = d.resolve("ks")
    assert (ks.plural, ks.namespaced, ks.short_names, ks.subresources) == (
        "kustomizations", True, ("ks",), ("status",))
    assert d.resolve("ns").namespaced is False


def test_broken_group_version_is_skipped(stub: Stub) -> None:
    serve(stub)
    assert all(r.group != "metrics.k8s.io" for r in discovery(stub, cache=False).resources())


def test_disk_cache_lives_under_xdg_cache_home_and_is_reused(stub: Stub, tmp_path: Path) -> None:
    serve(stub)
    discovery(stub).resolve("ks")
    port = stub.url.rsplit(":", 1)[1]
    assert (tmp_path / "cache" / "fluxpy" / "discovery" / f"127.0.0.1_{port}" / "resources.json").is_file()
    n = len(stub.seen)
    assert discovery(stub).resolve("deploy").kind == "Deployment"
    assert len(stub.seen) == n  # served from disk


def test_expired_disk_cache_is_refetched(stub: Stub) -> None:
    serve(stub)
    discovery(stub).resolve("ks")
    cache = cache_dir_for(stub.url)
    assert cache
    path = os.path.join(cache, "resources.json")
    doc = json.loads(Path(path).read_text())
    doc["fetched"] -= 601
    Path(path).write_text(json.dumps(doc))
    n = len(stub.seen)
    discovery(stub).resolve("ks")
    assert len(stub.seen) > n


def test_no_discovery_cache_env_disables_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLUXPY_NO_DISCOVERY_CACHE", "1")
    assert cache_dir_for("https://1.2.3.4:6443") is None


def test_miss_in_cached_table_refreshes_once_and_finds_new_crd(stub: Stub) -> None:
    serve(stub, with_flux=False)
    d = discovery(stub)
    d.resolve("cm")
    serve(stub, with_flux=True)  # the CRD gets installed
    assert d.resolve("ks").kind == "Kustomization"


def test_unknown_name_raises_after_one_refresh(stub: Stub) -> None:
    serve(stub)
    d = discovery(stub)
    d.resolve("cm")
    before = sum(1 for s in stub.seen if s.path == "/apis")
    with pytest.raises(errors.UnknownKindError) as e:
        d.resolve("foo")
    assert str(e.value) == 'unknown kind "foo": the server does not serve it'
    assert e.value.hint == "list kinds with kubectl api-resources"
    assert sum(1 for s in stub.seen if s.path == "/apis") == before + 1


def test_for_kind_fetches_only_that_group_version(stub: Stub) -> None:
    serve(stub)
    d = discovery(stub, cache=False)
    r = d.for_kind(f"{FLUX_KS}/v1beta2", "Kustomization")
    assert (r.version, r.plural) == ("v1beta2", "kustomizations")
    assert [s.path for s in stub.seen] == [f"/apis/{FLUX_KS}/v1beta2"]
    d.for_kind(f"{FLUX_KS}/v1beta2", "Kustomization")
    assert len(stub.seen) == 1  # remembered


def test_for_kind_core_group(stub: Stub) -> None:
    serve(stub)
    assert discovery(stub, cache=False).for_kind("v1", "ConfigMap").plural == "configmaps"


def test_for_kind_of_unserved_group_is_unknown_kind(stub: Stub) -> None:
    serve(stub)
    with pytest.raises(errors.UnknownKindError) as e:
        discovery(stub, cache=False).for_kind("helm.toolkit.fluxcd.io/v2", "HelmRelease")
    assert str(e.value) == ('unknown kind "HelmRelease" in apiVersion "helm.toolkit.fluxcd.io/v2": '
                            "the server does not serve it")
