"""Which lists a strategic merge patch merges, per kind, as kustomize v5 knows it.

kustomize merges lists only where the OpenAPI document it embeds (Kubernetes
v1.21.2, compiled into kyaml) gives a field ``x-kubernetes-patch-strategy:
merge``; the merge keys come from ``x-kubernetes-list-map-keys`` when present
(container ports are keyed by ``containerPort`` *and* ``protocol``), else from
``x-kubernetes-patch-merge-key``. Every other list is replaced whole. A kind
that document does not describe -- a custom resource, or a built-in kind under
an API version that v1.21 no longer served, such as ``apps/v1beta2`` -- has no
schema at all, so even its ``metadata.finalizers`` are replaced; fields newer
than v1.21 (``schedulingGates``, ``resourceClaims``, ``resizePolicy``) are
replaced too. Each fact in the tables below was checked against
``kubectl kustomize`` v5.8.1 (see tests/kustomize/test_patches.py).

Rules are addressed by a path of field names from the object root; list items
add no segment, so ``("spec", "template", "spec", "containers", "env")`` is the
env list of every container of a Deployment. (tests/apiserver/schema.py keeps
a similar table for the API emulator, but from current Kubernetes types and
with server-side-apply facts; the two answer different questions.)

A kustomization's ``openapi:`` field swaps that document for one of its own
(`fluxpy.kustomize.openapi`); a build installs its resolver with `resolving`
for its duration, and `for_resource` then answers from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["MergeRule", "Schema", "builtin", "for_resource", "resolving"]

Path = tuple[str, ...]
#: A merging list's keys; ``()`` for a list of scalars merged as a set (finalizers).
MergeRule = tuple[str, ...]


def _under(prefix: Path, rules: Mapping[Path, MergeRule]) -> dict[Path, MergeRule]:
    return {(*prefix, *path): rule for path, rule in rules.items()}


_OBJECT_META: dict[Path, MergeRule] = {
    ("finalizers",): (),
    ("ownerReferences",): ("uid",),
}
_CONTAINER: dict[Path, MergeRule] = {
    ("ports",): ("containerPort", "protocol"),
    ("env",): ("name",),
    ("volumeMounts",): ("mountPath",),
    ("volumeDevices",): ("devicePath",),
}
_POD_SPEC: dict[Path, MergeRule] = {
    ("volumes",): ("name",),
    ("containers",): ("name",),
    ("initContainers",): ("name",),
    ("ephemeralContainers",): ("name",),
    ("imagePullSecrets",): ("name",),
    ("hostAliases",): ("ip",),
    ("topologySpreadConstraints",): ("topologyKey", "whenUnsatisfiable"),
}
for _name in ("containers", "initContainers", "ephemeralContainers"):
    _POD_SPEC.update(_under((_name,), _CONTAINER))
_POD_TEMPLATE = {**_under(("metadata",), _OBJECT_META), **_under(("spec",), _POD_SPEC)}
_CONDITIONS: dict[Path, MergeRule] = {("status", "conditions"): ("type",)}
_WORKLOAD = {**_under(("spec", "template"), _POD_TEMPLATE), **_CONDITIONS}
_CRONJOB = _under(("spec", "jobTemplate"), {
    **_under(("metadata",), _OBJECT_META),
    **_under(("spec", "template"), _POD_TEMPLATE),
})
_WEBHOOKS: dict[Path, MergeRule] = {("webhooks",): ("name",)}
_NONE: dict[Path, MergeRule] = {}

#: (group, kind) -> (versions the v1.21.2 document describes, rules besides ObjectMeta's).
_KINDS: dict[tuple[str, str], tuple[frozenset[str], dict[Path, MergeRule]]] = {}


def _add(group: str, versions: str, kinds: str, rules: Mapping[Path, MergeRule] = _NONE) -> None:
    for kind in kinds.split():
        _KINDS[(group, kind)] = (frozenset(versions.split()), dict(rules))


_add("", "v1", "Binding ConfigMap Endpoints Event LimitRange PersistentVolume ResourceQuota Secret")
_add("", "v1", "Pod", {**_under(("spec",), _POD_SPEC), **_CONDITIONS, ("status", "podIPs"): ("ip",)})
_add("", "v1", "PodTemplate", _under(("template",), _POD_TEMPLATE))
_add("", "v1", "ReplicationController", _WORKLOAD)
_add("", "v1", "Service", {("spec", "ports"): ("port", "protocol"), **_CONDITIONS})
_add("", "v1", "ServiceAccount", {("secrets",): ("name",)})
_add("", "v1", "Namespace PersistentVolumeClaim", _CONDITIONS)
_add("", "v1", "Node", {("spec", "podCIDRs"): (), **_CONDITIONS, ("status", "addresses"): ("type",)})
_add("", "v1", "ComponentStatus", {("conditions",): ("type",)})
_add("apps", "v1", "Deployment DaemonSet StatefulSet ReplicaSet", _WORKLOAD)
_add("apps", "v1", "ControllerRevision")
_add("batch", "v1", "Job", {**_under(("spec", "template"), _POD_TEMPLATE), **_CONDITIONS})
_add("batch", "v1 v1beta1", "CronJob", _CRONJOB)
_add("autoscaling", "v1 v2beta1 v2beta2", "HorizontalPodAutoscaler")
_add("policy", "v1 v1beta1", "PodDisruptionBudget", _CONDITIONS)
_add("policy", "v1beta1", "PodSecurityPolicy")
_add("admissionregistration.k8s.io", "v1 v1beta1",
     "MutatingWebhookConfiguration ValidatingWebhookConfiguration", _WEBHOOKS)
_add("apiregistration.k8s.io", "v1 v1beta1", "APIService", _CONDITIONS)
_add("apiextensions.k8s.io", "v1 v1beta1", "CustomResourceDefinition")
_add("rbac.authorization.k8s.io", "v1 v1beta1 v1alpha1", "ClusterRole ClusterRoleBinding Role RoleBinding")
_add("networking.k8s.io", "v1", "NetworkPolicy")
_add("networking.k8s.io", "v1 v1beta1", "Ingress IngressClass")
_add("extensions", "v1beta1", "Ingress")
_add("discovery.k8s.io", "v1 v1beta1", "EndpointSlice")
_add("events.k8s.io", "v1 v1beta1", "Event")
_add("coordination.k8s.io", "v1 v1beta1", "Lease")
_add("certificates.k8s.io", "v1 v1beta1", "CertificateSigningRequest")
_add("scheduling.k8s.io", "v1 v1beta1 v1alpha1", "PriorityClass")
_add("node.k8s.io", "v1 v1beta1 v1alpha1", "RuntimeClass")
_add("flowcontrol.apiserver.k8s.io", "v1beta1", "FlowSchema PriorityLevelConfiguration")
_add("storage.k8s.io", "v1 v1beta1", "CSIDriver CSINode StorageClass VolumeAttachment")
_add("storage.k8s.io", "v1beta1 v1alpha1", "CSIStorageCapacity")
_add("storage.k8s.io", "v1alpha1", "VolumeAttachment")
_add("authentication.k8s.io", "v1 v1beta1", "TokenReview")
_add("authorization.k8s.io", "v1 v1beta1",
     "LocalSubjectAccessReview SelfSubjectAccessReview SelfSubjectRulesReview SubjectAccessReview")


class Schema:
    """The merging lists of one kind.

    Args:
        rules: path -> merge keys, for every list that merges.
    """

    __slots__ = ("_rules",)

    def __init__(self, rules: Mapping[Path, MergeRule]) -> None:
        self._rules = dict(rules)

    def merge_keys(self, path: Path) -> MergeRule | None:
        """The merge keys of the list at ``path``; None when the list is replaced whole."""
        return self._rules.get(path)


Resolver = Callable[[str, str], "Schema | None"]
#: The resolver of the build in progress (its ``openapi:`` schema); None: the embedded document.
_RESOLVER: ContextVar[Resolver | None] = ContextVar("fluxpy_kustomize_schema_resolver", default=None)


@contextmanager
def resolving(resolver: Resolver) -> Iterator[None]:
    """Answer `for_resource` with `resolver` inside the ``with`` block (one build's custom schema)."""
    token = _RESOLVER.set(resolver)
    try:
        yield
    finally:
        _RESOLVER.reset(token)


def for_resource(api_version: str, kind: str) -> Schema | None:
    """The schema kustomize finds for an object, or None when it finds none.

    Args:
        api_version: the object's ``apiVersion`` (``"apps/v1"``, ``"v1"``).
        kind: the object's ``kind``.

    Returns:
        The Schema, or None for kinds the schema in use does not describe.
    """
    resolver = _RESOLVER.get()
    return resolver(api_version, kind) if resolver is not None else builtin(api_version, kind)


def builtin(api_version: str, kind: str) -> Schema | None:
    """The schema the embedded Kubernetes v1.21.2 document gives an object, or None."""
    group, _, version = api_version.rpartition("/")
    entry = _KINDS.get((group, kind))
    if entry is None or version not in entry[0]:
        return None
    return Schema({**_under(("metadata",), _OBJECT_META), **entry[1]})
