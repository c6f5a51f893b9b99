"""Generated tag lists shared by the semver tests and bench/micro.py."""

from __future__ import annotations

import random


def mixed_tags(n: int, *, seed: int = 3) -> list[str]:
    """`n` registry-like tags: releases, `v`-prefixed rcs, build metadata and non-semver shas."""
    rnd = random.Random(seed)
    tags = []
    for i in range(n):
        r = rnd.random()
        major, minor, patch = rnd.randint(0, 30), rnd.randint(0, 50), rnd.randint(0, 200)
        if r < 0.7:
            tags.append(f"{major}.{minor}.{patch}")
        elif r < 0.85:
            tags.append(f"v{major}.{minor}.{patch}-rc.{rnd.randint(0, 9)}")
        elif r < 0.95:
            tags.append(f"{major}.{minor}.{patch}+build.{i}")
        else:
            tags.append(f"sha-{rnd.getrandbits(32):08x}")
    return tags
