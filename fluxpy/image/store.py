"""Where the image automation objects come from, and where their outcomes go.

The image update pipeline runs the same steps with a cluster and without
one. `ClusterStore` reads ImageRepositories, ImagePolicies,
ImageUpdateAutomations, their GitRepositories and Secrets through the
cluster layer and writes statuses (merge patch of the status subresource)
and Events, as the image controllers do. `FileStore` is the cluster-free
mode for CI: the objects are read from YAML files (the repository being
updated, plus `-f` files), there are no Secrets (credentials come from the
environment and the docker config), and outcomes are kept in memory for the
run report only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxpy.errors import FluxpyError
from fluxpy.models import kinds

if TYPE_CHECKING:
    from fluxpy.image.events import Notice
    from fluxpy.kube.client import Kube

IMAGE_KINDS = ("ImageRepository", "ImagePolicy", "ImageUpdateAutomation")
Key = tuple[str, str, str]
"""`(kind, namespace, name)`."""


class StoreError(FluxpyError):
    """An object the run needs is missing or unreadable."""


def key(kind: str, namespace: str, name: str) -> Key:
    """The identity of an object in a store."""
    return kind, namespace, name


@dataclass
class FileStore:
    """Objects read from YAML files; outcomes kept in memory.

    Args:
        objects: by `(kind, namespace, name)`.
        origin: the file each object came from, for messages.
        statuses: the statuses written in this run (for the report).
        events: the events the run would have recorded.
    """

    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    origin: dict[Key, str] = field(default_factory=dict)
    statuses: dict[Key, dict[str, Any]] = field(default_factory=dict)
    events: list[tuple[Key, str, str, str]] = field(default_factory=list)

    @classmethod
    def from_paths(cls, paths: Iterable[Path], *, default_namespace: str) -> FileStore:
        """Read every Flux image object (and GitRepository) from these files and directories.

        Directories are walked for `*.yaml`/`*.yml` (`.git` skipped, symlinks
        not followed); files that do not parse, and documents of other kinds,
        are ignored, except that a file given directly must parse.

        Raises:
            StoreError: a file given directly cannot be read or parsed.
        """
        import yaml

        store = cls()
        for path in paths:
            explicit = path.is_file()
            files = [path] if explicit else sorted(_yaml_files(path))
            for file in files:
                try:
                    text = file.read_text(encoding="utf-8")
                    docs = list(yaml.safe_load_all(text)) if _mentions_kinds(text) or explicit else []
                except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
                    if explicit:
                        raise StoreError(f"cannot read {file}: {' '.join(str(err).split())}",
                                         hint="give YAML files holding Flux image objects") from err
                    continue
                for doc in docs:
                    if not isinstance(doc, dict) or doc.get("kind") not in (*IMAGE_KINDS, "GitRepository"):
                        continue
                    meta = doc.setdefault("metadata", {})
                    if not isinstance(meta, dict) or not meta.get("name"):
                        continue
                    meta.setdefault("namespace", default_namespace)
                    k = key(str(doc["kind"]), str(meta["namespace"]), str(meta["name"]))
                    store.objects[k] = doc
                    store.origin[k] = str(file)
        return store

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The object, or None."""
        return self.objects.get(key(kind, namespace, name))

    def list(self, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        """Objects of a kind, in one namespace (None: all), sorted by namespace and name."""
        found = [(k, o) for k, o in self.objects.items()
                 if k[0] == kind and (namespace is None or k[1] == namespace)]
        return [o for _, o in sorted(found, key=lambda kv: kv[0])]

    def secret(self, namespace: str, name: str) -> dict[str, Any] | None:
        """No Secrets without a cluster: credentials come from the environment."""
        return None

    def write_status(self, obj: dict[str, Any], status: dict[str, Any]) -> None:
        """Keep the new status for the report."""
        meta = obj["metadata"]
        self.statuses[key(obj["kind"], meta["namespace"], meta["name"])] = status
        obj["status"] = status

    def record(self, obj: dict[str, Any], notice: Notice) -> None:
        """Keep the event for the report."""
        meta = obj["metadata"]
        self.events.append((key(obj["kind"], meta["namespace"], meta["name"]), notice.event.type,
                            notice.event.reason, notice.event.message))

    @property
    def cluster(self) -> bool:
        return False


def _mentions_kinds(text: str) -> bool:
    return "image.toolkit.fluxcd.io" in text or "GitRepository" in text


def _yaml_files(root: Path) -> Iterable[Path]:
    import os

    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in filenames:
            if name.endswith((".yaml", ".yml")):
                path = Path(dirpath) / name
                if not path.is_symlink():
                    yield path


class ClusterStore:
    """Objects read from the cluster; statuses and Events written back."""

    def __init__(self, kube: Kube) -> None:
        self.kube = kube

    @property
    def cluster(self) -> bool:
        return True

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The object, or None when it does not exist."""
        from fluxpy.kube import errors as kerr

        try:
            return self.kube.get(kinds.by_kind(kind).resource(), name, namespace=namespace)
        except kerr.NotFoundError:
            return None

    def list(self, kind: str, namespace: str | None) -> list[dict[str, Any]]:
        """Objects of a kind, in one namespace (None: all), sorted by namespace and name."""
        objs = self.kube.list(kinds.by_kind(kind).resource(), namespace=namespace)
        return sorted(objs, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))

    def secret(self, namespace: str, name: str) -> dict[str, Any] | None:
        """A Secret, or None when it does not exist."""
        from fluxpy.kube import errors as kerr
        from fluxpy.kube.resource import Resource

        try:
            return self.kube.get(Resource("", "v1", "Secret", "secrets", namespaced=True), name, namespace=namespace)
        except kerr.NotFoundError:
            return None

    def write_status(self, obj: dict[str, Any], status: dict[str, Any]) -> None:
        """Merge-patch the status subresource (no request when nothing changed)."""
        from fluxpy.pipelines.record import write_status

        write_status(self.kube, kinds.by_kind(obj["kind"]).resource(), obj, status)

    def record(self, obj: dict[str, Any], notice: Notice) -> None:
        """Record the Event (best effort)."""
        from fluxpy.pipelines.record import record_event

        record_event(self.kube, obj, notice.event, controller=notice.controller)


Store = FileStore | ClusterStore


def labels_match(labels: Mapping[str, str], selector: Mapping[str, Any] | None) -> bool:
    """Whether labels satisfy a Kubernetes label selector (`matchLabels`, `matchExpressions`)."""
    if not selector:
        return True
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        k, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(k) not in values:
            return False
        if op == "NotIn" and labels.get(k) in values:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True
