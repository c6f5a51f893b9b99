"""Name references: rewrite references after renames (kustomize's nameReferenceTransformer).

Runs once, at the top of the build, after every kustomization's transformers
and after generated names got their content hash (kusttarget.go
`FixBackReferences`). For each referrer field in the table below (a
Deployment's `configMapRef`, a RoleBinding's `roleRef` and `subjects`, an
Ingress backend, an HPA's `scaleTargetRef`, ...), the value is looked up
among objects of the referenced kind whose current or earlier name equals
it, in a namespace the referrer can see (its own; cluster-scoped objects and
ServiceAccounts from anywhere); `roleRef` also honours its kind. When more
than one candidate is left, the one with the same prefixes/suffixes history
as the referrer wins. The field then gets the candidate's current name (and,
for `{name, namespace}` maps such as RBAC subjects, its namespace).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.resource import ResId, ResMap, Resource
from fluxpy.kustomize.transformers import fieldspecs, scope
from fluxpy.kustomize.transformers.fieldspecs import FieldSpec

_POD = {"Pod": "spec", "Deployment": "spec/template/spec", "ReplicaSet": "spec/template/spec",
        "DaemonSet": "spec/template/spec", "StatefulSet": "spec/template/spec", "Job": "spec/template/spec",
        "CronJob": "spec/jobTemplate/spec/template/spec"}
_CM_IN_POD = ("volumes/configMap/name", "containers/env/valueFrom/configMapKeyRef/name",
              "initContainers/env/valueFrom/configMapKeyRef/name", "containers/envFrom/configMapRef/name",
              "initContainers/envFrom/configMapRef/name", "volumes/projected/sources/configMap/name")
_SECRET_IN_POD = ("volumes/secret/secretName", "containers/env/valueFrom/secretKeyRef/name",
                  "initContainers/env/valueFrom/secretKeyRef/name", "containers/envFrom/secretRef/name",
                  "initContainers/envFrom/secretRef/name", "imagePullSecrets/name",
                  "volumes/projected/sources/secret/name")
_RBAC = "rbac.authorization.k8s.io"
_KNATIVE = ("serving.knative.dev", "v1", "Service")


def _pod(kinds: tuple[str, ...], suffixes: tuple[str, ...]) -> list[FieldSpec]:
    return [FieldSpec(path=f"{_POD[k]}/{s}", kind=k, version="v1" if k == "Pod" else "")
            for k in kinds for s in suffixes]


def _fs(path: str, kind: str, group: str = "", version: str = "") -> FieldSpec:
    return FieldSpec(path=path, kind=kind, group=group, version=version)


_WORKLOADS = ("Pod", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob")
_TEMPLATED = ("StatefulSet", "Deployment", "ReplicationController", "Job", "DaemonSet")


def _templated(suffix: str) -> list[FieldSpec]:
    return ([_fs(f"spec/{suffix}", "Pod")] + [_fs(f"spec/template/spec/{suffix}", k) for k in _TEMPLATED]
            + [_fs(f"spec/jobTemplate/spec/template/spec/{suffix}", "CronJob")])


# (referenced group, version, kind) -> fields that hold its name (kustomize's namereference.go).
BACK_REFERENCES: tuple[tuple[tuple[str, str, str], tuple[FieldSpec, ...]], ...] = (
    *((("", "", k), (_fs("spec/scaleTargetRef/name", "HorizontalPodAutoscaler"),))
      for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")),
    (("", "v1", "ConfigMap"), tuple(_pod(_WORKLOADS, _CM_IN_POD) + [
        _fs("spec/configSource/configMap", "Node"), _fs("rules/resourceNames", "Role"),
        _fs("rules/resourceNames", "ClusterRole"),
        _fs("metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", "Ingress"),
        _fs("spec/template/spec/containers/env/valueFrom/configMapKeyRef/name", "Service", *_KNATIVE[:2]),
        _fs("spec/template/spec/containers/envFrom/configMapRef/name", "Service", *_KNATIVE[:2])])),
    (("", "v1", "Secret"), tuple(_pod(_WORKLOADS, _SECRET_IN_POD) + [
        _fs("spec/tls/secretName", "Ingress"),
        _fs("metadata/annotations/ingress.kubernetes.io\\/auth-secret", "Ingress"),
        _fs("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret", "Ingress"),
        _fs("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret", "Ingress"),
        _fs("imagePullSecrets/name", "ServiceAccount"),
        *(_fs(f"parameters/{p}", "StorageClass") for p in ("secretName", "adminSecretName", "userSecretName",
                                                             "secretRef")),
        _fs("rules/resourceNames", "Role"), _fs("rules/resourceNames", "ClusterRole"),
        _fs("spec/template/spec/containers/env/valueFrom/secretKeyRef/name", "Service", *_KNATIVE[:2]),
        _fs("spec/azureFile/secretName", "PersistentVolume")])),
    (("", "v1", "Service"), (
        _fs("spec/serviceName", "StatefulSet", "apps"),
        _fs("spec/rules/http/paths/backend/serviceName", "Ingress"), _fs("spec/backend/serviceName", "Ingress"),
        _fs("spec/rules/http/paths/backend/service/name", "Ingress"),
        _fs("spec/defaultBackend/service/name", "Ingress"),
        _fs("spec/service/name", "APIService", "apiregistration.k8s.io"),
        _fs("webhooks/clientConfig/service", "ValidatingWebhookConfiguration", "admissionregistration.k8s.io"),
        _fs("webhooks/clientConfig/service", "MutatingWebhookConfiguration", "admissionregistration.k8s.io"))),
    ((_RBAC, "", "Role"), (_fs("roleRef/name", "RoleBinding", _RBAC),)),
    ((_RBAC, "", "ClusterRole"), (_fs("roleRef/name", "RoleBinding", _RBAC),
                                  _fs("roleRef/name", "ClusterRoleBinding", _RBAC))),
    (("", "v1", "ServiceAccount"), (
        _fs("subjects", "RoleBinding", _RBAC), _fs("subjects", "ClusterRoleBinding", _RBAC),
        _fs("spec/serviceAccountName", "Pod"),
        *(_fs("spec/template/spec/serviceAccountName", k) for k in _TEMPLATED),
        _fs("spec/jobTemplate/spec/template/spec/serviceAccountName", "CronJob"))),
    (("", "v1", "PersistentVolumeClaim"), tuple(_templated("volumes/persistentVolumeClaim/claimName"))),
    (("", "v1", "PersistentVolume"), (_fs("spec/volumeName", "PersistentVolumeClaim"),
                                      _fs("rules/resourceNames", "ClusterRole"))),
    (("storage.k8s.io", "v1", "StorageClass"), (
        _fs("spec/storageClassName", "PersistentVolume"), _fs("spec/storageClassName", "PersistentVolumeClaim"),
        _fs("spec/volumeClaimTemplates/spec/storageClassName", "StatefulSet"))),
    (("scheduling.k8s.io", "v1", "PriorityClass"), tuple(_templated("priorityClassName"))),
    # kustomize's table says group "networking.k8s.io/v1" here, which selects nothing; kept as is.
    (("networking.k8s.io/v1", "v1", "IngressClass"), (_fs("spec/ingressClassName", "Ingress"),)),
)


# The referrer field specs by referrer kind, in table order (every spec names its kind).
_BY_KIND: dict[str, list[tuple[tuple[str, str, str], FieldSpec]]] = {}
for _target, _specs in BACK_REFERENCES:
    for _spec in _specs:
        _BY_KIND.setdefault(_spec.kind, []).append((_target, _spec))


def _selected(rid: ResId, group: str, version: str, kind: str) -> bool:
    return (not group or group == rid.group) and (not version or version == rid.version) and (
        not kind or kind == rid.kind)


def _api(rid: ResId) -> str:
    return f"{rid.group}/{rid.version}" if rid.group else rid.version


def _eff_ns(res: Resource) -> str:
    return scope.effective_namespace(res.api_version, res.kind, res.namespace)


def _same_ending(a: list[str], b: list[str]) -> bool:
    shortest, longest = (a, b) if len(a) <= len(b) else (b, a)
    diff = len(longest) - len(shortest)
    if not shortest:
        return diff == 0
    return all(longest[i + diff] == shortest[i] for i in range(len(shortest)))


def _affixes_equal(r: Resource, o: Resource, *, allow_empty: bool) -> bool:
    if allow_empty:
        pre = not r.name_prefixes or not o.name_prefixes or _same_ending(r.name_prefixes, o.name_prefixes)
        suf = not r.name_suffixes or not o.name_suffixes or _same_ending(r.name_suffixes, o.name_suffixes)
        return pre and suf
    return _same_ending(r.name_prefixes, o.name_prefixes) and _same_ending(r.name_suffixes, o.name_suffixes)


class _Ref:
    def __init__(self, referrer: Resource, target: tuple[str, str, str], spec: FieldSpec,
                 candidates: list[Resource], allowed: set[int], by_name: dict[str, list[Resource]]) -> None:
        self.referrer = referrer
        self.target = target
        self.spec = spec
        self.candidates = candidates
        self.allowed = allowed
        self.by_name = by_name

    def select(self, old: str, candidates: list[Resource], allowed: set[int] | None = None) -> Resource | None:
        group, version, kind = self.target
        allowed = allowed if allowed is not None else {id(c) for c in candidates}
        found = [c for c in self.by_name.get(old, []) if id(c) in allowed]
        found = [c for c in found if any(_selected(i, group, version, kind) for i in (*c.previous, c.id()))]
        if self.spec.path == "roleRef/name":
            ref = self.referrer.obj.get("roleRef") or {}
            if isinstance(ref, dict):
                rgroup, rkind = str(ref.get("apiGroup") or ""), str(ref.get("kind") or "")
                found = [c for c in found if any(_selected(i, rgroup, "", rkind) for i in (*c.previous, c.id()))]
        if not scope.is_cluster_scoped(self.referrer.api_version, self.referrer.kind):
            mine = _eff_ns(self.referrer)
            found = [c for c in found if scope.is_cluster_scoped(c.api_version, c.kind)
                     or c.kind == "ServiceAccount" or _eff_ns(c) == mine]
        if len(found) == 1:
            return found[0]
        for allow_empty in (True, False):
            found = [c for c in found if _affixes_equal(c, self.referrer, allow_empty=allow_empty)]
            if len(found) == 1:
                return found[0]
        if not found:
            return None
        if len({c.name for c in found}) == 1:
            return found[0]
        ids = ", ".join(c.id().kustomize_str() for c in found)
        raise BuildError(f"found multiple possible referrals: [{ids}]")

    def set(self, parent: Any, key: Any) -> None:
        value = parent[key]
        if value is None:
            return
        if isinstance(value, str):
            self._scalar(parent, key)
        elif isinstance(value, dict):
            self._mapping(value)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    self._scalar(value, i)
                elif isinstance(item, dict):
                    self._mapping(item)

    def _scalar(self, parent: Any, key: Any) -> None:
        referral = self.select(parent[key], self.candidates, self.allowed)
        if referral is not None and referral.name != parent[key]:
            parent[key] = referral.name

    def _mapping(self, node: dict[str, Any]) -> None:
        if "name" not in node:
            raise BuildError("path config error; no 'name' field in node")
        candidates = self.candidates
        if "namespace" in node:
            # Grouped by effective namespace ("" is "default"; cluster-scoped objects in no group),
            # first as the objects were written, then as they are now.
            ns = str(node.get("namespace") or "")
            by_original = [c for c in candidates
                           if not scope.is_cluster_scoped(_api(c.original_id()), c.original_id().kind)
                           and (c.original_id().namespace or "default") == ns]
            candidates = by_original or [c for c in candidates if not scope.is_cluster_scoped(c.api_version, c.kind)
                                         and (c.namespace or "default") == ns]
        old = str(node.get("name"))
        referral = self.select(old, candidates)
        if referral is None:
            return
        if referral.name == old and not referral.namespace:
            return
        node["name"] = referral.name
        if referral.namespace:
            node["namespace"] = referral.namespace


def _visible_key(referrer: Resource) -> tuple[str, frozenset[str]] | None:
    """What decides which objects `referrer` can see (None: everything, it is cluster-scoped)."""
    if scope.is_cluster_scoped(referrer.api_version, referrer.kind):
        return None
    binding_namespaces: set[str] = set()
    if referrer.kind == "RoleBinding":
        for subject in referrer.obj.get("subjects") or []:
            if isinstance(subject, dict) and subject.get("namespace"):
                binding_namespaces.add(str(subject["namespace"]))
    return _eff_ns(referrer), frozenset(binding_namespaces)


def _visible(key: tuple[str, frozenset[str]] | None, resmap: ResMap) -> list[Resource]:
    """kustomize's `SubsetThatCouldBeReferencedByResource`."""
    if key is None:
        return list(resmap)
    mine, binding_namespaces = key
    return [c for c in resmap if scope.is_cluster_scoped(c.api_version, c.kind) or _eff_ns(c) == mine
            or c.namespace in binding_namespaces]


