"""Model of the Kustomization kind (`kustomize.toolkit.fluxcd.io/v1`).

The sync pipeline reads a `Kustomization` to know which artifact to build,
how (path, patches, substitutions, decryption), how to apply and prune, and
what to wait for; it writes back `status` (revisions, inventory, history,
conditions). The derived defaults live here so every stage agrees on them:
`retryInterval` defaults to `interval`; the timeout is `timeout` or
`interval - 30s`, never below 30s (as `Kustomization.GetTimeout` does); the
`MirrorPrune` deletion policy follows `prune`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fluxpy.models import duration
from fluxpy.models._fields import Fields
from fluxpy.models.common import (
    CommonMetadata,
    CrossNamespaceSourceReference,
    DependencyReference,
    FluxObject,
    HealthCheckExpr,
    IgnoreRule,
    Image,
    KubeConfigReference,
    LocalObjectReference,
    Patch,
    StatusBase,
    put,
)
from fluxpy.models.inventory import Inventory

MIN_TIMEOUT = timedelta(seconds=30)
SOURCE_KINDS = ("GitRepository", "OCIRepository", "Bucket", "ExternalArtifact")
DELETION_POLICIES = ("MirrorPrune", "Delete", "WaitForTermination", "Orphan")
HISTORY_STATUSES = ("ReconciliationSucceeded", "ReconciliationFailed", "PruneFailed",
                    "HealthCheckFailed")
MAX_HISTORY = 5


@dataclass(frozen=True, slots=True)
class HealthCheckReference:
    """`healthChecks[]`: `{apiVersion, kind, name, namespace}`."""

    kind: str
    name: str
    api_version: str | None = None
    namespace: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> HealthCheckReference:
        """Read from a `Fields` view."""
        return cls(f.req_text("kind"), f.req_text("name"), f.opt_text("apiVersion"),
                   f.opt_text("namespace"))


@dataclass(frozen=True, slots=True)
class SubstituteReference:
    """`postBuild.substituteFrom[]`: a ConfigMap or Secret of variables."""

    kind: str
    name: str
    optional: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> SubstituteReference:
        """Read from a `Fields` view."""
        kind = f.req_text("kind")
        if kind not in ("ConfigMap", "Secret"):
            raise f.error("kind", f'unsupported value "{kind}"', hint="use ConfigMap or Secret")
        return cls(kind, f.req_text("name"), f.flag("optional"))


@dataclass(frozen=True, slots=True)
class PostBuild:
    """`postBuild`: variable substitution settings."""

    substitute: Mapping[str, str] = field(default_factory=dict)
    substitute_from: tuple[SubstituteReference, ...] = ()
    substitute_strategy: str = "WithVariables"

    @classmethod
    def optional(cls, f: Fields) -> PostBuild | None:
        """The settings under `postBuild`, or None."""
        sub = f.obj("postBuild")
        if sub is None:
            return None
        return cls(sub.mapping("substitute"),
                   sub.each("substituteFrom", SubstituteReference.from_fields),
                   sub.one_of("substituteStrategy", ("WithVariables", "Always"), "WithVariables"))


@dataclass(frozen=True, slots=True)
class Decryption:
    """`decryption`: SOPS settings."""

    provider: str = "sops"
    secret_ref: LocalObjectReference | None = None
    service_account_name: str | None = None

    @classmethod
    def optional(cls, f: Fields) -> Decryption | None:
        """The settings under `decryption`, or None."""
        sub = f.obj("decryption")
        if sub is None:
            return None
        return cls(sub.text("provider", "sops"), LocalObjectReference.optional(sub, "secretRef"),
                   sub.opt_text("serviceAccountName"))


@dataclass(frozen=True, slots=True)
class KustomizationSpec:
    """`Kustomization.spec`. Durations are `timedelta`s; see the properties
    for the effective (defaulted) values."""

    source_ref: CrossNamespaceSourceReference
    interval: timedelta
    prune: bool
    path: str | None = None
    retry_interval: timedelta | None = None
    timeout: timedelta | None = None
    deletion_policy: str = "MirrorPrune"
    wait: bool = False
    health_checks: tuple[HealthCheckReference, ...] = ()
    health_check_exprs: tuple[HealthCheckExpr, ...] = ()
    depends_on: tuple[DependencyReference, ...] = ()
    target_namespace: str | None = None
    name_prefix: str | None = None
    name_suffix: str | None = None
    components: tuple[str, ...] = ()
    ignore_missing_components: bool = False
    patches: tuple[Patch, ...] = ()
    images: tuple[Image, ...] = ()
    common_metadata: CommonMetadata | None = None
    build_metadata: tuple[str, ...] = ()
    post_build: PostBuild | None = None
    decryption: Decryption | None = None
    service_account_name: str | None = None
    kube_config: KubeConfigReference | None = None
    force: bool = False
    suspend: bool = False
    ignore: tuple[IgnoreRule, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields) -> KustomizationSpec:
        """Read from the `spec` view."""
        source = CrossNamespaceSourceReference.from_fields(f.req_obj("sourceRef"))
        if source.kind not in SOURCE_KINDS:
            raise f.error("sourceRef.kind", f'unsupported value "{source.kind}"',
                          hint=f"use one of: {', '.join(SOURCE_KINDS)}")
        if not f.has("prune"):
            raise f.error("prune", "required field is missing")
        return cls(
            source_ref=source, interval=f.req_duration("interval"), prune=f.flag("prune"),
            path=f.opt_text("path"), retry_interval=f.opt_duration("retryInterval"),
            timeout=f.opt_duration("timeout"),
            deletion_policy=f.one_of("deletionPolicy", DELETION_POLICIES, "MirrorPrune"),
            wait=f.flag("wait"),
            health_checks=f.each("healthChecks", HealthCheckReference.from_fields),
            health_check_exprs=f.each("healthCheckExprs", HealthCheckExpr.from_fields),
            depends_on=f.each("dependsOn", DependencyReference.from_fields),
            target_namespace=f.opt_text("targetNamespace"), name_prefix=f.opt_text("namePrefix"),
            name_suffix=f.opt_text("nameSuffix"), components=f.texts("components"),
            ignore_missing_components=f.flag("ignoreMissingComponents"),
            patches=f.each("patches", Patch.from_fields), images=f.each("images", Image.from_fields),
            common_metadata=CommonMetadata.optional(f), build_metadata=f.texts("buildMetadata"),
            post_build=PostBuild.optional(f), decryption=Decryption.optional(f),
            service_account_name=f.opt_text("serviceAccountName"),
            kube_config=KubeConfigReference.optional(f), force=f.flag("force"),
            suspend=f.flag("suspend"), ignore=f.each("ignore", IgnoreRule.from_fields))

    @property
    def effective_timeout(self) -> timedelta:
        """`timeout`, else `interval - 30s`; never below 30s (GetTimeout)."""
        value = self.timeout if self.timeout is not None else self.interval - MIN_TIMEOUT
        return max(value, MIN_TIMEOUT)

    @property
    def effective_retry_interval(self) -> timedelta:
        """`retryInterval`, else `interval`."""
        return self.retry_interval if self.retry_interval is not None else self.interval

    @property
    def prunes_on_delete(self) -> bool:
        """Whether deleting the Kustomization deletes its objects.

        `MirrorPrune` follows `prune`; `Delete` and `WaitForTermination` do,
        `Orphan` does not. (A suspended Kustomization never does; the caller
        checks `suspend`.)
        """
        if self.deletion_policy == "MirrorPrune":
            return self.prune
        return self.deletion_policy in ("Delete", "WaitForTermination")

    @property
    def health_checks_enabled(self) -> bool:
        """`wait` or any `healthChecks`: otherwise `Healthy` is removed."""
        return self.wait or bool(self.health_checks)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """`status.history[]`: one entry per build digest and status, newest first."""

    digest: str
    first_reconciled: datetime
    last_reconciled: datetime
    last_reconciled_duration: timedelta
    last_reconciled_status: str
    total_reconciliations: int
    metadata: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, f: Fields) -> HistoryEntry:
        """Read from a `Fields` view."""
        first = f.opt_time("firstReconciled")
        last = f.opt_time("lastReconciled")
        if first is None or last is None:
            raise f.error("firstReconciled" if first is None else "lastReconciled",
                          "required field is missing")
        return cls(f.req_text("digest"), first, last,
                   f.duration("lastReconciledDuration", timedelta(0)),
                   f.req_text("lastReconciledStatus"), f.integer("totalReconciliations"),
                   f.mapping("metadata"))

    def to_dict(self) -> dict[str, Any]:
        """API form."""
        out: dict[str, Any] = {"digest": self.digest}
        put(out, "firstReconciled", self.first_reconciled)
        put(out, "lastReconciled", self.last_reconciled)
        out["lastReconciledDuration"] = duration.format(self.last_reconciled_duration)
        out["lastReconciledStatus"] = self.last_reconciled_status
        out["totalReconciliations"] = self.total_reconciliations
        put(out, "metadata", dict(self.metadata))
        return out


@dataclass(frozen=True, slots=True)
class KustomizationStatus(StatusBase):
    """`Kustomization.status`."""

    last_applied_revision: str | None = None
    last_applied_origin_revision: str | None = None
    last_attempted_revision: str | None = None
    inventory: Inventory | None = None
    history: tuple[HistoryEntry, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields) -> KustomizationStatus:
        """Read from the `status` view."""
        return cls(**cls.base_fields(f),
                   last_applied_revision=f.opt_text("lastAppliedRevision"),
                   last_applied_origin_revision=f.opt_text("lastAppliedOriginRevision"),
                   last_attempted_revision=f.opt_text("lastAttemptedRevision"),
                   inventory=Inventory.optional(f),
                   history=f.each("history", HistoryEntry.from_fields))

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields."""
        out = self.base_dict()
        put(out, "lastAppliedRevision", self.last_applied_revision)
        put(out, "lastAppliedOriginRevision", self.last_applied_origin_revision)
        put(out, "lastAttemptedRevision", self.last_attempted_revision)
        put(out, "inventory", self.inventory.to_dict() if self.inventory is not None else None)
        put(out, "history", [h.to_dict() for h in self.history])
        return out


@dataclass(frozen=True, slots=True)
class Kustomization(FluxObject[KustomizationSpec, KustomizationStatus]):
    """A `Kustomization` object."""

    KIND = "Kustomization"

    SPEC = KustomizationSpec
    STATUS = KustomizationStatus

    @property
    def revision(self) -> str | None:
        """What `flux get kustomizations` shows: `lastAppliedRevision`."""
        return self.status.last_applied_revision
