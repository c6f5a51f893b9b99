"""Unpacking a source artifact for a build: the consumer side of `artifact.py`.

Flux's controllers download the artifact and untar it into a temporary
directory. fluxpy reads it from its artifact cache and does the same, with
Python's `data` extraction filter: no absolute names, nothing outside the
destination, no links leaving it, no device files, modes sanitised. Our own
artifacts hold only regular files and directories, but an artifact cache is
a directory on disk and is not trusted more than a download would be.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

from fluxpy.source.errors import ArtifactError


def unpack(tarball: Path, dest: Path) -> None:
    """Extract `tarball` (tar.gz) into the existing directory `dest`.

    Raises:
        ArtifactError: the file is missing, not a tar.gz, or has an entry
            that would land outside `dest`.
    """
    try:
        with tarfile.open(tarball, mode="r:gz") as tar:
            tar.extractall(dest, filter="data")
    except FileNotFoundError as err:
        raise ArtifactError(f"artifact {tarball} not found", hint="reconcile the source again") from err
    except (tarfile.TarError, OSError, EOFError) as err:
        raise ArtifactError(f"artifact {tarball} cannot be unpacked: {err}",
                            hint="remove it and reconcile the source again") from err
