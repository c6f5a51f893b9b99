"""Output order: kustomize's legacy sort (SortOrderTransformer), or input order ("fifo").

The last step of a build, after name references. Unless `sortOptions.order`
is `fifo`, objects are ordered by kind rank — the `ORDER_FIRST` kinds first
in that order, the `ORDER_LAST` kinds (webhooks) last, all others between —
then by group/version/kind text, then by namespace and name
(`legacyResIDSortString`). `sortOptions.legacySortOptions` may replace both
lists.
"""

from __future__ import annotations

from collections.abc import Sequence

from fluxpy.kustomize.resource import Resource

ORDER_FIRST = (
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
    "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
    "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
    "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
)
ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def legacy_sort(resources: Sequence[Resource], *, order_first: Sequence[str] = ORDER_FIRST,
                order_last: Sequence[str] = ORDER_LAST) -> list[Resource]:
    """The resources in kustomize's legacy order."""
    rank = {kind: i - len(order_first) for i, kind in enumerate(order_first)}
    rank.update({kind: i + 1 for i, kind in enumerate(order_last)})

    def key(res: Resource) -> tuple[int, str, str]:
        rid = res.id()
        gvk = f"{rid.group or '~G'}_{rid.version or '~V'}_{rid.kind or '~K'}"
        gvk_new = f"{rid.kind or '[noKind]'}.{rid.version or '[noVer]'}.{rid.group or '[noGrp]'}"
        return rank.get(rid.kind, 0), gvk, f"{gvk_new}|{rid.namespace or '~X'}|{rid.name or '~N'}"

    return sorted(resources, key=key)
