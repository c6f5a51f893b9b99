"""The repository builders make the same repositories on every run.

Covers: identical calls give identical commit hashes (fixed identity and
dates); later commits, lightweight and annotated tags, branches and
checkouts; deletions; a bare copy holds every branch and tag and
re-publishing mirrors new commits and moved refs; the large-repository
generator makes the requested number of files.
"""

from __future__ import annotations

from pathlib import Path

from tests.gitserver import repos


def test_same_calls_give_same_commit_hashes(tmp_path: Path) -> None:
    first = repos.make_repo(tmp_path / "a", {"x.yaml": "a: 1\n"})
    second = repos.make_repo(tmp_path / "b", {"x.yaml": "a: 1\n"})
    assert first.head() == second.head()
    assert first.commit({"y.yaml": b"b: 2\n"}) == second.commit({"y.yaml": b"b: 2\n"})


def test_commits_are_made_by_the_fixed_author_one_minute_apart(tmp_path: Path) -> None:
    repo = repos.make_repo(tmp_path / "r", {"x": "1"})
    repo.commit({"x": "2"})
    log = repo.git("log", "--format=%an <%ae> %at %ct").splitlines()
    assert log == [
        f"Fluxpy Test <test@fluxpy.invalid> {repos.BASE_DATE + 120} {repos.BASE_DATE + 120}",
        f"Fluxpy Test <test@fluxpy.invalid> {repos.BASE_DATE + 60} {repos.BASE_DATE + 60}",
    ]


def test_make_repo_uses_the_given_branch(tmp_path: Path) -> None:
    repo = repos.make_repo(tmp_path / "r", {"x": "1"}, branch="trunk")
    assert repo.git("symbolic-ref", "--short", "HEAD") == "trunk"


def test_lightweight_and_annotated_tags_point_at_their_commits(tmp_path: Path) -> None:
    repo = repos.make_repo(tmp_path / "r", {"x": "1"})
    first = repo.head()
    assert repo.tag("v1.0.0") == first
    second = repo.commit({"x": "2"})
    assert repo.tag("v1.1.0", message="release 1.1.0") == second
    assert repo.git("cat-file", "-t", "v1.0.0") == "commit"
    assert repo.git("cat-file", "-t", "v1.1.0") == "tag"
    assert repo.tag("v0.9.0", message="old", ref=first) == first


def test_branches_and_checkout_keep_separate_histories(tmp_path: Path) -> None:
    repo = repos.make_repo(tmp_path / "r", {"x": "1"})
    repo.create_branch("feature", checkout=True)
    feature = repo.commit({"f": "feature"})
    repo.checkout("main")
    assert not (repo.path / "f").exists()
    assert repo.rev("feature") == feature != repo.head()


def test_commit_deletes_listed_paths(tmp_path: Path) -> None:
    repo = repos.make_repo(tmp_path / "r", {"a/x": "1", "a/y": "2"})
    repo.commit(delete=("a/x",))
    assert repo.git("ls-files") == "a/y"


def test_bare_copy_holds_all_branches_and_tags(tmp_path: Path) -> None:
    repo = repos.make_repo(tmp_path / "r", {"x": "1"})
    repo.create_branch("dev")
    repo.tag("v1.0.0", message="one")
    bare = repo.bare_copy(tmp_path / "served" / "r.git")
    refs = repos.git("for-each-ref", "--format=%(refname)", cwd=bare).splitlines()
    assert refs == ["refs/heads/dev", "refs/heads/main", "refs/tags/v1.0.0"]
    assert repos.git("rev-parse", "--is-bare-repository", cwd=bare) == "true"


def test_bare_copy_again_mirrors_new_commits_and_deleted_refs(tmp_path: Path) -> None:
    repo = repos.make_repo(tmp_path / "r", {"x": "1"})
    repo.create_branch("old")
    bare = repo.bare_copy(tmp_path / "r.git")
    new = repo.commit({"x": "2"})
    repo.git("branch", "-D", "old")
    repo.bare_copy(bare)
    assert repos.git("rev-parse", "main", cwd=bare) == new
    assert repos.git("branch", "--list", "old", cwd=bare) == ""


def test_add_submodule_records_url_and_commit_kept_by_later_commits(tmp_path: Path) -> None:
    child = repos.make_repo(tmp_path / "child", {"c": "1"})
    parent = repos.make_repo(tmp_path / "parent", {"p": "1"})
    parent.add_submodule("libs/child", "git://127.0.0.1:1/child.git", child.head())
    assert parent.git("ls-tree", "HEAD", "libs/child").split()[:3] == [
        "160000", "commit", child.head()]
    assert parent.git("config", "-f", ".gitmodules", "submodule.libs/child.url") == (
        "git://127.0.0.1:1/child.git")
    parent.commit({"later": "1"})
    assert parent.git("ls-tree", "HEAD", "libs/child").split()[2] == child.head()


def test_large_repo_has_the_requested_number_of_files(tmp_path: Path) -> None:
    repo = repos.make_large_repo(tmp_path / "big", files=250, per_dir=100)
    files = repo.git("ls-files").splitlines()
    assert len(files) == 250
    assert files[0] == "d0000/f00000.yaml" and files[-1] == "d0002/f00249.yaml"
