"""Rows of `flux get` tables, per kind, from the objects the API server returned.

Pure: objects in, cells out. This works on the raw API objects rather than the
typed models on purpose: `get` must still show an object whose spec the
models would reject (that is often why a user runs `get`), and it reads only
metadata and a few status fields.

Columns and cell rules are flux's (FLUX-COMPAT section 10): SUSPENDED is
`True`/`False`; READY/MESSAGE come from the Ready condition, else `False` /
`waiting to be reconciled`; 40-128 character hex runs in REVISION and MESSAGE
are cut to 8 (not for HelmChart revisions, which are chart versions).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fluxpy.errors import UsageError

Obj = Mapping[str, Any]

_HEX = re.compile(r"[a-f0-9]{40,128}")


def truncate_hex(text: str) -> str:
    """Cut each 40-128 character lowercase hex run to its first 8 characters."""
    return _HEX.sub(lambda m: m.group(0)[:8], text)


def _status(obj: Obj) -> Mapping[str, Any]:
    status = obj.get("status")
    return status if isinstance(status, Mapping) else {}


def _spec(obj: Obj) -> Mapping[str, Any]:
    spec = obj.get("spec")
    return spec if isinstance(spec, Mapping) else {}


def condition(obj: Obj, type_: str) -> Mapping[str, Any] | None:
    """The condition of `type_` (case-insensitive), or None."""
    for cond in _status(obj).get("conditions") or []:
        if isinstance(cond, Mapping) and str(cond.get("type", "")).lower() == type_.lower():
            return cond
    return None


def ready_and_message(obj: Obj) -> tuple[str, str]:
    """READY and MESSAGE cells from the Ready condition."""
    cond = condition(obj, "Ready")
    if cond is None:
        return "False", "waiting to be reconciled"
    return str(cond.get("status", "Unknown")), str(cond.get("message", ""))


def suspended(obj: Obj) -> str:
    return "True" if _spec(obj).get("suspend") is True else "False"


def parse_status_selector(text: str) -> tuple[str, str]:
    """`ready=false` -> ("ready", "false").

    Raises:
        UsageError: the text is not TYPE=STATUS.
    """
    type_, sep, status = text.partition("=")
    if not sep or not type_ or not status:
        raise UsageError(f"--status-selector: expected TYPE=STATUS (e.g. ready=false), got {text!r}")
    return type_, status


def status_matches(obj: Obj, type_: str, status: str) -> bool:
    """Whether the object's condition `type_` has `status` (both case-insensitive)."""
    cond = condition(obj, type_)
    return cond is not None and str(cond.get("status", "")).lower() == status.lower()


def _artifact_revision(obj: Obj) -> str:
    artifact = _status(obj).get("artifact")
    return str(artifact.get("revision", "")) if isinstance(artifact, Mapping) else ""


def _source(obj: Obj) -> list[str]:
    ready, message = ready_and_message(obj)
    return [truncate_hex(_artifact_revision(obj)), suspended(obj), ready, truncate_hex(message)]


def _helm_repository(obj: Obj) -> list[str]:
    if _spec(obj).get("type") == "oci":
        return ["", suspended(obj), "True", "Helm repository is Ready"]
    return _source(obj)


def _helm_chart(obj: Obj) -> list[str]:
    ready, message = ready_and_message(obj)
    return [_artifact_revision(obj), suspended(obj), ready, truncate_hex(message)]


def _kustomization(obj: Obj) -> list[str]:
    ready, message = ready_and_message(obj)
    revision = str(_status(obj).get("lastAppliedRevision", ""))
    return [truncate_hex(revision), suspended(obj), ready, truncate_hex(message)]


def _helm_release(obj: Obj) -> list[str]:
    ready, message = ready_and_message(obj)
    history = _status(obj).get("history") or []
    revision = ""
    if history and isinstance(history[0], Mapping):
        revision = str(history[0].get("chartVersion", ""))
    revision = revision or str(_status(obj).get("lastAttemptedRevision", ""))
    return [truncate_hex(revision), suspended(obj), ready, truncate_hex(message)]


def _image_repository(obj: Obj) -> list[str]:
    ready, message = ready_and_message(obj)
    scan = _status(obj).get("lastScanResult")
    last = str(scan.get("scanTime", "")) if isinstance(scan, Mapping) else ""
    return [last, suspended(obj), ready, message]


def _image_policy(obj: Obj) -> list[str]:
    ready, message = ready_and_message(obj)
    ref = _status(obj).get("latestRef")
    ref = ref if isinstance(ref, Mapping) else {}
    return [str(ref.get("name", "")), str(ref.get("tag", "")), ready, message]


def _image_update(obj: Obj) -> list[str]:
    ready, message = ready_and_message(obj)
    return [str(_status(obj).get("lastAutomationRunTime", "")), suspended(obj), ready, message]


def _alert(obj: Obj) -> list[str]:
    return [suspended(obj), "True", "Alert is Ready"]


def _provider(obj: Obj) -> list[str]:
    return ["True", "Provider is Ready"]


def _receiver(obj: Obj) -> list[str]:
    ready, message = ready_and_message(obj)
    return [suspended(obj), ready, message]


_SOURCE_HEADERS = ["Name", "Revision", "Suspended", "Ready", "Message"]

COLUMNS: dict[str, tuple[list[str], Callable[[Obj], list[str]]]] = {
    "GitRepository": (_SOURCE_HEADERS, _source),
    "OCIRepository": (_SOURCE_HEADERS, _source),
    "Bucket": (_SOURCE_HEADERS, _source),
    "HelmRepository": (_SOURCE_HEADERS, _helm_repository),
    "HelmChart": (_SOURCE_HEADERS, _helm_chart),
    "Kustomization": (_SOURCE_HEADERS, _kustomization),
    "HelmRelease": (_SOURCE_HEADERS, _helm_release),
    "ImageRepository": (["Name", "Last scan", "Suspended", "Ready", "Message"], _image_repository),
    "ImagePolicy": (["Name", "Image", "Tag", "Ready", "Message"], _image_policy),
    "ImageUpdateAutomation": (["Name", "Last run", "Suspended", "Ready", "Message"], _image_update),
    "Alert": (["Name", "Suspended", "Ready", "Message"], _alert),
    "Provider": (["Name", "Ready", "Message"], _provider),
    "Receiver": (["Name", "Suspended", "Ready", "Message"], _receiver),
}


def table(kind: str, objects: Sequence[Obj], *, namespaced: bool, prefix_kind: bool) -> tuple[list[str], list[list[str]]]:
    """Headers and rows for `objects` of `kind`.

    Args:
        kind: the Flux kind.
        objects: its objects, in display order.
        namespaced: prepend a NAMESPACE column (`-A`).
        prefix_kind: name rows `<kind lowercased>/<name>` (`get all`).
    """
    headers, cells = COLUMNS[kind]
    rows = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        name = str(meta.get("name", ""))
        if prefix_kind:
            name = f"{kind.lower()}/{name}"
        lead = [str(meta.get("namespace", "")), name] if namespaced else [name]
        rows.append(lead + cells(obj))
    return (["Namespace", *headers] if namespaced else list(headers)), rows
