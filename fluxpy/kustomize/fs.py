"""The build's only door to the filesystem: a directory tree confined to one root.

Flux builds inside a source artifact and must never read outside it, so every
path the engine touches goes through `Root`: it is made absolute against the
kustomization's directory, every symlink in it is resolved (at any depth), and
the result must lie in or below the root, or the build fails with kustomize's
own wording (`security; file '/x' is not in or below '/root'`).

kustomize adds a second, narrower rule of its own (its load restrictor): a
*file* named by a kustomization must lie in or below that kustomization's
directory, while a *directory* (a base) may be anywhere. `load_file` applies
that rule; `confine` applies only the root rule.

An `overlay` replaces the content of some files in memory: the sync pipeline
puts the plaintext of SOPS-encrypted secretGenerator sources there (Flux
decrypts them in place on disk before building), so the build reads the
decrypted bytes while nothing decrypted is ever written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from fluxpy.kustomize.errors import BuildError

KUSTOMIZATION_FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class Root:
    """A filesystem confined to `path` (symlinks resolved).

    Args:
        path: the root directory; nothing outside it can be read.
        restrict_to_dir: kustomize's default load restrictor (`RootOnly`): a
            file must lie under the directory of the kustomization naming it.
            Flux builds with `LoadRestrictionsNone`, where anything inside
            the root may be read.
        overlay: content to read instead of the disk's, by real (resolved) path.
    """

    def __init__(self, path: Path | str, *, restrict_to_dir: bool = True,
                 overlay: Mapping[Path, bytes] | None = None) -> None:
        self.path = Path(os.path.realpath(path))
        self.restrict_to_dir = restrict_to_dir
        self.overlay: Mapping[Path, bytes] = dict(overlay or {})

    def __repr__(self) -> str:
        return f"Root({str(self.path)!r})"

    def contains(self, real: Path | str) -> bool:
        """Whether an already-resolved path lies in or below the root."""
        real_s = str(real)
        root_s = str(self.path)
        return real_s == root_s or real_s.startswith(root_s.rstrip("/") + "/")

    def join(self, base_dir: Path, path: str) -> Path:
        """`path` made absolute against `base_dir` and cleaned (symlinks not resolved)."""
        return Path(os.path.normpath(os.path.join(base_dir, path)))

    def confine(self, path: Path | str) -> Path:
        """The path with every symlink resolved, refused unless it stays in the root.

        Raises:
            BuildError: the path (or a symlink in it) leads outside the root, or
                does not exist (kustomize's `evalsymlink failure` wording).
        """
        abs_path = Path(os.path.normpath(os.path.join(self.path, path)))
        missing = first_missing(abs_path)
        if missing is not None:
            raise BuildError(f"evalsymlink failure on '{abs_path}' : lstat {missing}: no such file or directory")
        real = Path(os.path.realpath(abs_path))
        if not self.contains(real):
            raise BuildError(f"security; file '{abs_path}' is not in or below '{self.path}'")
        return real

    def load_file(self, base_dir: Path, path: str) -> tuple[Path, bytes]:
        """Read a file named by the kustomization in `base_dir`, as kustomize's loader does.

        Returns:
            The resolved path and the file's bytes.

        Raises:
            BuildError: a directory, a missing file, a file outside `base_dir`
                (kustomize's load restrictor) or outside the root.
        """
        abs_path = self.join(base_dir, path)
        missing = first_missing(abs_path)
        if missing is not None:
            raise BuildError(f"evalsymlink failure on '{abs_path}' : lstat {missing}: no such file or directory")
        real = Path(os.path.realpath(abs_path))
        if real.is_dir():
            raise BuildError(f"'{abs_path}' must resolve to a file")
        real_base = os.path.realpath(base_dir)
        parent = str(real.parent)
        in_base = parent == real_base or parent.startswith(real_base.rstrip("/") + "/")
        if not self.contains(real):
            raise BuildError(f"security; file '{abs_path}' is not in or below '{self.path if not self.restrict_to_dir else base_dir}'")
        if self.restrict_to_dir and not in_base:
            raise BuildError(f"security; file '{abs_path}' is not in or below '{base_dir}'")
        if real in self.overlay:
            return real, self.overlay[real]
        try:
            return real, real.read_bytes()
        except OSError as exc:
            raise BuildError(f"cannot read '{abs_path}': {exc.strerror}") from exc

    def read_bytes(self, path: Path | str) -> bytes:
        """Read a file anywhere in the root.

        Raises:
            BuildError: outside the root, missing, or unreadable.
        """
        real = self.confine(path)
        if real in self.overlay:
            return self.overlay[real]
        try:
            return real.read_bytes()
        except OSError as exc:
            raise BuildError(f"cannot read '{path}': {exc.strerror}") from exc

    def read_text(self, path: Path | str) -> str:
        return self.read_bytes(path).decode("utf-8")

    def is_dir(self, path: Path | str) -> bool:
        """Whether the path is a directory in the root (False when missing or outside)."""
        try:
            return self.confine(path).is_dir()
        except BuildError:
            return False

    def list_dir(self, path: Path | str) -> list[str]:
        """Sorted entry names of a directory in the root.

        Raises:
            BuildError: outside the root or not a directory.
        """
        real = self.confine(path)
        try:
            return sorted(os.listdir(real))
        except OSError as exc:
            raise BuildError(f"cannot list '{path}': {exc.strerror}") from exc

    def kustomization_file(self, directory: Path) -> Path:
        """The kustomization file of a directory (its real path).

        Raises:
            BuildError: none of the recognised names, or more than one (kustomize's wording).
        """
        real = self.confine(directory)
        found = [real / name for name in KUSTOMIZATION_FILE_NAMES if (real / name).is_file()]
        if not found:
            raise BuildError("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' "
                             f"in directory '{directory}'")
        if len(found) > 1:
            raise BuildError(f"Found multiple kustomization files under: {directory}")
        return self.confine(found[0])


def first_missing(path: Path) -> Path | None:
    """The first component of an absolute path that does not exist (as Go's EvalSymlinks reports it)."""
    if os.path.lexists(path) and os.path.exists(path):
        return None
    parts = path.parts
    cur = Path(parts[0])
    for part in parts[1:]:
        cur = cur / part
        if not os.path.exists(cur):
            return Path(os.path.realpath(cur.parent)) / part if os.path.lexists(cur.parent) else cur
    return path if not os.path.exists(path) else None
