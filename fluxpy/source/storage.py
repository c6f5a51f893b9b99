"""The local artifact cache: where built artifacts live between runs.

Last part of the "build an artifact for the revision" step: pull -> ignore
(`ignore.py`) -> archive (`artifact.py`) -> **store**. Filesystem only.

The layout is source-controller's storage layout under a base directory
(default `$XDG_CACHE_HOME/fluxpy/artifacts`, else
`~/.cache/fluxpy/artifacts`): `<kind lowercased>/<namespace>/<name>/<file>`,
e.g. `gitrepository/flux-system/podinfo/<commit hex>.tar.gz`. That relative
path is the artifact's `path`, and `url_for` turns it into the URL Flux
would advertise.

Next to each artifact a small JSON sidecar (`<file>.json`) records the
revision, digest and size, written after the artifact (both atomically), so
`lookup` needs no re-hash and can return the revision, which the tarball
does not contain. A tarball without a readable sidecar, or whose size no
longer matches it, is treated as absent.

Garbage collection follows Flux's `GetGarbageFiles`: per object, the newest
`retention_records` artifacts by modification time are kept (Flux's
`--artifact-retention-records`, default 2), the current one always.
Flux's `--artifact-retention-ttl` (60s) is optional here (`ttl`), off by
default: a local cache has no controllers still downloading old artifacts.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path, PurePosixPath

from fluxpy.source import artifact
from fluxpy.source.errors import StorageError
from fluxpy.source.ignore import Matcher
from fluxpy.source.types import StoredArtifact

DEFAULT_RETENTION_RECORDS = 2
"""source-controller's `--artifact-retention-records` default."""

SIDECAR_SUFFIX = ".json"
_TMP_SUFFIX = ".tmp"


