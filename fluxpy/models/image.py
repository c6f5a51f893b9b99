"""Models of the image automation kinds (`image.toolkit.fluxcd.io/v1`):
ImageRepository, ImagePolicy and ImageUpdateAutomation.

The image pipeline scans tags for an `ImageRepository` (recording
`lastScanResult`), selects one per `ImagePolicy` (recording `latestRef`), and
lets an `ImageUpdateAutomation` rewrite setter markers in Git and push
(recording `lastPushCommit`). Defaults Flux applies are encoded here: the
scan timeout is the interval, the exclusion list is `^.*\\.sig$`, policies
order `asc`, digest reflection is `Never` (10m interval when `Always`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fluxpy.models._fields import Fields
from fluxpy.models.common import (
    CrossNamespaceSourceReference,
    FluxObject,
    LocalObjectReference,
    NamespacedObjectReference,
    StatusBase,
    put,
)
from fluxpy.models.gitref import GitRepositoryRef

DEFAULT_EXCLUSION_LIST = ("^.*\\.sig$",)
DEFAULT_REFLECTION_INTERVAL = timedelta(minutes=10)
DEFAULT_COMMIT_MESSAGE = "Update from image update automation"
POLICY_KINDS = ("semver", "alphabetical", "numerical")


# --- ImageRepository --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ImageRepositorySpec:
    """`ImageRepository.spec`."""

    image: str
    interval: timedelta
    timeout: timedelta | None = None
    secret_ref: LocalObjectReference | None = None
    cert_secret_ref: LocalObjectReference | None = None
    proxy_secret_ref: LocalObjectReference | None = None
    service_account_name: str | None = None
    provider: str = "generic"
    insecure: bool = False
    access_from: Mapping[str, Any] | None = None
    exclusion_list: tuple[str, ...] = DEFAULT_EXCLUSION_LIST
    suspend: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> ImageRepositorySpec:
        """Read from the `spec` view."""
        exclusions = f.texts("exclusionList") if f.raw("exclusionList") is not None \
            else DEFAULT_EXCLUSION_LIST
        if len(exclusions) > 25:
            raise f.error("exclusionList", f"has {len(exclusions)} entries, at most 25 are allowed")
        return cls(f.req_text("image"), f.req_duration("interval"), f.opt_duration("timeout"),
                   LocalObjectReference.optional(f, "secretRef"),
                   LocalObjectReference.optional(f, "certSecretRef"),
                   LocalObjectReference.optional(f, "proxySecretRef"),
                   f.opt_text("serviceAccountName"), f.text("provider", "generic"),
                   f.flag("insecure"), f.any_mapping("accessFrom"), exclusions, f.flag("suspend"))

    @property
    def effective_timeout(self) -> timedelta:
        """`timeout`, defaulting to `interval`."""
        return self.timeout if self.timeout is not None else self.interval


@dataclass(frozen=True, slots=True)
class ScanResult:
    """`status.lastScanResult`."""

    tag_count: int
    revision: str | None = None
    scan_time: datetime | None = None
    latest_tags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """API form (`tagCount` always written)."""
        out: dict[str, Any] = {}
        put(out, "revision", self.revision)
        out["tagCount"] = self.tag_count
        put(out, "scanTime", self.scan_time)
        put(out, "latestTags", self.latest_tags)
        return out


@dataclass(frozen=True, slots=True)
class ImageRepositoryStatus(StatusBase):
    """`ImageRepository.status`."""

    canonical_image_name: str | None = None
    observed_exclusion_list: tuple[str, ...] = ()
    last_scan_result: ScanResult | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> ImageRepositoryStatus:
        """Read from the `status` view."""
        s = f.obj("lastScanResult")
        scan = None if s is None else ScanResult(s.integer("tagCount"), s.opt_text("revision"),
                                                 s.opt_time("scanTime"), s.texts("latestTags"))
        return cls(**cls.base_fields(f), canonical_image_name=f.opt_text("canonicalImageName"),
                   observed_exclusion_list=f.texts("observedExclusionList"),
                   last_scan_result=scan)

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields."""
        out = self.base_dict()
        put(out, "canonicalImageName", self.canonical_image_name)
        put(out, "lastScanResult", self.last_scan_result.to_dict() if self.last_scan_result else None)
        put(out, "observedExclusionList", self.observed_exclusion_list)
        return out


