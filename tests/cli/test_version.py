"""`fluxpy version`: its text, its machine output, and the start-up fast path.

Covers: the three output forms; that the fast path (no typer) and the full CLI
print the same bytes; that the fast path lets anything unusual fall through;
that the fast path does not import typer, rich, yaml or the cluster layer.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
import yaml

from fluxpy import __version__
from fluxpy.cli import version_info
from tests.cli.helpers import run_cli


def test_version_prints_fluxpy_flux_and_python_lines() -> None:
    result = run_cli(["version"])
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == f"fluxpy: v{__version__}"
    assert lines[1].startswith("flux: v2.")
    assert lines[2].startswith("python: 3.")
    assert result.err == ""


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_version_machine_output_parses(fmt: str) -> None:
    result = run_cli(["version", "-o", fmt])
    data = json.loads(result.out) if fmt == "json" else yaml.safe_load(result.out)
    assert data["fluxpy"] == f"v{__version__}"


@pytest.mark.parametrize("args", [["version"], ["version", "-o", "json"], ["version", "--output=yaml"],
                                  ["version", "-ojson", "--no-color"]])
def test_fast_path_and_full_cli_print_the_same_bytes(args: list[str]) -> None:
    fast = io.StringIO()
    assert version_info.fast_path(args, fast) == 0
    # `-v` before the command makes the fast path decline, so typer answers.
    full = run_cli(["-v", *args])
    assert full.code == 0
    assert full.out == fast.getvalue()


@pytest.mark.parametrize("args", [[], ["get", "ks"], ["version", "-o"], ["version", "-o", "xml"],
                                  ["version", "--help"], ["version", "extra"]])
def test_fast_path_declines_anything_else(args: list[str]) -> None:
    assert version_info.fast_path(args, io.StringIO()) is None


def test_bad_output_format_is_a_usage_error() -> None:
    result = run_cli(["version", "-o", "xml"])
    assert result.code == 2
    assert result.err.startswith("✗ ")
    assert "Traceback" not in result.err


def test_version_fast_path_imports_no_heavy_module() -> None:
    code = ("import sys; from fluxpy.main import main; main(['version']);"
            "heavy = [m for m in ('typer', 'rich', 'yaml', 'urllib3', 'kubernetes', 'git') if m in sys.modules];"
            "print(heavy, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr.strip() == "[]"
