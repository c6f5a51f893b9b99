"""What a reconcile would change, as text: `fluxpy diff kustomization`'s comparison and output.

Pure: the caller has built the objects, dry-run applied them (`validate`)
and read the live objects; this module decides, per object, whether it is
`created`, `drifted` or (for prune) `deleted`, and renders Flux's lines
(`► Deployment/apps/web drifted`) with, for a drifted object, a unified diff
of the live object against the server's dry-run answer, as `kubectl diff`
prints it (`flux diff` prints a dyff report instead).

What counts as drift follows `fluxcd/pkg/ssa`'s `Diff`: everything but
`status` and the server-managed metadata (`managedFields`, `resourceVersion`,
`generation`, `uid`, `creationTimestamp`), so a change of field ownership
alone is not a difference. Those fields are left out of the displayed YAML
too.

Secret values never appear. In a Secret (`v1`), every `data` and
`stringData` value, and the `kubectl.kubernetes.io/last-applied-configuration`
annotation (which holds them when kubectl applied the Secret), is shown as
`***` on both sides, or as `*** (before)` / `*** (after)` when it changed, as
`kubectl diff` and Flux's `ssa.SanitizeUnstructuredData` mask them; a key
added or removed still shows. A SOPS-encrypted Secret that could not be
decrypted is sent masked (`flux build`'s `**SOPS**`); `unmask_sops` then
treats each masked value as equal to the live one, as `flux diff` does, so
only added or removed keys make it differ.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fluxpy.kustomize.ownership import MASK, MASK_B64
from fluxpy.kustomize.yaml_emit import dump_resources
from fluxpy.models.meta import ObjectRef

SECRET_MASK = "***"
MASK_BEFORE = "*** (before)"
MASK_AFTER = "*** (after)"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
SERVER_METADATA: tuple[str, ...] = ("managedFields", "resourceVersion", "generation", "uid", "creationTimestamp")
"""Metadata the API server maintains: neither compared nor shown."""


class Change(StrEnum):
    """What a reconcile would do to one object (the word `flux diff` prints)."""

    CREATED = "created"
    DRIFTED = "drifted"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class ObjectDiff:
    """One object that would change.

    Args:
        subject: the object.
        change: created, drifted or deleted.
        diff: for a drifted object, the unified diff (live -> merged), Secret values masked.
        note: a remark printed under the line (e.g. the object is re-created).
    """

    subject: ObjectRef
    change: Change
    diff: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A nested Kustomization that was not diffed, and why (`⚠️` line, as flux prints it)."""

    subject: ObjectRef
    reason: str


@dataclass(frozen=True, slots=True)
class Nested:
    """The differences of a Kustomization found in the build (`--recursive`)."""

    subject: ObjectRef
    entries: tuple[Entry, ...]


Entry = ObjectDiff | Skipped | Nested


def changed(entries: Iterable[Entry]) -> bool:
    """Whether any entry is a difference (skipped Kustomizations are not)."""
    return any(isinstance(e, ObjectDiff) or (isinstance(e, Nested) and changed(e.entries)) for e in entries)


