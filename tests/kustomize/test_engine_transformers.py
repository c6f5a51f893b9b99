"""The engine's builtin transformers agree with kustomize v5.8.1, one small kustomization per case.

Covers: resources and nested bases; namespace (cluster-scoped kinds left
alone, Namespace objects renamed, RoleBinding `default` subjects moved);
namePrefix/nameSuffix (CRDs, APIServices and Namespaces skipped) and the
name references that follow renames (ConfigMap/Secret refs, volumes,
envFrom, serviceAccountName, roleRef, subjects, Ingress backends, HPA
targets, same-named objects from differently prefixed bases); labels with
includeSelectors/includeTemplates/fields and commonLabels; commonAnnotations;
images (newName, newTag dropping a digest, digest, no match across
registries); replicas; the legacy output order and sortOptions. Every
expectation is real kustomize's output, produced in the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kustomize.engine_oracle import assert_like_kustomize, write_tree

DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: runner
      imagePullSecrets: [{name: pull}]
      initContainers:
      - name: init
        image: busybox:1.36
      containers:
      - name: web
        image: nginx:1.25
        envFrom:
        - configMapRef: {name: settings}
        - secretRef: {name: creds}
        env:
        - name: X
          valueFrom:
            configMapKeyRef: {name: settings, key: x}
      - name: side
        image: docker.io/library/nginx:1.25@sha256:0000000000000000000000000000000000000000000000000000000000000000
      volumes:
      - name: cfg
        configMap: {name: settings}
      - name: sec
        secret: {secretName: creds}
      - name: data
        persistentVolumeClaim: {claimName: data}
"""

OTHERS = """
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {x: "1"}
---
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {p: q}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend:
    service: {name: web, port: {number: 80}}
  tls: [{secretName: creds}]
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 80}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [configmaps], resourceNames: [settings], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: runner}
- {kind: ServiceAccount, name: default}
- {kind: User, name: alice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: viewer}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: viewer}
subjects: [{kind: ServiceAccount, name: runner, namespace: apps}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  template:
    spec:
      containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Namespace
metadata: {name: apps}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: "busybox"}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: web
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: "postgres:16"}]
  volumeClaimTemplates:
  - metadata: {name: pgdata}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hook}
webhooks:
- name: hook.example.com
  clientConfig:
    service: {name: web, namespace: apps}
  admissionReviewVersions: [v1]
  sideEffects: None
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web}
spec:
  podSelector: {matchLabels: {app: web}}
"""

RESOURCES = "resources: [deploy.yaml, others.yaml]\n"


def _case(kustomization: str) -> dict[str, str]:
    return {"kustomization.yaml": RESOURCES + kustomization, "deploy.yaml": DEPLOY, "others.yaml": OTHERS}


CASES: dict[str, dict[str, str]] = {
    "plain": _case(""),
    "namespace": _case("namespace: prod\n"),
    "prefix": _case("namePrefix: p-\n"),
    "suffix": _case("nameSuffix: -s\n"),
    "prefix_suffix_namespace": _case("namespace: apps\nnamePrefix: a-\nnameSuffix: -z\n"),
    "common_labels": _case("commonLabels:\n  team: core\n  app.kubernetes.io/part-of: shop\n"),
    "labels_plain": _case("labels:\n- pairs: {team: core}\n"),
    "labels_selectors": _case("labels:\n- pairs: {team: core}\n  includeSelectors: true\n"),
    "labels_templates": _case("labels:\n- pairs: {team: core}\n  includeTemplates: true\n"),
    "labels_fields": _case("labels:\n- pairs: {team: core}\n  fields:\n  - path: spec/selector\n"
                           "    kind: Service\n    create: true\n"),
    "labels_then_common": _case("labels:\n- pairs: {a: '1'}\ncommonLabels: {b: '2'}\n"),
    "annotations": _case("commonAnnotations:\n  owner: team-core\n  note: 'a: b'\n"),
    "images_new_tag": _case("images:\n- name: nginx\n  newTag: '1.27'\n"),
    "images_new_name": _case("images:\n- name: nginx\n  newName: registry.local/nginx\n"),
    "images_digest": _case("images:\n- name: busybox\n  digest: sha256:1111111111111111111111111111111111111111111111111111111111111111\n"),
    "images_tag_and_digest": _case("images:\n- name: postgres\n  newTag: '17'\n  digest: sha256:2222222222222222222222222222222222222222222222222222222222222222\n"),
    "images_registry": _case("images:\n- name: docker.io/library/nginx\n  newTag: '2'\n"),
    "replicas": _case("replicas:\n- name: web\n  count: 3\n- name: db\n  count: 2\n"),
    "replicas_after_prefix": _case("namePrefix: p-\nreplicas:\n- name: web\n  count: 5\n"),
    "replicas_no_match": _case("replicas:\n- name: nothing\n  count: 3\n"),
    "sort_fifo": _case("sortOptions:\n  order: fifo\n"),
    "sort_legacy_custom": _case("sortOptions:\n  order: legacy\n  legacySortOptions:\n"
                                "    orderFirst: [Service]\n    orderLast: [Deployment]\n"),
    "everything": _case("namespace: shop\nnamePrefix: x-\nnameSuffix: -1\ncommonLabels: {env: prod}\n"
                        "commonAnnotations: {a: b}\nimages:\n- name: nginx\n  newName: nn\n  newTag: t\n"
                        "replicas:\n- name: web\n  count: 2\n"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_transformer_matches_kustomize(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path, CASES[name])
    assert_like_kustomize(tmp_path)
