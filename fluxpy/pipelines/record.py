"""Writing a Flux object's outcome back: its status and its Events.

Shared by the pipelines. A status is written as a merge patch of the status
subresource holding only what changed, and not at all when nothing did. An
Event that cannot be recorded is reported in the step's detail, never fatal:
Flux's recorder is best-effort too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.kube.resource import Resource
    from fluxpy.source.events import EventSpec


def write_status(kube: Kube, resource: Resource, obj: dict[str, Any], new: dict[str, Any]) -> bool:
    """Patch the status subresource of `obj` to `new`; False when nothing changed (no write made)."""
    from fluxpy.source.status import merge_patch

    patch = merge_patch(obj.get("status") or {}, new)
    if not patch["status"]:
        return False
    kube.patch(resource, obj["metadata"]["name"], patch, namespace=obj["metadata"]["namespace"],
               patch_type="merge", subresource="status")
    obj["status"] = new
    return True


def record_event(kube: Kube, obj: dict[str, Any], event: EventSpec, *, controller: str) -> str:
    """Record one Event on `obj`; the line that says what was recorded (or why not)."""
    from fluxpy.kube import errors as kerr
    from fluxpy.kube import events as kube_events

    try:
        kube_events.record(kube, obj, type=event.type, reason=event.reason, message=event.message,
                           controller=controller, annotations=event.annotations)
    except kerr.KubeError as err:
        return f"{event.type} {event.reason} not recorded: {err}"
    return f"{event.type} {event.reason}: {event.message}"
