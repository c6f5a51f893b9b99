"""Tables as `flux get` prints them, and as rich tables on a terminal.

Plain form (stdout not a terminal): upper-case headers, no borders, each cell
padded to its column's width and columns joined by a tab, the way Flux's
table writer is set up (`SetTablePadding("\\t")`, `SetNoWhiteSpace(true)`).
Trailing blanks are cut so lines compare cleanly in scripts.
"""

from __future__ import annotations

from collections.abc import Sequence

from fluxpy.render.terminal import Terminal


def plain(headers: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True) -> str:
    """The plain text of a table, newline-terminated.

    Args:
        headers: column names (they size the columns even when not shown).
        rows: the cells.
        header: print the header line.
    """
    table = [[h.upper() for h in headers], *[list(r) for r in rows]]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = ["\t".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    return "\n".join(lines if header else lines[1:]) + "\n"


def show(term: Terminal, headers: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True) -> None:
    """Print a table: rich on a terminal, plain otherwise."""
    if not term.tty:
        term.out.write(plain(headers, rows, header=header))
        term.out.flush()
        return
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, show_header=header,
                  header_style="bold" if term.color else "")
    for name in headers:
        # As flux: names, revisions and times are never broken; only the message wraps.
        message = name.upper() == "MESSAGE"
        table.add_column(name.upper(), overflow="fold", no_wrap=not message, min_width=None if message else
                         max((len(r[headers.index(name)]) for r in rows), default=len(name)))
    upper = [h.upper() for h in headers]
    ready_col = upper.index("READY") if "READY" in upper else -1
    for row in rows:
        cells: list[str | object] = list(row)
        if term.color and ready_col >= 0:
            from rich.text import Text

            style = {"True": "green", "False": "red"}.get(row[ready_col], "yellow")
            cells[ready_col] = Text(row[ready_col], style=style)
        table.add_row(*cells)  # type: ignore[arg-type]
    term.console("out").print(table)
