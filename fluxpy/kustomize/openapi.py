"""The `openapi:` field: a kustomization's own OpenAPI schema for strategic merge.

kustomize merges lists in a strategic merge patch only where an OpenAPI schema
says so (`schema`). By default that is the Kubernetes v1.21.2 document
compiled into kyaml; ``openapi: {path: FILE}`` names a swagger document
(JSON or YAML, ``definitions`` keyed by type name, each resource type tagged
with ``x-kubernetes-group-version-kind``) whose ``x-kubernetes-patch-strategy:
merge`` fields, with ``x-kubernetes-list-map-keys`` or
``x-kubernetes-patch-merge-key``, make the lists of custom kinds merge by key.
``openapi: {version: v1.21.2}`` names the one built-in document.

kyaml keeps that schema in process-wide state, and kustomize's quirks follow
from it; `SchemaState` models them for one build (each checked against
``kubectl kustomize`` v5.8.1 in tests/kustomize/test_openapi_crds.py):

* the top kustomization's field is applied first; a base's or component's is
  applied when that directory is loaded, and only if nothing was set before;
  once set, it holds for the rest of the build (the parent's patches too);
* the document is read lazily, on first use: a strategic merge patch, or an
  object whose type is not in kyaml's precomputed scope table (any custom
  kind) entering the build. A custom document replaces the built-in one when
  it is set before that first use, and is added on top of it (custom types
  win) when set after;
* with a custom document, kinds it does not describe have no schema at all:
  a Deployment's containers are then replaced, not merged.

Not modelled: namespace scope read from a custom document's ``paths``
(custom kinds stay namespaced), and a custom document overriding definitions
the built-in kinds refer to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from fluxpy.kustomize import schema as builtin_schema
from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.schema import MergeRule, Path, Schema

__all__ = ["CustomSchema", "SchemaState", "parse_document"]

BUILTIN_VERSION = "v1.21.2"
_GVK = "x-kubernetes-group-version-kind"
_STRATEGY = "x-kubernetes-patch-strategy"
_MERGE_KEY = "x-kubernetes-patch-merge-key"
_LIST_MAP_KEYS = "x-kubernetes-list-map-keys"

# kyaml's precomputedIsNamespaceScoped: types whose scope is known without reading the schema.
_PRECOMPUTED = frozenset(
    (api_version, kind)
    for line in """
        admissionregistration.k8s.io/v1 MutatingWebhookConfiguration ValidatingWebhookConfiguration
        admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration ValidatingWebhookConfiguration
        apiextensions.k8s.io/v1 CustomResourceDefinition
        apiextensions.k8s.io/v1beta1 CustomResourceDefinition
        apiregistration.k8s.io/v1 APIService
        apiregistration.k8s.io/v1beta1 APIService
        apps/v1 ControllerRevision DaemonSet Deployment ReplicaSet StatefulSet
        autoscaling/v1 HorizontalPodAutoscaler Scale
        autoscaling/v2beta1 HorizontalPodAutoscaler
        autoscaling/v2beta2 HorizontalPodAutoscaler
        batch/v1 CronJob Job
        batch/v1beta1 CronJob
        certificates.k8s.io/v1 CertificateSigningRequest
        certificates.k8s.io/v1beta1 CertificateSigningRequest
        coordination.k8s.io/v1 Lease
        coordination.k8s.io/v1beta1 Lease
        discovery.k8s.io/v1 EndpointSlice
        discovery.k8s.io/v1beta1 EndpointSlice
        events.k8s.io/v1 Event
        events.k8s.io/v1beta1 Event
        extensions/v1beta1 Ingress
        flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema PriorityLevelConfiguration
        networking.k8s.io/v1 Ingress IngressClass NetworkPolicy
        networking.k8s.io/v1beta1 Ingress IngressClass
        node.k8s.io/v1 RuntimeClass
        node.k8s.io/v1beta1 RuntimeClass
        policy/v1 PodDisruptionBudget
        policy/v1beta1 PodDisruptionBudget PodSecurityPolicy
        rbac.authorization.k8s.io/v1 ClusterRole ClusterRoleBinding Role RoleBinding
        rbac.authorization.k8s.io/v1beta1 ClusterRole ClusterRoleBinding Role RoleBinding
        scheduling.k8s.io/v1 PriorityClass
        scheduling.k8s.io/v1beta1 PriorityClass
        storage.k8s.io/v1 CSIDriver CSINode StorageClass VolumeAttachment
        storage.k8s.io/v1beta1 CSIDriver CSINode CSIStorageCapacity StorageClass VolumeAttachment
        v1 ComponentStatus ConfigMap Endpoints Event LimitRange Namespace Node NodeProxyOptions PersistentVolume
        v1 PersistentVolumeClaim Pod PodAttachOptions PodExecOptions PodPortForwardOptions PodProxyOptions
        v1 PodTemplate ReplicationController ResourceQuota Secret Service ServiceAccount ServiceProxyOptions
    """.strip().splitlines()
    for api_version, *kinds in [line.split()]
    for kind in kinds
)


def _lower_extensions(node: Any) -> Any:
    """go-openapi stores vendor extensions (``x-…`` keys) lower-cased; do the same, recursively."""
    if isinstance(node, dict):
        return {(k.lower() if isinstance(k, str) and k.lower().startswith("x-") else k): _lower_extensions(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_lower_extensions(v) for v in node]
    return node


def parse_document(data: bytes) -> dict[str, dict[str, Any]]:
    """The ``definitions`` of a swagger document (JSON or YAML).

    Raises:
        BuildError: the document is not YAML/JSON or not a mapping (kustomize panics
            with "invalid schema file"; we refuse the build instead).
    """
    try:
        loaded = yaml.safe_load(data.decode("utf-8")) if data.strip() else {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BuildError(f"invalid schema file: {exc}") from exc
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise BuildError("invalid schema file: json: cannot unmarshal into Go value of type spec.Swagger")
    definitions = loaded.get("definitions") or {}
    if not isinstance(definitions, dict):
        raise BuildError("invalid schema file: definitions must be a map")
    return {str(k): _lower_extensions(v) for k, v in definitions.items() if isinstance(v, dict)}


class CustomSchema(Schema):
    """One kind's merge rules, read from an OpenAPI document the way kyaml's walker reads it.

    Args:
        root: the kind's definition.
        definitions: every definition, for ``$ref`` (``#/definitions/NAME``).
    """

    __slots__ = ("_cache", "_definitions", "_root")

    def __init__(self, root: Mapping[str, Any], definitions: Mapping[str, Mapping[str, Any]]) -> None:
        super().__init__({})
        self._root = root
        self._definitions = definitions
        self._cache: dict[Path, MergeRule | None] = {}

    def merge_keys(self, path: Path) -> MergeRule | None:
        """The merge keys of the list at ``path``; None when the list is replaced whole.

        A list merges when its schema's ``x-kubernetes-patch-strategy`` (a comma-separated
        list) holds ``merge``; its keys are ``x-kubernetes-list-map-keys``, else the
        ``x-kubernetes-patch-merge-key``, else none (a list of scalars merged as a set).
        """
        if path not in self._cache:
            self._cache[path] = self._rule(self._lookup(path))
        return self._cache[path]

    @staticmethod
    def _rule(node: Mapping[str, Any] | None) -> MergeRule | None:
        if node is None or _STRATEGY not in node:
            return None
        if "merge" not in str(node[_STRATEGY]).split(","):
            return None
        keys = node.get(_LIST_MAP_KEYS)
        if isinstance(keys, list):
            return tuple(str(k) for k in keys)
        if _MERGE_KEY in node:
            return (str(node[_MERGE_KEY]),)
        return ()

    def _lookup(self, path: Path) -> Mapping[str, Any] | None:
        node: Mapping[str, Any] | None = self._root
        for name in path:
            if node is None:
                return None
            if _types(node) == ["array"]:  # a list on the way: its items (kyaml's Elements)
                items = node.get("items")
                node = self._resolve(items) if isinstance(items, dict) else None
                if node is None:
                    return None
            node = self._field(node, name)
        return node

    def _field(self, node: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
        """kyaml's ResourceSchema.Field: a property, else the additionalProperties schema."""
        props = node.get("properties")
        if isinstance(props, dict) and isinstance(props.get(name), dict):
            return self._resolve(props[name])
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            return self._resolve(extra)
        return None

    def _resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any] | None:
        seen: set[str] = set()
        while isinstance(node.get("$ref"), str) and node["$ref"]:
            ref = str(node["$ref"])
            if ref in seen or not ref.startswith("#/definitions/"):
                return None
            seen.add(ref)
            name = ref[len("#/definitions/"):].replace("~1", "/").replace("~0", "~")
            target = self._definitions.get(name)
            if target is None:
                return None
            node = target
        return node


