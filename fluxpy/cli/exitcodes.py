"""Exit codes: a contract with the scripts that call fluxpy.

Only `fluxpy.cli` maps errors to these codes, in one place (`cli.errors`).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What the process exit status means.

    OK: the command did what was asked.
    FAILED: it ran and failed (cluster error, object missing, bad input file).
    USAGE: the command line was wrong (unknown option, missing argument).
        `diff` also exits 2 on any failure, as `flux diff` and `kubectl diff`
        do, because its 1 means "differences found".
    INTERRUPTED: Ctrl-C (SIGINT), as shells report it.
    """

    OK = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130
