"""The `openapi:` and `crds:` kustomization fields, checked against kustomize v5.8.1.

Covers, for `openapi:` (a custom swagger document for strategic merge):
lists of a custom kind merged by `x-kubernetes-patch-merge-key`, by
`x-kubernetes-list-map-keys`, as a set of scalars (strategy `merge`, no key),
or replaced (strategy without `merge`); keys found through `$ref`,
`additionalProperties` and array items; a custom document replacing the
built-in one (a Deployment's containers are then replaced); a base's
document applying to its parent's patches, the first one set winning, and
one set after the built-in document was read being added on top of it;
`version: v1.21.2`, an unknown version, version and path together, a
missing file.

For `crds:` (legacy definitions declaring name references): references in
a custom kind following namePrefix and generated-name hashes, with the
default and an explicit name key, through nested `$ref`s and lists; YAML
files and a lower-case `schema` key; a base's `crds` counting in its
parent; a type name without group and version accepted; the extensions we
do not support yet refused rather than ignored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fluxpy.kustomize import build
from fluxpy.kustomize.errors import BuildError
from tests.kustomize.engine_oracle import assert_like_kustomize, write_tree

PIPELINE = """
apiVersion: ci.example.io/v1
kind: Pipeline
metadata: {name: build}
spec:
  steps:
  - {name: checkout, image: git, ports: [{port: 1, protocol: TCP}, {port: 2}]}
  - {name: test, image: go, tags: [a, b], env: {X: {items: [{k: a, v: "1"}, {k: b, v: "2"}]}}}
  finalizers: [one, two]
  plain: [{name: x, v: 1}]
"""
PIPELINE_PATCH = """
apiVersion: ci.example.io/v1
kind: Pipeline
metadata: {name: build}
spec:
  steps:
  - {name: test, image: go2, tags: [c], env: {X: {items: [{k: b, v: "3"}]}}}
  - {name: checkout, ports: [{port: 1, protocol: UDP}, {port: 3}]}
  - {name: publish, image: kaniko}
  finalizers: [three, one]
  plain: [{name: y, v: 2}]
