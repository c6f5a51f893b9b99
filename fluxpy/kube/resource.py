"""What the API server told us about one kind: the facts needed to address it.

Discovery (`fluxpy.kube.discovery`) produces `Resource` values; every request
in `fluxpy.kube.client` is built from one. Pure data, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Resource:
    """One API resource as served by discovery.

    Args:
        group: API group, "" for the core group.
        version: API version within the group, e.g. "v1".
        kind: the object kind, e.g. "Kustomization".
        plural: the resource name used in URLs, e.g. "kustomizations".
        namespaced: whether objects live in a namespace.
        short_names: aliases such as "ks".
        verbs: what the server allows on it.
        subresources: served subresources such as "status".
    """

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    subresources: tuple[str, ...] = field(default=())

    @property
    def api_version(self) -> str:
        """The `apiVersion` objects of this resource carry."""
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, *, namespace: str | None = None, name: str | None = None,
             subresource: str | None = None) -> str:
        """The URL path for a collection or an object.

        Args:
            namespace: the namespace; None for cluster-scoped kinds or for a
                list across all namespaces.
            name: the object name; None for the collection.
            subresource: e.g. "status"; needs a name.
        """
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace is not None:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        if name is not None:
            base += f"/{name}"
            if subresource:
                base += f"/{subresource}"
        return base

    def __str__(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural
