"""Models of the source kinds (`source.toolkit.fluxcd.io/v1`): GitRepository,
OCIRepository, HelmRepository, HelmChart and Bucket.

The source stage fetches what these describe and records an `Artifact` in
their status; the Kustomization and Helm stages read that artifact. Besides
the typed spec and status, it checks URL schemes and applies Flux's defaults
(60s timeouts, `generic` providers, chart version `*`). The Git ref
precedence and revision strings live in `fluxpy.models.gitref`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Self

from fluxpy.models._fields import Fields
from fluxpy.models.common import (
    Artifact,
    CrossNamespaceSourceReference,
    FluxObject,
    LocalObjectReference,
    StatusBase,
    put,
)
from fluxpy.models.gitref import GitRepositoryRef, ResolvedRef, resolve_ref

DEFAULT_TIMEOUT = timedelta(seconds=60)


def _secret(f: Fields, key: str) -> LocalObjectReference | None:
    return LocalObjectReference.optional(f, key)


# --- GitRepository ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class GitRepositoryVerification:
    """`spec.verify`: `mode` is `HEAD` (default; `head` accepted), `Tag` or `TagAndHEAD`."""

    secret_ref: LocalObjectReference
    mode: str = "HEAD"

    @classmethod
    def optional(cls, f: Fields) -> GitRepositoryVerification | None:
        """The verification under `verify`, or None."""
        sub = f.obj("verify")
        if sub is None:
            return None
        mode = sub.text("mode", "HEAD")
        return cls(LocalObjectReference.from_fields(sub.req_obj("secretRef")),
                   "HEAD" if mode == "head" else mode)


@dataclass(frozen=True, slots=True)
class GitRepositoryInclude:
    """`spec.include[]`: another GitRepository's artifact copied in."""

    repository: LocalObjectReference
    from_path: str | None = None
    to_path: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> GitRepositoryInclude:
        """Read from a `Fields` view."""
        return cls(LocalObjectReference.from_fields(f.req_obj("repository")),
                   f.opt_text("fromPath"), f.opt_text("toPath"))

    @property
    def effective_to_path(self) -> str:
        """`toPath`, defaulting to the included repository's name."""
        return self.to_path or self.repository.name

    def to_dict(self) -> dict[str, Any]:
        """API form (as recorded in `status.observedInclude`)."""
        out: dict[str, Any] = {"repository": self.repository.to_dict()}
        put(out, "fromPath", self.from_path)
        put(out, "toPath", self.to_path)
        return out


@dataclass(frozen=True, slots=True)
class GitRepositorySpec:
    """`GitRepository.spec`."""

    url: str
    interval: timedelta
    timeout: timedelta = DEFAULT_TIMEOUT
    ref: GitRepositoryRef | None = None
    secret_ref: LocalObjectReference | None = None
    proxy_secret_ref: LocalObjectReference | None = None
    provider: str = "generic"
    service_account_name: str | None = None
    verify: GitRepositoryVerification | None = None
    ignore: str | None = None
    suspend: bool = False
    recurse_submodules: bool = False
    sparse_checkout: tuple[str, ...] = ()
    include: tuple[GitRepositoryInclude, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields) -> GitRepositorySpec:
        """Read from the `spec` view."""
        url = f.req_text("url")
        if not url.startswith(("http://", "https://", "ssh://")):
            raise f.error("url", f'"{url}" must start with http://, https:// or ssh://')
        return cls(url, f.req_duration("interval"), f.duration("timeout", DEFAULT_TIMEOUT),
                   GitRepositoryRef.optional(f), _secret(f, "secretRef"),
                   _secret(f, "proxySecretRef"), f.text("provider", "generic"),
                   f.opt_text("serviceAccountName"), GitRepositoryVerification.optional(f),
                   f.opt_text("ignore"), f.flag("suspend"), f.flag("recurseSubmodules"),
                   f.texts("sparseCheckout"), f.each("include", GitRepositoryInclude.from_fields))

    @property
    def resolved_ref(self) -> ResolvedRef:
        """The ref that wins after precedence."""
        return resolve_ref(self.ref)


