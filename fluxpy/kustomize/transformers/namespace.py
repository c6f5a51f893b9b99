"""The `namespace:` transformer (kustomize's NamespaceTransformer).

Third in a kustomization's transformer order, after patchesStrategicMerge and
patches, before namePrefix/nameSuffix. For every object: `metadata.namespace`
is set unless the kind is certainly cluster-scoped (`scope`); a Namespace
object is renamed to the new namespace; subjects named `default` in
RoleBindings/ClusterRoleBindings are moved (kustomize's "defaultOnly" mode —
other ServiceAccount subjects follow their ServiceAccount later, through
name references); then the remaining namespace field specs (APIService
service, CRD conversion webhook). The id before the change is remembered so
name references can follow it; two objects ending with one id is an error.
"""

from __future__ import annotations

from typing import Any

from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.resource import ResMap, Resource
from fluxpy.kustomize.transformers import fieldspecs, scope
from fluxpy.kustomize.transformers.fieldspecs import FieldSpec

_SPECIAL = ("metadata/namespace", "subjects[]/namespace")


def transform(resmap: ResMap, namespace: str, *,
              specs: tuple[FieldSpec, ...] = fieldspecs.NAMESPACE) -> None:
    """Move every namespaced object of `resmap` into `namespace`.

    Raises:
        BuildError: two objects end up with the same id.
    """
    if not namespace:
        return
    others = [fs for fs in specs if fs.path not in _SPECIAL]
    for res in resmap:
        if not res.obj:
            continue
        before = res.id()
        _apply(res, namespace, others)
        after = res.id()
        if after != before:
            res.previous.append(before)
    seen: dict[tuple[str, str, str, str, str], Resource] = {}
    for res in resmap:
        rid = res.id()
        key = (rid.group, rid.version, rid.kind, rid.name,
               scope.effective_namespace(res.api_version, rid.kind, rid.namespace))
        if key in seen:
            raise BuildError(f"namespace transformation produces ID conflict: {rid}")
        seen[key] = res


def _apply(res: Resource, namespace: str, others: list[FieldSpec]) -> None:
    obj = res.obj
    group, version, kind = fieldspecs.gvk_of(obj)

    def set_ns(parent: Any, key: Any) -> None:
        parent[key] = namespace

    if not scope.is_cluster_scoped(res.api_version, kind):
        fieldspecs.visit(obj, FieldSpec("metadata/namespace", create=True), set_ns, create_kind="scalar")
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        for subject in obj.get("subjects") or []:
            if isinstance(subject, dict) and subject.get("name") == "default":
                subject["namespace"] = namespace
    for fs in others:
        if fs.selects(group, version, kind):
            fieldspecs.visit(obj, fs, set_ns, create_kind="scalar")
