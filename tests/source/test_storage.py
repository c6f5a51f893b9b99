"""The local artifact cache (fluxpy.source.storage).

Covers:
- the default directory (`$XDG_CACHE_HOME/fluxpy/artifacts`, else `~/.cache/...`);
- Flux's layout `<kind lowercased>/<ns>/<name>/<file>` and the advertised URL;
- store: the tarball where the layout says, its digest and size, the sidecar, and
  an unchanged tree stored again giving the same digest;
- lookup: found from the sidecar, absent without one or on a size mismatch,
  `verify` catching same-size tampering;
- garbage collection: newest N per object kept (default 2, Flux's
  `--artifact-retention-records`), the current one never removed, sidecars removed
  with their tarballs, other objects untouched, the optional ttl;
- errors naming the path: paths leaving the cache, an unwritable cache dir.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from fluxpy.source import ignore, storage
from fluxpy.source.errors import StorageError
from fluxpy.source.types import StoredArtifact

COMMIT_A = "a" * 40
COMMIT_B = "b" * 40
COMMIT_C = "c" * 40


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content)
    return root


def _store(store: storage.Storage, workdir: Path, commit: str, *, name: str = "podinfo") -> StoredArtifact:
    return store.store(
        workdir,
        kind="GitRepository",
        namespace="flux-system",
        name=name,
        filename=f"{commit}.tar.gz",
        matcher=ignore.matcher_for(workdir, spec_ignore=None),
        revision=f"main@sha1:{commit}",
    )


def test_default_dir_uses_xdg_cache_home() -> None:
    assert storage.default_dir({"XDG_CACHE_HOME": "/c", "HOME": "/h"}) == Path("/c/fluxpy/artifacts")


@pytest.mark.parametrize("env", [{"HOME": "/h"}, {"XDG_CACHE_HOME": "", "HOME": "/h"}, {"XDG_CACHE_HOME": "rel", "HOME": "/h"}])
def test_default_dir_falls_back_to_home_cache(env: dict[str, str]) -> None:
    assert storage.default_dir(env) == Path("/h/.cache/fluxpy/artifacts")


def test_artifact_path_is_fluxs_layout() -> None:
    path = storage.artifact_path("GitRepository", "flux-system", "podinfo", f"{COMMIT_A}.tar.gz")
    assert path == f"gitrepository/flux-system/podinfo/{COMMIT_A}.tar.gz"


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "a\0b"])
def test_artifact_path_rejects_components_that_are_not_one_name(bad: str) -> None:
    with pytest.raises(StorageError, match="invalid artifact path component"):
        storage.artifact_path("GitRepository", bad, "podinfo", "x.tar.gz")


def test_url_is_the_source_controller_service_address() -> None:
    rel = f"gitrepository/flux-system/podinfo/{COMMIT_A}.tar.gz"
    assert storage.url_for(rel) == f"http://source-controller.flux-system.svc.cluster.local./{rel}"
    assert storage.url_for("/" + rel, flux_namespace="flux") == f"http://source-controller.flux.svc.cluster.local./{rel}"


def test_store_writes_the_tarball_at_its_flux_path_with_a_sidecar(tmp_path: Path) -> None:
    work = _tree(tmp_path / "work", {"app.yaml": "a"})
    store = storage.Storage(tmp_path / "cache")
    stored = _store(store, work, COMMIT_A)
    rel = f"gitrepository/flux-system/podinfo/{COMMIT_A}.tar.gz"
    data = (tmp_path / "cache" / rel).read_bytes()
    assert stored == StoredArtifact(
        path=tmp_path / "cache" / rel,
        rel_path=rel,
        revision=f"main@sha1:{COMMIT_A}",
        digest="sha256:" + hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    sidecar = json.loads((tmp_path / "cache" / (rel + ".json")).read_text())
    assert sidecar == {"revision": stored.revision, "digest": stored.digest, "size": stored.size}


def test_storing_an_unchanged_tree_again_gives_the_same_digest(tmp_path: Path) -> None:
    work = _tree(tmp_path / "work", {"app.yaml": "a"})
    store = storage.Storage(tmp_path / "cache")
    assert _store(store, work, COMMIT_A) == _store(store, work, COMMIT_A)


def test_lookup_returns_what_store_returned(tmp_path: Path) -> None:
    store = storage.Storage(tmp_path / "cache")
    stored = _store(store, _tree(tmp_path / "work", {"a": "a"}), COMMIT_A)
    assert store.lookup(stored.rel_path) == stored
    assert store.lookup(stored.rel_path, verify=True) == stored
    assert storage.Storage(tmp_path / "cache").lookup(stored.rel_path) == stored


def test_lookup_of_a_missing_artifact_is_none(tmp_path: Path) -> None:
    store = storage.Storage(tmp_path / "cache")
    assert store.lookup(f"gitrepository/flux-system/podinfo/{COMMIT_A}.tar.gz") is None


def test_lookup_without_sidecar_or_with_wrong_size_is_none(tmp_path: Path) -> None:
    store = storage.Storage(tmp_path / "cache")
    stored = _store(store, _tree(tmp_path / "work", {"a": "a"}), COMMIT_A)
    with stored.path.open("ab") as fh:
        fh.write(b"junk")
    assert store.lookup(stored.rel_path) is None
    stored = _store(store, tmp_path / "work", COMMIT_A)
    Path(str(stored.path) + ".json").write_text("{not json")
    assert store.lookup(stored.rel_path) is None


def test_lookup_verify_catches_same_size_tampering(tmp_path: Path) -> None:
    store = storage.Storage(tmp_path / "cache")
    stored = _store(store, _tree(tmp_path / "work", {"a": "a"}), COMMIT_A)
    data = bytearray(stored.path.read_bytes())
    data[-9] ^= 0xFF
    stored.path.write_bytes(bytes(data))
    assert store.lookup(stored.rel_path) == stored
    assert store.lookup(stored.rel_path, verify=True) is None


@pytest.mark.parametrize("bad", ["/etc/passwd", "../outside.tar.gz", "gitrepository/../../x", ""])
def test_paths_leaving_the_cache_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(StorageError, match="invalid artifact path"):
        storage.Storage(tmp_path / "cache").lookup(bad)


def _age(path: Path, seconds_ago: float) -> None:
    stamp = path.stat().st_mtime - seconds_ago
    os.utime(path, (stamp, stamp))


def test_gc_keeps_the_two_newest_per_object_by_default(tmp_path: Path) -> None:
    work = _tree(tmp_path / "work", {"a": "a"})
    store = storage.Storage(tmp_path / "cache")
    a = _store(store, work, COMMIT_A)
    _age(a.path, 30)
    b = _store(store, work, COMMIT_B)
    _age(b.path, 20)
    other = _store(store, work, COMMIT_A, name="other")
    c = _store(store, work, COMMIT_C)  # store collects garbage itself
    left = sorted(p.name for p in c.path.parent.iterdir())
    assert left == sorted([f"{COMMIT_B}.tar.gz", f"{COMMIT_B}.tar.gz.json", f"{COMMIT_C}.tar.gz", f"{COMMIT_C}.tar.gz.json"])
    assert other.path.exists()
    assert store.lookup(a.rel_path) is None


def test_gc_never_removes_the_current_artifact(tmp_path: Path) -> None:
    work = _tree(tmp_path / "work", {"a": "a"})
    store = storage.Storage(tmp_path / "cache", retention_records=1)
    a = _store(store, work, COMMIT_A)
    b = _store(store, work, COMMIT_B)
    assert not a.path.exists()
    _age(b.path, 100)  # b is now the oldest file, but still the one in use
    (b.path.parent / f"{COMMIT_C}.tar.gz").write_bytes(b"newer")
    removed = store.gc(kind="GitRepository", namespace="flux-system", name="podinfo", current=b.path.name)
    assert removed == [b.path.parent / f"{COMMIT_C}.tar.gz"]
    assert b.path.exists()


def test_gc_with_ttl_removes_expired_artifacts_except_the_current(tmp_path: Path) -> None:
    work = _tree(tmp_path / "work", {"a": "a"})
    store = storage.Storage(tmp_path / "cache", retention_records=5)
    a = _store(store, work, COMMIT_A)
    b = _store(store, work, COMMIT_B)
    _age(a.path, 120)
    _age(b.path, 120)
    removed = store.gc(kind="GitRepository", namespace="flux-system", name="podinfo", current=b.path.name, ttl=60)
    assert removed == [a.path]
    assert b.path.exists()


def test_gc_of_an_object_without_artifacts_removes_nothing(tmp_path: Path) -> None:
    assert storage.Storage(tmp_path / "cache").gc(kind="GitRepository", namespace="ns", name="none") == []


def test_unwritable_cache_dir_is_a_storage_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache dir should be")
    with pytest.raises(StorageError, match=str(blocker)) as info:
        _store(storage.Storage(blocker), _tree(tmp_path / "work", {"a": "a"}), COMMIT_A)
    assert info.value.hint is not None and "--artifacts-dir" in info.value.hint
