"""Change-set values and the per-object apply decisions Flux reads from metadata.

Results are values (STYLE 5): `ChangeSetEntry` pairs an `ObjectRef` with an
`Action` and prints as Flux's change-set line, `Deployment/apps/web configured`
(`Namespace/apps created` when cluster-scoped). Rendering is `render/`'s job.

`ssa_policy` decides, from the `kustomize.toolkit.fluxcd.io/*` labels and
annotations of the desired and the live object (FLUX-COMPAT section 3), whether
an object is applied at all, whether it may be re-created on an immutable-field
error, and whether the live object's metadata is cleaned first. Values are
compared case-insensitively and a key counts whether it is a label or an
annotation, as `fluxcd/pkg/ssa/utils.AnyInMetadata` does.

`clean_live` returns the RFC 6902 JSON patch Flux sends before applying to an
existing object (`fluxcd/pkg/ssa/patch.go`): `remove` ops for the stale
kubectl/Flux v1 annotations and label, and one `replace` of
`/metadata/managedFields` in which the entries of `kubectl` (Apply, Update),
`before-first-apply` (Update) and `kustomize-controller` (Update) are taken over
by the field manager as Apply entries, so fields those managers set and the
build no longer has are removed by the next apply. An empty list means no
patch is needed. We return the patch rather than a cleaned object because the
patch is what the API needs and it is empty exactly when nothing is to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fluxpy.models.meta import ObjectRef

FIELD_MANAGER = "kustomize-controller"
"""The field manager of every apply (Flux's, so ownership carries over)."""

GROUP = "kustomize.toolkit.fluxcd.io"
NAME_LABEL = f"{GROUP}/name"
NAMESPACE_LABEL = f"{GROUP}/namespace"
SSA_KEY = f"{GROUP}/ssa"
RECONCILE_KEY = f"{GROUP}/reconcile"
FORCE_KEY = f"{GROUP}/force"
PRUNE_KEY = f"{GROUP}/prune"

CLEANUP_ANNOTATIONS: tuple[str, ...] = (
    "kubectl.kubernetes.io/last-applied-configuration",
    f"{GROUP}/checksum",
    "fluxcd.io/sync-checksum",
)
CLEANUP_LABELS: tuple[str, ...] = ("fluxcd.io/sync-gc-mark",)
CLEANUP_MANAGERS: tuple[tuple[str, str], ...] = (
    ("kubectl", "Apply"),
    ("kubectl", "Update"),
    ("before-first-apply", "Update"),
    (FIELD_MANAGER, "Update"),
)
"""`(manager name prefix, operation)` of the managedFields entries taken over."""


class Action(StrEnum):
    """What apply or prune did to one object."""

    CREATED = "created"
    CONFIGURED = "configured"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class ChangeSetEntry:
    """One object and what happened to it.

    Args:
        subject: the object.
        action: what was done.
    """

    subject: ObjectRef
    action: Action

    def __str__(self) -> str:
        return f"{self.subject} {self.action}"


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """The entries of one apply or prune, in the order they were processed."""

    entries: tuple[ChangeSetEntry, ...] = ()

    def counts(self) -> dict[Action, int]:
        """How many objects got each action (every action present, zero or not)."""
        out = {action: 0 for action in Action}
        for entry in self.entries:
            out[entry.action] += 1
        return out

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.entries)


def ref_of(obj: Mapping[str, Any]) -> ObjectRef:
    """The `ObjectRef` of a manifest or live object."""
    meta = obj.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    ns = meta.get("namespace")
    return ObjectRef(str(obj.get("kind") or ""), ns if isinstance(ns, str) and ns else None,
                     str(meta.get("name") or ""))


def metadata_value(obj: Mapping[str, Any] | None, key: str) -> str | None:
    """The value of `key` as a label, else as an annotation; None when neither is set.

    An empty value counts as unset, as in `AnyInMetadata`.
    """
    if obj is None:
        return None
    meta = obj.get("metadata")
    if not isinstance(meta, Mapping):
        return None
    for section in ("labels", "annotations"):
        values = meta.get(section)
        if isinstance(values, Mapping):
            value = values.get(key)
            if isinstance(value, str) and value:
                return value
    return None


def has_metadata(obj: Mapping[str, Any] | None, key: str, value: str) -> bool:
    """True when `key` is a label or annotation equal to `value`, case-insensitively."""
    if obj is None:
        return False
    meta = obj.get("metadata")
    if not isinstance(meta, Mapping):
        return False
    for section in ("labels", "annotations"):
        values = meta.get(section)
        if isinstance(values, Mapping):
            found = values.get(key)
            if isinstance(found, str) and found and found.casefold() == value.casefold():
                return True
    return False