def is_secret(obj: Mapping[str, Any] | None) -> bool:
    """A core `v1` Secret (whose values are never shown)."""
    return obj is not None and obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def comparable(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy without `status` and the server-managed metadata (what is compared and shown)."""
    out = copy.deepcopy({k: v for k, v in obj.items() if k != "status"})
    meta = out.get("metadata")
    if isinstance(meta, dict):
        for key in SERVER_METADATA:
            meta.pop(key, None)
    return out


def unmask_sops(dry: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, Any]:
    """The dry-run answer of a masked SOPS Secret, with each masked value replaced by the live one.

    `flux diff` compares such a Secret by its keys only; taking the live
    value for every masked key does the same and keeps the rest of the object
    (labels, type, other fields) compared as usual. A masked key the live
    object lacks stays masked: it shows as added.
    """
    out = copy.deepcopy(dict(dry))
    raw = live.get("data")
    live_data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    data = out.get("data")
    if isinstance(data, dict):
        for key, value in data.items():
            if value == MASK_B64 and key in live_data:
                data[key] = live_data[key]
    string_data = out.get("stringData")
    if isinstance(string_data, dict):
        for key in [k for k, v in string_data.items() if v == MASK and k in live_data]:
            del string_data[key]
            out.setdefault("data", {})[key] = live_data[key]
        if not string_data:
            del out["stringData"]
    return out


def _masked(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both value maps masked: `***` when equal or one-sided, before/after when different."""
    before, after = before or {}, after or {}
    old = {k: (MASK_BEFORE if k in after and after[k] != v else SECRET_MASK) for k, v in before.items()}
    new = {k: (MASK_AFTER if k in before and before[k] != v else SECRET_MASK) for k, v in after.items()}
    return old, new


def mask_secrets(live: dict[str, Any], merged: dict[str, Any]) -> None:
    """Mask the values of a Secret's two sides, in place (see the module docstring)."""
    for section in ("data", "stringData"):
        old_values, new_values = live.get(section), merged.get(section)
        old, new = _masked(old_values if isinstance(old_values, Mapping) else None,
                           new_values if isinstance(new_values, Mapping) else None)
        if section in live:
            live[section] = old if isinstance(old_values, Mapping) else SECRET_MASK
        if section in merged:
            merged[section] = new if isinstance(new_values, Mapping) else SECRET_MASK
    old_notes, new_notes = (_annotations(o) for o in (live, merged))
    old, new = _masked({k: v for k, v in old_notes.items() if k == LAST_APPLIED},
                       {k: v for k, v in new_notes.items() if k == LAST_APPLIED})
    old_notes.update(old)
    new_notes.update(new)


def _annotations(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    notes = meta.get("annotations") if isinstance(meta, dict) else None
    return notes if isinstance(notes, dict) else {}


def unified(subject: ObjectRef, live: Mapping[str, Any], merged: Mapping[str, Any]) -> str:
    """The unified diff (3 lines of context) of two objects' YAML, headed `--- live/<subject>`, `+++ merged/<subject>`."""
    before = dump_resources([dict(live)]).splitlines(keepends=True)
    after = dump_resources([dict(merged)]).splitlines(keepends=True)
    lines = difflib.unified_diff(before, after, fromfile=f"live/{subject}", tofile=f"merged/{subject}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def compare(subject: ObjectRef, live: Mapping[str, Any], dry: Mapping[str, Any], *,
            sops_masked: bool = False) -> ObjectDiff | None:
    """The difference between a live object and the server's dry-run answer; None when equal.

    Args:
        subject: the object.
        live: the object in the cluster.
        dry: the dry-run apply answer (what the cluster would hold).
        sops_masked: the object was sent masked (an encrypted Secret not
            decrypted): masked values count as equal to the live ones.
    """
    after = unmask_sops(dry, live) if sops_masked else dict(dry)
    old, new = comparable(live), comparable(after)
    if old == new:
        return None
    if is_secret(live) or is_secret(after):
        mask_secrets(old, new)
    return ObjectDiff(subject, Change.DRIFTED, unified(subject, old, new))


def render(entries: Sequence[Entry]) -> str:
    """`flux diff`'s output: a `►` line per object, the diff under each drifted one.

    A nested Kustomization with differences is announced by
    `📁 Kustomization/<ns>/<name> changed` before its own lines; one without
    differences prints nothing.
    """
    out: list[str] = []
    for entry in entries:
        if isinstance(entry, Skipped):
            out.append(f"⚠️ {entry.subject} skipped: {entry.reason}\n")
        elif isinstance(entry, Nested):
            if changed(entry.entries):
                out.append(f"📁 {entry.subject} changed\n")
                out.append(render(entry.entries))
        else:
            out.append(f"► {entry.subject} {entry.change}\n")
            if entry.note:
                out.append(f"  {entry.note}\n")
            out.append(entry.diff)
    return "".join(out)
