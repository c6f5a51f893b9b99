"""When output may be rich and coloured.

Covers: colour only on a terminal; `--no-color` and the NO_COLOR variable turn
it off; piped output is never a terminal; progress lines are plain text when
colour is off.
"""

from __future__ import annotations

import io
import sys

import pytest

from fluxpy.render.log import Log
from fluxpy.render.terminal import Terminal


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("tty", "no_color", "env", "color"), [
    (True, False, None, True),
    (True, True, None, False),
    (True, False, "1", False),
    (False, False, None, False),
])
def test_colour_needs_a_terminal_and_no_opt_out(monkeypatch: pytest.MonkeyPatch, tty: bool, no_color: bool,
                                                env: str | None, color: bool) -> None:
    monkeypatch.setattr(sys, "stdout", _Tty() if tty else io.StringIO())
    if env is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", env)
    term = Terminal.detect(no_color=no_color)
    assert term.tty is tty
    assert term.color is color


def test_progress_lines_are_plain_without_colour() -> None:
    err = io.StringIO()
    log = Log(Terminal(out=io.StringIO(), err=err, tty=False, color=False))
    log.action("suspending kustomization apps in flux-system namespace")
    log.success("kustomization suspended")
    log.failure("boom")
    assert err.getvalue() == ("► suspending kustomization apps in flux-system namespace\n"
                              "✔ kustomization suspended\n"
                              "✗ boom\n")
