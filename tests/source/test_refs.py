"""Resolving `spec.ref` against `git ls-remote` output (pure, `fluxpy.source.refs`).

Covers: parsing ls-remote output (heads, lightweight and annotated tags with
their peeled `^{}` lines, symrefs); Flux's precedence commit > name > semver
> tag > branch and the default branch `master`; the revision string of each
ref kind (annotated tags give the commit); semver picks the highest strict
semver tag in the range, skips `1.2`/`v1.2`/`01.2.3`, breaks ties between
equal versions by committer date; clear errors naming the ref and the URL
for a missing branch, tag, ref, a short commit, no matching tag and an
invalid range; the ls-remote arguments asked for each kind.
"""

from __future__ import annotations

import pytest

from fluxpy.source import refs
from fluxpy.source.errors import GitError
from fluxpy.source.types import GitRef

URL = "https://git.example.com/org/repo.git"
C1 = "1" * 40
C2 = "2" * 40
C3 = "3" * 40
TAGOBJ = "a" * 40

LS_REMOTE = f"""ref: refs/heads/main\tHEAD
{C1}\tHEAD
{C1}\trefs/heads/main
{C2}\trefs/heads/dev
{C3}\trefs/pull/1/head
{C2}\trefs/tags/v1.0.0
{TAGOBJ}\trefs/tags/v1.1.0
{C3}\trefs/tags/v1.1.0^{{}}
{C1}\trefs/tags/v2.0.0-rc.1
{C1}\trefs/tags/1.5
{C1}\trefs/tags/v01.9.0
{C1}\trefs/tags/latest
"""


@pytest.fixture
def remote() -> refs.RemoteRefs:
    return refs.parse_ls_remote(LS_REMOTE)


def test_parse_ls_remote_reads_refs_peeled_tags_and_symrefs(remote: refs.RemoteRefs) -> None:
    assert remote.objects["refs/heads/main"] == C1
    assert remote.objects["refs/tags/v1.1.0"] == TAGOBJ
    assert remote.peeled == {"refs/tags/v1.1.0": C3}
    assert remote.symrefs == {"HEAD": "refs/heads/main"}


def test_annotated_tag_resolves_to_the_commit_not_the_tag_object(remote: refs.RemoteRefs) -> None:
    assert remote.commit("refs/tags/v1.1.0") == C3
    assert remote.tags()["v1.1.0"] == C3


def test_parse_ls_remote_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="unexpected"):
        refs.parse_ls_remote("not a ref line\n")


@pytest.mark.parametrize(("ref", "kind", "value"), [
    (None, "branch", "master"),
    (GitRef(), "branch", "master"),
    (GitRef(branch="main", tag="v1", semver="*", name="refs/x", commit=C1), "commit", C1),
    (GitRef(branch="main", tag="v1", semver="*", name="refs/x"), "name", "refs/x"),
    (GitRef(branch="main", tag="v1", semver="*"), "semver", "*"),
    (GitRef(branch="main", tag="v1"), "tag", "v1"),
    (GitRef(branch="main"), "branch", "main"),
])
def test_precedence_is_commit_name_semver_tag_branch(ref: GitRef | None, kind: str, value: str) -> None:
    won = refs.winning_ref(ref)
    assert (won.kind, won.value) == (kind, value)


@pytest.mark.parametrize(("ref", "commit", "revision"), [
    (GitRef(branch="main"), C1, f"main@sha1:{C1}"),
    (GitRef(tag="v1.0.0"), C2, f"v1.0.0@sha1:{C2}"),
    (GitRef(tag="v1.1.0"), C3, f"v1.1.0@sha1:{C3}"),
    (GitRef(name="refs/heads/main"), C1, f"refs/heads/main@sha1:{C1}"),
    (GitRef(name="refs/pull/1/head"), C3, f"refs/pull/1/head@sha1:{C3}"),
    (GitRef(name="refs/tags/v1.1.0"), C3, f"refs/tags/v1.1.0@sha1:{C3}"),
    (GitRef(commit=C2), C2, f"sha1:{C2}"),
    (GitRef(commit=C2.upper(), branch="dev"), C2, f"dev@sha1:{C2}"),
    (GitRef(semver=">=1.0.0 <1.5.0"), C3, f"v1.1.0@sha1:{C3}"),
    (GitRef(semver=">=1.0.0 <2.0.0"), C1, f"v01.9.0@sha1:{C1}"),
])
def test_revision_strings_are_flux_s(remote: refs.RemoteRefs, ref: GitRef, commit: str,
                                     revision: str) -> None:
    res = refs.resolve(ref, remote, url=URL)
    assert (res.commit, res.revision) == (commit, revision)


def test_semver_range_with_prerelease_admits_prerelease_tags(remote: refs.RemoteRefs) -> None:
    res = refs.resolve(GitRef(semver=">=1.0.0-0"), remote, url=URL)
    assert res.revision == f"v2.0.0-rc.1@sha1:{C1}"


