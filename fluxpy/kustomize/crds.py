"""The legacy `crds:` field: OpenAPI definitions that declare name references in custom kinds.

Each entry names a file mapping type names to OpenAPI definitions, each
wrapped as Go's ``common.OpenAPIDefinition`` (``{"Schema": {...}}``; the
key's case does not matter, as in Go's JSON decoding). kustomize
(api/internal/accumulator/loadconfigfromcrds.go) reads it right after a
kustomization's resources, before its generators:

* a definition whose properties include ``kind``, ``apiVersion`` and
  ``metadata`` is a resource type; its kind is the last dot-separated part of
  the type name (no group, no version: every kind of that name matches;
  v5 dropped v4's demand for a ``group.version.kind`` name);
* its properties are walked, following a ``$ref`` to another definition of
  the same file (by its plain name); a property with
  ``x-kubernetes-object-ref-api-version`` and ``x-kubernetes-object-ref-kind``
  holds the name of an object of that version and kind, in its
  ``x-kubernetes-object-ref-name-key`` field (default ``name``);
* the name references found join the build's name reference table, so that
  namePrefix/nameSuffix and generated-name hashes follow into custom objects.
  A base's or component's ``crds`` count for the whole build.

``x-kubernetes-annotation``, ``x-kubernetes-label-selector`` and
``x-kubernetes-identity`` (commonAnnotations, commonLabels and namePrefix
field specs) are refused rather than ignored: the transformers do not take
extra field specs yet. A ``$ref`` cycle, which makes kustomize overflow its
stack, ends the walk here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.transformers.fieldspecs import FieldSpec

__all__ = ["CrdConfig", "load"]

_VERSION = "x-kubernetes-object-ref-api-version"
_KIND = "x-kubernetes-object-ref-kind"
_NAME_KEY = "x-kubernetes-object-ref-name-key"
_UNSUPPORTED = ("x-kubernetes-annotation", "x-kubernetes-label-selector", "x-kubernetes-identity")

#: (referenced group, version, kind), and the field of a referrer that holds its name.
NameReference = tuple[tuple[str, str, str], FieldSpec]


@dataclass(frozen=True, slots=True)
class CrdConfig:
    """What `crds:` files add to a build's transformer configuration."""

    name_references: tuple[NameReference, ...] = ()

    def merge(self, other: CrdConfig) -> CrdConfig:
        """kustomize's TransformerConfig.Merge: the union, first occurrences first."""
        return CrdConfig(tuple(dict.fromkeys((*self.name_references, *other.name_references))))


def load(files: Sequence[tuple[str, bytes]]) -> CrdConfig:
    """Read `crds:` files.

    Args:
        files: (path as written in the kustomization, content), in order.

    Returns:
        The name references they declare.

    Raises:
        BuildError: a file is not a map of definitions, or uses an unsupported extension.
    """
    config = CrdConfig()
    for path, content in files:
        definitions = _parse(path, content)
        found: list[NameReference] = []
        for name, schema in definitions.items():
            if not all(p in _properties(schema) for p in ("kind", "apiVersion", "metadata")):
                continue
            _walk(definitions, name, name.split(".")[-1], [], found, chain=())
        config = config.merge(CrdConfig(tuple(found)))
    return config


def _parse(path: str, content: bytes) -> dict[str, Mapping[str, Any]]:
    text = content.decode("utf-8", errors="replace")
    try:
        loaded = json.loads(text) if text.startswith("{") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise BuildError(f"unable to parse open API definition from '{path}': {exc}") from exc
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict) or not all(isinstance(v, dict) or v is None for v in loaded.values()):
        raise BuildError(f"unable to parse open API definition from '{path}': json: cannot unmarshal "
                         "into Go value of type common.OpenAPIDefinition")
    out: dict[str, Mapping[str, Any]] = {}
    for name, definition in loaded.items():
        schema = next((v for k, v in (definition or {}).items() if str(k).lower() == "schema"), None)
        out[str(name)] = schema if isinstance(schema, dict) else {}
    return out


def _properties(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def _extension(prop: Mapping[str, Any], key: str) -> str | None:
    """go-openapi's Extensions.GetString: keys match case-insensitively; only strings count."""
    for k, v in prop.items():
        if isinstance(k, str) and k.lower() == key and isinstance(v, str):
            return v
    return None


def _walk(definitions: Mapping[str, Mapping[str, Any]], type_name: str, kind: str, path: list[str],
          found: list[NameReference], *, chain: tuple[str, ...]) -> None:
    schema = definitions.get(type_name)
    if schema is None or type_name in chain:
        return
    for prop_name, prop in _properties(schema).items():
        if not isinstance(prop, dict):
            continue
        for ext in _UNSUPPORTED:
            if _extension(prop, ext) is not None:
                raise BuildError(f"crds: {ext} in '{type_name}' (property '{prop_name}') is not supported yet")
        version, ref_kind = _extension(prop, _VERSION), _extension(prop, _KIND)
        if version is not None and ref_kind is not None:
            name_key = _extension(prop, _NAME_KEY)
            if name_key is None:
                name_key = "name"
            spec = FieldSpec(path="/".join([*path, str(prop_name), name_key]), kind=kind)
            found.append((("", version, ref_kind), spec))
        ref = prop.get("$ref")
        if isinstance(ref, str) and ref:
            _walk(definitions, ref, kind, [*path, str(prop_name)], found, chain=(*chain, type_name))