"""
DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: a, image: a}, {name: b, image: b}]
"""
DEPLOYMENT_PATCH = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: b, image: b2}]
"""


def _schema(*, strategy: str = "merge") -> str:
    definitions = {
        "io.example.ci.v1.Pipeline": {
            "type": "object",
            "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                           "metadata": {"type": "object"}, "spec": {"$ref": "#/definitions/io.example.ci.v1.Spec"}},
            "x-kubernetes-group-version-kind": [{"group": "ci.example.io", "kind": "Pipeline", "version": "v1"}],
        },
        "io.example.ci.v1.Spec": {
            "type": "object",
            "properties": {
                "steps": {"type": "array", "x-kubernetes-patch-merge-key": "name",
                          "x-kubernetes-patch-strategy": strategy,
                          "items": {"$ref": "#/definitions/io.example.ci.v1.Step"}},
                "finalizers": {"type": "array", "x-kubernetes-patch-strategy": "merge", "items": {"type": "string"}},
                "plain": {"type": "array", "items": {"type": "object"}},
            },
        },
        "io.example.ci.v1.Step": {
            "type": "object",
            "properties": {
                "ports": {"type": "array", "x-kubernetes-list-map-keys": ["port", "protocol"],
                          "x-kubernetes-patch-merge-key": "port", "x-kubernetes-patch-strategy": "merge",
                          "items": {"type": "object"}},
                "tags": {"type": "array", "x-kubernetes-patch-strategy": "retainKeys,merge",
                         "items": {"type": "string"}},
                "env": {"type": "object", "additionalProperties": {
                    "type": "object", "properties": {"items": {
                        "type": "array", "x-kubernetes-patch-merge-key": "k", "x-kubernetes-patch-strategy": "merge",
                        "items": {"type": "object"}}}}},
            },
        },
    }
    return json.dumps({"definitions": definitions}, indent=1)


def _kustomization(*lines: str) -> str:
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("strategy", ["merge", "replace"])
def test_custom_schema_merges_custom_kind_lists_by_its_keys(tmp_path: Path, strategy: str) -> None:
    write_tree(tmp_path, {
        "kustomization.yaml": _kustomization("openapi: {path: schema.json}", "resources: [p.yaml]",
                                             "patches: [{path: patch.yaml}]"),
        "schema.json": _schema(strategy=strategy), "p.yaml": PIPELINE, "patch.yaml": PIPELINE_PATCH,
    })
    assert_like_kustomize(tmp_path)


def test_custom_schema_in_yaml_replaces_the_builtin_one(tmp_path: Path) -> None:
    import yaml
    write_tree(tmp_path, {
        "kustomization.yaml": _kustomization("openapi: {path: schema.yaml}", "resources: [p.yaml, d.yaml]",
                                             "patches: [{path: patch.yaml}, {path: dpatch.yaml}]"),
        "schema.yaml": yaml.safe_dump(json.loads(_schema())), "p.yaml": PIPELINE, "patch.yaml": PIPELINE_PATCH,
        "d.yaml": DEPLOYMENT, "dpatch.yaml": DEPLOYMENT_PATCH,
    })
    got = assert_like_kustomize(tmp_path)
    assert got.objects is not None and len(got.objects[0]["spec"]["template"]["spec"]["containers"]) == 1


@pytest.mark.parametrize("order", [
    ["schema-base", "patched"],          # set first: replaces the built-in document
    ["plain", "schema-base", "patched"],  # a custom kind read the built-in one first: added on top
    ["d.yaml", "schema-base", "patched"],  # a Deployment alone does not read it
    ["schema-base", "other-schema", "patched"],  # the first one set wins
])
def test_a_bases_schema_holds_for_the_rest_of_the_build(tmp_path: Path, order: list[str]) -> None:
    other = _schema().replace('"merge-key": "name"', '"merge-key": "image"')
    write_tree(tmp_path, {
        "kustomization.yaml": _kustomization(f"resources: {json.dumps(order)}",
                                             "patches: [{path: patched/patch.yaml}]"),
        "schema-base/kustomization.yaml": "openapi: {path: schema.json}\n",
        "schema-base/schema.json": _schema(),
        "other-schema/kustomization.yaml": "openapi: {path: schema.json}\n",
        "other-schema/schema.json": other,
        "plain/kustomization.yaml": "resources: [p.yaml]\n",
        "plain/p.yaml": PIPELINE.replace("name: build", "name: plain"),
        "d.yaml": DEPLOYMENT.replace("name: web", "name: lone"),
        "patched/kustomization.yaml": "resources: [p.yaml, d.yaml]\npatches: [{path: dpatch.yaml}]\n",
        "patched/p.yaml": PIPELINE, "patched/patch.yaml": PIPELINE_PATCH,
        "patched/d.yaml": DEPLOYMENT, "patched/dpatch.yaml": DEPLOYMENT_PATCH,
    })
    assert_like_kustomize(tmp_path)


@pytest.mark.parametrize("openapi", [
    "{version: v1.21.2}", "{version: v1_21_2}", "{version: v1.21.2, path: schema.json}", "{path: missing.json}",
])
def test_openapi_versions_and_refusals(tmp_path: Path, openapi: str) -> None:
    write_tree(tmp_path, {
        "kustomization.yaml": _kustomization(f"openapi: {openapi}", "resources: [d.yaml]",
                                             "patches: [{path: dpatch.yaml}]"),
        "schema.json": _schema(), "d.yaml": DEPLOYMENT, "dpatch.yaml": DEPLOYMENT_PATCH,
    })
    assert_like_kustomize(tmp_path)


CRD = {
    "github.com/example/backup/v1.BackupSpec": {"Schema": {"properties": {
        "configMapRef": {"x-kubernetes-object-ref-api-version": "v1", "x-kubernetes-object-ref-kind": "ConfigMap"},
        "credentials": {"x-kubernetes-object-ref-api-version": "v1", "x-kubernetes-object-ref-kind": "Secret",
                        "x-kubernetes-object-ref-name-key": "secretName"},
        "targets": {"$ref": "github.com/example/backup/v1.Targets"},
        "wrongVersion": {"x-kubernetes-object-ref-api-version": "apps/v1",
                         "x-kubernetes-object-ref-kind": "ConfigMap"},
    }}},
    "github.com/example/backup/v1.Targets": {"Schema": {"properties": {
        "claims": {"x-kubernetes-object-ref-api-version": "v1", "x-kubernetes-object-ref-kind": "ConfigMap",
                   "x-kubernetes-object-ref-name-key": "cm"},
    }}},
    "github.com/example/backup/v1.Backup": {"Schema": {"properties": {
        "apiVersion": {}, "kind": {}, "metadata": {}, "spec": {"$ref": "github.com/example/backup/v1.BackupSpec"},
    }}},
}
BACKUP = """
apiVersion: backup.example.com/v1
kind: Backup
metadata: {name: nightly}
spec:
  configMapRef: {name: settings}
  credentials: {secretName: s3}
  targets: {claims: [{cm: settings}, {cm: elsewhere}]}
  wrongVersion: {name: settings}
  unrelated: {name: settings}
