"""The back-off policy shared by fluxpy's two HTTP clients: the API server and image registries.

`fluxpy.kube.transport` (every request to the cluster) and
`fluxpy.image.registry` (tag listing and manifests) decide *what* to retry on
their own, since their verbs differ in what is safe to repeat. *How long* to
wait is the same for both, and is this module: exponential back-off from
`base`, doubled per retry up to `cap`, with "equal jitter" (half fixed, half
random) so clients that failed together do not retry together; and a
server's `Retry-After` (seconds or an HTTP date), honoured up to
`retry_after_cap` so a misbehaving server cannot stall a pipeline run.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime


@dataclass(frozen=True, slots=True)
class Backoff:
    """How often and how patiently to retry.

    Args:
        attempts: total sends, the first one included.
        base: delay before the first retry, in seconds; it doubles each time.
        cap: the longest computed delay.
        retry_after_cap: the longest `Retry-After` honoured.
    """

    attempts: int = 5
    base: float = 0.25
    cap: float = 8.0
    retry_after_cap: float = 30.0

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1-based), with jitter."""
        d = min(self.cap, self.base * 2.0 ** (retry - 1))
        return d / 2 + random.uniform(0, d / 2)  # noqa: S311 - jitter, not crypto

    def retry_after(self, header: str | None, retry: int) -> float:
        """The wait a `Retry-After` header asks for (seconds or HTTP date), capped; else `delay`."""
        if header:
            seconds: float | None
            try:
                seconds = float(header)
            except ValueError:
                try:
                    seconds = parsedate_to_datetime(header).timestamp() - time.time()
                except (TypeError, ValueError):
                    seconds = None
            if seconds is not None:
                return max(0.0, min(seconds, self.retry_after_cap))
        return self.delay(retry)
