"""Micro-benchmarks of pure steps, figures printed (never asserted in tests).

    .venv/bin/python bench/micro.py

- kustomize printer: emitting 2,000 typical resources (target well under 0.3 s);
- semver: picking the latest of 100,000 mixed tags with a range (issue 6
  target: <= 0.3 s per policy kind).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def median_ms(fn: Callable[[], object], runs: int = 5) -> float:
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    from fluxpy import semver
    from fluxpy.kustomize.yamlio import dump_resources
    from tests.kustomize.test_yamlio import typical_resources
    from tests.semver.tagsets import mixed_tags

    objs = typical_resources(2000)
    many = mixed_tags(100_000)
    print("median of 5 runs")
    print(f"  kustomize printer, 2,000 resources       {median_ms(lambda: dump_resources(objs)):8.1f} ms")
    print(f"  semver latest of 100,000 tags (random)   "
          f"{median_ms(lambda: semver.latest(many, '>=1.0.0 <20.0.0', strict=False)):8.1f} ms   (target <= 300 ms)")
    ordered = sorted(many, key=lambda t: (semver.parse_image_tag(t) is not None, t))
    print(f"  semver latest of 100,000 tags (sorted)   "
          f"{median_ms(lambda: semver.latest(ordered, '>=1.0.0 <20.0.0', strict=False)):8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
