"""Object identity and metadata shared by every Flux model.

`ObjectRef` is how fluxpy names an object everywhere (messages, change sets,
events): `Kustomization/flux-system/apps`, or `Namespace/apps` when
cluster-scoped, the same subject format Flux's `ssa` package prints.
`ObjectMeta` is the typed subset of `metadata` the pipelines read, and the time
helpers render `metav1.Time` exactly as Kubernetes does (RFC3339, UTC, second
precision, `Z`). The well-known annotation and label keys live here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

FINALIZER = "finalizers.fluxcd.io"
REQUESTED_AT_ANNOTATION = "reconcile.fluxcd.io/requestedAt"
FORCE_AT_ANNOTATION = "reconcile.fluxcd.io/forceAt"
RESET_AT_ANNOTATION = "reconcile.fluxcd.io/resetAt"
WATCH_LABEL = "reconcile.fluxcd.io/watch"
WATCH_LABEL_ENABLED = "Enabled"


def format_time(value: datetime) -> str:
    """Render a time as `metav1.Time` does: `2024-01-02T03:04:05Z`.

    Naive datetimes are taken as UTC; sub-second parts are dropped.
    """
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """Parse an RFC3339 (or RFC3339Nano) time into an aware UTC datetime.

    Raises:
        ValueError: the text is not an RFC3339 time.
    """
    if not isinstance(text, str) or "T" not in text.upper():
        raise ValueError(f'invalid RFC3339 time "{text}"')
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        raise ValueError(f'invalid RFC3339 time "{text}": missing time zone')
    return value.astimezone(timezone.utc)


def truncate_time(value: datetime) -> datetime:
    """`value` in UTC without sub-second parts, as stored in `metav1.Time`."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """The identity of one object, printed as Flux prints it.

    Args:
        kind: the object kind, e.g. "Kustomization".
        namespace: the namespace; "" or None for cluster-scoped objects.
        name: the object name.
    """

    kind: str
    namespace: str | None
    name: str

    def __str__(self) -> str:
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True, slots=True)
class ObjectMeta:
    """The parts of `metadata` fluxpy reads and writes.

    Args:
        name: the object name.
        namespace: the namespace, None for cluster-scoped objects.
        uid: the server-assigned UID.
        resource_version: the server's resourceVersion.
        generation: the spec generation (0 if the server did not set one).
        labels: the labels.
        annotations: the annotations.
        creation_timestamp: when the object was created.
        deletion_timestamp: set once deletion was requested.
        finalizers: the finalizers, in order.
    """

    name: str
    namespace: str | None = None
    uid: str | None = None
    resource_version: str | None = None
    generation: int = 0
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    creation_timestamp: datetime | None = None
    deletion_timestamp: datetime | None = None
    finalizers: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, *, subject: str = "object") -> ObjectMeta:
        """Read `metadata` from an API object.

        Args:
            data: the `metadata` mapping.
            subject: how to name the object in errors.

        Raises:
            ModelError: a field has the wrong type.
        """
        from fluxpy.models._fields import Fields

        f = Fields(data or {}, subject=subject, path="metadata")
        return cls(
            name=f.text("name"),
            namespace=f.opt_text("namespace"),
            uid=f.opt_text("uid"),
            resource_version=f.opt_text("resourceVersion"),
            generation=f.integer("generation"),
            labels=f.mapping("labels"),
            annotations=f.mapping("annotations"),
            creation_timestamp=f.opt_time("creationTimestamp"),
            deletion_timestamp=f.opt_time("deletionTimestamp"),
            finalizers=f.texts("finalizers"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The `metadata` mapping, omitting empty fields."""
        out: dict[str, Any] = {"name": self.name}
        if self.namespace:
            out["namespace"] = self.namespace
        if self.uid:
            out["uid"] = self.uid
        if self.resource_version:
            out["resourceVersion"] = self.resource_version
        if self.generation:
            out["generation"] = self.generation
        if self.creation_timestamp is not None:
            out["creationTimestamp"] = format_time(self.creation_timestamp)
        if self.deletion_timestamp is not None:
            out["deletionTimestamp"] = format_time(self.deletion_timestamp)
        if self.labels:
            out["labels"] = dict(self.labels)
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        if self.finalizers:
            out["finalizers"] = list(self.finalizers)
        return out

    def ref(self, kind: str) -> ObjectRef:
        """This object's `ObjectRef` for the given kind."""
        return ObjectRef(kind, self.namespace, self.name)


def subject_of(kind: str, obj: Mapping[str, Any]) -> str:
    """`Kind/namespace/name` of a raw object, tolerant of a broken `metadata`."""
    meta = obj.get("metadata")
    if not isinstance(meta, Mapping):
        return f"{kind}/<unnamed>"
    name = meta.get("name")
    namespace = meta.get("namespace")
    return str(ObjectRef(kind, namespace if isinstance(namespace, str) else None,
                         name if isinstance(name, str) and name else "<unnamed>"))
