"""Flux's generated kustomization and the Kustomization object's overlay.

Covers: no kustomization -> every Kubernetes YAML file below the path (walk
order, `./` paths), subdirectories with a kustomization listed and not
walked into, other files ignored; a directory with its own kustomization
returns None; non-Kubernetes YAML fails naming the file; a symlink out of
the root fails; the overlay sets namespace/prefix/suffix, appends patches and
components and merges images by name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from fluxpy.kustomize import flux
from fluxpy.kustomize.errors import BuildError
from fluxpy.models.kustomize import Kustomization


def decode(text: str, path: str) -> object:
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    for doc in docs:
        if not isinstance(doc, dict) or "kind" not in doc:
            raise BuildError("missing Resource metadata", path=path)
    return docs


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"


def test_generates_resources_in_walk_order(tmp_path: Path) -> None:
    write(tmp_path, {"apps/b.yaml": CM, "apps/a.yml": CM, "apps/z/c.yaml": CM, "apps/base/kustomization.yaml":
                     "resources: []\n", "apps/base/ignored.yaml": CM, "apps/README.md": "x", "apps/y.json": "{}",
                     "apps/aa/d.yaml": CM})
    got = flux.generate(tmp_path, tmp_path / "apps", decode=decode)
    # Depth first in lexical order: aa/ is entered before b.yaml is seen.
    assert got == {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                   "resources": ["./a.yml", "./aa/d.yaml", "./b.yaml", "./base", "./z/c.yaml"]}


def test_existing_kustomization_is_used_as_is(tmp_path: Path) -> None:
    write(tmp_path, {"apps/kustomization.yaml": "resources: []\n"})
    assert flux.generate(tmp_path, tmp_path / "apps", decode=decode) is None


def test_non_kubernetes_yaml_fails_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path, {"apps/values.yaml": "replicas: 3\n"})
    with pytest.raises(BuildError, match="failed to decode Kubernetes YAML from apps/values.yaml"):
        flux.generate(tmp_path, tmp_path / "apps", decode=decode)


def test_symlink_out_of_the_root_fails(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(CM)
    (tmp_path / "src" / "apps").mkdir(parents=True)
    os.symlink(outside, tmp_path / "src" / "apps" / "leak.yaml")
    with pytest.raises(BuildError, match="security; file"):
        flux.generate(tmp_path / "src", tmp_path / "src" / "apps", decode=decode)


def test_path_outside_the_root_fails(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    with pytest.raises(BuildError, match="outside the source root"):
        flux.generate(tmp_path / "src", tmp_path, decode=decode)


def spec(extra: dict[str, Any]) -> Any:
    return Kustomization.from_dict({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system"},
        "spec": {"interval": "10m", "prune": True, "sourceRef": {"kind": "GitRepository", "name": "repo"}, **extra},
    }).spec


def test_overlay_applies_the_kustomization_settings() -> None:
    base = {"resources": ["./a.yaml"], "images": [{"name": "web", "newTag": "1"}, {"name": "db", "newTag": "9"}],
            "patches": [{"path": "p.yaml"}], "components": ["../c1"]}
    got = flux.overlay(base, spec({
        "targetNamespace": "apps", "namePrefix": "p-", "nameSuffix": "-s", "components": ["../c2"],
        "patches": [{"patch": "- op: add\n", "target": {"kind": "Deployment", "labelSelector": "app=web"}}],
        "images": [{"name": "web", "newName": "reg/web", "newTag": "2"}, {"name": "cache", "digest": "sha256:ab"}],
    }))
    assert got["namespace"] == "apps" and got["namePrefix"] == "p-" and got["nameSuffix"] == "-s"
    assert got["patches"] == [{"path": "p.yaml"},
                              {"patch": "- op: add\n", "target": {"kind": "Deployment", "labelSelector": "app=web"}}]
    assert got["components"] == ["../c1", "../c2"]
    assert got["images"] == [{"name": "web", "newName": "reg/web", "newTag": "2"}, {"name": "db", "newTag": "9"},
                             {"name": "cache", "digest": "sha256:ab"}]
    assert base["images"][0] == {"name": "web", "newTag": "1"}
