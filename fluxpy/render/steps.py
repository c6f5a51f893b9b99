"""Pipeline steps as the user sees them.

On a terminal: a spinner names the running step, and each finished step
prints a line with its time. A failed step prints nothing: its error is the
command's single `✗` line. Piped: one plain line per finished step, on
stderr, stable for scripts: `✔ pull: main@sha1:1a2b... (0.42s)`.
"""

from __future__ import annotations

from typing import Any

from fluxpy.pipelines.progress import StepResult
from fluxpy.render.log import Log
from fluxpy.render.terminal import Terminal


def line(result: StepResult) -> str:
    """The text of a finished step (without the symbol)."""
    return f"{result.step}: {result.detail} ({result.seconds:.2f}s)"


class StepView:
    """A `Progress` that draws on the terminal's error stream."""

    def __init__(self, term: Terminal) -> None:
        self.term = term
        self.log = Log(term)
        self._spinner: Any = None

    def started(self, step: str) -> None:
        if self.term.tty:
            self._stop()
            self._spinner = self.term.console("err").status(f"{step}...")
            self._spinner.start()

    def update(self, step: str, detail: str) -> None:
        if self._spinner is not None:
            self._spinner.update(f"{step}: {detail}")

    def finished(self, result: StepResult) -> None:
        self._stop()
        # A failed step prints nothing here: the error itself reaches the
        # user once, as the command's one `✗` line.
        if result.ok:
            self.log.success(line(result))

    def _stop(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None
