"""Reading a kustomization file: kustomize v5's schema, checks and wording.

kustomize turns the YAML into JSON and decodes it into its Go struct with
unknown fields refused, so a typo is an error (`invalid Kustomization: json:
unknown field "foo"`), field names match case-insensitively (Go's
encoding/json), and a value of the wrong type names the Go field and type.
After decoding it folds deprecated fields into their successors (`bases`
into `resources`, `imageTags` into `images`, `env` into `envs`), refuses a
file that says nothing, and checks kind/apiVersion. This module does the
same and returns a typed `Kustomization`; the sections other modules
interpret (patches, generators, replacements) stay as the decoded dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import re

import yaml

from fluxpy.kustomize.errors import BuildError


class _GoYamlV2Loader(yaml.SafeLoader):
    """YAML as sigs.k8s.io/yaml (go-yaml v2) reads a kustomization: `y`/`n` are booleans too."""


_GoYamlV2Loader.yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_GoYamlV2Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
    list("yYnNtTfFoO"))


def _bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(loader.construct_scalar(node)).lower() in ("y", "yes", "true", "on")


_GoYamlV2Loader.add_constructor("tag:yaml.org,2002:bool", _bool)

KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1"
COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1"

# Go type names as encoding/json prints them; "S" marks a nested struct (see _STRUCTS).
_STR, _STRS, _SMAP, _BOOL, _INT = "string", "[]string", "map[string]string", "bool", "int64"
_ANY = "any"

_STRUCTS: dict[str, dict[str, str]] = {
    "Kustomization": {
        "apiVersion": _STR, "kind": _STR, "metadata": _ANY, "openapi": _SMAP, "namePrefix": _STR,
        "nameSuffix": _STR, "namespace": _STR, "commonLabels": _SMAP, "labels": "[]Label",
        "commonAnnotations": _SMAP, "patchesStrategicMerge": _STRS, "patchesJson6902": "[]Patch",
        "patches": "[]Patch", "images": "[]Image", "imageTags": "[]Image", "replacements": _ANY,
        "replicas": "[]Replica", "vars": _ANY, "sortOptions": "*SortOptions", "resources": _STRS,
        "components": _STRS, "crds": _STRS, "bases": _STRS, "configMapGenerator": "[]ConfigMapArgs",
        "secretGenerator": "[]SecretArgs", "helmGlobals": _ANY, "helmCharts": _ANY,
        "helmChartInflationGenerator": _ANY, "generatorOptions": "*GeneratorOptions", "configurations": _STRS,
        "generators": _STRS, "transformers": _STRS, "validators": _STRS, "buildMetadata": _STRS,
    },
    "Label": {"pairs": _SMAP, "includeSelectors": _BOOL, "includeTemplates": _BOOL, "fields": "[]FieldSpec"},
    "FieldSpec": {"group": _STR, "version": _STR, "kind": _STR, "path": _STR, "create": _BOOL},
    "Patch": {"path": _STR, "patch": _STR, "target": "*Selector", "options": "map[string]bool"},
    "Selector": {"group": _STR, "version": _STR, "kind": _STR, "name": _STR, "namespace": _STR,
                 "labelSelector": _STR, "annotationSelector": _STR},
    "Image": {"name": _STR, "newName": _STR, "newTag": _STR, "digest": _STR, "tagSuffix": _STR},
    "Replica": {"name": _STR, "count": _INT},
    "SortOptions": {"order": _STR, "legacySortOptions": "*LegacySortOptions"},
    "LegacySortOptions": {"orderFirst": _STRS, "orderLast": _STRS},
    "GeneratorOptions": {"labels": _SMAP, "annotations": _SMAP, "disableNameSuffixHash": _BOOL,
                         "immutable": _BOOL},
    "ConfigMapArgs": {"namespace": _STR, "name": _STR, "behavior": _STR, "literals": _STRS, "files": _STRS,
                      "envs": _STRS, "env": _STR, "options": "*GeneratorOptions"},
    "SecretArgs": {"namespace": _STR, "name": _STR, "behavior": _STR, "literals": _STRS, "files": _STRS,
                   "envs": _STRS, "env": _STR, "options": "*GeneratorOptions", "type": _STR},
}


@dataclass(frozen=True, slots=True)
class Image:
    name: str
    new_name: str = ""
    new_tag: str = ""
    digest: str = ""
    tag_suffix: str = ""


@dataclass(frozen=True, slots=True)
class Replica:
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class Label:
    pairs: dict[str, str]
    include_selectors: bool = False
    include_templates: bool = False
    fields: tuple[dict[str, Any], ...] = ()


@dataclass(slots=True)
class Kustomization:
    """A decoded kustomization (or component) file.

    Args:
        path: the file, resolved.
        kind: "Kustomization" or "Component".
        raw: the decoded mapping, for fields interpreted elsewhere.
    """

    path: str
    kind: str = "Kustomization"
    api_version: str = KUSTOMIZATION_VERSION
    resources: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    crds: list[str] = field(default_factory=list)
    namespace: str = ""
    name_prefix: str = ""
    name_suffix: str = ""
    common_labels: dict[str, str] = field(default_factory=dict)
    labels: list[Label] = field(default_factory=list)
    common_annotations: dict[str, str] = field(default_factory=dict)
    images: list[Image] = field(default_factory=list)
    replicas: list[Replica] = field(default_factory=list)
    patches: list[dict[str, Any]] = field(default_factory=list)
    patches_strategic_merge: list[str] = field(default_factory=list)
    patches_json6902: list[dict[str, Any]] = field(default_factory=list)
    config_map_generator: list[dict[str, Any]] = field(default_factory=list)
    secret_generator: list[dict[str, Any]] = field(default_factory=list)
    generator_options: dict[str, Any] | None = None
    replacements: list[Any] = field(default_factory=list)
    vars: list[Any] = field(default_factory=list)
    sort_options: dict[str, Any] | None = None
    build_metadata: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def is_component(self) -> bool:
        return self.kind == "Component"


def load(text: str, *, path: str, directory: str) -> Kustomization:
    """Decode and validate a kustomization file.

    Args:
        text: the file's content.
        path: the file (for the result).
        directory: its directory, as kustomize names it in errors.

    Raises:
        BuildError: YAML errors, unknown fields, wrong types, an empty file, a
            bad kind/apiVersion — each with kustomize's wording.
    """
    text = text.replace("imageTags:", "images:")  # kustomize's own textual fix-up of the old field
    try:
        docs = list(yaml.load_all(text, Loader=_GoYamlV2Loader))
    except yaml.YAMLError as exc:
        raise BuildError(f"invalid Kustomization: yaml: {_go_yaml_error(exc)}") from exc
    data = docs[0] if docs else None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BuildError("invalid Kustomization: json: cannot unmarshal "
                         f"{_json_type(data)} into Go value of type types.Kustomization")
    data = _check_struct("Kustomization", data, "Kustomization")
    k = Kustomization(path=path, raw=data)
    k.kind = data.get("kind") or "Kustomization"
    k.api_version = data.get("apiVersion") or (COMPONENT_VERSION if k.kind == "Component" else KUSTOMIZATION_VERSION)
    k.resources = list(data.get("resources") or []) + list(data.get("bases") or [])
    k.components = list(data.get("components") or [])
    k.crds = list(data.get("crds") or [])
    k.namespace = data.get("namespace") or ""
    k.name_prefix = data.get("namePrefix") or ""
    k.name_suffix = data.get("nameSuffix") or ""
    k.common_labels = dict(data.get("commonLabels") or {})
    k.common_annotations = dict(data.get("commonAnnotations") or {})
    k.labels = [Label(pairs=dict(x.get("pairs") or {}), include_selectors=bool(x.get("includeSelectors")),
                      include_templates=bool(x.get("includeTemplates")), fields=tuple(x.get("fields") or ()))
                for x in data.get("labels") or [] if x is not None]
    k.images = [Image(name=x.get("name") or "", new_name=x.get("newName") or "", new_tag=x.get("newTag") or "",
                      digest=x.get("digest") or "", tag_suffix=x.get("tagSuffix") or "")
                for x in list(data.get("images") or []) + list(data.get("imageTags") or []) if x is not None]
    k.replicas = [Replica(name=x.get("name") or "", count=int(x.get("count") or 0))
                  for x in data.get("replicas") or [] if x is not None]
    k.patches = [dict(x) for x in data.get("patches") or [] if x is not None]
    k.patches_strategic_merge = list(data.get("patchesStrategicMerge") or [])
    k.patches_json6902 = [dict(x) for x in data.get("patchesJson6902") or [] if x is not None]
    k.config_map_generator = [_fold_env(x) for x in data.get("configMapGenerator") or [] if x is not None]
    k.secret_generator = [_fold_env(x) for x in data.get("secretGenerator") or [] if x is not None]
    k.generator_options = data.get("generatorOptions")
    k.replacements = list(data.get("replacements") or [])
    k.vars = list(data.get("vars") or [])
    k.sort_options = data.get("sortOptions")
    k.build_metadata = list(data.get("buildMetadata") or [])
    meaningful = {key: v for key, v in data.items() if key not in ("apiVersion", "kind") and v not in (None, "")}
    if not meaningful:
        raise BuildError("kustomization.yaml is empty")
    errs = []
    if k.kind not in ("Kustomization", "Component"):
        errs.append("kind should be Kustomization or Component")
    required = COMPONENT_VERSION if k.kind == "Component" else KUSTOMIZATION_VERSION
    if k.api_version != required:
        errs.append(f"apiVersion for {k.kind} should be {required}")
    if errs:
        raise BuildError(f"Failed to read kustomization file under {directory}:\n" + "\n".join(errs))
    if k.sort_options is not None:
        order = (k.sort_options or {}).get("order")
        if order not in ("fifo", "legacy"):
            raise BuildError("the field 'sortOptions.order' must be one of [fifo, legacy]")
    return k


_GO_WORDING = (
    ("expected ',' or ']'", "did not find expected ',' or ']'"),
    ("expected ',' or '}'", "did not find expected ',' or '}'"),
    ("mapping values are not allowed here", "mapping values are not allowed in this context"),
    ("expected <block end>", "did not find expected key"),
    ("expected the node content", "did not find expected node content"),
    ("could not find expected ':'", "could not find expected ':'"),
    ("found character '\\t' that cannot start any token", "found a tab character that violates indentation"),
    ("found character that cannot start any token", "found character that cannot start any token"),
)


def _go_yaml_error(exc: yaml.YAMLError) -> str:
    """go-yaml v2's text for a syntax error: parser errors give the 0-based line, scanner errors 1-based."""
    problem = str(getattr(exc, "problem", None) or exc)
    for pyyaml, go in _GO_WORDING:
        if pyyaml in problem:
            problem = go
            break
    mark = getattr(exc, "problem_mark", None)
    if mark is None:
        return problem
    line = mark.line + 1 if isinstance(exc, yaml.scanner.ScannerError) else mark.line
    return f"line {line}: {problem}"