@dataclass(frozen=True, slots=True)
class GitRepositoryStatus(StatusBase):
    """`GitRepository.status`."""

    artifact: Artifact | None = None
    included_artifacts: tuple[Artifact, ...] = ()
    observed_ignore: str | None = None
    observed_recurse_submodules: bool = False
    observed_include: tuple[GitRepositoryInclude, ...] = ()
    observed_sparse_checkout: tuple[str, ...] = ()
    source_verification_mode: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> GitRepositoryStatus:
        """Read from the `status` view."""
        return cls(**cls.base_fields(f), artifact=Artifact.optional(f),
                   included_artifacts=f.each("includedArtifacts", Artifact.from_fields),
                   observed_ignore=f.opt_text("observedIgnore"),
                   observed_recurse_submodules=f.flag("observedRecurseSubmodules"),
                   observed_include=f.each("observedInclude", GitRepositoryInclude.from_fields),
                   observed_sparse_checkout=f.texts("observedSparseCheckout"),
                   source_verification_mode=f.opt_text("sourceVerificationMode"))

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields."""
        out = self.base_dict()
        put(out, "artifact", self.artifact.to_dict() if self.artifact else None)
        put(out, "includedArtifacts", [a.to_dict() for a in self.included_artifacts])
        put(out, "observedIgnore", self.observed_ignore)
        put(out, "observedRecurseSubmodules", self.observed_recurse_submodules or None)
        put(out, "observedInclude", [i.to_dict() for i in self.observed_include])
        put(out, "observedSparseCheckout", self.observed_sparse_checkout)
        put(out, "sourceVerificationMode", self.source_verification_mode)
        return out


@dataclass(frozen=True, slots=True)
class GitRepository(FluxObject[GitRepositorySpec, GitRepositoryStatus]):
    """A `GitRepository` object."""

    KIND = "GitRepository"

    SPEC = GitRepositorySpec
    STATUS = GitRepositoryStatus


# --- OCIRepository ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OCIRepositoryRef:
    """`spec.ref`: digest > semver > tag (default tag `latest`)."""

    digest: str | None = None
    semver: str | None = None
    semver_filter: str | None = None
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class OIDCIdentityMatch:
    """`verify.matchOIDCIdentity[]`: issuer and subject regexes."""

    issuer: str
    subject: str


@dataclass(frozen=True, slots=True)
class OCIVerification:
    """`spec.verify` for OCI artifacts and charts (cosign or notation)."""

    provider: str = "cosign"
    secret_ref: LocalObjectReference | None = None
    match_oidc_identity: tuple[OIDCIdentityMatch, ...] = ()

    @classmethod
    def optional(cls, f: Fields) -> OCIVerification | None:
        """The verification under `verify`, or None."""
        sub = f.obj("verify")
        if sub is None:
            return None
        return cls(sub.text("provider", "cosign"), _secret(sub, "secretRef"),
                   sub.each("matchOIDCIdentity", lambda m: OIDCIdentityMatch(
                       m.req_text("issuer"), m.req_text("subject"))))


@dataclass(frozen=True, slots=True)
class OCIRepositorySpec:
    """`OCIRepository.spec`."""

    url: str
    interval: timedelta
    timeout: timedelta = DEFAULT_TIMEOUT
    ref: OCIRepositoryRef | None = None
    layer_selector_media_type: str | None = None
    layer_selector_operation: str | None = None
    provider: str = "generic"
    secret_ref: LocalObjectReference | None = None
    cert_secret_ref: LocalObjectReference | None = None
    proxy_secret_ref: LocalObjectReference | None = None
    service_account_name: str | None = None
    verify: OCIVerification | None = None
    ignore: str | None = None
    insecure: bool = False
    suspend: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> OCIRepositorySpec:
        """Read from the `spec` view."""
        url = f.req_text("url")
        if not url.startswith("oci://"):
            raise f.error("url", f'"{url}" must start with oci://')
        r = f.obj("ref")
        ref = None if r is None else OCIRepositoryRef(
            r.opt_text("digest"), r.opt_text("semver"), r.opt_text("semverFilter"), r.opt_text("tag"))
        ls = f.obj("layerSelector")
        return cls(url, f.req_duration("interval"), f.duration("timeout", DEFAULT_TIMEOUT), ref,
                   ls.opt_text("mediaType") if ls else None, ls.opt_text("operation") if ls else None,
                   f.text("provider", "generic"), _secret(f, "secretRef"),
                   _secret(f, "certSecretRef"), _secret(f, "proxySecretRef"),
                   f.opt_text("serviceAccountName"), OCIVerification.optional(f),
                   f.opt_text("ignore"), f.flag("insecure"), f.flag("suspend"))


@dataclass(frozen=True, slots=True)
class OCIRepositoryStatus(StatusBase):
    """`OCIRepository.status`."""

    artifact: Artifact | None = None
    url: str | None = None
    observed_ignore: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Self:
        """Read from the `status` view."""
        return cls(**cls.base_fields(f), artifact=Artifact.optional(f), url=f.opt_text("url"),
                   observed_ignore=f.opt_text("observedIgnore"))

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields."""
        out = self.base_dict()
        put(out, "artifact", self.artifact.to_dict() if self.artifact else None)
        put(out, "url", self.url)
        put(out, "observedIgnore", self.observed_ignore)
        return out