@dataclass(frozen=True, slots=True)
class ImageRepository(FluxObject[ImageRepositorySpec, ImageRepositoryStatus]):
    """An `ImageRepository` object."""

    KIND = "ImageRepository"

    SPEC = ImageRepositorySpec
    STATUS = ImageRepositoryStatus


# --- ImagePolicy ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PolicyChoice:
    """`spec.policy`: exactly one of semver (with `range`), alphabetical or
    numerical (with `order`, `asc` by default)."""

    kind: str
    range: str | None = None
    order: str = "asc"

    @classmethod
    def from_fields(cls, f: Fields) -> PolicyChoice:
        """Read from the `policy` view."""
        present = [k for k in POLICY_KINDS if f.raw(k) is not None]
        if len(present) != 1:
            raise f.error("", "exactly one of semver, alphabetical or numerical must be set")
        sub = f.req_obj(present[0])
        if present[0] == "semver":
            return cls("semver", range=sub.req_text("range"))
        return cls(present[0], order=sub.one_of("order", ("asc", "desc"), "asc"))


@dataclass(frozen=True, slots=True)
class TagFilter:
    """`spec.filterTags`: an unanchored Go regexp and an extract template."""

    pattern: str | None = None
    extract: str | None = None


@dataclass(frozen=True, slots=True)
class ImageRef:
    """`latestRef` / `observedPreviousRef`: `{name, tag, digest?}`."""

    name: str
    tag: str
    digest: str | None = None

    @classmethod
    def optional(cls, f: Fields, key: str) -> ImageRef | None:
        """The ref under `key`, or None."""
        sub = f.obj(key)
        if sub is None:
            return None
        return cls(sub.req_text("name"), sub.req_text("tag"), sub.opt_text("digest"))

    def __str__(self) -> str:
        return f"{self.name}:{self.tag}" + (f"@{self.digest}" if self.digest else "")

    def to_dict(self) -> dict[str, Any]:
        """API form."""
        out: dict[str, Any] = {"name": self.name, "tag": self.tag}
        put(out, "digest", self.digest)
        return out


@dataclass(frozen=True, slots=True)
class ImagePolicySpec:
    """`ImagePolicy.spec`."""

    image_repository_ref: NamespacedObjectReference
    policy: PolicyChoice
    filter_tags: TagFilter | None = None
    digest_reflection_policy: str = "Never"
    interval: timedelta | None = None
    suspend: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> ImagePolicySpec:
        """Read from the `spec` view."""
        ft = f.obj("filterTags")
        tags = None if ft is None else TagFilter(ft.opt_text("pattern"), ft.opt_text("extract"))
        return cls(NamespacedObjectReference.from_fields(f.req_obj("imageRepositoryRef")),
                   PolicyChoice.from_fields(f.req_obj("policy")), tags,
                   f.one_of("digestReflectionPolicy", ("Never", "IfNotPresent", "Always"), "Never"),
                   f.opt_duration("interval"), f.flag("suspend"))

    @property
    def effective_interval(self) -> timedelta | None:
        """Re-reflection interval: only with `Always`, default 10m."""
        if self.digest_reflection_policy != "Always":
            return None
        return self.interval if self.interval is not None else DEFAULT_REFLECTION_INTERVAL