def _types(node: Mapping[str, Any]) -> list[str]:
    value = node.get("type")
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def _type_metas(definition: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    exts = definition.get(_GVK)
    for ext in exts if isinstance(exts, list) else ():
        if isinstance(ext, dict) and isinstance(ext.get("kind"), str) and isinstance(ext.get("version"), str):
            group = ext.get("group")
            version = ext["version"]
            yield (f"{group}/{version}" if isinstance(group, str) and group else version), ext["kind"]


class SchemaState:
    """kyaml's global OpenAPI state, for one build.

    `set_schema` mirrors ``openapi.SetSchema``; `touch` and `resolve` mirror
    the lazy ``initSchema`` that reads the document on first use.
    """

    def __init__(self) -> None:
        self._version = ""
        self._custom: bytes | None = None
        self._initialised = False
        self._builtin = False
        self._definitions: dict[str, dict[str, Any]] = {}
        self._by_type: dict[tuple[str, str], dict[str, Any]] = {}

    def set_schema(self, field: Mapping[str, Any], document: bytes | None, *, reset: bool) -> None:
        """Apply a kustomization's ``openapi:`` field (`document`: the file at its ``path``).

        Args:
            field: the ``openapi:`` mapping.
            document: the bytes of ``field["path"]``, None when there is no path.
            reset: True for the top kustomization; a base's field is ignored once one was set.

        Raises:
            BuildError: both ``version`` and ``path``, or an unknown version (kustomize's text).
        """
        if (self._version or self._custom is not None) and not reset:
            return
        version = field.get("version")
        if document is not None:
            if "version" in field:
                raise BuildError("builtin version and custom schema provided, cannot use both")
            self._custom = document
            self._version = "custom"
            self._initialised = False
            return
        self._version = str(version or "")
        if not self._version:
            return
        if self._version != BUILTIN_VERSION:
            raise BuildError("the specified OpenAPI version is not built in")
        self._custom = None
        self._initialised = False

    def touch(self, api_version: str, kind: str) -> None:
        """An object enters the build: kyaml reads the schema unless its scope is precomputed."""
        if (api_version, kind) not in _PRECOMPUTED:
            self._init()

    def resolve(self, api_version: str, kind: str) -> Schema | None:
        """`schema.for_resource` for this build."""
        self._init()
        definition = self._by_type.get((api_version, kind))
        if definition is not None:
            return CustomSchema(definition, self._definitions)
        return builtin_schema.builtin(api_version, kind) if self._builtin else None

    def _init(self) -> None:
        if self._initialised:
            return
        self._initialised = True
        if self._custom is None:
            self._builtin = True
            return
        definitions = parse_document(self._custom)
        self._definitions.update(definitions)
        for definition in definitions.values():
            for type_meta in _type_metas(definition):
                self._by_type[type_meta] = definition

