"""Discovery through `Kube` against the API emulator (fluxpy.kube.discovery).

Covers: the Flux short names (ks, hr, gitrepo) and full names; objects from
manifests resolved by apiVersion/kind; a CRD installed at run time found
through one refresh of a cached table; an unknown kind after that refresh;
a kind whose CRD is missing reported by for_kind.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluxpy.kube import errors
from fluxpy.kube.client import Kube
from tests.apiserver import ApiServer


def widget_crd() -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
                 "versions": [{"name": "v1", "served": True, "storage": True,
                               "schema": {"openAPIV3Schema": {"type": "object",
                                                              "x-kubernetes-preserve-unknown-fields": True}}}]}}


@pytest.mark.parametrize(("name", "kind", "group"), [
    ("ks", "Kustomization", "kustomize.toolkit.fluxcd.io"),
    ("hr", "HelmRelease", "helm.toolkit.fluxcd.io"),
    ("gitrepo", "GitRepository", "source.toolkit.fluxcd.io"),
    ("GitRepositories", "GitRepository", "source.toolkit.fluxcd.io"),
    ("deployments.apps", "Deployment", "apps"),
    ("ns", "Namespace", ""),
])
def test_flux_and_builtin_names_resolve(kube: Kube, name: str, kind: str, group: str) -> None:
    r = kube.resource(name)
    assert (r.kind, r.group) == (kind, group)


def test_resource_for_manifest_object(kube: Kube) -> None:
    r = kube.resource_for("source.toolkit.fluxcd.io/v1", "GitRepository")
    assert (r.plural, r.namespaced) == ("gitrepositories", True)


def test_crd_installed_at_run_time_is_found_by_short_name(kube: Kube, apiserver: ApiServer) -> None:
    kube.resource("ks")  # the table is now cached, without widgets
    kube.create(widget_crd())
    r = kube.resource("wd")
    assert (r.kind, r.group, r.plural) == ("Widget", "example.com", "widgets")
    kube.create({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"a": 1}})
    assert kube.get(r, "w")["spec"] == {"a": 1}


def test_new_client_reuses_disk_cache(kube: Kube, apiserver: ApiServer) -> None:
    kube.resource("ks")
    apiserver.clear_requests()
    other = Kube(kube.config, backoff=kube.transport.backoff)
    assert other.resource("hr").kind == "HelmRelease"
    assert apiserver.count() == 0


def test_unknown_kind_after_refresh(kube: Kube) -> None:
    with pytest.raises(errors.UnknownKindError) as e:
        kube.resource("foo")
    assert str(e.value) == 'unknown kind "foo": the server does not serve it'
    assert e.value.hint == "list kinds with kubectl api-resources"


def test_create_of_kind_without_crd_is_unknown_kind(kube: Kube) -> None:
    with pytest.raises(errors.UnknownKindError, match='unknown kind "Gadget" in apiVersion "example.org/v1"'):
        kube.create({"apiVersion": "example.org/v1", "kind": "Gadget", "metadata": {"name": "g"}})
