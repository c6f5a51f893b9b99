"""What Flux stamps on built objects before applying them, and how `flux build` hides secrets.

After substitution, kustomize-controller sets `spec.commonMetadata` labels
and annotations on every object (overriding keys already there), then the
ownership labels `kustomize.toolkit.fluxcd.io/name` and `.../namespace`,
which prune relies on. `flux build kustomization` prints the same objects,
but never decrypts: in a SOPS-encrypted Secret (one with a top-level `sops`
field) it drops the `sops` block and masks every value (`data` values become
base64 of `**SOPS**`, `stringData` values `**SOPS**`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

NAME_LABEL = "kustomize.toolkit.fluxcd.io/name"
NAMESPACE_LABEL = "kustomize.toolkit.fluxcd.io/namespace"
MASK = "**SOPS**"
MASK_B64 = base64.b64encode(MASK.encode()).decode()


def _meta_map(obj: dict[str, Any], key: str) -> dict[str, Any]:
    meta = obj.setdefault("metadata", {})
    value = meta.get(key)
    if not isinstance(value, dict):
        value = {}
        meta[key] = value
    return value


def set_common_metadata(objs: Sequence[dict[str, Any]], *, labels: Mapping[str, str] | None = None,
                        annotations: Mapping[str, str] | None = None) -> None:
    """Set labels and annotations on every object, overriding existing keys (in place)."""
    for obj in objs:
        if labels:
            _meta_map(obj, "labels").update(labels)
        if annotations:
            _meta_map(obj, "annotations").update(annotations)


def set_ownership(objs: Sequence[dict[str, Any]], *, name: str, namespace: str) -> None:
    """Label every object as owned by the Kustomization `namespace/name` (in place)."""
    set_common_metadata(objs, labels={NAME_LABEL: name, NAMESPACE_LABEL: namespace})


def is_sops_encrypted(obj: Mapping[str, Any]) -> bool:
    """A core v1 Secret with a top-level `sops` field, as Flux decides it."""
    return obj.get("apiVersion") == "v1" and obj.get("kind") == "Secret" and "sops" in obj


def mask_sops_secrets(objs: Sequence[dict[str, Any]]) -> None:
    """Mask encrypted Secrets as `flux build` prints them (in place)."""
    for obj in objs:
        if not is_sops_encrypted(obj):
            continue
        del obj["sops"]
        for key in (obj.get("data") or {}):
            obj["data"][key] = MASK_B64
        for key in (obj.get("stringData") or {}):
            obj["stringData"][key] = MASK