def test_semver_reads_tags_as_flux_parse_version(remote: refs.RemoteRefs) -> None:
    # `1.5` has one dot and is skipped; `v01.9.0` has leading zeros, which
    # Flux 2.8's ParseVersion accepts, so it wins below 2.0.0.
    res = refs.resolve(GitRef(semver="<2.0.0"), remote, url=URL)
    assert res.ref_name == "refs/tags/v01.9.0"


@pytest.mark.parametrize(("tag", "ok"), [
    ("1.2.3", True), ("v1.2.3", True), ("1.2.3-rc.1", True), ("1.2.3+build.7", True),
    ("1.2.3-rc-1+b", True), ("1.2", False), ("v1.2", False), ("01.2.3", True),
    ("1.2-rc.1", True), ("1.2.3-rc.01", False), ("vv1.2.3", False), ("V1.2.3", False),
    ("1.2.3-", False), ("1.2.3+", False), ("1.2.3.4", False), ("latest", False),
    (f"{2**64}.0.0", False),
])
def test_version_filter_matches_flux_parse_version(tag: str, ok: bool) -> None:
    assert refs.is_flux_version(tag) is ok


def test_semver_tie_between_equal_versions_goes_to_the_newest_commit() -> None:
    remote = refs.parse_ls_remote(f"{C1}\trefs/tags/1.0.0\n{C2}\trefs/tags/v1.0.0\n"
                                  f"{C3}\trefs/tags/1.0.0+build\n")
    times = {C1: 300, C2: 100, C3: 200}
    res = refs.resolve(GitRef(semver="1.x"), remote, url=URL, commit_time=times.__getitem__)
    assert res.revision == f"1.0.0@sha1:{C1}"


def test_semver_tie_on_one_commit_needs_no_commit_times() -> None:
    remote = refs.parse_ls_remote(f"{C1}\trefs/tags/1.0.0\n{C1}\trefs/tags/v1.0.0\n")

    def no_times(commit: str) -> int:
        raise AssertionError("commit times are not needed when the tags share a commit")

    res = refs.resolve(GitRef(semver="^1"), remote, url=URL, commit_time=no_times)
    assert res.revision == f"v1.0.0@sha1:{C1}"


@pytest.mark.parametrize(("ref", "message"), [
    (GitRef(branch="nope"), f"branch 'nope' not found in {URL}"),
    (None, f"branch 'master' not found in {URL}"),
    (GitRef(tag="v9"), f"tag 'v9' not found in {URL}"),
    (GitRef(name="refs/heads/nope"), f"ref 'refs/heads/nope' not found in {URL}"),
    (GitRef(commit=C1, branch="nope"), f"branch 'nope' not found in {URL}"),
    (GitRef(commit="abc123"), f"commit 'abc123' for {URL} is not a full 40-character hash"),
    (GitRef(name="refs/heads/"), f"ref 'refs/heads/' for {URL} is invalid"),
    (GitRef(semver=">=3.0.0"), f"no tag of {URL} matches semver range '>=3.0.0'"),
    (GitRef(semver=">=1.0.0 <<2"), f"invalid semver range '>=1.0.0 <<2' for {URL}"),
])
def test_unresolvable_refs_fail_naming_ref_and_url(remote: refs.RemoteRefs, ref: GitRef | None,
                                                   message: str) -> None:
    with pytest.raises(GitError) as info:
        refs.resolve(ref, remote, url=URL)
    assert str(info.value).startswith(message)
    assert info.value.reason == "GitOperationFailed"
    assert info.value.hint


def test_default_branch_error_hints_at_spec_ref_branch(remote: refs.RemoteRefs) -> None:
    with pytest.raises(GitError) as info:
        refs.resolve(None, refs.parse_ls_remote(""), url=URL)
    assert "spec.ref.branch" in (info.value.hint or "")


def test_invalid_range_fails_before_any_listing() -> None:
    with pytest.raises(GitError, match="invalid semver range"):
        refs.check_range("not a range", url=URL)
    refs.check_range(">=1.0.0 <2.0.0", url=URL)


@pytest.mark.parametrize(("ref", "args"), [
    (GitRef(branch="main"), ["--heads", URL, "refs/heads/main"]),
    (GitRef(tag="v1"), ["--tags", URL, "refs/tags/v1", "refs/tags/v1^{}"]),
    (GitRef(semver="*"), ["--tags", URL]),
    (GitRef(name="refs/pull/1/head"), [URL]),
    (GitRef(commit=C1), ["--symref", URL, "HEAD"]),
    (GitRef(commit=C1, branch="dev"), ["--heads", URL, "refs/heads/dev"]),
])
def test_ls_remote_asks_only_for_the_refs_the_kind_needs(ref: GitRef, args: list[str]) -> None:
    assert refs.ls_remote_args(refs.winning_ref(ref), URL) == args