@dataclass(frozen=True, slots=True)
class OCIRepository(FluxObject[OCIRepositorySpec, OCIRepositoryStatus]):
    """An `OCIRepository` object."""

    KIND = "OCIRepository"

    SPEC = OCIRepositorySpec
    STATUS = OCIRepositoryStatus


# --- HelmRepository ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HelmRepositorySpec:
    """`HelmRepository.spec`; `interval` is optional because `oci` ones are static."""

    url: str
    type: str = "default"
    interval: timedelta | None = None
    timeout: timedelta = DEFAULT_TIMEOUT
    secret_ref: LocalObjectReference | None = None
    cert_secret_ref: LocalObjectReference | None = None
    pass_credentials: bool = False
    insecure: bool = False
    provider: str = "generic"
    suspend: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> HelmRepositorySpec:
        """Read from the `spec` view."""
        url = f.req_text("url")
        if not url.startswith(("http://", "https://", "oci://")):
            raise f.error("url", f'"{url}" must start with http://, https:// or oci://')
        return cls(url, f.text("type", "default"), f.opt_duration("interval"),
                   f.duration("timeout", DEFAULT_TIMEOUT), _secret(f, "secretRef"),
                   _secret(f, "certSecretRef"), f.flag("passCredentials"), f.flag("insecure"),
                   f.text("provider", "generic"), f.flag("suspend"))

    @property
    def is_oci(self) -> bool:
        """An `oci` repository: static, no artifact, no conditions."""
        return self.type == "oci"