def _fold_env(args: dict[str, Any]) -> dict[str, Any]:
    out = dict(args)
    if out.get("env"):
        out["envs"] = list(out.get("envs") or []) + [out["env"]]
    out.pop("env", None)
    return out


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"  # dates and other YAML scalars become JSON strings


def _check_struct(struct: str, data: dict[str, Any], where: str) -> dict[str, Any]:
    """Decode one struct: fold field names case-insensitively, refuse unknown ones, check types."""
    fields = _STRUCTS[struct]
    folded = {name.lower(): name for name in fields}
    out: dict[str, Any] = {}
    # sigs.k8s.io/yaml turns the YAML into a JSON object with sorted keys, and Go
    # reports the first error in that order.
    for key, value in sorted(data.items(), key=lambda kv: str(kv[0]).encode()):
        skey = str(key)
        name = skey if skey in fields else folded.get(skey.lower())
        if name is None:
            raise BuildError(f'invalid Kustomization: json: unknown field "{skey}"')
        field_where = f"{where}.{name}" if struct == "Kustomization" else f"{struct}.{where}.{name}"
        out[name] = _check_value(fields[name], value, field_where, struct, name, where)
    return out


def _type_error(value: Any, go_field: str, go_type: str) -> BuildError:
    return BuildError(f"invalid Kustomization: json: cannot unmarshal {_json_type(value)} into Go struct field "
                      f"{go_field} of type {go_type}")


