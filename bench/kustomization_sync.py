"""Cluster sync benchmark: `reconcile_kustomization` on a generated Kustomization against the API emulator.

    .venv/bin/python bench/kustomization_sync.py [--objects N] [--memory-objects N] [--repeat N]
                                                 [--workers N] [--compare-workers N] [--profile] [--keep DIR]

Run it from the repository root (it imports `tests.apiserver` and
`tests.gitserver`). `manifests()` writes a Git repository whose `./apps`
declares N objects (default 1,000): a few Namespaces, and in each of them
"apps" of a ConfigMap, a Secret, a ServiceAccount, a Service and a
Deployment. The GitRepository is reconciled once, untimed, so every timed run
finds its artifact in the cache; each run is then the Kustomization alone:
build -> decrypt -> validate -> apply -> prune -> status -> events (no health
checks: `spec.wait` is off).

Each reconcile runs in a child process (this script with `--child`), so its
peak memory counts fluxpy only; the emulator serves from this process, which
logs every request. The child reports its own peak resident set (`VmHWM` of
/proc/self/status), not wait4's `ru_maxrss`: Linux carries the parent's
high-water mark over into the child's at fork/exec, and this process holds
the emulator's objects, so `ru_maxrss` would report this process instead. For
each of `--repeat` rounds (a fresh emulator each), it runs:
- the first apply of the N objects (the Namespaces are new, so their objects
  are dry-run at apply time, after the Namespaces exist), then
- a no-op rerun (same revision, nothing changed).
One more round with `--compare-workers` (default 1) shows what concurrent
requests buy, and a pair of runs with `--memory-objects` (default 2,000)
gives the memory figure. The default run (3 rounds) takes about 1.5 minutes
on a 2-core machine.

Printed: API requests per object (targets, issue 5: first apply <= 2.2,
no-op <= 1.1 with zero writes to the applied objects), objects per second of
the reconcile call, each run's request breakdown (dry-run apply, apply, list,
get, discovery, Kustomization status writes, Event creates), the CPU seconds
of fluxpy (the child) and of the emulator (this process) for each run (on a
small machine the emulator's CPU, not fluxpy's, bounds the objects per
second), and peak memory (target <= 200 MiB for 2,000 objects).
`--profile` runs one more first apply and no-op with one worker under
cProfile (cProfile sees only the thread it runs in) and prints the functions
with the most own time. Figures only: nothing is asserted, the exit code is 0.
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.apiserver import ApiServer
    from tests.apiserver.server import Request
    from tests.gitserver.http import GitHttpServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KS_NAME = "bench"
FLUX_NS = "flux-system"
NAMESPACES = 4
KINDS_PER_APP = ("ConfigMap", "Secret", "ServiceAccount", "Service", "Deployment")
REQUESTS_FIRST_TARGET = 2.2
REQUESTS_NOOP_TARGET = 1.1
MEMORY_TARGET_MIB = 200.0
WIDTH = 15  # table columns

# Measure what users get: bytecode caches written on the first run and used after.
BASE_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


# -- the repository ---------------------------------------------------------------------------------------


def _app(ns: str, i: int) -> dict[str, str]:
    """One app's five objects, by kind."""
    name = f"app-{i:04d}"
    secret = base64.b64encode(f"token-{ns}-{i}".encode()).decode()
    return {
        "ConfigMap": f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
  namespace: {ns}
data:
  LOG_LEVEL: info
  LISTEN: ":8080"
  UPSTREAM: http://{name}-upstream.{ns}.svc.cluster.local
""",
        "Secret": f"""apiVersion: v1
kind: Secret
metadata:
  name: {name}-token
  namespace: {ns}
type: Opaque
data:
  token: {secret}
""",
        "ServiceAccount": f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: {ns}
""",
        "Service": f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: {name}
spec:
  selector:
    app: {name}
  ports:
  - name: http
    port: 80
    targetPort: http
""",
        "Deployment": f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels:
    app: {name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      serviceAccountName: {name}
      containers:
      - name: app
        image: ghcr.io/acme/{name}:1.{i % 7}.0
        args: ["--listen=:8080"]
        envFrom:
        - configMapRef:
            name: {name}-config
        env:
        - name: TOKEN
          valueFrom:
            secretKeyRef:
              name: {name}-token
              key: token
        ports:
        - name: http
          containerPort: 8080
        resources:
          requests:
            cpu: 50m
            memory: 64Mi
""",
    }


