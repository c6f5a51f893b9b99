"""Building blocks shared by the kind models: the base class, the status
fields every Flux kind has, object references, artifacts and selectors.

Each kind module (`source`, `kustomize`, `helm`, `image`, `notification`)
composes these. `FluxObject` holds the parsed `metadata`, `spec` and `status`
plus the original dict in `raw`, so a model can be read, inspected and its
status written back without ever losing fields fluxpy does not model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from fluxpy.models import conditions as conds
from fluxpy.models._fields import Fields
from fluxpy.models.conditions import Condition, ConditionFormatError
from fluxpy.models.errors import ModelError
from fluxpy.models.meta import (
    REQUESTED_AT_ANNOTATION,
    ObjectMeta,
    ObjectRef,
    format_time,
    subject_of,
)


def put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set `key` unless `value` is None or empty, like Go's `omitempty`.

    Zero integers and False are kept; pass `value or None` where the Go field
    is an omitempty number or boolean.
    """
    if value is None or (isinstance(value, (str, list, tuple, dict)) and not value):
        return
    if isinstance(value, datetime):
        value = format_time(value)
    elif isinstance(value, tuple):
        value = list(value)
    out[key] = value


# --- references ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LocalObjectReference:
    """`{name}`: an object in the referrer's namespace (usually a Secret)."""

    name: str

    @classmethod
    def from_fields(cls, f: Fields) -> LocalObjectReference:
        """Read from a `Fields` view."""
        return cls(f.req_text("name"))

    @classmethod
    def optional(cls, f: Fields, key: str) -> LocalObjectReference | None:
        """The reference under `key`, or None."""
        sub = f.obj(key)
        return None if sub is None else cls.from_fields(sub)

    def to_dict(self) -> dict[str, Any]:
        """API form."""
        return {"name": self.name}


@dataclass(frozen=True, slots=True)
class NamespacedObjectReference:
    """`{name, namespace?}`: namespace defaults to the referrer's."""

    name: str
    namespace: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> NamespacedObjectReference:
        """Read from a `Fields` view."""
        return cls(f.req_text("name"), f.opt_text("namespace"))

    def ref(self, kind: str, default_namespace: str | None) -> ObjectRef:
        """The referenced object, resolving the namespace."""
        return ObjectRef(kind, self.namespace or default_namespace, self.name)


@dataclass(frozen=True, slots=True)
class SecretKeyReference:
    """`{name, key?}`: one key of a Secret, e.g. `kubeConfig.secretRef`."""

    name: str
    key: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> SecretKeyReference:
        """Read from a `Fields` view."""
        return cls(f.req_text("name"), f.opt_text("key"))


@dataclass(frozen=True, slots=True)
class CrossNamespaceSourceReference:
    """`{kind, name, namespace?, apiVersion?}`: a source or chart reference."""

    kind: str
    name: str
    namespace: str | None = None
    api_version: str | None = None

    @classmethod
    def from_fields(cls, f: Fields, *, default_kind: str | None = None) -> CrossNamespaceSourceReference:
        """Read from a `Fields` view; `default_kind` fills a missing kind."""
        kind = f.text("kind", default_kind or "") or f.req_text("kind")
        return cls(kind, f.req_text("name"), f.opt_text("namespace"), f.opt_text("apiVersion"))

    def ref(self, default_namespace: str | None) -> ObjectRef:
        """The referenced object, resolving the namespace."""
        return ObjectRef(self.kind, self.namespace or default_namespace, self.name)


@dataclass(frozen=True, slots=True)
class DependencyReference:
    """One `dependsOn[]` entry: `{name, namespace?, readyExpr?}`."""

    name: str
    namespace: str | None = None
    ready_expr: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> DependencyReference:
        """Read from a `Fields` view."""
        return cls(f.req_text("name"), f.opt_text("namespace"), f.opt_text("readyExpr"))

    def ref(self, kind: str, default_namespace: str | None) -> ObjectRef:
        """The dependency, same kind as the dependent, namespace resolved."""
        return ObjectRef(kind, self.namespace or default_namespace, self.name)


@dataclass(frozen=True, slots=True)
class KubeConfigReference:
    """`kubeConfig`: a remote cluster's kubeconfig in a Secret key."""

    secret_ref: SecretKeyReference | None = None

    @classmethod
    def optional(cls, f: Fields, key: str = "kubeConfig") -> KubeConfigReference | None:
        """The reference under `key`, or None."""
        sub = f.obj(key)
        if sub is None:
            return None
        ref = sub.obj("secretRef")
        return cls(SecretKeyReference.from_fields(ref) if ref else None)


