"""The build's data model: resources and the ordered map that holds them.

A `Resource` is one Kubernetes object as plain JSON-compatible Python values
(dict / list / str / int / float / bool / None; YAML's types are normalised
when read, see `yamlio`), plus what kustomize tracks about it: where it came
from, its ids before any transformer renamed it (name references follow
renames through these), and generator facts. A `ResMap` keeps resources in
the order kustomize does and refuses two resources with one id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fluxpy.kustomize.errors import BuildError


@dataclass(frozen=True, slots=True)
class ResId:
    """A resource's identity: group, version, kind, name, namespace ("" when none)."""

    group: str
    version: str
    kind: str
    name: str
    namespace: str = ""

    def __str__(self) -> str:
        gvk = f"{self.group}_{self.version}_{self.kind}" if self.group else f"{self.version}_{self.kind}"
        return f"{gvk}|{self.namespace or '~X'}|{self.name}"

    def gk(self) -> tuple[str, str]:
        return (self.group, self.kind)

    def kustomize_str(self) -> str:
        """The id as kustomize v5 prints it in errors: `Kind.version.group/name.namespace`."""
        return (f"{self.kind or '[noKind]'}.{self.version or '[noVer]'}.{self.group or '[noGrp]'}"
                f"/{self.name or '[noName]'}.{self.namespace or '[noNs]'}")


@dataclass(eq=False, slots=True)
class Resource:
    """One object in the build.

    Args:
        obj: the object.
        origin: the file it came from, relative to the build root ("" if generated).
        previous: ids it had before renames, oldest first (for name references).
        generated_by: "configmap"/"secret" for generator output, else None.
        needs_hash: append the content hash to the name when the build ends.
        behavior: a generator's behavior ("create", "merge", "replace").
        name_prefixes: namePrefix values applied, innermost first (name references
            use them to pick between same-named objects).
        name_suffixes: nameSuffix values applied, innermost first.
        shared: fields that are one YAML node in kustomize (see `transformers.shared`);
            a value written into one of them in place shows in all.
    """

    obj: dict[str, Any]
    origin: str = ""
    previous: list[ResId] = field(default_factory=list)
    generated_by: str | None = None
    needs_hash: bool = False
    behavior: str = "create"
    name_prefixes: list[str] = field(default_factory=list)
    name_suffixes: list[str] = field(default_factory=list)
    shared: list[Any] = field(default_factory=list)

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind", ""))

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.obj.setdefault("metadata", {})
        assert isinstance(meta, dict)
        return meta

    @property
    def name(self) -> str:
        return str(self.meta.get("name", ""))

    @property
    def namespace(self) -> str:
        return str(self.meta.get("namespace", "") or "")

    def id(self) -> ResId:
        group, _, version = self.api_version.rpartition("/")
        return ResId(group, version, self.kind, self.name, self.namespace)

    def original_id(self) -> ResId:
        """The id before any rename (the current id when never renamed)."""
        return self.previous[0] if self.previous else self.id()

    def rename(self, *, name: str | None = None, namespace: str | None = None) -> None:
        """Change name and/or namespace, remembering the old id."""
        self.previous.append(self.id())
        if name is not None:
            self.meta["name"] = name
        if namespace is not None:
            self.meta["namespace"] = namespace


class ResMap:
    """Resources in order, unique by id."""

    def __init__(self, resources: list[Resource] | None = None) -> None:
        self._items: list[Resource] = []
        for res in resources or []:
            self.append(res)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def append(self, res: Resource) -> None:
        """Add a resource.

        Raises:
            BuildError: a resource with the same id is already there.
        """
        rid = res.id()
        for other in self._items:
            if other.id() == rid:
                raise BuildError(f"may not add resource with an already registered id: {rid}",
                                 path=res.origin or None)
        self._items.append(res)

    @classmethod
    def of_unique(cls, resources: list[Resource]) -> ResMap:
        """A ResMap of resources the caller has already checked to be unique (no O(n²) check)."""
        out = cls()
        out._items = list(resources)
        return out

    def remove(self, res: Resource) -> None:
        self._items.remove(res)

    def replace(self, old: Resource, new: Resource) -> None:
        self._items[self._items.index(old)] = new

    def resources(self) -> list[Resource]:
        return list(self._items)