"""
GENERATORS = """
configMapGenerator: [{name: settings, literals: [A=1]}]
secretGenerator: [{name: s3, literals: [k=v]}]
"""


def test_crds_name_references_follow_prefix_and_hash(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "kustomization.yaml": "namePrefix: team-\ncrds: [crd.json]\nresources: [backup.yaml]\n" + GENERATORS,
        "crd.json": json.dumps(CRD), "backup.yaml": BACKUP,
    })
    got = assert_like_kustomize(tmp_path)
    assert got.objects is not None
    backup = next(o for o in got.objects if o["kind"] == "Backup")
    assert backup["spec"]["unrelated"] == {"name": "settings"}
    assert backup["spec"]["configMapRef"]["name"].startswith("team-settings-")


def test_crds_from_yaml_with_lowercase_schema_key_in_a_base_count_in_the_overlay(tmp_path: Path) -> None:
    import yaml
    crd = {name: {"schema": d["Schema"]} for name, d in CRD.items()}
    write_tree(tmp_path, {
        "base/kustomization.yaml": "crds: [crd.yaml]\nresources: [backup.yaml]\n" + GENERATORS,
        "base/crd.yaml": yaml.safe_dump(crd), "base/backup.yaml": BACKUP,
        "overlay/kustomization.yaml": "namePrefix: prod-\nnameSuffix: -x\nresources: [../base]\n",
    })
    assert_like_kustomize(tmp_path, tmp_path / "overlay")


def test_crds_type_name_without_group_and_version_is_accepted(tmp_path: Path) -> None:
    crd = {"Backup": CRD["github.com/example/backup/v1.Backup"],
           "github.com/example/backup/v1.BackupSpec": CRD["github.com/example/backup/v1.BackupSpec"]}
    write_tree(tmp_path, {
        "kustomization.yaml": "namePrefix: p-\ncrds: [crd.json]\nresources: [backup.yaml]\n" + GENERATORS,
        "crd.json": json.dumps(crd), "backup.yaml": BACKUP,
    })
    assert_like_kustomize(tmp_path)


def test_crds_extensions_we_do_not_support_are_refused(tmp_path: Path) -> None:
    crd = json.loads(json.dumps(CRD))
    crd["github.com/example/backup/v1.BackupSpec"]["Schema"]["properties"]["selector"] = {
        "x-kubernetes-label-selector": ""}
    write_tree(tmp_path, {
        "kustomization.yaml": "crds: [crd.json]\nresources: [backup.yaml]\n",
        "crd.json": json.dumps(crd), "backup.yaml": BACKUP,
    })
    with pytest.raises(BuildError, match="x-kubernetes-label-selector .* is not supported yet"):
        build.build(tmp_path)
