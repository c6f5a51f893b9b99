"""Progress lines on stderr, in the flux CLI's form: `<symbol> <text>`.

The symbols are Flux's: `►` action, `✚` generate, `◎` waiting, `✔` success,
`⚠️` warning, `✗` failure. On a colour terminal the symbol is coloured; the
text is the same either way, so scripts can match on it.
"""

from __future__ import annotations

from fluxpy.render.terminal import Terminal

SYMBOLS = {
    "action": ("►", "cyan"),
    "generate": ("✚", "cyan"),
    "waiting": ("◎", "cyan"),
    "success": ("✔", "green"),
    "warning": ("⚠️", "yellow"),
    "failure": ("✗", "red"),
}


def line(kind: str, text: str) -> str:
    """The plain text of one progress line (no newline)."""
    return f"{SYMBOLS[kind][0]} {text}"


class Log:
    """Writes progress lines to the terminal's error stream."""

    def __init__(self, term: Terminal) -> None:
        self.term = term

    def _write(self, kind: str, text: str) -> None:
        symbol, style = SYMBOLS[kind]
        if self.term.color:
            from rich.text import Text

            rendered = Text.assemble((symbol, style), " ", text)
            self.term.console("err").print(rendered)
        else:
            self.term.err.write(f"{symbol} {text}\n")
            self.term.err.flush()

    def action(self, text: str) -> None:
        self._write("action", text)

    def generate(self, text: str) -> None:
        self._write("generate", text)

    def waiting(self, text: str) -> None:
        self._write("waiting", text)

    def success(self, text: str) -> None:
        self._write("success", text)

    def warning(self, text: str) -> None:
        self._write("warning", text)

    def failure(self, text: str) -> None:
        self._write("failure", text)
