"""The `fluxpy` entry point.

`fluxpy version` is answered here without importing typer or rich: a CLI that
scripts call many times must start fast, and the benchmark holds it to twice
the start-up time of `kubectl version --client`. Every other command line goes
to the typer application in `fluxpy.cli.app`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run fluxpy with `argv` (default: the process arguments); return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    from fluxpy.cli import version_info

    code = version_info.fast_path(args, sys.stdout)
    if code is not None:
        return code
    from fluxpy.cli.app import run

    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
