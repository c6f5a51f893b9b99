"""`replacements:` agrees with kustomize v5.8.1.

Covers: the default source field (metadata.name, after a prefix), a source
selected by its pre-prefix name, list elements picked by `[name=...]`,
delimiter/index on source and target, `create`, scalar type kept (an
integer target stays an integer), a map copied whole, `reject`, target
name regexes, replacements read from a file, and the errors for no source
and a missing target field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kustomize.engine_oracle import assert_like_kustomize, write_tree

RES = """
apiVersion: v1
kind: ConfigMap
metadata: {name: env, labels: {role: src}}
data: {host: db.example.com, port: "5432", replicas: "4", image: "nginx:1.2"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        env: [{name: HOST, value: x}, {name: CM, value: y}]
      - name: side
        image: busybox
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, labels: {skip: "true"}}
spec:
  replicas: 1
  template:
    spec:
      containers: [{name: web, image: "nginx:1.25", env: [{name: HOST, value: x}]}]
"""


def _case(replacements: str, extra: str = "") -> dict[str, str]:
    return {"res.yaml": RES, "kustomization.yaml": f"resources: [res.yaml]\n{extra}replacements:\n{replacements}"}


CASES: dict[str, dict[str, str]] = {
    "name_after_prefix": _case("""\
- source: {kind: ConfigMap, name: env}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.template.spec.containers.[name=web].env.[name=CM].value
""", "namePrefix: p-\n"),
    "data_field": _case("""\
- source: {kind: ConfigMap, name: env, fieldPath: data.host}
  targets:
  - select: {kind: Deployment, name: web}
    fieldPaths:
    - spec.template.spec.containers.0.env.[name=HOST].value
"""),
    "int_target_keeps_type": _case("""\
- source: {kind: ConfigMap, name: env, fieldPath: data.replicas}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.replicas
"""),
    "delimiters": _case("""\
- source: {kind: ConfigMap, name: env, fieldPath: data.image, options: {delimiter: ':', index: 1}}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - 'spec.template.spec.containers.*.image'
    options: {delimiter: ':', index: 1}
"""),
    "create_missing": _case("""\
- source: {kind: ConfigMap, name: env, fieldPath: data.port}
  targets:
  - select: {kind: Deployment, name: web}
    fieldPaths:
    - metadata.annotations.port
    - spec.template.metadata.labels.port
    options: {create: true}
"""),
    "map_copied": _case("""\
- source: {kind: ConfigMap, name: env, fieldPath: metadata.labels}
  targets:
  - select: {kind: Deployment, name: web}
    fieldPaths:
    - spec.template.metadata.labels
"""),
    "reject_and_regex": _case("""\
- source: {kind: ConfigMap, name: env, fieldPath: data.host}
  targets:
  - select: {kind: Deployment, name: 'w.*'}
    reject: [{labelSelector: skip=true}]
    fieldPaths:
    - spec.template.spec.containers.[name=web].env.[name=HOST].value
"""),
    "from_file": {"res.yaml": RES, "r.yaml": """\
source: {kind: ConfigMap, name: env, fieldPath: data.host}
targets:
- select: {kind: Deployment}
  fieldPaths:
    - spec.template.spec.containers.[name=web].env.[name=HOST].value
""", "kustomization.yaml": "resources: [res.yaml]\nreplacements:\n- path: r.yaml\n"},
    "missing_target_field": _case("""\
- source: {kind: ConfigMap, name: env}
  targets:
  - select: {kind: Deployment, name: web}
    fieldPaths:
    - spec.nothing.here
"""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_replacement_matches_kustomize(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path, CASES[name])
    assert_like_kustomize(tmp_path)
