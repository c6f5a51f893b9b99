"""Model of the HelmRelease kind (`helm.toolkit.fluxcd.io/v2`).

The Helm pipeline reads a `HelmRelease` for the chart source, values,
actions and rendering settings, and writes back its status (history,
failure counters, digests, conditions). Names Flux derives are computed here
so every stage agrees: the release name (`[<targetNamespace>-]<name>`, cut to
40 chars + `-` + 12 hex of its sha256 when longer than 53), the target and
storage namespaces, and the HelmChart `<ns>-<name>` created for `chart.spec`.
The action settings live in `fluxpy.models.helm_actions`.
"""

from __future__ import annotations

import hashlib
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
    Patch,
    StatusBase,
    put,
)
from fluxpy.models.helm_actions import Install, Rollback, Test, Uninstall, Upgrade
from fluxpy.models.inventory import Inventory
from fluxpy.models.source import HelmChartSpec

MAX_RELEASE_NAME = 53
_SHORT_HASH = 12
DEFAULT_TIMEOUT = timedelta(minutes=5)
DEFAULT_MAX_HISTORY = 5
CHART_REF_KINDS = ("OCIRepository", "HelmChart", "ExternalArtifact")


def shorten_release_name(name: str) -> str:
    """Helm release names are limited to 53 chars; Flux shortens longer ones.

    Returns:
        `name` when it fits, else its first 40 chars + `-` + the first 12
        hex digits of sha256(name), 53 chars in all.
    """
    if len(name) <= MAX_RELEASE_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:_SHORT_HASH]
    return f"{name[:MAX_RELEASE_NAME - _SHORT_HASH - 1]}-{digest}"


def release_name(name: str, *, release_name: str | None = None,
                 target_namespace: str | None = None) -> str:
    """The Helm release name Flux uses for a HelmRelease.

    Args:
        name: the HelmRelease's `metadata.name`.
        release_name: `spec.releaseName`, if set.
        target_namespace: `spec.targetNamespace`, if set.

    Returns:
        `releaseName`, else `<targetNamespace>-<name>`, else `<name>`,
        shortened by `shorten_release_name`.
    """
    if release_name:
        full = release_name
    elif target_namespace:
        full = f"{target_namespace}-{name}"
    else:
        full = name
    return shorten_release_name(full)


@dataclass(frozen=True, slots=True)
class ChartTemplate:
    """`spec.chart`: the HelmChart Flux creates for this release."""

    spec: HelmChartSpec
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ValuesReference:
    """`valuesFrom[]`: values from a ConfigMap or Secret key."""

    kind: str
    name: str
    values_key: str = "values.yaml"
    target_path: str | None = None
    optional: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> ValuesReference:
        """Read from a `Fields` view."""
        kind = f.req_text("kind")
        if kind not in ("ConfigMap", "Secret"):
            raise f.error("kind", f'unsupported value "{kind}"', hint="use ConfigMap or Secret")
        return cls(kind, f.req_text("name"), f.text("valuesKey", "values.yaml"),
                   f.opt_text("targetPath"), f.flag("optional"))


@dataclass(frozen=True, slots=True)
class PostRenderer:
    """`postRenderers[]`: a kustomize post-renderer."""

    patches: tuple[Patch, ...] = ()
    images: tuple[Image, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields) -> PostRenderer:
        """Read from a `Fields` view."""
        k = f.obj("kustomize")
        if k is None:
            return cls()
        return cls(k.each("patches", Patch.from_fields), k.each("images", Image.from_fields))


@dataclass(frozen=True, slots=True)
class DriftDetection:
    """`driftDetection`: mode `enabled`, `warn` or `disabled` (default)."""

    mode: str = "disabled"
    ignore: tuple[IgnoreRule, ...] = ()

    @classmethod
    def from_fields(cls, f: Fields | None) -> DriftDetection:
        """Read from the `driftDetection` view (defaults when None)."""
        if f is None:
            return cls()
        return cls(f.one_of("mode", ("enabled", "warn", "disabled"), "disabled"),
                   f.each("ignore", IgnoreRule.from_fields))


