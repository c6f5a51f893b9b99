"""Registry scan benchmark: list 5,000 tags from a local registry, one request per page.

    .venv/bin/python bench/image_registry.py [--tags N] [--page-size N] [--runs N]

Starts a real registry (Debian's `docker-registry`, distribution 2.8) on
127.0.0.1 with temporary storage, pushes N tags (default 5,000) through the
registry API, and prints (medians over --runs):
- the push rate (test set-up, for reference);
- `list_tags` through the paginating proxy of tests/registry (distribution
  2.8 ignores `n`, so the proxy pages its full answer as distribution 3
  does): pages, tag-list requests per page (target: 1), total time;
- the same with pages of 100, to show the per-page cost;
- `list_tags` straight from registry 2.8 (one page of N tags);
- `scan_result` (exclusion, sort, Adler-32) over the N tags.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fluxpy.image import registry  # noqa: E402
from tests.registry import client  # noqa: E402
from tests.registry.proxy import RegistryProxy  # noqa: E402
from tests.registry.server import RegistryServer  # noqa: E402


def median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paged(proxy: RegistryProxy, image: str, tags: int, page_size: int, runs: int) -> None:
    expected = math.ceil(tags / page_size)
    proxy.reset()
    with registry.RegistryClient(insecure=True, page_size=page_size) as c:
        listed = c.list_tags(image)
    assert len(listed) == tags, len(listed)
    requests = len(proxy.tag_list_requests())
    total = median(lambda: registry.list_tags(image, insecure=True, page_size=page_size), runs)
    print(f"  page size {page_size:>5}: {expected} pages, {requests} tag-list requests "
          f"({requests / expected:.2f} per page), {total * 1000:.0f} ms total, "
          f"{total * 1000 / expected:.1f} ms per page")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tags", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=registry.DEFAULT_PAGE_SIZE)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fluxpy-bench-registry-") as tmp:
        server = RegistryServer(Path(tmp) / "registry")
        server.start()
        proxy = RegistryProxy(server)
        proxy.start()
        try:
            repo = "bench/app"
            names = [f"1.{i // 100}.{i % 100}" for i in range(args.tags)]
            start = time.perf_counter()
            client.push(server, repo, names)
            pushed = time.perf_counter() - start
            print(f"registry {server.host}: pushed {args.tags} tags in {pushed:.1f} s "
                  f"({args.tags / pushed:.0f} tags/s, set-up only)")

            print(f"list_tags through the paginating proxy ({args.runs} runs, median):")
            paged(proxy, proxy.image(repo), args.tags, args.page_size, args.runs)
            if args.page_size != 100:
                paged(proxy, proxy.image(repo), args.tags, 100, args.runs)

            direct = median(lambda: registry.list_tags(server.image(repo), insecure=True), args.runs)
            print(f"list_tags straight from registry 2.8 (1 page of {args.tags}): {direct * 1000:.0f} ms")

            tags = registry.list_tags(server.image(repo), insecure=True)
            scan = median(lambda: registry.scan_result(tags), args.runs)
            print(f"scan_result over {len(tags)} tags: {scan * 1000:.1f} ms")
        finally:
            proxy.stop()
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
