"""Fetch Flux objects from the cluster for `get`, `suspend` and `resume`.

The I/O edge of the read-only commands: one LIST per kind, addressed through
the static Flux kind registry so no discovery round trip is needed. Results are
values (`Listing`); rendering is `fluxpy.render.rows`' job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fluxpy.errors import FluxpyError

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.models.kinds import FluxKind


@dataclass
class Listing:
    """The objects of one kind, or why there are none.

    Args:
        kind: the Flux kind listed.
        objects: the objects, sorted by namespace then name.
        unserved: the cluster does not serve this kind (CRD not installed).
    """

    kind: FluxKind
    objects: list[dict[str, Any]] = field(default_factory=list)
    unserved: bool = False


class NotServedError(FluxpyError):
    """The cluster does not serve a Flux kind: its CRD is not installed."""


def fetch(kube: Kube, kinds: Sequence[FluxKind], *, namespace: str | None, name: str | None = None,
          label_selector: str | None = None, skip_unserved: bool = False) -> list[Listing]:
    """List each kind's objects.

    Args:
        kube: the cluster.
        kinds: the kinds to list, in output order.
        namespace: the namespace, or None for all namespaces.
        name: only the object with this name.
        label_selector: a Kubernetes label selector.
        skip_unserved: record unserved kinds instead of raising (`get all`).

    Raises:
        NotServedError: a kind is not served and `skip_unserved` is false.
        fluxpy.kube.errors.KubeError: the cluster failed.
    """
    from fluxpy.kube import errors

    field_selector = f"metadata.name={name}" if name else None
    listings = []
    for kind in kinds:
        try:
            items = kube.list(kind.resource(), namespace=namespace, label_selector=label_selector,
                              field_selector=field_selector)
        except errors.ResourceNotServedError as err:
            if skip_unserved:
                listings.append(Listing(kind, unserved=True))
                continue
            raise NotServedError(
                f"{kind.kind}: the cluster does not serve {kind.plural}.{kind.group}",
                hint="install Flux's CRDs first (fluxpy bootstrap, or flux install)") from err
        items.sort(key=lambda o: (o.get("metadata", {}).get("namespace", ""), o.get("metadata", {}).get("name", "")))
        listings.append(Listing(kind, items))
    return listings


def where(namespace: str | None) -> str:
    """How messages name the scope: `"flux-system" namespace` or `any namespace`."""
    return "any namespace" if namespace is None else f'"{namespace}" namespace'