def manifests(objects: int) -> dict[str, str]:
    """The files of `./apps`: exactly `objects` objects (Namespaces, then apps; ConfigMaps fill the rest).

    Args:
        objects: how many objects the build declares (at least NAMESPACES + 1).
    """
    namespaces = [f"bench-{n}" for n in range(NAMESPACES)]
    apps, extra = divmod(objects - NAMESPACES, len(KINDS_PER_APP))
    files: dict[str, str] = {"apps/namespaces.yaml": "---\n".join(
        f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n" for ns in namespaces)}
    docs: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for i in range(apps):
        ns = namespaces[i % NAMESPACES]
        for kind, text in _app(ns, i).items():
            docs[(ns, kind)].append(text)
    for j in range(extra):
        docs[(namespaces[0], "ConfigMap")].append(_app(namespaces[0], apps + j)["ConfigMap"])
    for (ns, kind), texts in sorted(docs.items()):
        files[f"apps/{ns}/{kind.lower()}s.yaml"] = "---\n".join(texts)
    resources = sorted(p.removeprefix("apps/") for p in files)
    files["apps/kustomization.yaml"] = ("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                                        "resources:\n" + "".join(f"- {r}\n" for r in resources))
    return files


# -- the cluster ------------------------------------------------------------------------------------------


def flux_objects(url: str) -> list[dict[str, Any]]:
    """The GitRepository and the Kustomization that applies `./apps` (prune on, no health checks)."""
    return [
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
         "metadata": {"name": KS_NAME, "namespace": FLUX_NS},
         "spec": {"interval": "1m0s", "url": url, "ref": {"branch": "main"}, "timeout": "60s"}},
        {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
         "metadata": {"name": KS_NAME, "namespace": FLUX_NS},
         "spec": {"interval": "10m0s", "path": "./apps", "prune": True, "timeout": "5m0s",
                  "sourceRef": {"kind": "GitRepository", "name": KS_NAME}}},
    ]


def start_cluster(directory: Path, url: str, artifacts: Path, cache: Path) -> ApiServer:
    """A fresh emulator with the Flux objects, and the GitRepository reconciled (its artifact stored)."""
    from fluxpy.kube.client import Kube
    from fluxpy.kube.config import load
    from fluxpy.pipelines import source
    from fluxpy.source.storage import Storage
    from tests.apiserver import ApiServer

    srv = ApiServer(directory)
    srv.start()
    srv.install_flux_crds()
    for ns in ("default", "kube-system", FLUX_NS):
        srv.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    for obj in flux_objects(url):
        srv.seed(obj)
    with Kube(load(kubeconfig=str(srv.kubeconfig)), discovery_cache="") as kube:  # not the user's cache
        source.reconcile_git_repository(kube, namespace=FLUX_NS, name=KS_NAME, storage=Storage(artifacts),
                                        cache_dir=cache)
    return srv


# -- one reconcile in a child process ---------------------------------------------------------------------


@dataclass
class Run:
    """One reconcile: what the child reported, its resources, and the requests the emulator served."""

    label: str
    objects: int
    seconds: float  # the reconcile_kustomization call, in the child
    wall: float  # the child process, start-up and imports included
    peak_mib: float
    child_cpu: float  # the child process, start-up included
    reconcile_cpu: float  # the reconcile call, every thread of the child
    emulator_cpu: float
    counts: dict[str, int]
    steps: list[tuple[str, float, str]]
    requests: list[Request] = field(repr=False)

    @property
    def per_object(self) -> float:
        return len(self.requests) / self.objects


def object_writes(requests: Sequence[Request]) -> list[Request]:
    """Writes to the applied objects: not dry-runs, not Flux objects (status), not Events."""
    return [r for r in requests
            if r.verb in ("create", "update", "patch", "delete") and r.query.get("dryRun") != "All"
            and "toolkit.fluxcd.io" not in r.path and r.resource != "events"]


def category(r: Request) -> str:
    """What a request was for, for the breakdown."""
    if not r.resource:
        return "discovery"
    write = r.verb in ("create", "update", "patch", "delete")
    if r.resource == "events":
        return "event create" if r.verb == "create" else f"event {r.verb}"
    if "toolkit.fluxcd.io" in r.path:
        return f"Flux object {'status write' if write and r.subresource == 'status' else r.verb}"
    if r.query.get("dryRun") == "All":
        return f"dry-run {'apply' if r.verb == 'patch' else r.verb}"
    if r.verb == "patch":
        return "apply" if r.query.get("force") in ("true", "1") else "patch"
    return r.verb


def reconcile_in_child(srv: ApiServer, *, label: str, objects: int, artifacts: Path, cache: Path, xdg: Path,
                       workers: int, profile: Path | None = None) -> Run:
    """Run `--child` against `srv` and wait4 for it; the emulator's request log is cleared first."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--kubeconfig", str(srv.kubeconfig),
           "--artifacts", str(artifacts), "--cache", str(cache), "--workers", str(workers)]
    if profile is not None:
        cmd += ["--profile-out", str(profile)]
    env = {**BASE_ENV, "XDG_CACHE_HOME": str(xdg)}
    srv.clear_requests()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        cpu0, start = time.process_time(), time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall, emulator_cpu = time.perf_counter() - start, time.process_time() - cpu0
        requests = srv.requests
        out.seek(0)
        err.seek(0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise SystemExit(f"{label}: the reconcile failed ({code}):\n{err.read().decode(errors='replace')[-2000:]}")
        data = json.loads(out.read())
    if data["error"]:
        raise SystemExit(f"{label}: the reconcile failed: {data['error'][:2000]}")
    return Run(label, objects, data["seconds"], wall, data["peak_kib"] / 1024, usage.ru_utime + usage.ru_stime,
               data["cpu"], emulator_cpu, data["counts"], [tuple(s) for s in data["steps"]], requests)


def child(args: argparse.Namespace) -> int:
    """The child: one reconcile, its report as JSON on stdout."""
    from fluxpy.kube.client import Kube
    from fluxpy.pipelines import cluster_sync
    from fluxpy.source.storage import Storage

    options = cluster_sync.Options(workers=args.workers, environ={})
    with Kube.connect(kubeconfig=args.kubeconfig) as kube:
        profiler = None
        if args.profile_out:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        start, cpu = time.perf_counter(), time.process_time()
        report = cluster_sync.reconcile_kustomization(kube, namespace=FLUX_NS, name=KS_NAME,
                                                      storage=Storage(Path(args.artifacts)),
                                                      cache_dir=Path(args.cache), options=options)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile_out)
    json.dump({"seconds": seconds, "cpu": cpu, "error": report.error,
               "counts": {k: v for k, v in report.counts().items() if v},
               "steps": [(s.step, s.seconds, s.detail) for s in report.steps], "peak_kib": peak_kib()}, sys.stdout)
    return 0


def peak_kib() -> int:
    """This process's own peak resident set in KiB (`VmHWM`: since exec, unlike `ru_maxrss`)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc/self/status: this benchmark needs Linux")


BASELINE = f"""import sys; sys.path.insert(0, {str(ROOT)!r})
import fluxpy.kube.client, fluxpy.pipelines.cluster_sync, fluxpy.pipelines.build, fluxpy.sync.apply
import fluxpy.sync.validate, fluxpy.sync.prune, fluxpy.sync.status, fluxpy.sync.events, fluxpy.kustomize.build
status = open("/proc/self/status").read()
print(status.split("VmHWM:")[1].split()[0])
"""


def baseline_mib() -> float:
    """Peak memory of a child that only imports what the reconcile uses (the floor of the figure)."""
    out = subprocess.run([sys.executable, "-c", BASELINE], env=BASE_ENV, cwd=ROOT, capture_output=True, text=True,
                         check=False)
    return int(out.stdout) / 1024 if out.returncode == 0 else float("nan")


# -- rounds and printing ----------------------------------------------------------------------------------


@dataclass
class Scenario:
    """A repository of `objects` objects, served over HTTP, with its artifact cache."""

    objects: int
    url: str
    artifacts: Path
    cache: Path


def make_scenario(tmp: Path, git_http: GitHttpServer, objects: int) -> Scenario:
    from tests.gitserver.repos import make_repo

    repo = make_repo(tmp / f"repo-{objects}", manifests(objects))
    url = git_http.publish(repo)
    return Scenario(objects, url, tmp / f"artifacts-{objects}", tmp / f"git-cache-{objects}")


def first_and_noop(tmp: Path, scenario: Scenario, *, name: str, workers: int, suffix: str = "",
                   profile: Path | None = None) -> tuple[Run, Run]:
    """A fresh emulator, the first apply, then the no-op rerun.

    Args:
        name: the round's directory under `tmp`.
        suffix: added to the runs' labels.
    """
    where = tmp / f"round-{scenario.objects}-{name}"
    srv = start_cluster(where / "apiserver", scenario.url, scenario.artifacts, scenario.cache)
    try:
        kw: dict[str, Any] = {"objects": scenario.objects, "artifacts": scenario.artifacts,
                              "cache": scenario.cache, "xdg": where / "xdg", "workers": workers}
        first = reconcile_in_child(srv, label=f"first {scenario.objects}{suffix}",
                                   profile=profile and profile.with_suffix(".first"), **kw)
        noop = reconcile_in_child(srv, label=f"no-op {scenario.objects}{suffix}",
                                  profile=profile and profile.with_suffix(".noop"), **kw)
    finally:
        srv.stop()
    expected = {"created": scenario.objects}
    if first.counts != expected or noop.counts != {"unchanged": scenario.objects}:
        print(f"  note: unexpected actions: first {first.counts}, no-op {noop.counts}")
    return first, noop


def breakdown(runs: Sequence[Run]) -> None:
    """Requests by category, one column per run."""
    table = [collections.Counter(category(r) for r in run.requests) for run in runs]
    names = sorted(set().union(*table), key=lambda c: (-max(t[c] for t in table), c))
    print(f"  {'request':<30}" + "".join(f"{run.label:>{WIDTH}}" for run in runs))
    for name in names:
        print(f"  {name:<30}" + "".join(f"{t[name]:>{WIDTH}}" for t in table))
    print(f"  {'total':<30}" + "".join(f"{len(run.requests):>{WIDTH}}" for run in runs))
    print(f"  {'per object':<30}" + "".join(f"{run.per_object:>{WIDTH}.3f}" for run in runs))


def steps_table(runs: Sequence[Run]) -> None:
    print(f"  {'step (s)':<30}" + "".join(f"{run.label:>{WIDTH}}" for run in runs))
    names = list(dict.fromkeys(s[0] for run in runs for s in run.steps))
    for name in names:
        cells = []
        for run in runs:
            secs = sum(s[1] for s in run.steps if s[0] == name)
            cells.append(f"{secs:>{WIDTH}.2f}")
        print(f"  {name:<30}" + "".join(cells))
    print(f"  {'reconcile call':<30}" + "".join(f"{run.seconds:>{WIDTH}.2f}" for run in runs))
    print(f"  {'child process (wall)':<30}" + "".join(f"{run.wall:>{WIDTH}.2f}" for run in runs))
    print(f"  {'fluxpy CPU (reconcile call)':<30}" + "".join(f"{run.reconcile_cpu:>{WIDTH}.2f}" for run in runs))
    print(f"  {'fluxpy CPU (child process)':<30}" + "".join(f"{run.child_cpu:>{WIDTH}.2f}" for run in runs))
    print(f"  {'emulator CPU (this process)':<30}" + "".join(f"{run.emulator_cpu:>{WIDTH}.2f}" for run in runs))
    print(f"  {'peak RSS (MiB)':<30}" + "".join(f"{run.peak_mib:>{WIDTH}.1f}" for run in runs))


def print_profile(path: Path, title: str, limit: int = 18) -> None:
    print(f"\n{title}: top {limit} by own time (cProfile, one worker)")
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:limit]  # type: ignore[attr-defined]
    print(f"  {'own s':>7} {'cum s':>7} {'calls':>9}  function   (total {total:.2f} s)")
    for (file, line, func), (_, calls, tt, ct, _) in rows:
        where = file.replace(str(ROOT) + "/", "").replace(sys.prefix, "<venv>")
        print(f"  {tt:7.2f} {ct:7.2f} {calls:9d}  {func} ({where}:{line})")


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000, help="objects in the Kustomization (requests, speed)")
    parser.add_argument("--memory-objects", type=int, default=2000,
                        help="objects for the peak-memory figure (0: skip)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of first apply + no-op (medians reported)")
    parser.add_argument("--workers", type=int, default=None, help="requests in flight (default: Options' default)")
    parser.add_argument("--compare-workers", type=int, default=1, metavar="N",
                        help="one more round with N workers, to show what concurrency buys (0: skip)")
    parser.add_argument("--profile", action="store_true", help="also profile a round with one worker")
    parser.add_argument("--keep", type=Path, help="keep the repositories, emulator files and profiles here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kubeconfig", help=argparse.SUPPRESS)
    parser.add_argument("--artifacts", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.workers is None:
        from fluxpy.pipelines.cluster_sync import Options

        args.workers = Options().workers
    if args.child:
        return child(args)
    if args.objects <= NAMESPACES or (args.memory_objects and args.memory_objects <= NAMESPACES):
        parser.error(f"--objects and --memory-objects must be above {NAMESPACES}")

    from tests.gitserver.http import GitHttpServer

    os.environ.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
    with tempfile.TemporaryDirectory(prefix="fluxpy-bench-") as tmp_name:
        tmp = args.keep or Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        git_http = GitHttpServer(tmp / "served")
        git_http.start()
        try:
            main_scenario = make_scenario(tmp, git_http, args.objects)
            rounds = []
            for n in range(args.repeat):
                print(f"round {n + 1}/{args.repeat}: {args.objects} objects, {args.workers} workers ...", flush=True)
                rounds.append(first_and_noop(tmp, main_scenario, name=str(n), workers=args.workers))
            compared: tuple[Run, Run] | None = None
            if args.compare_workers and args.compare_workers != args.workers:
                print(f"concurrency: {args.objects} objects, {args.compare_workers} workers ...", flush=True)
                compared = first_and_noop(tmp, main_scenario, name=f"w{args.compare_workers}",
                                          workers=args.compare_workers, suffix=f" w{args.compare_workers}")
            memory: tuple[Run, Run] | None = None
            if args.memory_objects:
                print(f"memory: {args.memory_objects} objects ...", flush=True)
                memory = first_and_noop(tmp, make_scenario(tmp, git_http, args.memory_objects), name="memory",
                                        workers=args.workers)
            profiled: tuple[Run, Run] | None = None
            if args.profile:
                print(f"profile: {args.objects} objects, one worker ...", flush=True)
                profiled = first_and_noop(tmp, main_scenario, name="profile", workers=1, suffix="*",
                                          profile=tmp / "profile")
                print_profile(tmp / "profile.first", f"first apply ({args.objects}), fluxpy")
                print_profile(tmp / "profile.noop", f"no-op ({args.objects}), fluxpy")
            floor = baseline_mib()
        finally:
            git_http.stop()

    first, noop = rounds[-1]
    print(f"\nrequests, last round ({args.objects} objects; the emulator's log of the reconcile call)")
    breakdown([first, noop, *(memory or ())])
    print(f"\ntimes, last round (the reconcile call's steps; {args.workers} workers)")
    steps_table([first, noop, *(compared or ()), *(memory or ()), *(profiled or ())])
    if profiled:
        print("  * profiled, one worker")

    # Request counts do not depend on timing; the worst round is reported all the same.
    per_first = max(r[0].per_object for r in rounds)
    per_noop = max(r[1].per_object for r in rounds)
    writes = [w for r in rounds for w in object_writes(r[1].requests)]
    t_first = statistics.median(r[0].seconds for r in rounds)
    t_noop = statistics.median(r[1].seconds for r in rounds)
    cpu_first = statistics.median(r[0].reconcile_cpu for r in rounds)
    cpu_noop = statistics.median(r[1].reconcile_cpu for r in rounds)
    emu_first = statistics.median(r[0].emulator_cpu / len(r[0].requests) for r in rounds)
    emu_noop = statistics.median(r[1].emulator_cpu / len(r[1].requests) for r in rounds)
    status_writes = sum(1 for r in noop.requests if category(r) == "Flux object status write")
    events = sum(1 for r in noop.requests if category(r) == "event create")
    print(f"\nsummary: {args.objects} objects, {args.workers} workers, {args.repeat} round"
          f"{'s' if args.repeat != 1 else ''} (times: medians of the reconcile call)")
    print(f"  requests per object, first apply   {per_first:9.3f}      target <= {REQUESTS_FIRST_TARGET}   "
          f"{verdict(per_first, REQUESTS_FIRST_TARGET)}")
    print(f"  requests per object, no-op rerun   {per_noop:9.3f}      target <= {REQUESTS_NOOP_TARGET}   "
          f"{verdict(per_noop, REQUESTS_NOOP_TARGET)}")
    print(f"  writes to applied objects, no-op   {len(writes):9d}      target 0        {verdict(len(writes), 0)}"
          + (f": {', '.join(sorted({f'{w.verb} {w.path}' for w in writes})[:5])}" if writes else ""))
    print(f"  no-op: Kustomization status writes {status_writes:9d}      Event creates: {events}")
    print(f"  objects per second, first apply    {args.objects / t_first:9.0f}      ({t_first:.2f} s)")
    print(f"  objects per second, no-op rerun    {args.objects / t_noop:9.0f}      ({t_noop:.2f} s)")
    print(f"  fluxpy CPU per object, first/no-op {cpu_first / args.objects * 1000:9.2f} / "
          f"{cpu_noop / args.objects * 1000:.2f} ms (the reconcile call, build included)")
    print(f"  emulator CPU per request, first/no-op {emu_first * 1000:6.2f} / {emu_noop * 1000:.2f} ms")
    if compared is not None:
        label = f"objects per second, {args.compare_workers} worker{'s' if args.compare_workers != 1 else ''}"
        print(f"  {label + ', first/no-op':<36}{args.objects / compared[0].seconds:7.0f} / "
              f"{args.objects / compared[1].seconds:.0f}  ({compared[0].seconds:.2f} / {compared[1].seconds:.2f} s, "
              "one round)")
    if memory is not None:
        peak = max(r.peak_mib for r in memory)
        print(f"  peak RSS, {args.memory_objects} objects        {peak:9.1f} MiB  target <= "
              f"{MEMORY_TARGET_MIB:.0f}   {verdict(peak, MEMORY_TARGET_MIB)} "
              f"(first {memory[0].peak_mib:.1f}, no-op {memory[1].peak_mib:.1f}; imports alone {floor:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
