"""CustomResourceDefinitions: what a CRD serves, its status, and the Flux CRDs.

A real API server serves a CRD's resources once the CRD's `Established`
condition is True. The emulator writes `NamesAccepted` and `Established` itself
(at once, or after a delay the tests choose, to exercise fluxpy's wait for CRDs)
and the store tells the registry to serve or drop the CRD's types whenever a
CRD is written or removed.

`flux_crds()` returns minimal but faithful definitions of the Flux kinds: the
real names, short names, scope, single served version and status subresource,
with a schema that preserves unknown fields.
"""

from __future__ import annotations

from typing import Any

from tests.apiserver.builtin import ResourceType

CRD_GROUP = "apiextensions.k8s.io"
SUBSTITUTE_ANNOTATION = "kustomize.toolkit.fluxcd.io/substitute"


def resource_types(crd: dict[str, Any]) -> list[ResourceType]:
    """The types a CRD serves: one per served version in `spec.versions`."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    types: list[ResourceType] = []
    for version in spec.get("versions") or []:
        if not version.get("served", True):
            continue
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        types.append(
            ResourceType(
                group=spec.get("group", ""),
                version=version["name"],
                kind=names.get("kind", ""),
                plural=names.get("plural", ""),
                singular=names.get("singular") or names.get("kind", "").lower(),
                namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                status="status" in (version.get("subresources") or {}),
                custom=True,
                crd_schema=schema,
            )
        )
    return types


def is_established(crd: dict[str, Any]) -> bool:
    """Whether the CRD's `Established` condition is True."""
    for cond in (crd.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Established":
            return bool(cond.get("status") == "True")
    return False


def name_problem(crd: dict[str, Any]) -> str | None:
    """Why the CRD's name is invalid (it must be `<plural>.<group>`), or None."""
    spec = crd.get("spec") or {}
    expected = f"{(spec.get('names') or {}).get('plural', '')}.{spec.get('group', '')}"
    if crd.get("metadata", {}).get("name") != expected:
        return 'must be spec.names.plural+"."+spec.group'
    return None


def with_status(crd: dict[str, Any], *, established: bool, now: str) -> dict[str, Any]:
    """Return `crd` with the status a real apiextensions controller writes.

    Args:
        crd: the CRD object (not modified).
        established: whether to report Established=True already.
        now: RFC 3339 timestamp for the conditions.
    """
    spec = crd.get("spec") or {}
    storage = [v["name"] for v in spec.get("versions") or [] if v.get("storage")]
    old_status = crd.get("status") or {}
    stored = list(old_status.get("storedVersions") or [])
    for name in storage:
        if name not in stored:
            stored.append(name)
    conditions = [
        {
            "type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
            "message": "no conflicts found", "lastTransitionTime": now,
        },
        {
            "type": "Established",
            "status": "True" if established else "False",
            "reason": "InitialNamesAccepted" if established else "Installing",
            "message": "the initial names have been accepted" if established
            else "the initial names have been accepted, waiting to be established",
            "lastTransitionTime": now,
        },
    ]
    out = dict(crd)
    out["status"] = {
        "acceptedNames": dict(spec.get("names") or {}),
        "conditions": conditions,
        "storedVersions": stored,
    }
    return out


_PRESERVE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
}

#: (group, version, kind, plural, shortNames, has status subresource)
FLUX_KINDS: tuple[tuple[str, str, str, str, tuple[str, ...], bool], ...] = (
    ("source.toolkit.fluxcd.io", "v1", "GitRepository", "gitrepositories", ("gitrepo",), True),
    ("source.toolkit.fluxcd.io", "v1", "OCIRepository", "ocirepositories", ("ocirepo",), True),
    ("source.toolkit.fluxcd.io", "v1", "HelmRepository", "helmrepositories", ("helmrepo",), True),
    ("source.toolkit.fluxcd.io", "v1", "HelmChart", "helmcharts", ("hc",), True),
    ("source.toolkit.fluxcd.io", "v1", "Bucket", "buckets", (), True),
    ("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations", ("ks",), True),
    ("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases", ("hr",), True),
    ("image.toolkit.fluxcd.io", "v1", "ImageRepository", "imagerepositories", (), True),
    ("image.toolkit.fluxcd.io", "v1", "ImagePolicy", "imagepolicies", (), True),
    ("image.toolkit.fluxcd.io", "v1", "ImageUpdateAutomation", "imageupdateautomations", (), True),
    ("notification.toolkit.fluxcd.io", "v1beta3", "Alert", "alerts", (), False),
    ("notification.toolkit.fluxcd.io", "v1beta3", "Provider", "providers", (), False),
    ("notification.toolkit.fluxcd.io", "v1", "Receiver", "receivers", (), True),
)


def make_crd(
    group: str,
    version: str,
    kind: str,
    plural: str,
    *,
    short_names: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    status: bool = True,
    namespaced: bool = True,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Build a single-version CRD manifest whose schema preserves unknown fields."""
    names: dict[str, Any] = {
        "kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower(),
    }
    if short_names:
        names["shortNames"] = list(short_names)
    if categories:
        names["categories"] = list(categories)
    served: dict[str, Any] = {
        "name": version, "served": True, "storage": True,
        "schema": {"openAPIV3Schema": _PRESERVE},
    }
    if status:
        served["subresources"] = {"status": {}}
    metadata: dict[str, Any] = {"name": f"{plural}.{group}"}
    if annotations:
        metadata["annotations"] = dict(annotations)
    return {
        "apiVersion": f"{CRD_GROUP}/v1",
        "kind": "CustomResourceDefinition",
        "metadata": metadata,
        "spec": {
            "group": group,
            "names": names,
            "scope": "Namespaced" if namespaced else "Cluster",
            "versions": [served],
        },
    }


def flux_crds() -> list[dict[str, Any]]:
    """The Flux CRDs (one served version each, see FLUX-COMPAT.md section 0)."""
    return [
        make_crd(
            group, version, kind, plural, short_names=short, status=status,
            annotations={SUBSTITUTE_ANNOTATION: "disabled"},
        )
        for group, version, kind, plural, short, status in FLUX_KINDS
    ]
