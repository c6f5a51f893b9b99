"""Git source benchmark: first fetch against `git clone --depth 1`, and an unchanged re-fetch.

    .venv/bin/python bench/git_fetch.py [--files N] [--runs N]

Serves a generated repository of N files (default 10,000) with `git daemon`
on 127.0.0.1 and prints, side by side in one run (medians):
- `git clone --depth 1` of it;
- fluxpy's pull step (library, cold cache) and its ratio to the clone
  (target: <= 1.2x), plus the whole `fluxpy pull git` command (pull +
  artifact tarball + process start-up);
- `fluxpy pull git` again with a warm cache and an unchanged remote: wall
  time and the number of git processes it started.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
BASE_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(fn: Callable[[], None], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def git_wrapper(directory: Path, log: Path) -> Path:
    """A `git` on PATH that logs each invocation, then runs the real one."""
    real = shutil.which("git")
    wrapper = directory / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return directory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from fluxpy.source import fetch
    from fluxpy.source.types import GitFetchSpec, GitRef
    from tests.gitserver.daemon import GitDaemon
    from tests.gitserver.repos import make_large_repo

    with tempfile.TemporaryDirectory(prefix="fluxpy-bench-") as tmp_name:
        tmp = Path(tmp_name)
        print(f"generating a repository of {args.files} files ...", flush=True)
        repo = make_large_repo(tmp / "src", files=args.files)
        daemon = GitDaemon(tmp / "served")
        daemon.start()
        try:
            url = daemon.publish(repo)
            counter = iter(range(10_000))

            def clone() -> None:
                dest = tmp / f"clone-{next(counter)}"
                subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", "main", url, str(dest)],
                               check=True, env=BASE_ENV)
                shutil.rmtree(dest)

            def pull_step() -> None:
                n = next(counter)
                spec = GitFetchSpec(url=url, ref=GitRef(branch="main"))
                fetch.pull(spec, None, cache_dir=tmp / f"cache-{n}", workdir=tmp / f"work-{n}")
                shutil.rmtree(tmp / f"cache-{n}")
                shutil.rmtree(tmp / f"work-{n}")

            def pull_command(cache: Path, env: dict[str, str] | None = None) -> None:
                subprocess.run([str(BIN / "fluxpy"), "pull", "git", "--url", url, "--branch", "main"],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**(env or BASE_ENV), "XDG_CACHE_HOME": str(cache)})

            def cold_command() -> None:
                cache = tmp / f"xdg-{next(counter)}"
                pull_command(cache)
                shutil.rmtree(cache)

            clone()  # warm the server and the page cache
            # Interleave the runs compared: this machine's disk speed drifts
            # over minutes, and a block of clones then a block of pulls would
            # compare two different disks.
            rounds = [(timed(clone), timed(pull_step), timed(cold_command)) for _ in range(args.runs)]
            t_clone, t_pull, t_cold = (statistics.median(r[i] for r in rounds) for i in range(3))

            warm = tmp / "xdg-warm"
            pull_command(warm)
            t_warm = median(lambda: pull_command(warm), args.runs)
            log = tmp / "git-calls.log"
            (tmp / "bin").mkdir()
            bindir = git_wrapper(tmp / "bin", log)
            pull_command(warm, {**BASE_ENV, "PATH": f"{bindir}{os.pathsep}{BASE_ENV['PATH']}"})
            calls = log.read_text().splitlines()
        finally:
            daemon.stop()

    print(f"median of {args.runs} runs, {args.files} files over git://127.0.0.1")
    print(f"  git clone --depth 1                   {t_clone * 1000:8.0f} ms")
    print(f"  fluxpy pull step (cold cache)         {t_pull * 1000:8.0f} ms   ratio {t_pull / t_clone:.2f}x "
          "(target <= 1.20x)")
    print(f"  fluxpy pull git (cold, + artifact)    {t_cold * 1000:8.0f} ms   ratio {t_cold / t_clone:.2f}x")
    print(f"  fluxpy pull git (warm, unchanged)     {t_warm * 1000:8.0f} ms   git processes: {len(calls)} "
          f"({'; '.join(c.split()[0] for c in calls)})")
    return 0 if t_pull / t_clone <= 1.2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
