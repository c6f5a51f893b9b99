"""How pipelines report their steps, without knowing how they are shown.

A pipeline calls `started` and `finished` on the `Progress` it was given;
`fluxpy.render.steps` draws them on a terminal or as plain lines.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StepResult:
    """A finished step.

    Args:
        step: the step's name (`pull`, `artifact`, `status`, `events`, ...).
        detail: one line on what it did.
        seconds: how long it took.
        ok: False when the step failed (detail says why).
    """

    step: str
    detail: str
    seconds: float
    ok: bool = True


class Progress(Protocol):
    """Receives step notifications."""

    def started(self, step: str) -> None: ...

    def update(self, step: str, detail: str) -> None:
        """The running step has news (e.g. apply counts); shown live on a terminal only."""

    def finished(self, result: StepResult) -> None: ...


class Silent:
    """A Progress that shows nothing (library use, tests)."""

    def __init__(self) -> None:
        self.results: list[StepResult] = []

    def started(self, step: str) -> None:
        """Ignore."""

    def update(self, step: str, detail: str) -> None:
        """Ignore."""

    def finished(self, result: StepResult) -> None:
        """Keep the result."""
        self.results.append(result)


class StepTimer:
    """Times one step; the pipeline sets `detail` before the step ends."""

    def __init__(self) -> None:
        self.detail = ""
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


@contextmanager
def step(progress: Progress, name: str) -> Iterator[StepTimer]:
    """Report `name` as started, then finished (failed if an exception escapes)."""
    progress.started(name)
    timer = StepTimer()
    try:
        yield timer
    except BaseException as err:
        progress.finished(StepResult(name, str(err), timer.elapsed(), ok=False))
        raise
    progress.finished(StepResult(name, timer.detail, timer.elapsed()))