def _check_value(go_type: str, value: Any, go_field: str, struct: str, name: str, where: str) -> Any:
    if value is None or go_type == _ANY:
        return value
    inner_where = name if struct == "Kustomization" else f"{where}.{name}"
    if go_type == _STR:
        if not isinstance(value, str):
            if isinstance(value, (dict, list, bool, int, float)):
                raise _type_error(value, go_field, go_type)
            return str(value)
        return value
    if go_type == _BOOL:
        if not isinstance(value, bool):
            raise _type_error(value, go_field, go_type)
        return value
    if go_type == _INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _type_error(value, go_field, go_type)
        return value
    if go_type.startswith("map[string]"):
        elem = go_type[len("map[string]"):]
        if not isinstance(value, dict):
            raise _type_error(value, go_field, go_type)
        return {str(k): _check_value(elem, v, go_field, struct, name, where) for k, v in value.items()}
    if go_type.startswith("[]"):
        elem = go_type[2:]
        if not isinstance(value, list):
            raise _type_error(value, go_field, go_type)
        return [_check_value(elem, v, go_field, struct, name, where) for v in value]
    struct_name = go_type.lstrip("*")
    if not isinstance(value, dict):
        raise _type_error(value, go_field, f"types.{struct_name}")
    return _check_struct(struct_name, value, inner_where)