@dataclass(frozen=True, slots=True)
class ImagePolicyStatus(StatusBase):
    """`ImagePolicy.status`."""

    latest_ref: ImageRef | None = None
    observed_previous_ref: ImageRef | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> ImagePolicyStatus:
        """Read from the `status` view."""
        return cls(**cls.base_fields(f), latest_ref=ImageRef.optional(f, "latestRef"),
                   observed_previous_ref=ImageRef.optional(f, "observedPreviousRef"))

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields."""
        out = self.base_dict()
        put(out, "latestRef", self.latest_ref.to_dict() if self.latest_ref else None)
        put(out, "observedPreviousRef",
            self.observed_previous_ref.to_dict() if self.observed_previous_ref else None)
        return out


@dataclass(frozen=True, slots=True)
class ImagePolicy(FluxObject[ImagePolicySpec, ImagePolicyStatus]):
    """An `ImagePolicy` object."""

    KIND = "ImagePolicy"

    SPEC = ImagePolicySpec
    STATUS = ImagePolicyStatus


# --- ImageUpdateAutomation --------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CommitSpec:
    """`git.commit`: author, signing key and message template."""

    author_email: str
    author_name: str | None = None
    signing_key_secret: LocalObjectReference | None = None
    signing_key_type: str = "gpg"
    message_template: str | None = None
    message_template_values: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, f: Fields) -> CommitSpec:
        """Read from the `commit` view."""
        author = f.req_obj("author")
        key = f.obj("signingKey")
        return cls(author.req_text("email"), author.opt_text("name"),
                   LocalObjectReference.optional(key, "secretRef") if key else None,
                   key.one_of("type", ("gpg", "ssh"), "gpg") if key else "gpg",
                   f.opt_text("messageTemplate"), f.mapping("messageTemplateValues"))


@dataclass(frozen=True, slots=True)
class GitAutomation:
    """`spec.git`: checkout ref, commit and push settings."""

    commit: CommitSpec
    checkout_ref: GitRepositoryRef | None = None
    push_branch: str | None = None
    push_refspec: str | None = None
    push_options: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, f: Fields) -> GitAutomation:
        """Read from the `git` view."""
        checkout = f.obj("checkout")
        push = f.obj("push")
        return cls(CommitSpec.from_fields(f.req_obj("commit")),
                   GitRepositoryRef.optional(checkout) if checkout else None,
                   push.opt_text("branch") if push else None,
                   push.opt_text("refspec") if push else None,
                   push.mapping("options") if push else {})


@dataclass(frozen=True, slots=True)
class ImageUpdateAutomationSpec:
    """`ImageUpdateAutomation.spec`."""

    source_ref: CrossNamespaceSourceReference
    interval: timedelta
    git: GitAutomation | None = None
    update_strategy: str = "Setters"
    update_path: str | None = None
    policy_selector: Mapping[str, Any] | None = None
    suspend: bool = False

    @classmethod
    def from_fields(cls, f: Fields) -> ImageUpdateAutomationSpec:
        """Read from the `spec` view."""
        g = f.obj("git")
        up = f.obj("update")
        return cls(CrossNamespaceSourceReference.from_fields(f.req_obj("sourceRef"),
                                                             default_kind="GitRepository"),
                   f.req_duration("interval"), GitAutomation.from_fields(g) if g else None,
                   up.one_of("strategy", ("Setters",), "Setters") if up else "Setters",
                   up.opt_text("path") if up else None, f.any_mapping("policySelector"),
                   f.flag("suspend"))


@dataclass(frozen=True, slots=True)
class ImageUpdateAutomationStatus(StatusBase):
    """`ImageUpdateAutomation.status`."""

    last_automation_run_time: datetime | None = None
    last_push_commit: str | None = None
    last_push_time: datetime | None = None
    observed_source_revision: str | None = None
    observed_policies: Mapping[str, ImageRef] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, f: Fields) -> ImageUpdateAutomationStatus:
        """Read from the `status` view."""
        op = f.obj("observedPolicies")
        policies: dict[str, ImageRef] = {}
        if op is not None:
            for key in op.data:
                ref = ImageRef.optional(op, str(key))
                if ref is not None:
                    policies[str(key)] = ref
        return cls(**cls.base_fields(f), last_automation_run_time=f.opt_time("lastAutomationRunTime"),
                   last_push_commit=f.opt_text("lastPushCommit"),
                   last_push_time=f.opt_time("lastPushTime"),
                   observed_source_revision=f.opt_text("observedSourceRevision"),
                   observed_policies=policies)

    def to_dict(self) -> dict[str, Any]:
        """API form, omitting empty fields."""
        out = self.base_dict()
        put(out, "lastAutomationRunTime", self.last_automation_run_time)
        put(out, "lastPushCommit", self.last_push_commit)
        put(out, "lastPushTime", self.last_push_time)
        put(out, "observedSourceRevision", self.observed_source_revision)
        put(out, "observedPolicies", {k: v.to_dict() for k, v in self.observed_policies.items()})
        return out


@dataclass(frozen=True, slots=True)
class ImageUpdateAutomation(FluxObject[ImageUpdateAutomationSpec, ImageUpdateAutomationStatus]):
    """An `ImageUpdateAutomation` object."""

    KIND = "ImageUpdateAutomation"

    SPEC = ImageUpdateAutomationSpec
    STATUS = ImageUpdateAutomationStatus
