"""Step "validate": a server-side dry-run apply of every object of the build.

Each object is sent as the real apply will send it (field manager
`kustomize-controller`, ownership forced) with `dryRun=All`; the server runs
its admission, defaulting and validation and answers with the object it would
store. Every rejection is collected, so one run reports all of them (object,
field, reason) and nothing is applied when any object fails.

The dry-run answer is kept: apply compares it with the live object to tell
`unchanged` from `configured` without writing (a no-op run costs one request
per object), and an answer without a `resourceVersion` means the object does
not exist yet (`created`).

Two kinds of objects cannot be checked before the build's own cluster
definitions exist: objects in a Namespace the build creates, and custom
resources whose CRD the build installs. They are `deferred`: apply dry-runs
them after the first stage, as Flux's staged apply does. An immutable-field
rejection of an object that may be re-created (`spec.force`, or the object's
`kustomize.toolkit.fluxcd.io/force: enabled`) is not a failure: the object is
marked `recreate`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fluxpy.apply import actions, order
from fluxpy.errors import FluxpyError
from fluxpy.models.meta import ObjectRef
from fluxpy.sync import pool

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.kube.resource import Resource
    from fluxpy.sync.live import LiveIndex

IMMUTABLE_MARKERS = ("field is immutable", "is immutable", "cannot change", "immutable field")
"""Phrases of an immutable-field rejection (as fluxcd/pkg/ssa's IsImmutableError matches them)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One object the server rejected.

    Args:
        subject: the object.
        message: the server's reason, naming the field.
    """

    subject: ObjectRef
    message: str

    def __str__(self) -> str:
        return self.message


class ValidationError(FluxpyError):
    """The dry-run rejected one or more objects; nothing was applied."""

    reason = "ReconciliationFailed"

    def __init__(self, failures: Sequence[Failure]) -> None:
        n = len(failures)
        head = f"{n} object{'s' if n != 1 else ''} failed validation (server-side dry-run), nothing applied: "
        super().__init__(head + "; ".join(f.message for f in failures),
                         hint="fix the manifests in the source and reconcile again")
        self.failures = tuple(failures)


@dataclass(slots=True)
class Checked:
    """One object after validation.

    Args:
        obj: the manifest from the build.
        subject: its `Kind/namespace/name`.
        resource: its API resource (None while deferred on a CRD of the build).
        policy: how apply treats it (`actions.ssa_policy`).
        dry: the dry-run answer (None when skipped, deferred or to be re-created).
        deferred: to be validated after the cluster definitions are applied.
        recreate: an immutable field changed and the object may be re-created.
    """

    obj: dict[str, Any]
    subject: ObjectRef
    resource: Resource | None
    policy: actions.SSAPolicy
    dry: dict[str, Any] | None = None
    deferred: bool = False
    recreate: bool = False

    @property
    def exists(self) -> bool:
        """Whether the object is in the cluster (known from the dry-run answer)."""
        return bool(self.dry and (self.dry.get("metadata") or {}).get("resourceVersion"))


def is_immutable_error(message: str) -> bool:
    """Whether a rejection is about an immutable field."""
    text = message.lower()
    return any(marker in text for marker in IMMUTABLE_MARKERS)


def secret_values(obj: Mapping[str, Any]) -> list[str]:
    """The values of a Secret (as sent and base64-decoded) that must never be shown."""
    if obj.get("kind") != "Secret" or str(obj.get("apiVersion")) != "v1":
        return []
    out: list[str] = []
    for section in ("data", "stringData"):
        values = obj.get(section)
        if not isinstance(values, Mapping):
            continue
        for value in values.values():
            if not isinstance(value, str) or not value:
                continue
            out.append(value)
            if section == "data":
                try:
                    out.append(base64.b64decode(value, validate=True).decode("utf-8"))
                except (ValueError, UnicodeDecodeError):
                    pass
    return sorted({v for v in out if len(v) >= 3}, key=len, reverse=True)


def mask(message: str, obj: Mapping[str, Any]) -> str:
    """`message` with every value of a Secret replaced by `***`."""
    for value in secret_values(obj):
        message = message.replace(value, "***")
    return message


def _build_creates(objs: Sequence[Mapping[str, Any]]) -> tuple[set[str], set[tuple[str, str]]]:
    """The namespaces and the (group, kind) pairs of the CRDs the build itself creates."""
    namespaces: set[str] = set()
    kinds: set[tuple[str, str]] = set()
    for obj in objs:
        if not order.is_cluster_definition(obj):
            continue
        if obj.get("kind") == "Namespace":
            namespaces.add(str((obj.get("metadata") or {}).get("name") or ""))
        elif obj.get("kind") == "CustomResourceDefinition":
            spec = obj.get("spec") or {}
            names = spec.get("names") or {}
            kinds.add((str(spec.get("group") or ""), str(names.get("kind") or "")))
    return namespaces, kinds


def dry_run(kube: Kube, item: Checked, *, field_manager: str = actions.FIELD_MANAGER) -> Failure | None:
    """Dry-run apply one object, filling `item.dry` (or `item.recreate`); the rejection, if any.

    Raises:
        fluxpy.kube.errors.KubeError: the request itself failed (unreachable,
            5xx after retries, 401/403): not the object's fault.
    """
    from fluxpy.kube import errors as kerr

    assert item.resource is not None
    try:
        item.dry = kube.apply(item.obj, field_manager=field_manager, force=True, dry_run=True)
    except kerr.InvalidError as err:
        if is_immutable_error(err.message) and item.policy.force:
            item.recreate = True
            return None
        hint = "" if not is_immutable_error(err.message) else (
            " (immutable field: set spec.force, or annotate the object "
            f"{actions.FORCE_KEY}: enabled, to re-create it)")
        return Failure(item.subject, mask(f"{item.subject} dry-run failed (Invalid): {_cause(err.message)}{hint}",
                                          item.obj))
    except (kerr.NotFoundError, kerr.BadRequestError, kerr.ConflictError, kerr.AlreadyExistsError) as err:
        ns = str((item.obj.get("metadata") or {}).get("namespace") or "")
        hint = (f" (create the Namespace {ns}, or add it to the build)"
                if ns and f'namespaces "{ns}" not found' in err.message else "")
        return Failure(item.subject, mask(f"{item.subject} dry-run failed ({err.reason or err.status}): "
                                          f"{_cause(err.message)}{hint}", item.obj))
    return None


def _cause(message: str) -> str:
    # The cluster layer's messages start with the subject; keep the server's part.
    head, sep, rest = message.partition(": ")
    return rest if sep and "/" in head else message


def _namespace_exists(kube: Kube, index: LiveIndex, name: str) -> bool:
    """Whether a Namespace the build declares is already there (then its objects need not wait)."""
    from fluxpy.kube import errors as kerr
    from fluxpy.kube.resource import Resource

    manifest = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    if index.get(manifest) is not None:
        return True
    res = Resource("", "v1", "Namespace", "namespaces", namespaced=False)
    try:
        return index.fetch(kube, res, manifest) is not None
    except kerr.ForbiddenError:
        return False


def validate(kube: Kube, objs: Sequence[dict[str, Any]], *, index: LiveIndex, force: bool,
             workers: int = pool.WORKERS) -> list[Checked]:
    """Dry-run every object; the objects with their answers, in build order.

    Args:
        kube: the cluster.
        objs: the built (and decrypted) manifests.
        index: the live objects (see `fluxpy.sync.live`), for the ssa policies.
        force: the Kustomization's `spec.force`.
        workers: requests in flight at once.

    Raises:
        ValidationError: one or more objects were rejected (all are listed).
        fluxpy.kube.errors.KubeError: the cluster could not be asked.
    """
    from fluxpy.kube import errors as kerr

    new_namespaces, new_kinds = _build_creates(objs)
    new_namespaces = {ns for ns in new_namespaces if not _namespace_exists(kube, index, ns)}
    items: list[Checked] = []
    failures: list[Failure] = []
    for obj in objs:
        subject = actions.ref_of(obj)
        live = index.get(obj)
        policy = actions.ssa_policy(obj, live, force=force)
        try:
            res: Resource | None = kube.resource_for(str(obj.get("apiVersion") or ""), str(obj.get("kind") or ""))
        except kerr.UnknownKindError:
            group = str(obj.get("apiVersion") or "").rpartition("/")[0]
            if (group, str(obj.get("kind") or "")) not in new_kinds:
                failures.append(Failure(subject, f"{subject} dry-run failed: no matches for kind "
                                                 f"\"{obj.get('kind')}\" in version \"{obj.get('apiVersion')}\""))
                continue
            res = None
        ns = str((obj.get("metadata") or {}).get("namespace") or "")
        deferred = res is None or (bool(ns) and ns in new_namespaces and res.namespaced)
        items.append(Checked(obj, subject, res, policy, deferred=deferred))
    todo = [i for i in items if not i.deferred and i.policy.decision is actions.Decision.APPLY]
    results = pool.each(todo, lambda item: dry_run(kube, item), workers=workers)
    failures.extend(f for f in results if f is not None)
    if failures:
        raise ValidationError(failures)
    for item in items:
        if item.dry is not None and item.policy.decision is actions.Decision.APPLY:
            # The dry-run answer shows the live object's metadata (other managers' too): a
            # live ssa: Ignore or IfNotPresent applies even when the object was not listed.
            if item.exists and index.get(item.obj) is None:
                item.policy = actions.ssa_policy(item.obj, item.dry, force=force)
            elif not item.exists:
                item.policy = actions.ssa_policy(item.obj, None, force=force)
    return items

