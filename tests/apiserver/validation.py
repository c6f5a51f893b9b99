"""Validation a real API server performs on writes, as far as fluxpy can observe it.

Names must be DNS-1123 subdomains (labels for Namespaces and Services, path
segments for RBAC), and a handful of fields are immutable once set; violations
answer 422 `Invalid` with `details.causes[]`, worded like the apiserver's field
errors. fluxpy relies on these to detect "immutable field" failures and
recreate objects when `--force` is given, so the messages matter.
"""

from __future__ import annotations

import re
from typing import Any

from tests.apiserver import errors
from tests.apiserver.builtin import (
    IMMUTABLE, LABEL_NAMED, PATH_SEGMENT_NAMED, STATEFULSET_MUTABLE, ResourceType,
)
from tests.apiserver import crds

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_LABEL_RE = re.compile(f"^{_LABEL}$")
_SUBDOMAIN_RE = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")

_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    r"for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
IMMUTABLE_WHEN_SET = "field is immutable when `immutable` is set"


def name_causes(rt: ResourceType, name: str) -> list[dict[str, str]]:
    """Causes for an invalid `metadata.name` of a `rt` object (empty when valid)."""
    if rt.group in PATH_SEGMENT_NAMED:
        if name in (".", "..") or "/" in name or "%" in name:
            return [errors.invalid_value("metadata.name", name, "may not contain '/' or '%'")]
        return []
    if (rt.group, rt.kind) in LABEL_NAMED:
        if len(name) > 63 or not _LABEL_RE.match(name):
            return [errors.invalid_value("metadata.name", name, _LABEL_MSG)]
        return []
    if len(name) > 253 or not _SUBDOMAIN_RE.match(name):
        return [errors.invalid_value("metadata.name", name, _SUBDOMAIN_MSG)]
    return []


def validate_object(rt: ResourceType, obj: dict[str, Any]) -> None:
    """Checks done on every create and update of `obj`.

    Raises:
        errors.ApiError: 422 Invalid.
    """
    meta = obj.get("metadata") or {}
    name = meta.get("name") or ""
    if not name:
        raise errors.invalid(rt, "", [errors.required(
            "metadata.name", "name or generateName is required")])
    causes = name_causes(rt, name)
    if rt.namespaced and meta.get("namespace") and not _LABEL_RE.match(meta["namespace"]):
        causes.append(errors.invalid_value("metadata.namespace", meta["namespace"], _LABEL_MSG))
    if rt.group == crds.CRD_GROUP and rt.kind == "CustomResourceDefinition":
        problem = crds.name_problem(obj)
        if problem:
            causes.append(errors.invalid_value("metadata.name", name, problem))
    for key, value in (meta.get("labels") or {}).items():
        if not isinstance(value, str):
            causes.append(errors.invalid_value(f"metadata.labels[{key}]", value, "must be a string"))
    if causes:
        raise errors.invalid(rt, name, causes)


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def validate_update(rt: ResourceType, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Immutable-field checks for an update of the main resource.

    Raises:
        errors.ApiError: 422 Invalid with one cause per violation.
    """
    causes: list[dict[str, str]] = []
    for path in IMMUTABLE.get((rt.group, rt.kind), ()):
        if _get(old, path) != _get(new, path):
            causes.append(errors.invalid_value(path, _get(new, path), "field is immutable"))
    if (rt.group, rt.kind) == ("apps", "StatefulSet"):
        old_spec = {k: v for k, v in (old.get("spec") or {}).items() if k not in STATEFULSET_MUTABLE}
        new_spec = {k: v for k, v in (new.get("spec") or {}).items() if k not in STATEFULSET_MUTABLE}
        if old_spec != new_spec and not causes:
            causes.append(errors.forbidden_field(
                "spec",
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                "'minReadySeconds' are forbidden",
            ))
    if rt.group == "" and rt.kind in ("ConfigMap", "Secret"):
        causes.extend(_immutable_data(rt, old, new))
    if rt.group == "" and rt.kind == "Service":
        old_ip = _get(old, "spec.clusterIP")
        new_ip = _get(new, "spec.clusterIP")
        if old_ip and new_ip and old_ip != new_ip:
            causes.append(errors.invalid_value("spec.clusterIP", new_ip, "field is immutable"))
    if causes:
        raise errors.invalid(rt, new["metadata"]["name"], causes)


def _immutable_data(rt: ResourceType, old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, str]]:
    causes: list[dict[str, str]] = []
    if rt.kind == "Secret" and old.get("type", "Opaque") != new.get("type", "Opaque"):
        causes.append(errors.invalid_value("type", new.get("type"), "field is immutable"))
    if not old.get("immutable"):
        return causes
    if not new.get("immutable"):
        causes.append(errors.forbidden_field("immutable", IMMUTABLE_WHEN_SET))
    for field in ("data", "binaryData"):
        if (old.get(field) or {}) != (new.get(field) or {}):
            causes.append(errors.forbidden_field(field, IMMUTABLE_WHEN_SET))
    return causes
