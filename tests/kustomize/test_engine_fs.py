"""The build never reads outside its root, and refuses escapes with kustomize's wording.

Covers: `..` paths to files outside the kustomization's directory (kustomize's
own load restrictor, compared with the oracle); symlinked files and
symlinked directories that lead outside (at any depth); bases outside the
source root, which kustomize would accept but Flux must not; a base next to
the overlay inside the root; `Root` itself (confine, read, list, find the
kustomization file).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxpy.kustomize import build
from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.fs import Root
from tests.kustomize.engine_oracle import assert_like_kustomize, write_tree

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"


def test_file_above_the_kustomization_is_refused_like_kustomize(tmp_path: Path) -> None:
    write_tree(tmp_path, {"cm.yaml": CM, "app/kustomization.yaml": "resources: [../cm.yaml]\n"})
    got = assert_like_kustomize(tmp_path, tmp_path / "app")
    assert got.error is not None and "security; file '" in got.error


def test_symlinked_file_leading_outside_is_refused_like_kustomize(tmp_path: Path) -> None:
    write_tree(tmp_path, {"outside/cm.yaml": CM, "app/deep/er/cm.yaml": "-> ../../../outside/cm.yaml",
                          "app/kustomization.yaml": "resources: [deep/er/cm.yaml]\n"})
    got = assert_like_kustomize(tmp_path, tmp_path / "app")
    assert got.error is not None and "is not in or below" in got.error


def test_file_under_a_symlinked_directory_leading_outside_is_refused_like_kustomize(tmp_path: Path) -> None:
    write_tree(tmp_path, {"outside/cm.yaml": CM, "app/link": "-> ../outside",
                          "app/kustomization.yaml": "resources: [link/cm.yaml]\n"})
    got = assert_like_kustomize(tmp_path, tmp_path / "app")
    assert got.error is not None and "is not in or below" in got.error


def test_symlink_inside_the_directory_is_followed_like_kustomize(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app/real/cm.yaml": CM, "app/link.yaml": "-> real/cm.yaml",
                          "app/kustomization.yaml": "resources: [link.yaml]\n"})
    got = assert_like_kustomize(tmp_path, tmp_path / "app")
    assert got.objects and got.objects[0]["metadata"]["name"] == "x"


def test_sibling_base_inside_the_root_builds_like_kustomize(tmp_path: Path) -> None:
    write_tree(tmp_path, {"base/cm.yaml": CM, "base/kustomization.yaml": "resources: [cm.yaml]\n",
                          "overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: o-\n"})
    assert_like_kustomize(tmp_path, tmp_path / "overlay")


def test_base_outside_the_root_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {"base/cm.yaml": CM, "base/kustomization.yaml": "resources: [cm.yaml]\n",
                          "overlay/kustomization.yaml": "resources: [../base]\n"})
    with pytest.raises(BuildError, match=r"security; file '.*/base' is not in or below '.*/overlay'"):
        build.build(tmp_path / "overlay")


def test_symlinked_base_leading_outside_the_root_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {"elsewhere/cm.yaml": CM, "elsewhere/kustomization.yaml": "resources: [cm.yaml]\n",
                          "repo/a/b/base": "-> ../../../elsewhere",
                          "repo/kustomization.yaml": "resources: [a/b/base]\n"})
    with pytest.raises(BuildError, match=r"is not in or below '.*/repo'"):
        build.build(tmp_path / "repo")


def test_build_path_outside_the_root_is_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {"repo/x": "x", "other/kustomization.yaml": "namePrefix: a\n"})
    with pytest.raises(BuildError, match="is not in or below"):
        build.build(tmp_path / "repo", tmp_path / "other")


def test_root_confine_resolves_symlinks_at_any_depth(tmp_path: Path) -> None:
    write_tree(tmp_path, {"out/secret.txt": "s", "root/a/b/c": "-> ../../../out", "root/ok/f.txt": "f"})
    root = Root(tmp_path / "root")
    assert root.read_text("ok/f.txt") == "f"
    assert root.list_dir("ok") == ["f.txt"]
    assert root.is_dir("ok") and not root.is_dir("a/b/c")
    with pytest.raises(BuildError, match="is not in or below"):
        root.read_text("a/b/c/secret.txt")
    with pytest.raises(BuildError, match="is not in or below"):
        root.read_text("../out/secret.txt")
    with pytest.raises(BuildError, match="no such file or directory"):
        root.read_text("ok/missing.txt")


def test_root_finds_the_kustomization_file(tmp_path: Path) -> None:
    write_tree(tmp_path, {"one/Kustomization": "namePrefix: a\n", "two/kustomization.yaml": "a: b\n",
                          "two/kustomization.yml": "a: b\n", "none/x": "x"})
    root = Root(tmp_path)
    assert root.kustomization_file(tmp_path / "one").name == "Kustomization"
    with pytest.raises(BuildError, match="Found multiple kustomization files under"):
        root.kustomization_file(tmp_path / "two")
    with pytest.raises(BuildError, match="unable to find one of 'kustomization.yaml'"):
        root.kustomization_file(tmp_path / "none")
