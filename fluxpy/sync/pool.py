"""Bounded concurrency for per-object requests.

Validate and apply send one request per object; a few in flight at once hide
most of the round-trip time without flooding the API server (Flux's
controller applies one object at a time per Kustomization, kubectl too; the
bench shows what concurrency buys). `each` keeps the order of its input and,
on Ctrl-C or an unexpected error, cancels what has not started and waits for
the requests already in flight, so the caller knows exactly which objects
were done.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

WORKERS = 8
"""Requests in flight at once (below the transport's 10 pooled connections)."""

_T = TypeVar("_T")
_R = TypeVar("_R")


def each(items: Sequence[_T], fn: Callable[[_T], _R], *, workers: int = WORKERS,
         on_done: Callable[[_T, _R], None] | None = None) -> list[_R]:
    """`[fn(item) for item in items]`, several at once.

    Args:
        items: the inputs.
        fn: the work; an exception it raises stops the rest (not yet
            started items are cancelled, running ones finish) and is re-raised.
        workers: how many at once; 1 runs in this thread.
        on_done: called in this thread with each input and result as they finish.

    Raises:
        Whatever `fn` raised first; KeyboardInterrupt when interrupted.
    """
    if workers <= 1 or len(items) <= 1:
        out = []
        for item in items:
            result = fn(item)
            if on_done:
                on_done(item, result)
            out.append(result)
        return out
    pool = ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="fluxpy")
    futures: list[Future[_R]] = []
    try:
        futures = [pool.submit(fn, item) for item in items]
        pending = set(futures)
        index = {f: i for i, f in enumerate(futures)}
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
            for f in sorted(done, key=index.__getitem__):
                error = f.exception()
                if error is not None:
                    raise error
                if on_done:
                    on_done(items[index[f]], f.result())
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
