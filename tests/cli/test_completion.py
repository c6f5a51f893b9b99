"""Shell completion: generated from the command tree, committed, and working.

Covers: completions/ matches what `fluxpy completion <shell>` prints now (a
stale file fails here: regenerate with the command in the failure message);
bash completes commands, nested kinds, hidden aliases and option values.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_committed_completion_script_is_current(shell: str) -> None:
    result = run_cli(["completion", shell])
    assert result.code == 0
    committed = (ROOT / "completions" / f"fluxpy.{shell}").read_text()
    assert committed == result.out, (
        f"completions/fluxpy.{shell} is stale: run `fluxpy completion {shell} > completions/fluxpy.{shell}`")


def _bash_complete(*words: str) -> list[str]:
    script = ROOT / "completions" / "fluxpy.bash"
    line = " ".join(f"'{w}'" for w in words)
    cmd = (f"source '{script}'; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _fluxpy; "
           'printf "%s\\n" "${COMPREPLY[@]}"')
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, check=True)
    assert proc.stderr == ""
    return proc.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash not installed")
@pytest.mark.parametrize(("words", "expected"), [
    (["fluxpy", "ge"], ["get"]),
    (["fluxpy", "get", "sources", "g"], ["git"]),
    (["fluxpy", "-n", "apps", "get", "so"], ["sources"]),
    (["fluxpy", "get", "ks", "-o", ""], ["table", "json", "yaml"]),
    (["fluxpy", "get", "ks", "--no-h"], ["--no-header"]),
    (["fluxpy", "completion", "f"], ["fish"]),
    (["fluxpy", "suspend", "source", ""], ["bucket", "chart", "git", "helm", "oci", "-h", "--help"]),
])
def test_bash_completion_offers(words: list[str], expected: list[str]) -> None:
    offered = _bash_complete(*words)
    assert [w for w in offered if not w.startswith("-") or words[-1].startswith("-")][: len(expected)] == expected \
        or set(expected) <= set(offered)
