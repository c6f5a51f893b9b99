"""Building the artifact tarball (fluxpy.source.artifact).

Covers:
- entries: root `.` first, then depth-first in bytewise name order; only regular
  files and directories; ignored paths left out (an ignored directory still walked
  when a `!` pattern may re-include something under it, as Flux);
- sanitized headers: relative names, uid/gid 0, empty user/group, mtime 0, modes
  0o750 / 0o700 / 0o600;
- symlinks (to a directory or file outside the root) and FIFOs skipped, nothing
  from outside the root archived;
- encoding as Go's archive/tar: USTAR fields, longest-prefix split of long names,
  PAX records for non-ASCII names, two zero blocks at the end, no record padding;
  gzip header with mtime 0, no name, OS 255;
- determinism: same bytes and digest for the same tree built twice, in another
  directory, with other mtimes, permissions (umask) and creation order;
- digest and size describe the written file; the output is written atomically
  (failures leave neither a partial file nor a temporary one, and keep an older file);
- clear errors naming the path.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
from pathlib import Path

import pytest

from fluxpy.source import artifact, ignore
from fluxpy.source.errors import ArtifactError, StorageError


def _tree(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def _build(root: Path, out: Path, spec_ignore: str | None = None) -> tuple[str, int]:
    return artifact.build(root, ignore.matcher_for(root, spec_ignore=spec_ignore), out)


def _members(path: Path) -> list[tarfile.TarInfo]:
    with tarfile.open(path, "r:gz") as tf:
        return tf.getmembers()


def _names(path: Path) -> list[str]:
    return [m.name for m in _members(path)]


FILES = {
    "b.yaml": "b",
    "B.yaml": "B",
    "a/x.yaml": "x",
    "a.txt": "t",
    "apps/base/kustomization.yaml": "k",
    ".git/HEAD": "ref: main",
    ".gitignore": "x",
    "logo.png": "png",
}


def test_entries_are_root_then_depth_first_in_byte_order(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", FILES)
    _build(root, tmp_path / "out.tar.gz")
    assert _names(tmp_path / "out.tar.gz") == [
        ".", "B.yaml", "a", "a/x.yaml", "a.txt", "apps", "apps/base", "apps/base/kustomization.yaml", "b.yaml",
    ]  # fmt: skip


def test_headers_are_sanitized(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"dir/run.sh": "#!/bin/sh\n", "dir/plain.yaml": "a: 1\n"})
    os.chmod(root / "dir/run.sh", 0o751)
    os.chmod(root / "dir/plain.yaml", 0o666)
    os.chmod(root / "dir", 0o777)
    _build(root, tmp_path / "out.tar.gz")
    got = {m.name: (m.type, m.mode, m.uid, m.gid, m.uname, m.gname, m.mtime) for m in _members(tmp_path / "out.tar.gz")}
    assert got == {
        ".": (tarfile.DIRTYPE, 0o750, 0, 0, "", "", 0),
        "dir": (tarfile.DIRTYPE, 0o750, 0, 0, "", "", 0),
        "dir/plain.yaml": (tarfile.REGTYPE, 0o600, 0, 0, "", "", 0),
        "dir/run.sh": (tarfile.REGTYPE, 0o700, 0, 0, "", "", 0),
    }


def test_file_contents_are_archived(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"a/x.yaml": "kind: X\n"})
    (root / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    _build(root, tmp_path / "out.tar.gz")
    with tarfile.open(tmp_path / "out.tar.gz") as tf:
        assert tf.extractfile("a/x.yaml").read() == b"kind: X\n"  # type: ignore[union-attr]
        assert tf.extractfile("big.bin").read() == (root / "big.bin").read_bytes()  # type: ignore[union-attr]


def test_ignored_paths_are_left_out(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {**FILES, "docs/readme.md": "r", "docs/keep.md": "k"})
    _build(root, tmp_path / "out.tar.gz", spec_ignore="docs/\n")
    names = _names(tmp_path / "out.tar.gz")
    assert not [n for n in names if n.startswith(("docs", ".git"))]
    assert "logo.png" in names  # a custom pattern turns the default group off


def test_negation_under_an_ignored_dir_keeps_the_file_without_its_dir_entry(tmp_path: Path) -> None:
    # go-git matches every path on its own; Flux's walk does not skip ignored dirs.
    root = _tree(tmp_path / "src", {"docs/readme.md": "r", "docs/keep.md": "k"})
    _build(root, tmp_path / "out.tar.gz", spec_ignore="docs/\n!docs/keep.md\n")
    assert _names(tmp_path / "out.tar.gz") == [".", "docs/keep.md"]


def test_symlinks_and_fifos_are_skipped_and_nothing_outside_root_is_read(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"a.yaml": "a"})
    os.symlink("/etc", root / "etc")
    os.symlink("/etc/passwd", root / "passwd")
    os.symlink("a.yaml", root / "alias.yaml")
    os.symlink("../../..", root / "up")
    os.mkfifo(root / "pipe")
    _build(root, tmp_path / "out.tar.gz")
    members = _members(tmp_path / "out.tar.gz")
    assert [m.name for m in members] == [".", "a.yaml"]
    assert all(m.isreg() or m.isdir() for m in members)


def test_root_given_as_a_symlink_is_refused(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"a.yaml": "a"})
    os.symlink(root, tmp_path / "link")
    with pytest.raises(ArtifactError, match="link"):
        _build(tmp_path / "link", tmp_path / "out.tar.gz")


# --- encoding ------------------------------------------------------------------------


def _tar_bytes(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


def test_gzip_header_has_no_name_no_mtime_and_os_unknown(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"a": "a"})
    _build(root, tmp_path / "out.tar.gz")
    head = (tmp_path / "out.tar.gz").read_bytes()[:10]
    assert head == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def test_tar_stream_ends_with_two_zero_blocks_and_no_record_padding(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"a": "abc"})
    _build(root, tmp_path / "out.tar.gz")
    raw = _tar_bytes(tmp_path / "out.tar.gz")
    # "." header, "a" header, 512 bytes of "abc" + padding, two zero blocks
    assert len(raw) == 5 * 512
    assert raw[-1024:] == b"\0" * 1024


def test_ustar_header_fields_are_gos(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"f.yaml": "abc"})
    _build(root, tmp_path / "out.tar.gz")
    block = _tar_bytes(tmp_path / "out.tar.gz")[512:1024]
    assert block[0:7] == b"f.yaml\0"
    assert block[100:108] == b"0000600\0"
    assert block[108:116] == b"0000000\0"
    assert block[116:124] == b"0000000\0"
    assert block[124:136] == b"00000000003\0"
    assert block[136:148] == b"00000000000\0"
    assert block[156:157] == b"0"
    assert block[257:265] == b"ustar\x0000"
    assert block[265:329] == b"\0" * 64
    assert block[329:345] == b"0000000\0" * 2  # Go formats device numbers even for files
    unsigned = sum(block[:148]) + 8 * ord(" ") + sum(block[156:])
    assert block[148:156] == b"%06o\0 " % unsigned
    # Apart from the device fields (and so the checksum), Python's USTAR encoding agrees.
    info = tarfile.TarInfo("f.yaml")
    info.size, info.mode, info.mtime = 3, 0o600, 0
    py = info.tobuf(tarfile.USTAR_FORMAT, "utf-8", "surrogateescape")
    assert block[:148] + block[156:329] + block[345:] == py[:148] + py[156:329] + py[345:]


def test_long_name_is_split_at_the_last_slash_that_fits_as_go(tmp_path: Path) -> None:
    rel = "/".join(["d" * 40] * 4) + "/f.yaml"  # 171 bytes
    root = _tree(tmp_path / "src", {rel: "x"})
    _build(root, tmp_path / "out.tar.gz")
    raw = _tar_bytes(tmp_path / "out.tar.gz")
    last = raw.rindex(b"f.yaml\0")
    block = raw[last - last % 512 :][:512]
    assert block[0:100].rstrip(b"\0") == b"d" * 40 + b"/f.yaml"
    assert block[345:500].rstrip(b"\0") == "/".join(["d" * 40] * 3).encode()
    assert rel in _names(tmp_path / "out.tar.gz")


def test_non_ascii_and_overlong_names_use_pax_records(tmp_path: Path) -> None:
    long_leaf = "l" * 120
    root = _tree(tmp_path / "src", {"héllo.yaml": "h", long_leaf: "l"})
    _build(root, tmp_path / "out.tar.gz")
    raw = _tar_bytes(tmp_path / "out.tar.gz")
    assert b"PaxHeaders.0/h" in raw
    assert "20 path=héllo.yaml\n".encode() in raw
    assert b"%d path=%s\n" % (len(long_leaf) + 10, long_leaf.encode()) in raw
    with tarfile.open(tmp_path / "out.tar.gz") as tf:
        assert set(tf.getnames()) == {".", "héllo.yaml", long_leaf}
        assert all(m.pax_headers.keys() <= {"path"} for m in tf.getmembers())


def test_pax_record_length_counts_its_own_digits() -> None:
    assert artifact._pax_record(b"path", b"a" * 5) == b"14 path=aaaaa\n"
    assert artifact._pax_record(b"path", b"a" * 93) == b"103 path=" + b"a" * 93 + b"\n"
    # 2 + 1 + 4 + 1 + 91 + 1 = 100 would need 3 digits, so the record is 101 long
    assert artifact._pax_record(b"path", b"a" * 91) == b"101 path=" + b"a" * 91 + b"\n"


# --- determinism ---------------------------------------------------------------------


def test_same_tree_gives_the_same_bytes_everywhere(tmp_path: Path) -> None:
    first = _tree(tmp_path / "one", FILES)
    os.chmod(first / "b.yaml", 0o644)
    digest1, size1 = _build(first, tmp_path / "1.tar.gz")
    digest1b, _ = _build(first, tmp_path / "1b.tar.gz")

    old_umask = os.umask(0o002)
    try:
        # created in reverse order, other mtimes and permissions, another directory
        second = tmp_path / "elsewhere" / "two"
        for rel, content in reversed(list(FILES.items())):
            _tree(second, {rel: content})
        os.chmod(second / "b.yaml", 0o664)
        for dirpath, _, filenames in os.walk(second):
            for name in filenames:
                os.utime(Path(dirpath) / name, (1_000_000, 1_000_000))
    finally:
        os.umask(old_umask)
    digest2, size2 = _build(second, tmp_path / "2.tar.gz")

    assert digest1 == digest1b == digest2
    assert size1 == size2
    assert (tmp_path / "1.tar.gz").read_bytes() == (tmp_path / "2.tar.gz").read_bytes()


def test_changing_content_or_exec_bit_changes_the_digest(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"a.sh": "echo"})
    base, _ = _build(root, tmp_path / "0.tar.gz")
    os.chmod(root / "a.sh", 0o755)
    exec_bit, _ = _build(root, tmp_path / "1.tar.gz")
    (root / "a.sh").write_text("echo!")
    content, _ = _build(root, tmp_path / "2.tar.gz")
    assert len({base, exec_bit, content}) == 3


def test_digest_and_size_describe_the_written_file(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", FILES)
    digest, size = _build(root, tmp_path / "out.tar.gz")
    data = (tmp_path / "out.tar.gz").read_bytes()
    assert digest == "sha256:" + hashlib.sha256(data).hexdigest()
    assert size == len(data)
    assert (tmp_path / "out.tar.gz").stat().st_mode & 0o777 == 0o600


# --- atomic writes and errors ----------------------------------------------------------


class _FailingMatcher(ignore.Matcher):
    """Fails once the walk reaches `fail_at`, after some data has been written."""

    def __init__(self, fail_at: str) -> None:
        super().__init__([])
        self.fail_at = fail_at

    def ignored_segments(self, path: object, is_dir: bool) -> bool:
        if "/".join(path) == self.fail_at:  # type: ignore[arg-type]
            raise ArtifactError(f"cannot read {self.fail_at}")
        return False


def test_failed_build_leaves_no_partial_or_temporary_file(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"a.bin": "x" * 100_000, "z.yaml": "z"})
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(ArtifactError):
        artifact.build(root, _FailingMatcher("z.yaml"), out_dir / "a.tar.gz")
    assert list(out_dir.iterdir()) == []


def test_failed_rebuild_keeps_the_previous_file(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"a.yaml": "a", "z.yaml": "z"})
    out = tmp_path / "a.tar.gz"
    _build(root, out)
    before = out.read_bytes()
    with pytest.raises(ArtifactError):
        artifact.build(root, _FailingMatcher("z.yaml"), out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name != "src"] == ["a.tar.gz"]


def test_missing_output_dir_is_a_storage_error_naming_it(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"a": "a"})
    with pytest.raises(StorageError, match=str(tmp_path / "nope")):
        _build(root, tmp_path / "nope" / "out.tar.gz")


def test_missing_workdir_is_an_artifact_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(ArtifactError, match=str(tmp_path / "absent")):
        artifact.build(tmp_path / "absent", ignore.Matcher([]), tmp_path / "out" / "a.tar.gz")
    assert list((tmp_path / "out").iterdir()) == []


def test_tar_is_readable_by_python_with_the_data_filter(tmp_path: Path) -> None:
    root = _tree(tmp_path / "src", {"apps/a.yaml": "a", "run.sh": "x"})
    _build(root, tmp_path / "out.tar.gz")
    dest = tmp_path / "extracted"
    with tarfile.open(tmp_path / "out.tar.gz") as tf:
        tf.extractall(dest, filter="data")
    assert (dest / "apps/a.yaml").read_text() == "a"
    assert io.BytesIO((dest / "run.sh").read_bytes()).read() == b"x"
