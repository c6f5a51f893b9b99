"""What `fluxpy version` reports, and its start-up fast path.

This module imports only the standard library. `fast_path` answers the plain
forms of `fluxpy version` (optionally with `-o table|json|yaml` and
`--no-color`) before typer is imported; any other argument list falls through
to the full CLI, which prints the same text through the same `render`.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from typing import TextIO

from fluxpy import __version__

# The Flux release whose API objects and formats fluxpy reads and writes.
FLUX_COMPAT = "2.8"

OUTPUTS = ("table", "json", "yaml")


def report() -> dict[str, str]:
    """The facts `fluxpy version` prints, in print order."""
    return {
        "fluxpy": f"v{__version__}",
        "flux": f"v{FLUX_COMPAT} (API compatibility)",
        "python": platform.python_version(),
    }


def render(output: str) -> str:
    """The text of `fluxpy version -o <output>`, newline-terminated.

    Raises:
        ValueError: `output` is not one of table, json, yaml.
    """
    facts = report()
    if output == "json":
        import json

        return json.dumps(facts, indent=2) + "\n"
    if output == "yaml":
        # Flat string values only, each quoted, so no YAML library is needed.
        return "".join(f'{key}: "{value}"\n' for key, value in facts.items())
    if output == "table":
        return "".join(f"{key}: {value}\n" for key, value in facts.items())
    raise ValueError(f"unknown output format {output!r}: use one of {', '.join(OUTPUTS)}")


def fast_path(args: Sequence[str], out: TextIO) -> int | None:
    """Answer `fluxpy version [-o FORMAT] [--no-color]` without the CLI framework.

    Returns:
        The exit code, or None when `args` is anything else (the full CLI
        then handles it, including every error message).
    """
    if not args or args[0] != "version":
        return None
    output = "table"
    rest = list(args[1:])
    while rest:
        arg = rest.pop(0)
        if arg == "--no-color":
            continue
        if arg in ("-o", "--output") and rest and rest[0] in OUTPUTS:
            output = rest.pop(0)
        elif arg.startswith("--output=") and arg[len("--output="):] in OUTPUTS:
            output = arg[len("--output="):]
        elif arg.startswith("-o") and arg[2:] in OUTPUTS:
            output = arg[2:]
        else:
            return None
    out.write(render(output))
    out.flush()
    return 0