@dataclass(frozen=True, slots=True)
class HelmRepositoryStatus(StatusBase):
    """`HelmRepository.status`."""

    artifact: Artifact | None = None
    url: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> HelmRepositoryStatus:
        """Read from the `status` view."""
        return cls(**cls.base_fields(f), artifact=Artifact.optional(f), url=f.opt_text("url"))

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields."""
        out = self.base_dict()
        put(out, "artifact", self.artifact.to_dict() if self.artifact else None)
        put(out, "url", self.url)
        return out


@dataclass(frozen=True, slots=True)
class HelmRepository(FluxObject[HelmRepositorySpec, HelmRepositoryStatus]):
    """A `HelmRepository` object."""

    KIND = "HelmRepository"

    SPEC = HelmRepositorySpec
    STATUS = HelmRepositoryStatus


# --- HelmChart --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class HelmChartSpec:
    """`HelmChart.spec` (also the template inside `HelmRelease.spec.chart`)."""

    chart: str
    source_ref: CrossNamespaceSourceReference
    interval: timedelta | None = None
    version: str = "*"
    reconcile_strategy: str = "ChartVersion"
    values_files: tuple[str, ...] = ()
    ignore_missing_values_files: bool = False
    verify: OCIVerification | None = None
    suspend: bool = False

    @classmethod
    def from_fields(cls, f: Fields, *, interval_required: bool = True) -> HelmChartSpec:
        """Read from the `spec` view (`interval` optional in a HelmRelease template)."""
        return cls(f.req_text("chart"),
                   CrossNamespaceSourceReference.from_fields(f.req_obj("sourceRef"),
                                                             default_kind="HelmRepository"),
                   f.req_duration("interval") if interval_required else f.opt_duration("interval"),
                   f.text("version", "*"),
                   f.one_of("reconcileStrategy", ("ChartVersion", "Revision"), "ChartVersion"),
                   f.texts("valuesFiles"), f.flag("ignoreMissingValuesFiles"),
                   OCIVerification.optional(f), f.flag("suspend"))


@dataclass(frozen=True, slots=True)
class HelmChartStatus(StatusBase):
    """`HelmChart.status`."""

    observed_source_artifact_revision: str | None = None
    observed_chart_name: str | None = None
    observed_values_files: tuple[str, ...] = ()
    artifact: Artifact | None = None
    url: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> HelmChartStatus:
        """Read from the `status` view."""
        return cls(**cls.base_fields(f),
                   observed_source_artifact_revision=f.opt_text("observedSourceArtifactRevision"),
                   observed_chart_name=f.opt_text("observedChartName"),
                   observed_values_files=f.texts("observedValuesFiles"),
                   artifact=Artifact.optional(f), url=f.opt_text("url"))

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields."""
        out = self.base_dict()
        put(out, "observedSourceArtifactRevision", self.observed_source_artifact_revision)
        put(out, "observedChartName", self.observed_chart_name)
        put(out, "observedValuesFiles", self.observed_values_files)
        put(out, "artifact", self.artifact.to_dict() if self.artifact else None)
        put(out, "url", self.url)
        return out


@dataclass(frozen=True, slots=True)
class HelmChart(FluxObject[HelmChartSpec, HelmChartStatus]):
    """A `HelmChart` object."""

    KIND = "HelmChart"

    SPEC = HelmChartSpec
    STATUS = HelmChartStatus


# --- Bucket -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BucketSpec:
    """`Bucket.spec`."""

    bucket_name: str
    endpoint: str
    interval: timedelta
    provider: str = "generic"
    region: str | None = None
    prefix: str | None = None
    insecure: bool = False
    timeout: timedelta = DEFAULT_TIMEOUT
    secret_ref: LocalObjectReference | None = None
    cert_secret_ref: LocalObjectReference | None = None
    proxy_secret_ref: LocalObjectReference | None = None
    service_account_name: str | None = None
    ignore: str | None = None
    suspend: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> BucketSpec:
        """Read from the `spec` view."""
        return cls(f.req_text("bucketName"), f.req_text("endpoint"), f.req_duration("interval"),
                   f.text("provider", "generic"), f.opt_text("region"), f.opt_text("prefix"),
                   f.flag("insecure"), f.duration("timeout", DEFAULT_TIMEOUT),
                   _secret(f, "secretRef"), _secret(f, "certSecretRef"),
                   _secret(f, "proxySecretRef"), f.opt_text("serviceAccountName"),
                   f.opt_text("ignore"), f.flag("suspend"))


@dataclass(frozen=True, slots=True)
class BucketStatus(OCIRepositoryStatus):
    """`Bucket.status`: the same fields as `OCIRepository.status`."""


@dataclass(frozen=True, slots=True)
class Bucket(FluxObject[BucketSpec, BucketStatus]):
    """A `Bucket` object."""

    KIND = "Bucket"

    SPEC = BucketSpec
    STATUS = BucketStatus
