"""The Flux kind registry (`fluxpy.models.kinds`).

Covers: the API group/version of every kind (FLUX-COMPAT section 0); CRD
short names; resolving kinds by any alias case-insensitively, including the
flux CLI words (`sources git`, `ks`, `hr`, `images policy`, `alert-providers`);
unknown words; lookup by apiVersion + kind; `FluxKind.resource()` producing
the lead's `Resource`; lazy model loading; that importing the registry pulls
in no model module.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from fluxpy.kube.resource import Resource
from fluxpy.models import kinds

API_VERSIONS = [
    ("GitRepository", "source.toolkit.fluxcd.io/v1"),
    ("OCIRepository", "source.toolkit.fluxcd.io/v1"),
    ("HelmRepository", "source.toolkit.fluxcd.io/v1"),
    ("HelmChart", "source.toolkit.fluxcd.io/v1"),
    ("Bucket", "source.toolkit.fluxcd.io/v1"),
    ("Kustomization", "kustomize.toolkit.fluxcd.io/v1"),
    ("HelmRelease", "helm.toolkit.fluxcd.io/v2"),
    ("ImageRepository", "image.toolkit.fluxcd.io/v1"),
    ("ImagePolicy", "image.toolkit.fluxcd.io/v1"),
    ("ImageUpdateAutomation", "image.toolkit.fluxcd.io/v1"),
    ("Alert", "notification.toolkit.fluxcd.io/v1beta3"),
    ("Provider", "notification.toolkit.fluxcd.io/v1beta3"),
    ("Receiver", "notification.toolkit.fluxcd.io/v1"),
]


@pytest.mark.parametrize(("kind", "api_version"), API_VERSIONS)
def test_every_kind_uses_the_flux_2_8_api_version(kind: str, api_version: str) -> None:
    assert kinds.by_kind(kind).api_version == api_version


def test_registry_holds_exactly_the_thirteen_kinds() -> None:
    assert [k.kind for k in kinds.ALL] == [k for k, _ in API_VERSIONS]


@pytest.mark.parametrize(("kind", "short"), [
    ("GitRepository", ("gitrepo",)), ("OCIRepository", ("ocirepo",)),
    ("HelmRepository", ("helmrepo",)), ("HelmChart", ("hc",)), ("Bucket", ()),
    ("Kustomization", ("ks",)), ("HelmRelease", ("hr",)), ("ImageRepository", ()),
    ("Alert", ()), ("Provider", ()), ("Receiver", ()),
])
def test_short_names_match_the_crds(kind: str, short: tuple[str, ...]) -> None:
    assert kinds.by_kind(kind).short_names == short


@pytest.mark.parametrize(("word", "kind"), [
    ("sources git", "GitRepository"), ("source git", "GitRepository"), ("git", "GitRepository"),
    ("gitrepo", "GitRepository"), ("GitRepositories", "GitRepository"),
    ("sources oci", "OCIRepository"), ("sources helm", "HelmRepository"),
    ("sources chart", "HelmChart"), ("hc", "HelmChart"), ("sources bucket", "Bucket"),
    ("ks", "Kustomization"), ("kustomizations", "Kustomization"), ("KS", "Kustomization"),
    ("kustomization", "Kustomization"), ("hr", "HelmRelease"), ("helmreleases", "HelmRelease"),
    ("images repository", "ImageRepository"), ("image repository", "ImageRepository"),
    ("images policy", "ImagePolicy"), ("images  update", "ImageUpdateAutomation"),
    ("alerts", "Alert"), ("alert-providers", "Provider"), ("alert-provider", "Provider"),
    ("receivers", "Receiver"), ("imageupdateautomation", "ImageUpdateAutomation"),
])
def test_by_name_resolves_any_alias_case_insensitively(word: str, kind: str) -> None:
    assert kinds.by_name(word).kind == kind


def test_by_name_rejects_unknown_words_listing_the_cli_names() -> None:
    with pytest.raises(KeyError) as info:
        kinds.by_name("deployments")
    message = str(info.value)
    assert '"deployments"' in message and "sources git" in message and "alert-providers" in message


def test_by_kind_is_exact() -> None:
    with pytest.raises(KeyError, match="unknown Flux kind"):
        kinds.by_kind("kustomization")


@pytest.mark.parametrize(("api_version", "kind", "found"), [
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "Kustomization"),
    ("source.toolkit.fluxcd.io/v1beta2", "GitRepository", "GitRepository"),
    ("kustomize.config.k8s.io/v1beta1", "Kustomization", None),
    ("apps/v1", "Deployment", None),
    ("v1", "Secret", None),
])
def test_by_api_version_kind_matches_on_group_and_kind(api_version: str, kind: str,
                                                       found: str | None) -> None:
    result = kinds.by_api_version_kind(api_version, kind)
    assert (result.kind if result else None) == found


def test_resource_gives_the_kube_layer_what_it_needs() -> None:
    res = kinds.KUSTOMIZATION.resource()
    assert res == Resource(group="kustomize.toolkit.fluxcd.io", version="v1",
                           kind="Kustomization", plural="kustomizations", namespaced=True,
                           short_names=("ks",), verbs=kinds.VERBS, subresources=("status",))
    assert res.path(namespace="flux-system", name="apps", subresource="status") == (
        "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/apps/status")


@pytest.mark.parametrize(("kind", "plural"), [
    ("GitRepository", "gitrepositories"), ("ImagePolicy", "imagepolicies"),
    ("ImageUpdateAutomation", "imageupdateautomations"), ("Provider", "providers"),
])
def test_plurals_match_the_crds(kind: str, plural: str) -> None:
    assert kinds.by_kind(kind).plural == plural


def test_kinds_without_status_have_no_status_subresource() -> None:
    assert kinds.ALERT.resource().subresources == ()
    assert not kinds.PROVIDER.has_status and kinds.RECEIVER.has_status


@pytest.mark.parametrize(("kind", "display"), [
    ("GitRepository", "source git"), ("Kustomization", "kustomization"),
    ("HelmRelease", "helmrelease"), ("ImageUpdateAutomation", "image update automation"),
    ("Provider", "alert provider"),
])
def test_display_name_is_the_flux_cli_human_kind(kind: str, display: str) -> None:
    assert kinds.by_kind(kind).display_name == display


@pytest.mark.parametrize("kind", [k.kind for k in kinds.ALL])
def test_model_class_of_every_kind_loads_and_matches(kind: str) -> None:
    cls = kinds.by_kind(kind).model_class()
    assert cls.__name__ == kind and cls.KIND == kind


def test_importing_the_registry_imports_no_model_or_third_party_module() -> None:
    code = ("import sys, fluxpy.models.kinds; "
            "print(sorted(m for m in sys.modules if m.startswith(('fluxpy', 'yaml', "
            "'kubernetes', 'rich', 'typer'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "fluxpy.models.source" not in out and "yaml" not in out and "kubernetes" not in out