def is_excluded(obj: Mapping[str, Any] | None) -> bool:
    """`ssa: Ignore` or `reconcile: disabled`: neither applied nor pruned."""
    return has_metadata(obj, SSA_KEY, "Ignore") or has_metadata(obj, RECONCILE_KEY, "disabled")


class Decision(StrEnum):
    """Whether apply sends the object."""

    APPLY = "apply"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class SSAPolicy:
    """How apply treats one object.

    Args:
        decision: apply or skip (a skip is reported as `Action.SKIPPED`).
        reason: why, for messages and `-o json`; "" for a plain apply.
        force: re-create the object on an immutable-field error.
        cleanup: patch the live object with `clean_live` first (False for
            `ssa: Merge`, when skipped, and when there is no live object).
    """

    decision: Decision
    reason: str = ""
    force: bool = False
    cleanup: bool = True


def ssa_policy(desired: Mapping[str, Any], live: Mapping[str, Any] | None, *,
               force: bool = False) -> SSAPolicy:
    """Decide how to apply `desired` given the `live` object (None: not found).

    Rules, in order (FLUX-COMPAT section 3):
    `reconcile: disabled` or `ssa: Ignore` on the desired *or* the live object
    -> skip; `ssa: IfNotPresent` on the desired object and a live object exists
    -> skip, else create; `force: enabled` on the desired object (or `force`,
    i.e. `spec.force`) -> may re-create; `ssa: Merge` -> no cleanup of the live
    object; `ssa: Override` (or nothing) -> the default.

    Args:
        desired: the manifest from the build.
        live: the object in the cluster, or None.
        force: the Kustomization's `spec.force`.
    """
    for obj, where in ((desired, "desired"), (live, "in-cluster")):
        if has_metadata(obj, RECONCILE_KEY, "disabled"):
            return SSAPolicy(Decision.SKIP, f"{where} object has {RECONCILE_KEY}: disabled",
                             cleanup=False)
        if has_metadata(obj, SSA_KEY, "Ignore"):
            return SSAPolicy(Decision.SKIP, f"{where} object has {SSA_KEY}: Ignore", cleanup=False)
    if has_metadata(desired, SSA_KEY, "IfNotPresent"):
        if live is not None:
            return SSAPolicy(Decision.SKIP, f"exists and has {SSA_KEY}: IfNotPresent", cleanup=False)
        return SSAPolicy(Decision.APPLY, f"created once ({SSA_KEY}: IfNotPresent)", cleanup=False)
    return SSAPolicy(
        Decision.APPLY,
        force=force or has_metadata(desired, FORCE_KEY, "enabled"),
        cleanup=live is not None and not has_metadata(desired, SSA_KEY, "Merge"),
    )


def _pointer(section: str, key: str) -> str:
    return f"/metadata/{section}/" + key.replace("~", "~0").replace("/", "~1")


def clean_live(live: Mapping[str, Any], *, field_manager: str = FIELD_MANAGER) -> list[dict[str, Any]]:
    """The JSON patch that strips stale metadata from a live object before apply.

    Call only when `ssa_policy(...).cleanup` is True (never for `ssa: Merge`).

    Args:
        live: the object as read from the cluster.
        field_manager: the manager that takes over the cleaned-up entries.

    Returns:
        RFC 6902 operations, in Flux's order (annotations, labels,
        managedFields); empty when the object is already clean.
    """
    meta = live.get("metadata")
    meta = meta if isinstance(meta, Mapping) else {}
    ops: list[dict[str, Any]] = []
    for section, keys in (("annotations", CLEANUP_ANNOTATIONS), ("labels", CLEANUP_LABELS)):
        values = meta.get(section)
        if isinstance(values, Mapping):
            ops.extend({"op": "remove", "path": _pointer(section, k)} for k in keys if k in values)
    entries = meta.get("managedFields")
    if isinstance(entries, Sequence) and not isinstance(entries, str):
        renamed = False
        out: list[Any] = []
        for entry in entries:
            if isinstance(entry, Mapping) and _taken_over(entry):
                entry = {**entry, "manager": field_manager, "operation": "Apply"}
                renamed = True
            out.append(dict(entry) if isinstance(entry, Mapping) else entry)
        if renamed:
            ops.append({"op": "replace", "path": "/metadata/managedFields", "value": out})
    return ops


def _taken_over(entry: Mapping[str, Any]) -> bool:
    # Prefix match, as Flux: kubectl writes "kubectl-client-side-apply",
    # "kubectl-edit", "kubectl-patch"... Subresource entries (status) are kept.
    manager = entry.get("manager")
    if not isinstance(manager, str) or entry.get("subresource"):
        return False
    return any(manager.startswith(name) and entry.get("operation") == op
               for name, op in CLEANUP_MANAGERS)