# --- selectors, patches, images -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Selector:
    """A kustomize target selector (patches, ignore rules); None matches any."""

    group: str | None = None
    version: str | None = None
    kind: str | None = None
    name: str | None = None
    namespace: str | None = None
    label_selector: str | None = None
    annotation_selector: str | None = None

    @classmethod
    def optional(cls, f: Fields, key: str = "target") -> Selector | None:
        """The selector under `key`, or None."""
        sub = f.obj(key)
        if sub is None:
            return None
        return cls(sub.opt_text("group"), sub.opt_text("version"), sub.opt_text("kind"),
                   sub.opt_text("name"), sub.opt_text("namespace"),
                   sub.opt_text("labelSelector"), sub.opt_text("annotationSelector"))


@dataclass(frozen=True, slots=True)
class Patch:
    """`patches[]`: an inline strategic-merge or JSON6902 patch and its target."""

    patch: str
    target: Selector | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Patch:
        """Read from a `Fields` view."""
        return cls(f.req_text("patch"), Selector.optional(f))


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """`ignore[]` (drift, apply): JSON Pointer paths, optionally per target."""

    paths: tuple[str, ...]
    target: Selector | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> IgnoreRule:
        """Read from a `Fields` view."""
        return cls(f.texts("paths"), Selector.optional(f))


@dataclass(frozen=True, slots=True)
class Image:
    """`images[]`: kustomize image override `{name, newName, newTag, digest}`."""

    name: str
    new_name: str | None = None
    new_tag: str | None = None
    digest: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> Image:
        """Read from a `Fields` view."""
        return cls(f.req_text("name"), f.opt_text("newName"), f.opt_text("newTag"),
                   f.opt_text("digest"))


@dataclass(frozen=True, slots=True)
class CommonMetadata:
    """`commonMetadata`: labels and annotations added to every object."""

    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def optional(cls, f: Fields, key: str = "commonMetadata") -> CommonMetadata | None:
        """The metadata under `key`, or None."""
        sub = f.obj(key)
        return None if sub is None else cls(sub.mapping("labels"), sub.mapping("annotations"))


@dataclass(frozen=True, slots=True)
class HealthCheckExpr:
    """`healthCheckExprs[]`: CEL expressions deciding a kind's health."""

    api_version: str
    kind: str
    current: str
    in_progress: str | None = None
    failed: str | None = None

    @classmethod
    def from_fields(cls, f: Fields) -> HealthCheckExpr:
        """Read from a `Fields` view."""
        return cls(f.req_text("apiVersion"), f.req_text("kind"), f.req_text("current"),
                   f.opt_text("inProgress"), f.opt_text("failed"))


# --- artifacts ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Artifact:
    """A source artifact: `{path, url, revision, digest, lastUpdateTime, size, metadata}`."""

    path: str
    url: str
    revision: str
    digest: str | None = None
    last_update_time: datetime | None = None
    size: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, f: Fields) -> Artifact:
        """Read from a `Fields` view."""
        return cls(f.req_text("path"), f.req_text("url"), f.req_text("revision"),
                   f.opt_text("digest"), f.opt_time("lastUpdateTime"), f.opt_int("size"),
                   f.mapping("metadata"))

    @classmethod
    def optional(cls, f: Fields, key: str = "artifact") -> Artifact | None:
        """The artifact under `key`, or None."""
        sub = f.obj(key)
        return None if sub is None else cls.from_fields(sub)

    def to_dict(self) -> dict[str, Any]:
        """API form, key order as Flux writes it."""
        out: dict[str, Any] = {}
        for key, value in (("path", self.path), ("url", self.url), ("revision", self.revision),
                           ("digest", self.digest), ("lastUpdateTime", self.last_update_time),
                           ("size", self.size), ("metadata", dict(self.metadata))):
            put(out, key, value)
        return out


# --- status and objects ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class StatusBase:
    """The status fields of every reconciled Flux kind.

    Args:
        observed_generation: last generation reconciled; the CRD default is -1.
        conditions: the conditions, in Flux order.
        last_handled_reconcile_at: the last `requestedAt` token handled.
    """

    observed_generation: int = -1
    conditions: tuple[Condition, ...] = ()
    last_handled_reconcile_at: str | None = None

    @staticmethod
    def base_fields(f: Fields) -> dict[str, Any]:
        """Keyword arguments for the shared fields, read from `status`."""
        items = []
        for i, item in enumerate(f.objs("conditions")):
            try:
                items.append(Condition.from_dict(item.data))
            except ConditionFormatError as exc:
                key = f"conditions[{i}].{exc.key}" if exc.key else f"conditions[{i}]"
                raise f.error(key, exc.problem) from exc
        return {"observed_generation": f.integer("observedGeneration", -1),
                "conditions": tuple(items),
                "last_handled_reconcile_at": f.opt_text("lastHandledReconcileAt")}

    def base_dict(self) -> dict[str, Any]:
        """The shared fields in API form."""
        out: dict[str, Any] = {}
        if self.observed_generation:
            out["observedGeneration"] = self.observed_generation
        put(out, "conditions", conds.to_list(self.conditions))
        put(out, "lastHandledReconcileAt", self.last_handled_reconcile_at)
        return out

    @classmethod
    def from_fields(cls, f: Fields) -> StatusBase:
        """Read a status with only the shared fields."""
        return cls(**cls.base_fields(f))

    def to_dict(self) -> dict[str, Any]:
        """API form of this status, omitting empty fields."""
        return self.base_dict()


