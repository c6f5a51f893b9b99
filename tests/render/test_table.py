"""Plain tables as `flux get` prints them when stdout is not a terminal.

Covers: upper-case headers, cells padded to the column width and joined by a
tab, no trailing blanks; no header when none is given.
"""

from __future__ import annotations

import io

from fluxpy.render import table
from fluxpy.render.terminal import Terminal


def test_plain_table_pads_cells_and_joins_with_tabs() -> None:
    text = table.plain(["Name", "Ready", "Message"], [["apps", "True", "Applied revision: main@sha1:1a2b3c4d"],
                                                     ["infrastructure", "False", "x"]])
    assert text == ("NAME          \tREADY\tMESSAGE\n"
                    "apps          \tTrue \tApplied revision: main@sha1:1a2b3c4d\n"
                    "infrastructure\tFalse\tx\n")


def test_show_writes_plain_text_when_not_a_terminal() -> None:
    out = io.StringIO()
    term = Terminal(out=out, err=io.StringIO(), tty=False, color=False)
    table.show(term, ["Name"], [["a"]])
    assert out.getvalue() == "NAME\na\n"


def test_show_on_a_terminal_draws_a_rich_table_with_the_same_cells() -> None:
    out = io.StringIO()
    term = Terminal(out=out, err=io.StringIO(), tty=True, color=False, width=80)
    table.show(term, ["Name", "Ready"], [["apps", "True"]])
    text = out.getvalue()
    assert "NAME" in text and "READY" in text and "apps" in text and "True" in text
    assert "\t" not in text
