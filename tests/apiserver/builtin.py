"""The resource types the emulator serves without any CRD.

A `ResourceType` is one (group, version, plural) as discovery lists it. The
built-in table below covers what fluxpy applies, prunes and health-checks; each
entry records what the real API server would say about it: scope, short names,
categories and whether it has a `/status` subresource. Per-kind facts used by
validation (immutable fields, supported field selectors) live here too, keyed by
(group, kind), so the whole "what is special about this kind" story is in one
place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERBS: tuple[str, ...] = (
    "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch",
)


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One served resource: a (group, version, plural) and the facts about it.

    Attributes:
        group: API group, "" for core.
        version: API version within the group.
        kind: object kind, e.g. "Deployment".
        plural: resource name in URLs, e.g. "deployments".
        singular: singular resource name.
        namespaced: whether objects live in namespaces.
        short_names: kubectl short names.
        categories: discovery categories (e.g. "all").
        status: whether the `/status` subresource exists (main writes then ignore `.status`).
        custom: True for types served from a CustomResourceDefinition.
        crd_schema: the version's openAPIV3Schema for custom types.
    """

    group: str
    version: str
    kind: str
    plural: str
    singular: str = ""
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    status: bool = False
    custom: bool = False
    crd_schema: Any = field(default=None, compare=False, hash=False)

    @property
    def api_version(self) -> str:
        """`group/version`, or just `version` for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_resource(self) -> str:
        """`plural.group` as used in error messages (`plural` for core)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def storage_key(self) -> tuple[str, str]:
        """(group, plural): objects of every version of a type share one store."""
        return (self.group, self.plural)


def _t(
    group: str,
    version: str,
    kind: str,
    plural: str,
    *,
    cluster: bool = False,
    short: tuple[str, ...] = (),
    all_: bool = False,
    status: bool = False,
) -> ResourceType:
    return ResourceType(
        group=group,
        version=version,
        kind=kind,
        plural=plural,
        singular=kind.lower(),
        namespaced=not cluster,
        short_names=short,
        categories=("all",) if all_ else (),
        status=status,
    )


BUILTIN: tuple[ResourceType, ...] = (
    _t("", "v1", "Namespace", "namespaces", cluster=True, short=("ns",), status=True),
    _t("", "v1", "ConfigMap", "configmaps", short=("cm",)),
    _t("", "v1", "Secret", "secrets"),
    _t("", "v1", "Service", "services", short=("svc",), all_=True, status=True),
    _t("", "v1", "ServiceAccount", "serviceaccounts", short=("sa",)),
    _t("", "v1", "Pod", "pods", short=("po",), all_=True, status=True),
    _t("", "v1", "Event", "events", short=("ev",)),
    _t("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", short=("pvc",), status=True),
    _t("", "v1", "Endpoints", "endpoints", short=("ep",)),
    _t("", "v1", "LimitRange", "limitranges", short=("limits",)),
    _t("", "v1", "ResourceQuota", "resourcequotas", short=("quota",), status=True),
    _t("apps", "v1", "Deployment", "deployments", short=("deploy",), all_=True, status=True),
    _t("apps", "v1", "StatefulSet", "statefulsets", short=("sts",), all_=True, status=True),
    _t("apps", "v1", "DaemonSet", "daemonsets", short=("ds",), all_=True, status=True),
    _t("apps", "v1", "ReplicaSet", "replicasets", short=("rs",), all_=True, status=True),
    _t("batch", "v1", "Job", "jobs", all_=True, status=True),
    _t("batch", "v1", "CronJob", "cronjobs", short=("cj",), all_=True, status=True),
    _t("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    _t("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    _t("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", cluster=True),
    _t("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", cluster=True),
    _t(
        "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
        cluster=True, short=("crd", "crds"), status=True,
    ),
    _t("events.k8s.io", "v1", "Event", "events", short=("ev",)),
    _t("networking.k8s.io", "v1", "Ingress", "ingresses", short=("ing",), status=True),
    _t("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", short=("netpol",)),
    _t("networking.k8s.io", "v1", "IngressClass", "ingressclasses", cluster=True),
    _t("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", short=("pdb",), status=True),
    _t(
        "autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
        short=("hpa",), all_=True, status=True,
    ),
    _t("storage.k8s.io", "v1", "StorageClass", "storageclasses", cluster=True, short=("sc",)),
    _t("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", cluster=True, short=("pc",)),
    _t(
        "admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations", cluster=True,
    ),
    _t(
        "admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations", cluster=True,
    ),
    _t("coordination.k8s.io", "v1", "Lease", "leases"),
)

#: Fields that may not change after create, by (group, kind): dotted paths.
IMMUTABLE: dict[tuple[str, str], tuple[str, ...]] = {
    ("apps", "Deployment"): ("spec.selector",),
    ("apps", "ReplicaSet"): ("spec.selector",),
    ("apps", "DaemonSet"): ("spec.selector",),
    ("apps", "StatefulSet"): ("spec.selector",),
    ("batch", "Job"): ("spec.selector", "spec.template"),
    ("rbac.authorization.k8s.io", "RoleBinding"): ("roleRef",),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): ("roleRef",),
}

#: StatefulSet spec fields that may change; any other spec change is forbidden.
STATEFULSET_MUTABLE: tuple[str, ...] = (
    "replicas", "ordinals", "template", "updateStrategy",
    "persistentVolumeClaimRetentionPolicy", "minReadySeconds",
)

#: Field selector labels beyond metadata.name/metadata.namespace, by (group, kind).
FIELD_LABELS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "Event"): (
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
    ),
    ("events.k8s.io", "Event"): (
        "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
        "reason", "reportingController", "type",
    ),
    ("", "Pod"): ("spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                  "spec.serviceAccountName", "status.phase", "status.podIP"),
    ("", "Secret"): ("type",),
    ("", "Namespace"): ("status.phase",),
}

#: Kinds whose object names are validated as DNS-1123 labels rather than subdomains.
LABEL_NAMED: frozenset[tuple[str, str]] = frozenset({("", "Namespace"), ("", "Service")})

#: Kinds whose names only need to be valid path segments (RBAC allows "system:foo").
PATH_SEGMENT_NAMED: frozenset[str] = frozenset({"rbac.authorization.k8s.io"})