@dataclass(frozen=True, slots=True)
class HelmReleaseSpec:
    """`HelmRelease.spec`; exactly one of `chart` and `chart_ref` is set."""

    interval: timedelta
    chart: ChartTemplate | None = None
    chart_ref: CrossNamespaceSourceReference | None = None
    release_name: str | None = None
    target_namespace: str | None = None
    storage_namespace: str | None = None
    timeout: timedelta | None = None
    max_history: int | None = None
    service_account_name: str | None = None
    kube_config: KubeConfigReference | None = None
    persistent_client: bool = True
    depends_on: tuple[DependencyReference, ...] = ()
    suspend: bool = False
    wait_strategy: str | None = None
    health_check_exprs: tuple[HealthCheckExpr, ...] = ()
    post_render_strategy: str | None = None
    values_from: tuple[ValuesReference, ...] = ()
    values: Mapping[str, Any] | None = None
    install: Install = Install()
    upgrade: Upgrade = Upgrade()
    test: Test = Test()
    rollback: Rollback = Rollback()
    uninstall: Uninstall = Uninstall()
    post_renderers: tuple[PostRenderer, ...] = ()
    common_metadata: CommonMetadata | None = None
    drift_detection: DriftDetection = DriftDetection()

    @classmethod
    def from_fields(cls, f: Fields) -> HelmReleaseSpec:
        """Read from the `spec` view."""
        chart: ChartTemplate | None = None
        c = f.obj("chart")
        if c is not None:
            meta = c.obj("metadata")
            chart = ChartTemplate(HelmChartSpec.from_fields(c.req_obj("spec"), interval_required=False),
                                  meta.mapping("labels") if meta else {},
                                  meta.mapping("annotations") if meta else {})
        ref = f.obj("chartRef")
        chart_ref = None if ref is None else CrossNamespaceSourceReference.from_fields(ref)
        if (chart is None) == (chart_ref is None):
            raise f.error("chart", "exactly one of spec.chart and spec.chartRef must be set")
        if chart_ref is not None and chart_ref.kind not in CHART_REF_KINDS:
            raise f.error("chartRef.kind", f'unsupported value "{chart_ref.kind}"',
                          hint=f"use one of: {', '.join(CHART_REF_KINDS)}")
        ws = f.obj("waitStrategy")
        return cls(
            interval=f.req_duration("interval"), chart=chart, chart_ref=chart_ref,
            release_name=f.opt_text("releaseName"), target_namespace=f.opt_text("targetNamespace"),
            storage_namespace=f.opt_text("storageNamespace"), timeout=f.opt_duration("timeout"),
            max_history=f.opt_int("maxHistory"),
            service_account_name=f.opt_text("serviceAccountName"),
            kube_config=KubeConfigReference.optional(f),
            persistent_client=f.flag("persistentClient", True),
            depends_on=f.each("dependsOn", DependencyReference.from_fields),
            suspend=f.flag("suspend"), wait_strategy=ws.opt_text("name") if ws else None,
            health_check_exprs=f.each("healthCheckExprs", HealthCheckExpr.from_fields),
            post_render_strategy=f.opt_text("postRenderStrategy"),
            values_from=f.each("valuesFrom", ValuesReference.from_fields),
            values=f.any_mapping("values"),
            install=Install.from_fields(f.obj("install")),
            upgrade=Upgrade.from_fields(f.obj("upgrade")), test=Test.from_fields(f.obj("test")),
            rollback=Rollback.from_fields(f.obj("rollback")),
            uninstall=Uninstall.from_fields(f.obj("uninstall")),
            post_renderers=f.each("postRenderers", PostRenderer.from_fields),
            common_metadata=CommonMetadata.optional(f),
            drift_detection=DriftDetection.from_fields(f.obj("driftDetection")))

    @property
    def effective_timeout(self) -> timedelta:
        """`timeout`, default 5m."""
        return self.timeout if self.timeout is not None else DEFAULT_TIMEOUT

    @property
    def effective_max_history(self) -> int:
        """`maxHistory`, default 5; 0 means unlimited."""
        return self.max_history if self.max_history is not None else DEFAULT_MAX_HISTORY