class SpecLike(Protocol):
    """What `FluxObject` needs of a spec."""

    @property
    def suspend(self) -> bool:
        """Whether reconciliation is suspended."""
        ...


SpecT = TypeVar("SpecT", bound=SpecLike)
StatusT = TypeVar("StatusT", bound=StatusBase)


@dataclass(frozen=True, slots=True)
class FluxObject(Generic[SpecT, StatusT]):
    """A parsed Flux object.

    Args:
        metadata: the typed metadata.
        spec: the typed spec.
        status: the typed status (defaults when the object has none yet).
        raw: the object as read, so unknown fields are never lost.
    """

    KIND: ClassVar[str] = ""

    metadata: ObjectMeta
    spec: SpecT
    status: StatusT
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # Each kind names its spec and status classes; parsing is the same for all.
    SPEC: ClassVar[Any]
    STATUS: ClassVar[Any]

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> Self:
        """Parse an API object.

        Raises:
            ModelError: naming the object and the field at fault, e.g.
                `Kustomization/flux-system/apps: spec.interval: invalid duration "5x"`.
        """
        root, meta = open_object(cls.KIND, obj)
        return cls(meta, cls.SPEC.from_fields(root.req_obj("spec")), cls.STATUS.from_fields(status_fields(root)), obj)

    def status_dict(self) -> dict[str, Any]:
        """The status in API form, for writing back with a status patch."""
        return self.status.to_dict()

    @property
    def ref(self) -> ObjectRef:
        """`Kind/namespace/name` of this object."""
        return ObjectRef(self.KIND, self.metadata.namespace, self.metadata.name)

    @property
    def name(self) -> str:
        """`metadata.name`."""
        return self.metadata.name

    @property
    def namespace(self) -> str | None:
        """`metadata.namespace`."""
        return self.metadata.namespace

    @property
    def generation(self) -> int:
        """`metadata.generation`."""
        return self.metadata.generation

    @property
    def suspended(self) -> bool:
        """Whether `spec.suspend` is set."""
        return self.spec.suspend

    @property
    def ready_condition(self) -> Condition | None:
        """The Ready condition, or None before the first reconcile."""
        return conds.get(self.status.conditions, conds.READY)

    @property
    def is_ready(self) -> bool:
        """Ready=True, observed for the current generation."""
        return conds.is_ready(self.status.conditions, generation=self.metadata.generation)

    @property
    def reconcile_requested_at(self) -> str | None:
        """The `reconcile.fluxcd.io/requestedAt` token, if any."""
        return self.metadata.annotations.get(REQUESTED_AT_ANNOTATION)

    @property
    def reconcile_pending(self) -> bool:
        """A reconcile was requested and not yet handled."""
        token = self.reconcile_requested_at
        return token is not None and token != self.status.last_handled_reconcile_at


def open_object(kind: str, obj: Mapping[str, Any]) -> tuple[Fields, ObjectMeta]:
    """Check an API object's kind and read its metadata.

    Returns:
        The root `Fields` view and the parsed metadata.

    Raises:
        ModelError: not a mapping, another kind, or bad metadata.
    """
    subject = subject_of(kind, obj) if isinstance(obj, Mapping) else f"{kind}/<unnamed>"
    if not isinstance(obj, Mapping):
        raise ModelError(subject, "", f"expected an object, got {type(obj).__name__}")
    got = obj.get("kind")
    if got is not None and got != kind:
        raise ModelError(subject, "kind", f'expected "{kind}", got "{got}"')
    meta = ObjectMeta.from_dict(obj.get("metadata") if isinstance(obj.get("metadata"), Mapping)
                                else None, subject=subject)
    if not meta.name:
        raise ModelError(subject, "metadata.name", "required field is missing")
    return Fields(obj, subject=subject), meta


def status_fields(root: Fields) -> Fields:
    """The `status` view, empty when the object has no status yet."""
    return root.obj("status") or Fields({}, subject=root.subject, path="status")
