"""Name references follow renames exactly as kustomize v5.8.1 does.

Covers: two bases with same-named objects and different prefixes (each
Deployment keeps pointing at its own ConfigMap); references across
namespaces (only the referrer's namespace is searched; ServiceAccounts and
cluster-scoped objects are seen from anywhere); RoleBinding subjects moved
with their ServiceAccount's namespace, `User` subjects untouched; roleRef
honouring its kind; webhook service references written as `{name,
namespace: default}`; a reference to an object outside the build left
alone; StatefulSet serviceName, PVC volumeName/storageClassName, HPA targets,
priorityClassName.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kustomize.engine_oracle import assert_like_kustomize, write_tree

APP = """
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {selector: {app: a}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      serviceAccountName: sa
      priorityClassName: high
      containers:
      - name: c
        image: i
        envFrom: [{configMapRef: {name: cfg}}, {configMapRef: {name: not-in-build}}]
"""

CLUSTER = """
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: x
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv}
spec: {storageClassName: fast, capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /x}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: claim}
spec: {volumeName: pv, storageClassName: fast, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: svc
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: c, image: i}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {storageClassName: fast, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: db}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}, maxReplicas: 2}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: sa}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: sa}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: sa}
subjects:
- {kind: ServiceAccount, name: sa}
- {kind: User, name: sa}
- {kind: ServiceAccount, name: sa, namespace: elsewhere}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: hook}
webhooks:
- name: h.example.com
  clientConfig: {service: {name: svc, namespace: default}}
  admissionReviewVersions: [v1]
  sideEffects: None
"""

CASES: dict[str, dict[str, str]] = {
    "two_prefixed_bases": {
        "a/kustomization.yaml": "namePrefix: a-\nresources: [app.yaml]\n", "a/app.yaml": APP,
        "b/kustomization.yaml": "namePrefix: b-\nnamespace: bee\nresources: [app.yaml]\n", "b/app.yaml": APP,
        "kustomization.yaml": "resources: [a, b]\nnameSuffix: -x\n"},
    "cluster_and_rbac_prefixed": {
        "app.yaml": APP, "cluster.yaml": CLUSTER,
        "kustomization.yaml": "resources: [app.yaml, cluster.yaml]\nnamePrefix: p-\nnamespace: team\n"},
    "namespaced_base_referenced_from_other_namespace": {
        "a/kustomization.yaml": "namespace: one\nnamePrefix: one-\nresources: [app.yaml]\n", "a/app.yaml": APP,
        "cluster.yaml": CLUSTER,
        "kustomization.yaml": "resources: [a, cluster.yaml]\n"},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_name_references_match_kustomize(tmp_path: Path, name: str) -> None:
    write_tree(tmp_path, CASES[name])
    assert_like_kustomize(tmp_path)
