"""The `replicas:` transformer (kustomize's ReplicaCountTransformer).

Ninth in a kustomization's transformer order, after patchesJson6902 and
before images. Each entry sets `spec.replicas` on the Deployments,
ReplicationControllers, ReplicaSets and StatefulSets whose current or any
earlier name equals the entry's name (so a base's name still works after a
prefix); an entry that matches nothing is an error, as in kustomize.
"""

from __future__ import annotations

from typing import Any

from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.kustfile import Replica
from fluxpy.kustomize.resource import ResMap
from fluxpy.kustomize.transformers import fieldspecs


def transform(resmap: ResMap, replica: Replica) -> None:
    """Set the replica count of the objects named `replica.name`.

    Raises:
        BuildError: no object of a scalable kind has that name.
    """
    found = False

    def setter(parent: Any, key: Any) -> None:
        parent[key] = replica.count

    for fs in fieldspecs.REPLICAS:
        for res in resmap:
            ids = [*res.previous, res.id()]
            if any(i.name == replica.name and fs.selects(i.group, i.version, i.kind) for i in ids):
                found = True
                fieldspecs.visit(res.obj, fs, setter, create_kind="scalar")
    if not found:
        gvks = " ".join(f"{fs.kind}.[noVer].[noGrp]" for fs in fieldspecs.REPLICAS)
        raise BuildError(f"resource with name {replica.name} does not match a config with the following GVK [{gvks}]")
