"""Fields that kustomize stores as one shared YAML node, and writes that show in all of them.

kustomize's label and annotation transformers create one scalar node per
object and key (`filtersutil.SetEntry`) and hang it under every field they
*create* for that key: `metadata.labels.env`, `spec.selector.env` and the pod
template's label can be the very same node. A later in-place write to any of
them — an overlay's `labels:` or `commonLabels:` re-setting `env`, a
replacement — changes all of them, which is visible in kustomize's output
(an overlay's `labels:` without `includeSelectors` still rewrites a selector
value its base's `commonLabels` created). Fields that already existed only
get the new text copied in and stay separate nodes.

Here each such group is kept on the Resource as a list of (container, key)
locations plus the value they share; `write` sets one location and carries
the value to the others that still hold the shared value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fluxpy.kustomize.resource import Resource


@dataclass(eq=False, slots=True)
class Group:
    """Locations holding one shared node, and the node's value."""

    value: Any
    members: list[tuple[Any, Any]] = field(default_factory=list)


def share(res: Resource, locations: list[tuple[Any, Any]], value: Any) -> None:
    """Record that `locations` (created together for one key) are one node."""
    if len(locations) > 1:
        res.shared.append(Group(value=value, members=list(locations)))


def write(res: Resource, container: Any, key: Any, value: Any) -> None:
    """Set container[key] in place, carrying the value to every location sharing that node."""
    container[key] = value
    for group in res.shared:
        if not isinstance(group, Group) or not any(c is container and k == key for c, k in group.members):
            continue
        for other, other_key in group.members:
            if other is container and other_key == key:
                continue
            if isinstance(other, dict) and other_key in other and other[other_key] == group.value:
                other[other_key] = value
        group.value = value
