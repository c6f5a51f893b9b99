"""Run the fluxpy CLI in-process or as a subprocess, capturing exact output."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(args: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 60) -> Result:
    """Run `python -m fluxpy ARGS` as a real process (stdout is a pipe, not a terminal)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "NO_COLOR")}
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "fluxpy", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, stdin=subprocess.DEVNULL)
    return Result(proc.returncode, proc.stdout, proc.stderr)