@dataclass(frozen=True, slots=True)
class TestHookStatus:
    """One entry of `history[].testHooks`."""

    __test__ = False  # not a pytest test class

    last_started: datetime | None = None
    last_completed: datetime | None = None
    phase: str | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """`status.history[]`: one Helm release version, newest first."""

    name: str
    namespace: str
    version: int
    status: str
    chart_name: str
    chart_version: str
    digest: str | None = None
    action: str | None = None
    app_version: str | None = None
    config_digest: str | None = None
    oci_digest: str | None = None
    first_deployed: datetime | None = None
    last_deployed: datetime | None = None
    deleted: datetime | None = None
    test_hooks: Mapping[str, TestHookStatus] = field(default_factory=dict)
    api_version: str = "v2"

    @classmethod
    def from_fields(cls, f: Fields) -> Snapshot:
        """Read from a `Fields` view."""
        hooks: dict[str, TestHookStatus] = {}
        th = f.obj("testHooks")
        if th is not None:
            for key in th.data:
                h = th.req_obj(str(key))
                hooks[str(key)] = TestHookStatus(h.opt_time("lastStarted"),
                                                 h.opt_time("lastCompleted"), h.opt_text("phase"))
        return cls(f.req_text("name"), f.req_text("namespace"), f.integer("version"),
                   f.req_text("status"), f.req_text("chartName"), f.req_text("chartVersion"),
                   f.opt_text("digest"), f.opt_text("action"), f.opt_text("appVersion"),
                   f.opt_text("configDigest"), f.opt_text("ociDigest"),
                   f.opt_time("firstDeployed"), f.opt_time("lastDeployed"), f.opt_time("deleted"),
                   hooks, f.text("apiVersion", "v2"))

    @property
    def full_release_name(self) -> str:
        """`<namespace>/<name>.v<version>`, as in Flux's messages."""
        return f"{self.namespace}/{self.name}.v{self.version}"

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields."""
        out: dict[str, Any] = {"apiVersion": self.api_version}
        for key, value in (("digest", self.digest), ("name", self.name),
                           ("namespace", self.namespace), ("version", self.version),
                           ("status", self.status), ("action", self.action),
                           ("chartName", self.chart_name), ("chartVersion", self.chart_version),
                           ("appVersion", self.app_version), ("configDigest", self.config_digest),
                           ("firstDeployed", self.first_deployed),
                           ("lastDeployed", self.last_deployed), ("deleted", self.deleted),
                           ("ociDigest", self.oci_digest)):
            put(out, key, value)
        hooks = {}
        for hook, st in self.test_hooks.items():
            entry: dict[str, Any] = {}
            put(entry, "lastStarted", st.last_started)
            put(entry, "lastCompleted", st.last_completed)
            put(entry, "phase", st.phase)
            hooks[hook] = entry
        put(out, "testHooks", hooks)
        return out


@dataclass(frozen=True, slots=True)
class HelmReleaseStatus(StatusBase):
    """`HelmRelease.status`."""

    last_attempted_generation: int | None = None
    helm_chart: str | None = None
    storage_namespace: str | None = None
    history: tuple[Snapshot, ...] = ()
    inventory: Inventory | None = None
    last_attempted_release_action: str | None = None
    last_attempted_release_action_duration: timedelta | None = None
    failures: int = 0
    install_failures: int = 0
    upgrade_failures: int = 0
    last_attempted_revision: str | None = None
    last_attempted_revision_digest: str | None = None
    last_attempted_config_digest: str | None = None
    last_release_revision: int | None = None
    observed_post_renderers_digest: str | None = None
    observed_common_metadata_digest: str | None = None
    last_handled_force_at: str | None = None
    last_handled_reset_at: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> HelmReleaseStatus:
        """Read from the `status` view."""
        return cls(
            **cls.base_fields(f), last_attempted_generation=f.opt_int("lastAttemptedGeneration"),
            helm_chart=f.opt_text("helmChart"), storage_namespace=f.opt_text("storageNamespace"),
            history=f.each("history", Snapshot.from_fields), inventory=Inventory.optional(f),
            last_attempted_release_action=f.opt_text("lastAttemptedReleaseAction"),
            last_attempted_release_action_duration=f.opt_duration(
                "lastAttemptedReleaseActionDuration"),
            failures=f.integer("failures"), install_failures=f.integer("installFailures"),
            upgrade_failures=f.integer("upgradeFailures"),
            last_attempted_revision=f.opt_text("lastAttemptedRevision"),
            last_attempted_revision_digest=f.opt_text("lastAttemptedRevisionDigest"),
            last_attempted_config_digest=f.opt_text("lastAttemptedConfigDigest"),
            last_release_revision=f.opt_int("lastReleaseRevision"),
            observed_post_renderers_digest=f.opt_text("observedPostRenderersDigest"),
            observed_common_metadata_digest=f.opt_text("observedCommonMetadataDigest"),
            last_handled_force_at=f.opt_text("lastHandledForceAt"),
            last_handled_reset_at=f.opt_text("lastHandledResetAt"))

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields (zero counters included)."""
        out = self.base_dict()
        dur = self.last_attempted_release_action_duration
        for key, value in (
                ("lastHandledForceAt", self.last_handled_force_at),
                ("lastHandledResetAt", self.last_handled_reset_at),
                ("lastAttemptedGeneration", self.last_attempted_generation or None),
                ("helmChart", self.helm_chart), ("storageNamespace", self.storage_namespace),
                ("history", [s.to_dict() for s in self.history]),
                ("inventory", self.inventory.to_dict() if self.inventory is not None else None),
                ("lastAttemptedReleaseAction", self.last_attempted_release_action),
                ("lastAttemptedReleaseActionDuration",
                 duration.format(dur) if dur is not None else None),
                ("failures", self.failures or None),
                ("installFailures", self.install_failures or None),
                ("upgradeFailures", self.upgrade_failures or None),
                ("lastAttemptedRevision", self.last_attempted_revision),
                ("lastAttemptedRevisionDigest", self.last_attempted_revision_digest),
                ("lastAttemptedConfigDigest", self.last_attempted_config_digest),
                ("lastReleaseRevision", self.last_release_revision or None),
                ("observedPostRenderersDigest", self.observed_post_renderers_digest),
                ("observedCommonMetadataDigest", self.observed_common_metadata_digest)):
            put(out, key, value)
        return out


