"""Patches (fluxpy.kustomize.patches, smp, json6902, targets, schema) against real kustomize.

Each case is a small kustomization tree (resources plus patches); the test runs
``kubectl kustomize`` (kustomize v5.8.1) on it and our patch module on the same
resources, and compares the objects (values and list order) or the error. It covers:

* strategic merge: map merge, null deletes, ``$patch: delete|replace|merge`` on
  maps, list items and whole lists; merge-key lists (patch items first, then the
  base's); multi-key lists (container ports); primitive merge lists (finalizers);
  replaced lists; unknown directives passed through; kind mismatches;
* which lists merge, per kind and API version (the v1.21 schema kustomize embeds);
* targets: kind/name regex/namespace/labelSelector/annotationSelector, renamed
  resources, options allowNameChange/allowKindChange, multi-document patches;
* JSON 6902: every operation, evanphx's quirks and error texts;
* legacy patchesStrategicMerge / patchesJson6902, and error texts.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.kustomize.patch_oracle import oracle, ours

DEP = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, finalizers: [x, y], labels: {app: web, tier: fe}, annotations: {team: a}}
spec:
  replicas: 1
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
  template:
    metadata: {labels: {app: web}}
    spec:
      volumes:
      - {name: v1, configMap: {name: cm}}
      containers:
      - name: a
        image: a
        args: [x, "y"]
        ports: [{containerPort: 80, protocol: TCP, name: http}, {containerPort: 81}]
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
      - {name: b, image: b}
      - {name: c, image: c}
"""
SVC = """apiVersion: v1
kind: Service
metadata: {name: web, namespace: ns1, labels: {app: web}}
spec:
  ports: [{port: 80, targetPort: 8080}, {port: 443, protocol: TCP}]
"""
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, annotations: {role: x}}\ndata: {k: v}\n"
CRD = """apiVersion: example.com/v1
kind: Foo
metadata: {name: foo, finalizers: [x]}
spec:
  items: [{name: a, v: 1}, {name: b, v: 1}]
"""
HDR = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
HEAD = "apiVersion: apps/v1\nkind: Deployment\n"
POD = "spec:\n  template:\n    spec:\n"


def _indent(text: str, n: int) -> str:
    return "\n".join(" " * n + line for line in text.strip("\n").splitlines())


def tree(kust: str, **extra: str) -> dict[str, str]:
    files = {"kustomization.yaml": "resources: [dep.yaml, svc.yaml, cm.yaml, crd.yaml]\n"
                                   "sortOptions: {order: fifo}\n" + kust,
             "dep.yaml": DEP, "svc.yaml": SVC, "cm.yaml": CM, "crd.yaml": CRD}
    files.update({name.replace("__", "/").replace("_yaml", ".yaml"): text for name, text in extra.items()})
    return files


def smp(patch: str, target: str | None = None, options: str | None = None) -> dict[str, str]:
    entry = "patches:\n- patch: |-\n" + _indent(patch, 4) + "\n"
    if target:
        entry += f"  target: {target}\n"
    if options:
        entry += f"  options: {options}\n"
    return tree(entry)


def containers(items: str) -> dict[str, str]:
    return smp(HDR + POD + "      containers:\n" + _indent(items, 6))


def json_ops(ops: str, target: str = "{kind: Deployment}") -> dict[str, str]:
    return tree(f"patches:\n- target: {target}\n  patch: '{ops}'\n")


def listcase(api_version: str, kind: str, path: list[str], key: str) -> dict[str, str]:
    """A resource whose list at `path` has one item, patched with another: merged or replaced?"""
    def nest(items: list[dict[str, Any]]) -> dict[str, Any]:
        value: Any = items
        for part in reversed(path):
            value = {part: value}
        assert isinstance(value, dict)
        return value
    base: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    patch: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    for obj, items in ((base, [{key: "a", "zz": 1}]), (patch, [{key: "b"}])):
        nested = nest(items)
        top = path[0]
        if top == "metadata":
            obj["metadata"].update(nested["metadata"])
        else:
            obj[top] = nested[top]
    return {"kustomization.yaml": "resources: [r.yaml]\nsortOptions: {order: fifo}\npatches:\n- path: p.yaml\n",
            "r.yaml": yaml.safe_dump(base), "p.yaml": yaml.safe_dump(patch)}


