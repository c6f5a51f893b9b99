"""The output environment as an object: streams, terminal-ness and colour.

Commands receive a `Terminal` rather than reaching for `sys.stdout`, so tests
can hand them string buffers and compare exact text.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console


@dataclass
class Terminal:
    """Where output goes and how it may look.

    Args:
        out: the stream for results (tables, json, yaml).
        err: the stream for progress lines and errors.
        tty: whether `out` is an interactive terminal (rich tables, live views).
        color: whether colour may be used.
        width: the console width for rich rendering; None to detect.
    """

    out: TextIO
    err: TextIO
    tty: bool
    color: bool
    width: int | None = None
    _consoles: dict[str, Console] = field(default_factory=dict, repr=False)

    @classmethod
    def detect(cls, *, no_color: bool = False) -> Terminal:
        """The process's own streams; colour off with --no-color or NO_COLOR."""
        tty = sys.stdout.isatty()
        color = tty and not no_color and not os.environ.get("NO_COLOR")
        return cls(out=sys.stdout, err=sys.stderr, tty=tty, color=color)

    def console(self, stream: str = "out") -> Console:
        """A rich console on `out` or `err`, made once and only when needed."""
        if stream not in self._consoles:
            from rich.console import Console

            target = self.out if stream == "out" else self.err
            self._consoles[stream] = Console(
                file=target,
                force_terminal=self.tty,
                no_color=not self.color,
                highlight=False,
                soft_wrap=True,
                width=self.width,
            )
        return self._consoles[stream]
