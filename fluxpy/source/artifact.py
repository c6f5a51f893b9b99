"""Archive a checked-out tree into a deterministic `.tar.gz`.

Part of the "build an artifact for the revision" step: pull -> ignore
(`ignore.py`) -> **archive** -> store (`storage.py`). Filesystem only: it
reads the tree and writes one file.

It follows source-controller's `Storage.Archive` (fluxcd/pkg
`artifact/storage/archive.go`):

* The tree is walked like Go's `filepath.Walk`: depth first, names sorted
  bytewise, the root first (as a directory entry named `.`).
* Only regular files and directories are archived. Symbolic links, sockets,
  FIFOs and devices are skipped, and nothing is ever followed: each
  directory is opened relative to its parent's descriptor with
  `O_NOFOLLOW`, so no entry can come from outside the root.
* Ignored paths get no entry, but an ignored directory is still walked,
  because go-git may re-include a path under it (see `ignore.py`), unless
  the matcher says nothing under it can be included.
* Headers are "sanitized": name relative to the root (directories without a
  trailing `/`), uid/gid 0, empty user and group names, mtime 0, and modes
  normalised to 0o750 for directories, 0o700 for files with any execute bit
  and 0o600 for other files.

The tar stream is encoded byte for byte as Go's `archive/tar` writes such
headers: USTAR, the long name split into prefix/name at the last possible
`/`; PAX (records sorted, `PaxHeaders.0` entry) for names that are not ASCII
or do not fit, or sizes over 8 GiB; two zero blocks at the end and no
padding to a 10 KiB record. The gzip wrapper is Go's too (no name, mtime 0,
OS 255, XFL 0), but the deflate stream comes from zlib at level 6, not Go's
compressor, so the `sha256` digest is deterministic (same tree and same zlib
-> same bytes) but is not the digest source-controller would compute.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fluxpy.source.errors import ArtifactError, StorageError
from fluxpy.source.ignore import Matcher

DIR_MODE = 0o750
"""`storage.DefaultDirMode`."""
FILE_MODE = 0o600
"""`storage.DefaultFileMode`."""
EXEC_FILE_MODE = 0o700
"""`storage.DefaultExeFileMode`."""
ARTIFACT_FILE_MODE = 0o600
"""Flux chmods the finished artifact to this."""

_BLOCK = 512
_CHUNK = 1 << 20
_GZIP_LEVEL = 6  # Go's gzip.DefaultCompression is flate level 6
_NAME_SIZE = 100
_PREFIX_SIZE = 155
_MAX_OCTAL_SIZE = 8**11 - 1


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str  # relative, `/`-separated, "." for the root
    is_dir: bool
    mode: int
    size: int
    dir_fd: int  # for files: the parent directory's descriptor
    base: str  # for files: the name inside that directory


def build(workdir: Path, matcher: Matcher, out: Path) -> tuple[str, int]:
    """Archive `workdir` into `out`, atomically.

    The archive is written to a temporary file next to `out`, then renamed
    over it, so `out` is either absent, the previous file, or complete. On
    any failure the temporary file is removed.

    Args:
        workdir: the checked-out tree (need not be clean: `.git` is ignored
            by the matcher, not by this function).
        matcher: decides which paths stay out (`ignore.matcher_for`).
        out: the `.tar.gz` to write; its directory must exist.

    Returns:
        The digest `sha256:<hex>` of the written bytes and their count.

    Raises:
        ArtifactError: the tree could not be read (or is not a directory).
        StorageError: the output could not be written.
    """
    try:
        fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as exc:
        raise StorageError(f"cannot create a file in {out.parent}: {exc.strerror}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            sink = _HashingWriter(fh, out)
            gz = _GzipWriter(sink)
            tar = _TarWriter(gz, workdir)
            for entry in _walk(workdir, matcher):
                tar.add(entry)
            tar.close()
            gz.close()
            try:
                fh.flush()
            except OSError as exc:
                raise StorageError(f"cannot write {out}: {exc.strerror}") from exc
        try:
            os.chmod(tmp, ARTIFACT_FILE_MODE)
            os.replace(tmp, out)
        except OSError as exc:
            raise StorageError(f"cannot write {out}: {exc.strerror}") from exc
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    return f"sha256:{sink.sha256.hexdigest()}", sink.size


# --- walking ---------------------------------------------------------------


def _walk(root: Path, matcher: Matcher) -> Iterator[_Entry]:
    try:
        root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise ArtifactError(f"cannot archive {root}: not a readable directory ({exc.strerror})") from exc
    try:
        yield _Entry(".", True, DIR_MODE, 0, root_fd, "")
        yield from _walk_dir(root, root_fd, (), matcher)
    finally:
        os.close(root_fd)


def _walk_dir(root: Path, dir_fd: int, parts: tuple[str, ...], matcher: Matcher) -> Iterator[_Entry]:
    where = root.joinpath(*parts)
    try:
        names = sorted(os.listdir(dir_fd), key=os.fsencode)
    except OSError as exc:
        raise ArtifactError(f"cannot list {where}: {exc.strerror}") from exc
    for base in names:
        try:
            st = os.stat(base, dir_fd=dir_fd, follow_symlinks=False)
        except OSError as exc:
            raise ArtifactError(f"cannot read {where / base}: {exc.strerror}") from exc
        is_dir = stat.S_ISDIR(st.st_mode)
        if not (is_dir or stat.S_ISREG(st.st_mode)):
            continue  # symlinks and special files, as Flux
        path = (*parts, base)
        rel = "/".join(path)
        ignored = matcher.ignored_segments(path, is_dir)
        if not is_dir:
            if not ignored:
                mode = EXEC_FILE_MODE if st.st_mode & 0o111 else FILE_MODE
                yield _Entry(rel, False, mode, st.st_size, dir_fd, base)
            continue
        if ignored and matcher.hides_subtree(path):
            continue
        if not ignored:
            yield _Entry(rel, True, DIR_MODE, 0, dir_fd, base)
        try:
            sub_fd = os.open(
                base, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd
            )
        except OSError as exc:
            raise ArtifactError(f"cannot open directory {where / base}: {exc.strerror}") from exc
        try:
            yield from _walk_dir(root, sub_fd, path, matcher)
        finally:
            os.close(sub_fd)


# --- tar, as Go's archive/tar writes it -------------------------------------


class _TarWriter:
    # Small writes are gathered so zlib and sha256 see large blocks.
    def __init__(self, out: _GzipWriter, root: Path) -> None:
        self._out = out
        self._root = root
        self._buf = bytearray()

    def add(self, entry: _Entry) -> None:
        if entry.is_dir:
            self._header(entry.name, entry.mode, 0, b"5")
            return
        where = f"{self._root}/{entry.name}"
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(entry.base, flags, dir_fd=entry.dir_fd)
        except OSError as exc:
            raise ArtifactError(f"cannot read {where}: {exc.strerror}") from exc
        try:
            self._header(entry.name, entry.mode, entry.size, b"0")
            remaining = entry.size
            while remaining:
                data = os.read(fd, min(_CHUNK, remaining))
                if not data:
                    break
                self._write(data)
                remaining -= len(data)
            grew = remaining == 0 and os.read(fd, 1) != b""
        except OSError as exc:
            raise ArtifactError(f"cannot read {where}: {exc.strerror}") from exc
        finally:
            os.close(fd)
        if remaining or grew:
            raise ArtifactError(f"{where} changed size while it was archived")
        self._write(_padding(entry.size))

    def close(self) -> None:
        self._write(b"\0" * (2 * _BLOCK))
        self._out.write(bytes(self._buf))
        self._buf.clear()

    def _write(self, data: bytes) -> None:
        self._buf += data
        if len(self._buf) >= _CHUNK:
            self._out.write(bytes(self._buf))
            self._buf.clear()

    def _header(self, name: str, mode: int, size: int, typeflag: bytes) -> None:
        raw = name.encode("utf-8", "surrogateescape")
        split = _split_ustar_path(raw)
        if raw.isascii() and (len(raw) <= _NAME_SIZE or split) and size <= _MAX_OCTAL_SIZE:
            prefix, short = split if split else (b"", raw)
            self._write(_block(short, mode, size, typeflag, prefix))
            return
        records = {}
        if not raw.isascii() or len(raw) > _NAME_SIZE:
            records["path"] = raw
        if size > _MAX_OCTAL_SIZE:
            records["size"] = str(size).encode()
        data = b"".join(_pax_record(k.encode(), v) for k, v in sorted(records.items()))
        head, _, tail = raw.rpartition(b"/")
        pax_name = _posix_join(head, b"PaxHeaders.0", tail)
        pax_name = _ascii(pax_name)[:_NAME_SIZE].rstrip(b"/")
        self._write(_block(pax_name, 0, len(data), b"x", b"", raw=True))
        self._write(data + _padding(len(data)))
        main_size = size if size <= _MAX_OCTAL_SIZE else 0
        self._write(_block(_ascii(raw), mode, main_size, typeflag, b""))


def _block(name: bytes, mode: int, size: int, typeflag: bytes, prefix: bytes, *, raw: bool = False) -> bytes:
    # Go's templateV7Plus (raw=False) or writeRawFile (raw=True: the PAX
    # extended header, whose device fields stay NUL).
    blk = b"".join(
        (
            _str_field(name, 100),
            b"%07o\0" % mode,
            b"0000000\0" * 2,  # uid, gid
            b"%011o\0" % size,
            b"00000000000\0",  # mtime: Go writes 0 for a zero time.Time
            b"        ",  # checksum, counted as spaces
            typeflag,
            b"\0" * 100,  # linkname
            b"ustar\x0000",
            b"\0" * 64,  # uname, gname
            b"\0" * 16 if raw else b"0000000\0" * 2,  # devmajor, devminor
            _str_field(prefix, 155),
            b"\0" * 12,
        )
    )
    return b"%s%06o\0 %s" % (blk[:148], sum(blk), blk[156:])


def _str_field(value: bytes, size: int) -> bytes:
    if len(value) <= size:
        return value.ljust(size, b"\0")
    cut = value[:size]
    if cut.endswith(b"/"):
        # Go replaces a trailing slash left by truncation with a NUL.
        stripped = cut.rstrip(b"/")
        cut = stripped + b"\0" + cut[len(stripped) + 1 :]
    return cut


def _split_ustar_path(name: bytes) -> tuple[bytes, bytes] | None:
    # Go's splitUSTARPath: the longest prefix that fits.
    length = len(name)
    if length <= _NAME_SIZE or not name.isascii():
        return None
    if length > _PREFIX_SIZE + 1:
        length = _PREFIX_SIZE + 1
    elif name[length - 1 : length] == b"/":
        length -= 1
    i = name.rfind(b"/", 0, length)
    suffix_len = len(name) - i - 1
    if i <= 0 or suffix_len > _NAME_SIZE or suffix_len == 0 or i > _PREFIX_SIZE:
        return None
    return name[:i], name[i + 1 :]


def _pax_record(key: bytes, value: bytes) -> bytes:
    size = len(key) + len(value) + 3
    size += len(str(size))
    record = b"%d %s=%s\n" % (size, key, value)
    if len(record) != size:
        record = b"%d %s=%s\n" % (len(record), key, value)
    return record


def _posix_join(*parts: bytes) -> bytes:
    # Go's path.Join (only what PAX header names need: drop empty parts).
    return b"/".join(p.strip(b"/") for p in parts if p.strip(b"/"))


def _ascii(value: bytes) -> bytes:
    return bytes(b for b in value if b < 0x80)


def _padding(size: int) -> bytes:
    return b"\0" * (-size % _BLOCK)


# --- gzip, framed as Go's compress/gzip ------------------------------------


class _GzipWriter:
    # Header: magic, deflate, no flags, mtime 0, XFL 0 (default level), OS 255.
    _HEADER = b"\x1f\x8b\x08\x00" + b"\0\0\0\0" + b"\x00\xff"

    def __init__(self, out: _HashingWriter) -> None:
        self._out = out
        self._deflate = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        self._crc = 0
        self._size = 0
        out.write(self._HEADER)

    def write(self, data: bytes) -> None:
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        self._out.write(self._deflate.compress(data))

    def close(self) -> None:
        self._out.write(self._deflate.flush())
        self._out.write(struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))


class _HashingWriter:
    def __init__(self, fh: BinaryIO, out: Path) -> None:
        self._fh = fh
        self._out = out
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        try:
            self._fh.write(data)
        except OSError as exc:
            raise StorageError(f"cannot write {self._out}: {exc.strerror}") from exc
        self.sha256.update(data)
        self.size += len(data)
