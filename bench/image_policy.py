"""ImagePolicy selection over 100,000 tags, one figure per policy kind (issue 6 target: <= 0.3 s each).

    .venv/bin/python bench/image_policy.py [--runs N]

Times `fluxpy.image.policy.select` end to end (policy built, filter applied,
winner mapped back), median wall and CPU time of N runs after one warm-up
run (CPU time shows the cost when other work shares the 2 cores), for:

- semver `>=1.0.0 <20.0.0` over `mixed_tags` (releases, `v`-prefixed rcs,
  build metadata, 5% non-semver shas), shuffled and in the lexical order a
  distribution registry lists them in;
- alphabetical asc and desc over the same tags;
- numerical asc and desc over Unix timestamps (every tag a number, as a
  numerical policy needs);
- filterTags + extract: `^main-[a-f0-9]+-(?P<ts>[0-9]+)` / `$ts` with a
  numerical policy (the documented CI-build example) over `main-`, `pr-` and
  release tags, and `^v?(?P<v>[0-9]+\\.[0-9]+\\.[0-9]+)$` / `$v` with semver.

Figures are printed, never asserted (tests check the answers instead).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_MS = 300.0
N = 100_000


def medians_ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall and CPU time of fn in ms, after one warm-up run."""
    fn()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def numeric_tags(n: int, *, seed: int = 5) -> list[str]:
    """`n` Unix-timestamp tags, as a CI that tags with `date +%s` pushes them."""
    rnd = random.Random(seed)
    return [str(rnd.randint(1_600_000_000, 1_700_000_000)) for _ in range(n)]


def build_tags(n: int, *, seed: int = 7) -> list[str]:
    """`n` CI tags: 60% `main-<sha>-<ts>`, 30% `pr-<n>-<sha>-<ts>`, 10% releases."""
    rnd = random.Random(seed)
    tags = []
    for i in range(n):
        r = rnd.random()
        ts = rnd.randint(1_600_000_000, 1_700_000_000)
        if r < 0.6:
            tags.append(f"main-{rnd.getrandbits(28):07x}-{ts}")
        elif r < 0.9:
            tags.append(f"pr-{i % 977}-{rnd.getrandbits(28):07x}-{ts}")
        else:
            tags.append(f"v{rnd.randint(0, 9)}.{rnd.randint(0, 30)}.{rnd.randint(0, 99)}")
    return tags


def main() -> int:
    from fluxpy.image.policy import select
    from fluxpy.models.image import PolicyChoice, TagFilter
    from tests.semver.tagsets import mixed_tags

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per figure (default 7)")
    runs = parser.parse_args().runs

    mixed = mixed_tags(N)
    ordered = sorted(mixed)
    numbers = numeric_tags(N)
    builds = build_tags(N)
    semver = PolicyChoice("semver", range=">=1.0.0 <20.0.0")
    cases: list[tuple[str, Callable[[], object]]] = [
        ("semver >=1.0.0 <20.0.0 (registry order)", lambda: select(mixed, semver)),
        ("semver >=1.0.0 <20.0.0 (lexical order)", lambda: select(ordered, semver)),
        ("alphabetical asc", lambda: select(mixed, PolicyChoice("alphabetical", order="asc"))),
        ("alphabetical desc", lambda: select(mixed, PolicyChoice("alphabetical", order="desc"))),
        ("numerical asc (timestamps)", lambda: select(numbers, PolicyChoice("numerical", order="asc"))),
        ("numerical desc (timestamps)", lambda: select(numbers, PolicyChoice("numerical", order="desc"))),
        ("filterTags $ts + numerical asc", lambda: select(
            builds, PolicyChoice("numerical"), TagFilter(r"^main-[a-f0-9]+-(?P<ts>[0-9]+)", "$ts"))),
        ("filterTags $v + semver *", lambda: select(
            mixed, PolicyChoice("semver", range="*"), TagFilter(r"^v?(?P<v>[0-9]+\.[0-9]+\.[0-9]+)$", "$v"))),
    ]
    load = os.getloadavg()[0]
    print(f"ImagePolicy selection over {N:,} tags, median of {runs} runs (target <= {TARGET_MS:.0f} ms wall); "
          f"load average {load:.2f} on {os.cpu_count()} cores")
    print(f"  {'':42s} {'wall':>8s}     {'cpu':>8s}")
    worst = 0.0
    for label, fn in cases:
        wall, cpu = medians_ms(fn, runs)
        worst = max(worst, wall)
        verdict = "ok" if wall <= TARGET_MS else "OVER"
        print(f"  {label:42s} {wall:8.1f} ms  {cpu:8.1f} ms  {verdict}")
    print(f"  {'slowest':42s} {worst:8.1f} ms              {'ok' if worst <= TARGET_MS else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