@dataclass(frozen=True, slots=True)
class HelmRelease(FluxObject[HelmReleaseSpec, HelmReleaseStatus]):
    """A `HelmRelease` object."""

    KIND = "HelmRelease"

    SPEC = HelmReleaseSpec
    STATUS = HelmReleaseStatus

    @property
    def release_name(self) -> str:
        """The Helm release name (defaulted and shortened)."""
        return release_name(self.metadata.name, release_name=self.spec.release_name,
                            target_namespace=self.spec.target_namespace)

    @property
    def target_namespace(self) -> str | None:
        """Where the release's objects go: `targetNamespace` or the HR's namespace."""
        return self.spec.target_namespace or self.metadata.namespace

    @property
    def storage_namespace(self) -> str | None:
        """Where Helm stores the release: `storageNamespace` or the HR's namespace."""
        return self.spec.storage_namespace or self.metadata.namespace

    @property
    def helm_chart_ref(self) -> tuple[str | None, str] | None:
        """`(namespace, name)` of the HelmChart Flux creates for `spec.chart`.

        The name is `<hr-namespace>-<hr-name>`, in the source's namespace.
        None when the release uses `chartRef`.
        """
        if self.spec.chart is None:
            return None
        ns = self.spec.chart.spec.source_ref.namespace or self.metadata.namespace
        return ns, f"{self.metadata.namespace}-{self.metadata.name}"

    @property
    def revision(self) -> str | None:
        """What `flux get helmreleases` shows: `history[0].chartVersion`,
        else `lastAttemptedRevision`."""
        if self.status.history:
            return self.status.history[0].chart_version
        return self.status.last_attempted_revision
