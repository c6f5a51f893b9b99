"""Source kinds (`fluxpy.models.source`, `fluxpy.models.gitref`): ref precedence, Git
artifact revisions, spec defaults and validation of the source kinds.

Covers: precedence commit > name > semver > tag > branch with default branch
`master`; revision strings for branch, tag, semver, name, commit and
commit+branch (sha1 vs sha256); `verify.mode` `head` normalised to `HEAD`;
`include[].toPath` defaulting to the repository name; 60s timeouts; URL
scheme checks; OCI/Helm/Bucket defaults; HelmRepository `oci` type.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fluxpy.models.errors import ModelError
from fluxpy.models.gitref import GitRepositoryRef, ResolvedRef, artifact_revision, resolve_ref
from fluxpy.models.source import Bucket, GitRepository, HelmChart, HelmRepository, OCIRepository

SHA1 = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
SHA256 = "ab" * 32


def obj(kind: str, spec: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": kind,
            "metadata": {"name": "src", "namespace": "flux-system", **meta}, "spec": spec}


@pytest.mark.parametrize(("ref", "expected"), [
    (None, ResolvedRef("branch", "master")),
    (GitRepositoryRef(), ResolvedRef("branch", "master")),
    (GitRepositoryRef(branch="main"), ResolvedRef("branch", "main")),
    (GitRepositoryRef(branch="main", tag="v1"), ResolvedRef("tag", "v1")),
    (GitRepositoryRef(tag="v1", semver=">=1.0"), ResolvedRef("semver", ">=1.0")),
    (GitRepositoryRef(semver=">=1.0", name="refs/pull/1/head"),
     ResolvedRef("name", "refs/pull/1/head")),
    (GitRepositoryRef(name="refs/heads/x", commit=SHA1), ResolvedRef("commit", SHA1)),
    (GitRepositoryRef(branch="main", commit=SHA1), ResolvedRef("commit", SHA1, "main")),
    (GitRepositoryRef(branch="", tag=""), ResolvedRef("branch", "master")),
])
def test_ref_precedence_is_commit_name_semver_tag_branch(
        ref: GitRepositoryRef | None, expected: ResolvedRef) -> None:
    assert resolve_ref(ref) == expected


@pytest.mark.parametrize(("ref", "commit", "tag", "revision"), [
    (ResolvedRef("branch", "main"), SHA1, None, f"main@sha1:{SHA1}"),
    (ResolvedRef("tag", "v1.2.0"), SHA1, None, f"v1.2.0@sha1:{SHA1}"),
    (ResolvedRef("semver", ">=1.0.0"), SHA1, "v1.2.0", f"v1.2.0@sha1:{SHA1}"),
    (ResolvedRef("name", "refs/heads/main"), SHA1, None, f"refs/heads/main@sha1:{SHA1}"),
    (ResolvedRef("commit", SHA1), SHA1, None, f"sha1:{SHA1}"),
    (ResolvedRef("commit", SHA1, "dev"), SHA1, None, f"dev@sha1:{SHA1}"),
    (ResolvedRef("branch", "main"), SHA256, None, f"main@sha256:{SHA256}"),
])
def test_artifact_revision_matches_flux_formats(ref: ResolvedRef, commit: str,
                                                tag: str | None, revision: str) -> None:
    assert artifact_revision(ref, commit, tag=tag) == revision


def test_semver_revision_needs_the_matched_tag() -> None:
    with pytest.raises(ValueError, match="matched tag"):
        artifact_revision(ResolvedRef("semver", "1.x"), SHA1)


def test_git_repository_defaults() -> None:
    repo = GitRepository.from_dict(obj("GitRepository", {"url": "https://x/y", "interval": "1m"}))
    spec = repo.spec
    assert spec.timeout == timedelta(seconds=60) and spec.provider == "generic"
    assert spec.resolved_ref == ResolvedRef("branch", "master")
    assert not repo.suspended and repo.ready_condition is None
    assert repo.status.observed_generation == -1 and repo.status.artifact is None


def test_git_repository_reads_verify_include_and_sparse_checkout() -> None:
    repo = GitRepository.from_dict(obj("GitRepository", {
        "url": "ssh://git@host/repo", "interval": "5m", "suspend": True,
        "verify": {"mode": "head", "secretRef": {"name": "pgp"}},
        "include": [{"repository": {"name": "shared"}, "fromPath": "deploy"}],
        "sparseCheckout": ["apps/", "infra/"], "recurseSubmodules": True,
        "ignore": "/*\n!/deploy\n"}))
    assert repo.suspended
    assert repo.spec.verify is not None and repo.spec.verify.mode == "HEAD"
    assert repo.spec.include[0].effective_to_path == "shared"
    assert repo.spec.sparse_checkout == ("apps/", "infra/")


@pytest.mark.parametrize(("kind", "spec", "field"), [
    ("GitRepository", {"url": "git@github.com:x/y", "interval": "1m"}, "spec.url"),
    ("OCIRepository", {"url": "https://ghcr.io/x", "interval": "1m"}, "spec.url"),
    ("HelmRepository", {"url": "ftp://charts"}, "spec.url"),
])
def test_url_scheme_is_checked(kind: str, spec: dict[str, Any], field: str) -> None:
    cls = {"GitRepository": GitRepository, "OCIRepository": OCIRepository,
           "HelmRepository": HelmRepository}[kind]
    with pytest.raises(ModelError) as info:
        cls.from_dict(obj(kind, spec))  # type: ignore[attr-defined]
    assert info.value.field == field


def test_oci_repository_reads_ref_and_verification() -> None:
    repo = OCIRepository.from_dict(obj("OCIRepository", {
        "url": "oci://ghcr.io/x/y", "interval": "10m", "ref": {"semver": ">=1.0"},
        "layerSelector": {"mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                          "operation": "copy"},
        "verify": {"provider": "cosign", "matchOIDCIdentity": [
            {"issuer": "^https://token.actions.githubusercontent.com$", "subject": ".*"}]}}))
    assert repo.spec.ref is not None and repo.spec.ref.semver == ">=1.0"
    assert repo.spec.layer_selector_operation == "copy"
    assert repo.spec.verify is not None and repo.spec.verify.match_oidc_identity[0].subject == ".*"
    assert repo.spec.timeout == timedelta(seconds=60)


def test_helm_repository_of_type_oci_needs_no_interval() -> None:
    repo = HelmRepository.from_dict(obj("HelmRepository", {"url": "oci://ghcr.io/charts",
                                                           "type": "oci"}))
    assert repo.spec.is_oci and repo.spec.interval is None


def test_helm_chart_defaults_version_and_strategy() -> None:
    chart = HelmChart.from_dict(obj("HelmChart", {
        "chart": "podinfo", "interval": "5m",
        "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}))
    assert chart.spec.version == "*" and chart.spec.reconcile_strategy == "ChartVersion"
    assert chart.spec.source_ref.ref("flux-system").__str__() == \
        "HelmRepository/flux-system/podinfo"


def test_helm_chart_rejects_an_unknown_reconcile_strategy() -> None:
    with pytest.raises(ModelError) as info:
        HelmChart.from_dict(obj("HelmChart", {
            "chart": "c", "interval": "5m", "reconcileStrategy": "Always",
            "sourceRef": {"kind": "GitRepository", "name": "g"}}))
    assert str(info.value) == ('HelmChart/flux-system/src: spec.reconcileStrategy: '
                               'unsupported value "Always"')
    assert info.value.hint == "use one of: ChartVersion, Revision"


def test_bucket_requires_bucket_name_and_endpoint() -> None:
    with pytest.raises(ModelError, match="spec.bucketName: required field is missing"):
        Bucket.from_dict(obj("Bucket", {"endpoint": "minio:9000", "interval": "1m"}))
    b = Bucket.from_dict(obj("Bucket", {"bucketName": "b", "endpoint": "e", "interval": "1m"}))
    assert b.spec.provider == "generic" and b.spec.timeout == timedelta(seconds=60)
