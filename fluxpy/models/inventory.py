"""The inventory Kustomizations and HelmReleases keep in their status.

`status.inventory.entries[]` lists every object applied, in apply order, as
`{id: "<namespace>_<name>_<group>_<kind>", v: "<version>"}`, the format of
Flux's `cli-utils` `ObjMetadata`. Prune compares the old and new inventories,
so fluxpy must write ids Flux can read and read the ids Flux wrote. Quirks:
the namespace is empty for cluster-scoped objects, the group is empty for the
core API, and in RBAC names (Role, ClusterRole, RoleBinding,
ClusterRoleBinding) a `:` is written as `__`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fluxpy.models._fields import Fields
from fluxpy.models.meta import ObjectRef

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
_SEP = "_"
_COLON = "__"


def _is_rbac(group: str, kind: str) -> bool:
    return group == RBAC_GROUP and kind in RBAC_KINDS


def entry_id(*, namespace: str | None, name: str, group: str, kind: str) -> str:
    """Build an inventory id.

    Args:
        namespace: the object's namespace; None or "" when cluster-scoped.
        name: the object's name.
        group: the API group, "" for the core group.
        kind: the kind.

    Returns:
        e.g. `default_web__Service`, `_apps__Namespace`,
        `_system__auth_rbac.authorization.k8s.io_ClusterRole`.
    """
    if _is_rbac(group, kind):
        name = name.replace(":", _COLON)
    return _SEP.join((namespace or "", name, group, kind))


def parse_id(value: str) -> tuple[str, str, str, str]:
    """Split an inventory id into `(namespace, name, group, kind)`.

    Raises:
        ValueError: the id does not have the four parts.
    """
    ns, sep, rest = value.partition(_SEP)
    parts = rest.rsplit(_SEP, 2)
    if not sep or len(parts) != 3 or not parts[0] or not parts[2]:
        raise ValueError(f'invalid inventory id "{value}": '
                         "expected <namespace>_<name>_<group>_<kind>")
    name, group, kind = parts
    if _is_rbac(group, kind):
        name = name.replace(_COLON, ":")
    return ns, name, group, kind


def split_api_version(api_version: str) -> tuple[str, str]:
    """`("apps", "v1")` for `apps/v1`, `("", "v1")` for `v1`."""
    group, _, version = api_version.rpartition("/")
    return group, version


@dataclass(frozen=True, slots=True)
class InventoryEntry:
    """One inventory entry.

    Args:
        id: `<namespace>_<name>_<group>_<kind>`.
        v: the API version only, e.g. `v1` (not `apps/v1`).
    """

    id: str
    v: str

    @classmethod
    def for_object(cls, *, api_version: str, kind: str, name: str,
                   namespace: str | None = None) -> InventoryEntry:
        """The entry for an object given as apiVersion, kind, name, namespace."""
        group, version = split_api_version(api_version)
        return cls(entry_id(namespace=namespace, name=name, group=group, kind=kind), version)

    @property
    def namespace(self) -> str:
        """The namespace, "" when cluster-scoped."""
        return parse_id(self.id)[0]

    @property
    def name(self) -> str:
        """The object name (with `:` restored for RBAC kinds)."""
        return parse_id(self.id)[1]

    @property
    def group(self) -> str:
        """The API group, "" for core."""
        return parse_id(self.id)[2]

    @property
    def kind(self) -> str:
        """The kind."""
        return parse_id(self.id)[3]

    @property
    def api_version(self) -> str:
        """`group/v`, or `v` for the core group."""
        group = self.group
        return f"{group}/{self.v}" if group else self.v

    @property
    def object_ref(self) -> ObjectRef:
        """`Kind/namespace/name` of the object."""
        ns, name, _, kind = parse_id(self.id)
        return ObjectRef(kind, ns or None, name)

    def to_dict(self) -> dict[str, str]:
        """API form."""
        return {"id": self.id, "v": self.v}


@dataclass(frozen=True, slots=True)
class Inventory:
    """`status.inventory`: the applied objects, in apply order."""

    entries: tuple[InventoryEntry, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[InventoryEntry]) -> Inventory:
        """An inventory of these entries, in the given order."""
        return cls(tuple(entries))

    @classmethod
    def optional(cls, f: Fields, key: str = "inventory") -> Inventory | None:
        """The inventory under `key`, or None.

        Raises:
            ModelError: an entry lacks `id` or `v`, or has a malformed id.
        """
        sub = f.obj(key)
        if sub is None:
            return None
        entries = []
        for item in sub.objs("entries"):
            ident = item.req_text("id")
            item.wrap("id", parse_id)
            entries.append(InventoryEntry(ident, item.req_text("v")))
        return cls(tuple(entries))

    def ids(self) -> Sequence[str]:
        """The ids, in order."""
        return [e.id for e in self.entries]

    def to_dict(self) -> dict[str, Any]:
        """API form: `{"entries": [...]}` (entries always written, as Flux does)."""
        return {"entries": [e.to_dict() for e in self.entries]}
