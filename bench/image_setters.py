"""Setters update benchmark: `update_tree` over a generated repository of YAML files.

    /tmp/venv/bin/python bench/image_setters.py [--files N] [--marked F] [--stale F] [--runs N] [--keep DIR]

`generate()` writes N YAML files (default 2,000) in directories of five
(Deployment, Service, ConfigMap, HorizontalPodAutoscaler, kustomization.yaml),
about 60 lines per Deployment. A fraction F of the Deployments and
kustomization.yaml files (``--marked``, default 0.2 of those, so 10% of all
files) carry ``$imagepolicy`` markers (a whole-ref marker on a container
image, a ``:tag`` marker on an env value, ``:name``/``:tag``/``:digest`` markers
in the kustomization's images); of those, a fraction (``--stale``, default 0.5)
hold an old tag, the rest are already current. Unmarked files mention images
too, so only the ``"$imagepolicy"`` screen keeps them from being parsed.

`main()` resets the marked files before each run, times `update_tree` (median,
min and max of N runs after one warm-up), and checks that exactly the stale
files were rewritten. Target (issue 6): report wall time and files rewritten;
only files with changed markers may be written.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fluxpy.image.setters import update_tree  # noqa: E402
from fluxpy.models.image import ImageRef  # noqa: E402

DIGEST = "sha256:" + "0123456789abcdef" * 4
NEW = ImageRef("ghcr.io/acme/app", "v2.4.1", DIGEST)
POLICIES = {f"flux-system:app-{i}": NEW for i in range(50)}

DEPLOYMENT = """\
---
# {app} web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: team-{team}
  labels:
    app.kubernetes.io/name: {app}
    app.kubernetes.io/part-of: shop
  annotations:
    fluxcd.io/automated: "true"
spec:
  replicas: 3
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {app}
    spec:
      serviceAccountName: {app}
      initContainers:
      - name: migrate
        image: ghcr.io/acme/migrate:v3
        args: ["--wait", "30s"]
      containers:
      - name: web
        image: ghcr.io/acme/app:{tag}{marker}
        ports:
        - name: http
          containerPort: 8080
        env:
        - name: APP_VERSION
          value: {tag}{init_marker}
        - name: LOG_LEVEL
          value: info
        - name: FEATURE_FLAGS
          value: "a,b,c"
        resources:
          requests: {{cpu: 100m, memory: 128Mi}}
          limits: {{cpu: "1", memory: 512Mi}}
        readinessProbe:
          httpGet: {{path: /healthz, port: http}}
          periodSeconds: 10
        livenessProbe:
          httpGet: {{path: /livez, port: http}}
          failureThreshold: 6
      - name: proxy
        image: docker.io/envoyproxy/envoy:v1.30.1
        args:
        - --config-path
        - /etc/envoy/envoy.yaml
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {app}
  namespace: team-{team}
spec:
  selector:
    app.kubernetes.io/name: {app}
  ports:
  - name: http
    port: 80
    targetPort: http
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  namespace: team-{team}
data:
  image: ghcr.io/acme/app:{tag}
  settings.yaml: |
    listen: :8080
    upstreams:
      - name: api
        url: http://api.team-{team}.svc
"""

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app}
  namespace: team-{team}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {app}}}
  minReplicas: 3
  maxReplicas: 12
  metrics:
  - type: Resource
    resource:
      name: cpu
      target: {{type: Utilization, averageUtilization: 70}}
"""

KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: team-{team}
resources:
- deployment.yaml
- service.yaml
- configmap.yaml
- hpa.yaml
images:
- name: app
  newName: ghcr.io/acme/app{name_marker}
  newTag: {tag}{tag_marker}
  digest: {digest}{digest_marker}
"""


def generate(root: Path, *, files: int, marked: float, stale: float) -> dict[Path, str]:
    """Write the repository; return the marked files' original texts."""
    apps = max(1, files // 5)
    every = max(1, round(1 / marked)) if marked > 0 else 0
    originals: dict[Path, str] = {}
    marked_count = 0
    for i in range(apps):
        app, team = f"app-{i:04d}", f"t{i % 20:02d}"
        d = root / "clusters" / "prod" / team / app
        d.mkdir(parents=True, exist_ok=True)
        is_marked = every > 0 and i % every == 0
        policy = f"flux-system:app-{i % 50}"
        tag = "v2.4.1"
        if is_marked:
            marked_count += 1
            if (marked_count % round(1 / stale) == 0) if stale > 0 else False:
                tag = "v1.0.0"

        def m(suffix: str, marked: bool = is_marked, policy: str = policy) -> str:
            return f' # {{"$imagepolicy": "{policy}{suffix}"}}' if marked else ""

        texts = {
            "deployment.yaml": DEPLOYMENT.format(app=app, team=team, tag=tag, marker=m(""),
                                                 init_marker=m(":tag")),
            "service.yaml": SERVICE.format(app=app, team=team),
            "configmap.yaml": CONFIGMAP.format(app=app, team=team, tag=tag),
            "hpa.yaml": HPA.format(app=app, team=team),
            "kustomization.yaml": KUSTOMIZATION.format(
                team=team, tag=tag, name_marker=m(":name"), tag_marker=m(":tag"),
                digest=DIGEST if tag == "v2.4.1" else "sha256:old", digest_marker=m(":digest")),
        }
        if is_marked:
            texts["deployment.yaml"] = texts["deployment.yaml"].replace(
                f"ghcr.io/acme/app:{tag}", f"ghcr.io/acme/app:{tag}@{DIGEST}" if tag == "v2.4.1" else
                f"ghcr.io/acme/app:{tag}", 1)
        for name, text in texts.items():
            (d / name).write_text(text)
            if is_marked and name in ("deployment.yaml", "kustomization.yaml"):
                originals[d / name] = text
    return originals


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--marked", type=float, default=0.2, help="fraction of apps with markers")
    ap.add_argument("--stale", type=float, default=0.5, help="fraction of marked apps with an old tag")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "repo"
        root.mkdir(parents=True, exist_ok=True)
        originals = generate(root, files=args.files, marked=args.marked, stale=args.stale)
        total = sum(1 for _ in root.rglob("*.yaml"))
        stale = {p for p, t in originals.items() if "v1.0.0" in t}
        times: list[float] = []
        rewritten = screened = 0
        for run in range(args.runs + 1):
            for path, text in originals.items():
                path.write_text(text)
            t0 = time.perf_counter()
            result = update_tree(root, "clusters/prod", POLICIES)
            elapsed = time.perf_counter() - t0
            if set(result.written) != stale or result.problems or result.unknown:
                print(f"unexpected result: {len(result.written)} written, {len(stale)} stale, "
                      f"{len(result.problems)} problems, {len(result.unknown)} unknown markers")
                return 1
            rewritten, screened = len(result.written), result.screened
            if run:  # the first run warms the page cache and imports
                times.append(elapsed)
        print(f"files: {total} YAML, {screened} with markers (parsed), {rewritten} rewritten "
              f"(exactly those with stale markers), {len(result.changes())} distinct changes")
        print(f"update_tree wall time over {args.runs} runs: median {statistics.median(times) * 1000:.1f} ms "
              f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