PS = ["spec", "template", "spec"]
CASES: dict[str, dict[str, str]] = {
    # maps, nulls, directives
    "map-merge-and-add": smp(HEAD + "metadata:\n  name: web\n  labels: {tier: be, new: 'yes'}\nspec: {paused: true}"),
    "null-deletes-field": smp(HEAD + "metadata:\n  name: web\n  labels: {tier: null}\nspec: {strategy: null}"),
    "null-for-missing-field": smp(HDR + "spec: {nothere: null}"),
    "new-map-with-null-inside": smp(HDR + "spec:\n  template:\n    metadata:\n      annotations: {a: null, b: x}"),
    "map-patch-replace": smp(HDR + "spec:\n  strategy:\n    $patch: replace\n    type: Recreate"),
    "map-patch-delete": smp(HDR + "spec:\n  strategy:\n    $patch: delete"),
    "map-patch-merge-explicit": smp(HDR + "spec:\n  strategy:\n    $patch: merge\n    type: Recreate"),
    "map-patch-delete-missing": smp(HDR + "spec:\n  nothere:\n    $patch: delete"),
    "whole-object-delete": smp(HDR + "$patch: delete"),
    "whole-object-delete-targeted": smp("apiVersion: v1\nkind: Any\nmetadata: {name: any}\n$patch: delete",
                                        target="{kind: ConfigMap}"),
    "unknown-directive": smp(HDR + "spec:\n  strategy:\n    $patch: frob"),
    "kind-mismatch-error": smp(HDR + "spec:\n  template: [1]"),
    "scalar-over-map-error": smp(HDR + "spec:\n  template: 5"),
    "retainKeys-is-a-plain-field": smp(HDR + "spec:\n  strategy:\n    $retainKeys: [type]\n    type: Recreate"),
    "setElementOrder-is-a-plain-field": smp(HDR + POD + "      $setElementOrder/containers: [{name: a}]\n"
                                            "      containers: [{name: a, image: q}]"),
    "deleteFromPrimitiveList-is-a-plain-field": smp(HDR + POD + "      containers:\n      - name: a\n"
                                                    "        $deleteFromPrimitiveList/args: [x]"),
    "name-and-namespace-kept": smp("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ns1}\n"
                                   "spec: {type: NodePort}"),
    # keyed lists
    "containers-patch-first-order": containers("- {name: c, image: new}\n- {name: a, image: aa}\n- {name: side, image: s}"),
    "container-item-delete": containers("- {name: b, $patch: delete}"),
    "container-item-delete-missing": containers("- {name: q, $patch: delete}"),
    "container-item-replace": containers("- {name: a, image: z, $patch: replace}"),
    "containers-list-replace": containers("- $patch: replace\n- {name: z, image: z}"),
    "all-containers-deleted": smp(HDR + POD + "      containers:\n      - {name: a, $patch: delete}\n"
                                  "      - {name: b, $patch: delete}\n      - {name: c, $patch: delete}"),
    "env-merge-and-null": containers("- name: a\n  env: [{name: B, value: null, valueFrom: {fieldRef: {fieldPath: x}}}, "
                                     "{name: C, value: c}]\n  args: [3]"),
    "env-numeric-key-text": containers("- name: a\n  env: [{name: A, value: '9'}]"),
    "volumes-merge": smp(HDR + POD + "      volumes: [{name: v2, emptyDir: {}}, {name: v1, configMap: {name: other}}]"),
    "volumes-new-list-on-container": containers("- name: b\n  volumeMounts: [{mountPath: /x, name: v1}]"),
    "ports-no-protocol-vs-tcp": containers("- name: a\n  ports: [{containerPort: 80, name: web}]"),
    "ports-tcp-vs-tcp": containers("- name: a\n  ports: [{containerPort: 80, protocol: TCP, name: web}]"),
    "ports-no-protocol-vs-none": containers("- name: a\n  ports: [{containerPort: 81, name: web}]"),
    "ports-udp-vs-none": containers("- name: a\n  ports: [{containerPort: 81, protocol: UDP}]"),
    "ports-new": containers("- name: a\n  ports: [{containerPort: 82}]"),
    "ports-mixed": containers("- name: a\n  ports: [{containerPort: 80, name: web}, {containerPort: 82}, "
                              "{containerPort: 81, protocol: UDP}]"),
    "service-ports": smp("apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ns1}\n"
                         "spec:\n  ports: [{port: 443, protocol: TCP, name: https}, {port: 8443}]"),
    "finalizers-union-patch-first": smp(HEAD + "metadata: {name: web, finalizers: [z, x]}"),
    "args-replaced": containers("- name: a\n  args: [q]"),
    "crd-list-replaced": smp("apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: foo, finalizers: [z]}\n"
                             "spec:\n  items: [{name: b, v: 2}]"),
    "tolerations-replaced": smp(HDR + POD + "      tolerations: [{key: k, operator: Exists}]"),
    # targets
    "target-kind-all": smp("apiVersion: v1\nkind: X\nmetadata:\n  name: any\n  annotations: {p: 'true'}",
                           target="{kind: ConfigMap}"),
    "target-name-regex": smp("apiVersion: v1\nkind: X\nmetadata: {name: any, labels: {hit: 'y'}}",
                             target="{name: 'w.*'}"),
    "target-name-anchored": smp("apiVersion: v1\nkind: X\nmetadata: {name: any, labels: {hit: 'y'}}",
                                target="{name: 'e'}"),
    "target-namespace": smp("apiVersion: v1\nkind: X\nmetadata: {name: any, labels: {hit: 'y'}}",
                            target="{namespace: ns1}"),
    "target-namespace-default": smp("apiVersion: v1\nkind: X\nmetadata: {name: any, labels: {hit: 'y'}}",
                                    target="{namespace: default}"),
    "target-label-selector": smp("apiVersion: v1\nkind: X\nmetadata: {name: any, labels: {hit: 'y'}}",
                                 target="{labelSelector: 'app=web,tier in (fe,be)'}"),
    "target-label-selector-notin": smp("apiVersion: v1\nkind: X\nmetadata: {name: any, labels: {hit: 'y'}}",
                                       target="{labelSelector: 'tier notin (fe)'}"),
    "target-label-exists-not": smp("apiVersion: v1\nkind: X\nmetadata: {name: any, labels: {hit: 'y'}}",
                                   target="{labelSelector: '!tier'}"),
    "target-annotation-selector": smp("apiVersion: v1\nkind: X\nmetadata: {name: any, labels: {hit: 'y'}}",
                                      target="{annotationSelector: 'role=x'}"),
    "target-group-version": smp("apiVersion: v1\nkind: X\nmetadata: {name: any, labels: {hit: 'y'}}",
                                target="{group: apps, version: v1}"),
    "target-none-selected": smp("apiVersion: v1\nkind: X\nmetadata: {name: any}", target="{kind: Nope}"),
    "target-keeps-kind-and-name": smp("apiVersion: v9\nkind: Other\nmetadata: {name: renamed}\ndata: {n: '1'}",
                                      target="{kind: ConfigMap}"),
    "allow-name-change": smp("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: renamed}",
                             target="{kind: ConfigMap}", options="{allowNameChange: true}"),
    "allow-kind-change": smp("apiVersion: v1\nkind: Secret\nmetadata: {name: cfg}",
                             target="{kind: ConfigMap}", options="{allowKindChange: true}"),
    "multi-document-patch": tree("patches:\n- path: p.yaml\n", p_yaml=HDR + "spec: {replicas: 3}\n---\n" + CM.replace(
        "{k: v}", "{k2: v2}")),
    "patch-from-file-targeted": tree("patches:\n- path: p.yaml\n  target: {kind: Service}\n",
                                     p_yaml="apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {type: LoadBalancer}\n"),
    # untargeted misses
    "smp-not-found": smp("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nope}\nspec: {replicas: 2}"),
    "smp-wrong-namespace": smp("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: X}"),
    "smp-default-namespace-equals-none": smp("apiVersion: apps/v1\nkind: Deployment\n"
                                             "metadata: {name: web, namespace: default}\nspec: {replicas: 5}"),
    "smp-wrong-version": smp("apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}"),
    # JSON 6902
    "json-add-append-move-copy": json_ops('[{"op": "add", "path": "/spec/template/spec/containers/0/args/-", '
                                          '"value": "z"}, {"op": "move", "from": "/spec/replicas", "path": '
                                          '"/metadata/r"}, {"op": "copy", "from": "/metadata/labels", "path": "/spec/l"}]'),
    "json-yaml-ops": tree("patches:\n- target: {kind: Deployment, name: web}\n  patch: |-\n"
                          "    - op: replace\n      path: /spec/replicas\n      value: 3\n"
                          "    - op: remove\n      path: /metadata/annotations\n"),
    "json-escapes-and-indices": json_ops('[{"op":"add","path":"/metadata/labels/a~1b","value":"q"},{"op":"add",'
                                         '"path":"/metadata/annotations/x~0y","value":"z"},{"op":"add","path":'
                                         '"/spec/template/spec/containers/0/args/0","value":"first"}]'),
    "json-negative-index": json_ops('[{"op":"add","path":"/spec/template/spec/containers/0/args/-1","value":1}]'),
    "json-replace-missing-key-adds": json_ops('[{"op":"replace","path":"/spec/foo","value":1}]'),
    "json-copy-missing-is-null": json_ops('[{"op":"copy","from":"/spec/foo","path":"/spec/bar"}]'),
    "json-add-without-value": json_ops('[{"op":"add","path":"/spec/x"}]'),
    "json-test-ok": json_ops('[{"op":"test","path":"/spec/replicas","value":1},{"op":"test","path":'
                             '"/metadata/labels","value":{"tier":"fe","app":"web"}},{"op":"replace","path":'
                             '"/spec/replicas","value":9}]'),
    "json-test-fails": json_ops('[{"op":"test","path":"/spec/replicas","value":5}]'),
    "json-test-null-missing": json_ops('[{"op":"test","path":"/spec/foo","value":null}]'),
    "json-replace-missing-path": json_ops('[{"op":"replace","path":"/spec/nope/x","value":3}]'),
    "json-remove-missing": json_ops('[{"op":"remove","path":"/spec/nope"}]'),
    "json-bad-op": json_ops('[{"op":"frob","path":"/spec/replicas"}]'),
    "json-no-op": json_ops('[{"path":"/x","value":1}]'),
    "json-no-path": json_ops('[{"op":"add","value":1}]'),
    "json-index-out-of-range": json_ops('[{"op":"add","path":"/spec/template/spec/containers/0/args/5","value":1}]'),
    "json-index-not-a-number": json_ops('[{"op":"add","path":"/spec/template/spec/containers/0/args/x","value":1}]'),
    "json-move-missing": json_ops('[{"op":"move","from":"/spec/foo","path":"/spec/bar"}]'),
    "json-add-missing-parent": json_ops('[{"op":"add","path":"/spec/a/b","value":1}]'),
    "json-remove-index-out-of-range": json_ops('[{"op":"remove","path":"/spec/template/spec/containers/0/args/7"}]'),
    "json-replace-index-out-of-range": json_ops('[{"op":"replace","path":"/spec/template/spec/containers/0/args/7",'
                                                '"value":1}]'),
    "json-pointer-without-slash": json_ops('[{"op":"add","path":"spec","value":1}]'),
    "json-without-target": tree("patches:\n- patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 3\n"),
    "json-target-by-label": json_ops('[{"op":"add","path":"/metadata/labels/hit","value":"y"}]',
                                     target="{labelSelector: app=web}"),
    # legacy fields
    "psm-inline": tree("patchesStrategicMerge:\n- |-\n" + _indent(HDR + "spec: {replicas: 7}", 4) + "\n"),
    "psm-file": tree("patchesStrategicMerge:\n- p.yaml\n", p_yaml=HDR + "spec: {replicas: 8}\n"),
    "psm-not-found": tree("patchesStrategicMerge:\n- |-\n    apiVersion: apps/v1\n    kind: Deployment\n"
                          "    metadata: {name: nope}\n"),
    "pj6902-file": tree("patchesJson6902:\n- target: {group: apps, version: v1, kind: Deployment, name: web}\n"
                        "  path: p.yaml\n", p_yaml="- op: add\n  path: /spec/paused\n  value: true\n"),
    "pj6902-not-found-is-fine": tree("patchesJson6902:\n- target: {group: apps, version: v1, kind: Deployment, "
                                     "name: nope}\n  path: p.yaml\n", p_yaml="- op: add\n  path: /x\n  value: 1\n"),
    "neither-sm-nor-json": tree("patches:\n- patch: hello\n  target: {kind: Deployment}\n"),
    "sm-without-kind": tree("patches:\n- patch: |-\n    metadata: {name: web}\n  target: {kind: ConfigMap}\n"),
    # which lists merge (the embedded v1.21 schema)
    "schema-deployment-containers": listcase("apps/v1", "Deployment", PS + ["containers"], "name"),
    "schema-apps-v1beta2-has-none": listcase("apps/v1beta2", "Deployment", PS + ["containers"], "name"),
    "schema-cronjob-containers": listcase("batch/v1", "CronJob", ["spec", "jobTemplate", "spec", "template", "spec",
                                                                  "containers"], "name"),
    "schema-pod-containers": listcase("v1", "Pod", ["spec", "containers"], "name"),
    "schema-init-containers": listcase("apps/v1", "StatefulSet", PS + ["initContainers"], "name"),
    "schema-image-pull-secrets": listcase("apps/v1", "DaemonSet", PS + ["imagePullSecrets"], "name"),
    "schema-host-aliases": listcase("batch/v1", "Job", PS + ["hostAliases"], "ip"),
    "schema-scheduling-gates-replaced": listcase("apps/v1", "Deployment", PS + ["schedulingGates"], "name"),
    "schema-topology-spread": listcase("apps/v1", "Deployment", PS + ["topologySpreadConstraints"], "topologyKey"),
    "schema-sa-secrets": listcase("v1", "ServiceAccount", ["secrets"], "name"),
    "schema-sa-image-pull-secrets-replaced": listcase("v1", "ServiceAccount", ["imagePullSecrets"], "name"),
    "schema-owner-references": listcase("v1", "ConfigMap", ["metadata", "ownerReferences"], "uid"),
    "schema-crd-owner-references-replaced": listcase("example.com/v1", "Foo", ["metadata", "ownerReferences"], "uid"),
    "schema-webhooks": listcase("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration",
                                ["webhooks"], "name"),
    "schema-role-rules-replaced": listcase("rbac.authorization.k8s.io/v1", "Role", ["rules"], "verbs"),
    "schema-ingress-rules-replaced": listcase("networking.k8s.io/v1", "Ingress", ["spec", "rules"], "host"),
    "schema-hpa-v2-replaced": listcase("autoscaling/v2", "HorizontalPodAutoscaler", ["spec", "metrics"], "type"),
    "schema-status-conditions": listcase("apps/v1", "Deployment", ["status", "conditions"], "type"),
    "schema-node-addresses": listcase("v1", "Node", ["status", "addresses"], "type"),
    "schema-pdb-v1beta1-conditions": listcase("policy/v1beta1", "PodDisruptionBudget", ["status", "conditions"],
                                              "type"),
    "schema-volume-claim-templates-replaced": listcase("apps/v1", "StatefulSet", ["spec", "volumeClaimTemplates"],
                                                       "name"),
}


def _same(expected: list[dict[str, Any]] | str, actual: list[dict[str, Any]] | str) -> bool:
    if isinstance(expected, str) and isinstance(actual, str):
        # kustomize wraps configuration errors ("trouble configuring builtin PatchTransformer
        # with config: `...`: ") and prints YAML node contents on their own line; the core
        # adds the former, so compare our message with kustomize's innermost one.
        flat = " ".join(expected.split())
        return flat.endswith(" ".join(actual.split())) or " ".join(actual.split()) in flat
    return expected == actual


def test_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("name", sorted(CASES))
def test_patch_matches_kustomize(name: str) -> None:
    files = CASES[name]
    expected, actual = oracle(files), ours(files)
    assert _same(expected, actual), f"\nkustomize: {expected}\nfluxpy:    {actual}"