def _has_field(obj: Any, spec: FieldSpec) -> bool:
    hit = False

    def mark(parent: Any, key: Any) -> None:
        nonlocal hit
        hit = True

    fieldspecs.visit(obj, spec, mark, create_kind=None)
    return hit


def transform(resmap: ResMap, *, extra: Sequence[tuple[tuple[str, str, str], FieldSpec]] = ()) -> None:
    """Rewrite every name reference in `resmap` to its referral's current name.

    Args:
        resmap: the build's objects.
        extra: more (referenced group, version, kind) -> referrer field entries,
            after the table's (the `crds:` field's, see `fluxpy.kustomize.crds`).

    Raises:
        BuildError: a reference matches several objects with different names.
    """
    by_kind = _BY_KIND
    if extra:
        by_kind = {kind: list(entries) for kind, entries in _BY_KIND.items()}
        for target, spec in extra:
            by_kind.setdefault(spec.kind, []).append((target, spec))
    by_name: dict[str, list[Resource]] = {}
    for res in resmap:
        for name in dict.fromkeys([res.name, *(p.name for p in res.previous)]):
            by_name.setdefault(name, []).append(res)
    visible: dict[tuple[str, frozenset[str]] | None, tuple[list[Resource], set[int]]] = {}
    for res in resmap:
        org = res.original_id()
        for target, spec in by_kind.get(org.kind, ()):
            if not spec.selects(org.group, org.version, org.kind) or not _has_field(res.obj, spec):
                continue
            key = _visible_key(res)
            if key not in visible:
                subset = _visible(key, resmap)
                visible[key] = (subset, {id(c) for c in subset})
            ref = _Ref(res, target, spec, *visible[key], by_name)
            fieldspecs.visit(res.obj, spec, ref.set, create_kind=None)
