"""Run our generators over a kustomization's generator entries (for the oracle tests)."""

from __future__ import annotations

from typing import Any

import yaml

from fluxpy.kustomize import generators
from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.resource import ResMap, Resource
from fluxpy.kustomize.yamlio import load_documents


def ours_generated(files: dict[str, Any], *, base: dict[str, Any] | None = None) -> list[dict[str, Any]] | str:
    """Objects our generators make from `files` (entries of kustomization.yaml), after
    merging into `base` (the resources a base produced), hashed; or the error text."""
    kust = yaml.safe_load(files["kustomization.yaml"])

    def read(path: str) -> bytes:
        if path not in files:
            raise BuildError(f"evalsymlink failure on '{path}' : lstat {path}: no such file or directory")
        value = files[path]
        return value if isinstance(value, bytes) else str(value).encode("utf-8")

    resmap = ResMap()
    try:
        for name in kust.get("resources", []):
            for obj in load_documents(files[name], path=name):
                resmap.append(Resource(obj, origin=name))
        for layer in ([base] if base else []) + [kust]:
            for kind, field in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
                for args in layer.get(field) or []:
                    opts = generators.merge_options(args.get("options"), layer.get("generatorOptions"))
                    res = generators.generate(kind, args, options=opts, read=read, environ={})
                    generators.merge_generated(resmap, res)
        generators.apply_hashes(resmap)
    except BuildError as err:
        return err.message
    return [res.obj for res in resmap]
