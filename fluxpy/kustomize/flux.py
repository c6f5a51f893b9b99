"""Flux's additions around the kustomize build (kustomize-controller's generator).

Before building a Kustomization's `spec.path`, Flux:

1. generates a kustomization when the directory has none: every `.yaml` /
   `.yml` file below it that decodes as Kubernetes YAML, and every
   subdirectory holding a kustomization file (listed as a resource and not
   walked into), in walk order, as `./`-relative paths; a YAML file that is
   not Kubernetes YAML fails the build;
2. overlays the Kustomization object's settings on the root kustomization:
   `namespace` = `targetNamespace`, `namePrefix`, `nameSuffix`, `patches`
   appended, `components` appended, `images` merged by name (an image with the
   same name is replaced, a new one appended).

Both steps work on plain data here: `generate` returns the kustomization to
build (or None when the directory has its own) and `overlay` returns a new
one; the engine builds it in place of the file, so nothing is written into
the source tree. Paths and symlinks never leave the source root.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fluxpy.kustomize.errors import BuildError

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def has_kustomization(directory: Path) -> bool:
    """Whether `directory` holds a kustomization file (a regular file, as Flux checks)."""
    return any((directory / name).is_file() for name in KUSTOMIZATION_FILES)


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def generate(root: Path, directory: Path, *, decode: Callable[[str, str], object]) -> dict[str, Any] | None:
    """The kustomization Flux generates for `directory`, or None when it has one.

    Args:
        root: the source root; nothing outside it is read.
        directory: the Kustomization's `spec.path` inside `root`.
        decode: `decode(text, rel_path)` raises BuildError when the text is not
            Kubernetes YAML (the engine's reader).

    Raises:
        BuildError: a file is not Kubernetes YAML, or a path or symlink leaves the root.
    """
    if not _inside(root, directory):
        raise BuildError(f"path '{directory}' is outside the source root '{root}'",
                         hint="spec.path must stay inside the repository")
    if has_kustomization(directory):
        return None
    resources: list[str] = []
    _walk(root, directory, directory, resources, decode)
    return {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": resources}


def _walk(root: Path, top: Path, here: Path, resources: list[str],
          decode: Callable[[str, str], object]) -> None:
    """Depth first in lexical order, like Go's filepath.Walk (which Flux uses)."""
    for entry in sorted(os.scandir(here), key=lambda e: e.name):
        path = Path(entry.path)
        rel = "./" + path.relative_to(top).as_posix()
        if entry.is_dir(follow_symlinks=False):
            if has_kustomization(path):
                resources.append(rel)
            else:
                _walk(root, top, path, resources, decode)
            continue
        if path.suffix not in (".yaml", ".yml"):
            continue
        shown = path.relative_to(root).as_posix()
        if not _inside(root, path):
            raise BuildError(f"security; file '{path.resolve()}' is not in or below '{root.resolve()}'", path=shown)
        try:
            decode(path.read_text(encoding="utf-8"), shown)
        except BuildError as err:
            raise BuildError(f"failed to decode Kubernetes YAML from {shown}: {err.message}",
                             hint="move non-Kubernetes YAML out of spec.path, or add a kustomization.yaml "
                                  "that lists the manifests") from err
        resources.append(rel)


def _selector(target: Any) -> dict[str, str]:
    fields = (("group", "group"), ("version", "version"), ("kind", "kind"), ("name", "name"),
              ("namespace", "namespace"), ("labelSelector", "label_selector"),
              ("annotationSelector", "annotation_selector"))
    return {key: getattr(target, attr) for key, attr in fields if getattr(target, attr)}


def overlay(kustomization: Mapping[str, Any], spec: Any) -> dict[str, Any]:
    """The root kustomization with a Kustomization object's settings applied.

    Args:
        kustomization: the directory's kustomization (read or generated).
        spec: a `fluxpy.models.kustomize.KustomizationSpec`.
    """
    out = copy.deepcopy(dict(kustomization))
    if spec.target_namespace:
        out["namespace"] = spec.target_namespace
    if spec.name_prefix:
        out["namePrefix"] = spec.name_prefix
    if spec.name_suffix:
        out["nameSuffix"] = spec.name_suffix
    for patch in spec.patches:
        entry: dict[str, Any] = {"patch": patch.patch}
        if patch.target is not None:
            entry["target"] = _selector(patch.target)
        out.setdefault("patches", []).append(entry)
    if spec.components:
        out.setdefault("components", []).extend(spec.components)
    for image in spec.images:
        new = {k: v for k, v in (("name", image.name), ("newName", image.new_name), ("newTag", image.new_tag),
                                 ("digest", image.digest)) if v}
        images = out.setdefault("images", [])
        for i, existing in enumerate(images):
            if existing.get("name") == image.name:
                images[i] = new
                break
        else:
            images.append(new)
    return out