def default_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The default cache directory.

    Args:
        environ: the environment to read `XDG_CACHE_HOME` and `HOME` from
            (default `os.environ`).

    Returns:
        `$XDG_CACHE_HOME/fluxpy/artifacts` if `XDG_CACHE_HOME` is set to an
        absolute path (as the XDG spec requires), else
        `~/.cache/fluxpy/artifacts`.
    """
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "fluxpy" / "artifacts"
    home = env.get("HOME") or os.path.expanduser("~")
    return Path(home) / ".cache" / "fluxpy" / "artifacts"


def artifact_path(kind: str, namespace: str, name: str, filename: str) -> str:
    """Flux's storage path `<kind lowercased>/<namespace>/<name>/<filename>`.

    Args:
        kind: the source kind, e.g. `GitRepository`.
        namespace: the object's namespace.
        name: the object's name.
        filename: the artifact file, e.g. `<commit hex>.tar.gz`.

    Returns:
        The relative path, `/`-separated.

    Raises:
        StorageError: a part is empty, `.`/`..`, or contains a `/`.
    """
    parts = (kind.lower(), namespace, name, filename)
    for part in parts:
        if not part or part in (".", "..") or "/" in part or "\0" in part:
            raise StorageError(f"invalid artifact path component {part!r} in {'/'.join(parts)!r}")
    return "/".join(parts)


def url_for(rel_path: str, *, flux_namespace: str = "flux-system") -> str:
    """The URL source-controller advertises for an artifact.

    Args:
        rel_path: the artifact's storage path.
        flux_namespace: the namespace source-controller runs in.

    Returns:
        `http://source-controller.<ns>.svc.cluster.local./<rel_path>` (the
        dot after `local` is Flux's).
    """
    return f"http://source-controller.{flux_namespace}.svc.cluster.local./{rel_path.lstrip('/')}"


class Storage:
    """The artifact cache under one base directory.

    Args:
        base_dir: the cache directory (default `default_dir()`); created on
            first store.
        retention_records: how many artifacts per object `gc` keeps.
    """

    def __init__(self, base_dir: Path | None = None, *, retention_records: int = DEFAULT_RETENTION_RECORDS) -> None:
        if retention_records < 1:
            raise ValueError(f"retention_records must be at least 1, got {retention_records}")
        self.base_dir = base_dir if base_dir is not None else default_dir()
        self.retention_records = retention_records

    def local_path(self, rel_path: str) -> Path:
        """The file for a storage path, refusing paths that leave the base dir.

        Args:
            rel_path: the artifact's storage path.

        Returns:
            The absolute file path.

        Raises:
            StorageError: the path is absolute, empty, or contains `..`.
        """
        pure = PurePosixPath(rel_path)
        if not rel_path or pure.is_absolute() or ".." in pure.parts or "\0" in rel_path:
            raise StorageError(f"invalid artifact path {rel_path!r}: must be relative and stay in {self.base_dir}")
        return self.base_dir.joinpath(*pure.parts)

    def store(
        self,
        workdir: Path,
        *,
        kind: str,
        namespace: str,
        name: str,
        filename: str,
        matcher: Matcher,
        revision: str,
    ) -> StoredArtifact:
        """Archive a tree into the cache, record it, and collect old artifacts.

        Args:
            workdir: the checked-out tree.
            kind: the source kind, e.g. `GitRepository`.
            namespace: the object's namespace.
            name: the object's name.
            filename: the artifact file name, e.g. `<commit hex>.tar.gz`.
            matcher: which paths stay out (`ignore.matcher_for`).
            revision: the source revision, recorded in the sidecar.

        Returns:
            The stored artifact.

        Raises:
            StorageError: the cache could not be written.
            ArtifactError: the tree could not be read.
        """
        rel_path = artifact_path(kind, namespace, name, filename)
        path = self.local_path(rel_path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"cannot create artifact directory {path.parent}: {exc.strerror}",
                hint="pass a writable directory with --artifacts-dir",
            ) from exc
        digest, size = artifact.build(workdir, matcher, path)
        record = {"revision": revision, "digest": digest, "size": size}
        _write_atomic(path.with_name(path.name + SIDECAR_SUFFIX), json.dumps(record, sort_keys=True).encode())
        stored = StoredArtifact(path=path, rel_path=rel_path, revision=revision, digest=digest, size=size)
        self.gc(kind=kind, namespace=namespace, name=name, current=filename)
        return stored

    def lookup(self, rel_path: str, *, verify: bool = False) -> StoredArtifact | None:
        """Find an artifact already in the cache.

        Args:
            rel_path: the artifact's storage path.
            verify: also re-hash the file and compare with the recorded digest.

        Returns:
            The artifact, or None if it is absent, has no readable sidecar,
            or does not match it.

        Raises:
            StorageError: the path is invalid, or the file cannot be read
                while verifying.
        """
        path = self.local_path(rel_path)
        try:
            record = json.loads(path.with_name(path.name + SIDECAR_SUFFIX).read_bytes())
            size = path.stat().st_size
            revision, digest, recorded = record["revision"], record["digest"], record["size"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not (isinstance(revision, str) and isinstance(digest, str) and recorded == size):
            return None
        if verify and _sha256_file(path) != digest:
            return None
        return StoredArtifact(path=path, rel_path=rel_path, revision=revision, digest=digest, size=size)

    def newest(self, *, kind: str, namespace: str, name: str) -> StoredArtifact | None:
        """The object's most recently stored artifact still in the cache, or None.

        Cluster-free runs have no status to remember their last artifact by;
        this is how they find it.
        """
        directory = self.local_path(artifact_path(kind, namespace, name, "_")).parent
        try:
            files = [e for e in os.scandir(directory)
                     if e.is_file(follow_symlinks=False) and e.name.endswith(".tar.gz")]
        except OSError:
            return None
        for entry in sorted(files, key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns, reverse=True):
            found = self.lookup(artifact_path(kind, namespace, name, entry.name))
            if found is not None:
                return found
        return None

    def gc(
        self,
        *,
        kind: str,
        namespace: str,
        name: str,
        current: str | None = None,
        ttl: float | None = None,
    ) -> list[Path]:
        """Remove an object's old artifacts (and their sidecars).

        Artifacts older than `ttl` seconds go first (if a ttl is given),
        then the oldest until `retention_records` remain; `current` is never
        removed. Leftover temporary files are removed too.

        Args:
            kind: the source kind.
            namespace: the object's namespace.
            name: the object's name.
            current: the file name of the artifact in use.
            ttl: maximum age in seconds, or None for no age limit.

        Returns:
            The artifact files removed, oldest first.

        Raises:
            StorageError: a file could not be removed.
        """
        directory = self.local_path(artifact_path(kind, namespace, name, "_")).parent
        try:
            entries = list(os.scandir(directory))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StorageError(f"cannot list artifact directory {directory}: {exc.strerror}") from exc
        artifacts: list[tuple[int, str]] = []
        now = time.time_ns()
        for entry in entries:
            if not entry.is_file(follow_symlinks=False) or entry.name.endswith((SIDECAR_SUFFIX, ".lock")):
                continue
            mtime = entry.stat(follow_symlinks=False).st_mtime_ns
            if entry.name.startswith(".") and entry.name.endswith(_TMP_SUFFIX):
                if now - mtime > 3600 * 10**9:  # a crashed build's leftover, not one in progress
                    _remove(Path(entry.path))
                continue
            artifacts.append((mtime, entry.name))
        artifacts.sort()
        garbage: list[str] = []
        if ttl is not None:
            garbage = [n for m, n in artifacts if n != current and now - m > ttl * 1e9]
        kept = [n for _, n in artifacts if n not in garbage]
        excess = len(kept) - self.retention_records
        for candidate in kept:
            if excess <= 0:
                break
            if candidate != current:
                garbage.append(candidate)
                excess -= 1
        removed = []
        age_order = {n: i for i, (_, n) in enumerate(artifacts)}
        for file_name in sorted(garbage, key=age_order.__getitem__):
            path = directory / file_name
            _remove(path)
            _remove(path.with_name(file_name + SIDECAR_SUFFIX))
            removed.append(path)
        return removed


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot remove old artifact {path}: {exc.strerror}") from exc


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_TMP_SUFFIX)
    except OSError as exc:
        raise StorageError(f"cannot create a file in {path.parent}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(tmp)
        raise StorageError(f"cannot write {path}: {exc.strerror}") from exc


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise StorageError(f"cannot read artifact {path}: {exc.strerror}") from exc
    return f"sha256:{digest.hexdigest()}"
