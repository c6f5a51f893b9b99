"""`git http-backend` behind the test HTTP server: the smart protocol, pushes and faults.

Covers: a clone over http:// gets the published branch; the request log
shows the protocol v2 round trips, and fetching an unchanged remote does only
the ref advertisement (`info/refs` and `ls-refs`, no `fetch`); a push updates
the served repository, also when git sends the pack chunked; a large fetch
request arrives gzip'ed and is understood; `drop_after_bytes` makes a clone
fail mid-transfer and leaves no checkout; `delay` slows each response;
`reset()` clears the log and the faults.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.gitserver import repos
from tests.gitserver.http import Faults, GitHttpServer, Request


def _served(server: GitHttpServer, tmp_path: Path, files: dict[str, str | bytes] | None = None
            ) -> tuple[repos.Repo, str]:
    repo = repos.make_repo(tmp_path / "app", files or {"deploy.yaml": "kind: Deployment\n"})
    return repo, server.publish(repo)


def _calls(server: GitHttpServer) -> list[tuple[str, str | None, str | None]]:
    return [(r.method, r.service, r.command) for r in server.requests]


def test_clone_over_http_gets_the_published_branch(git_http: GitHttpServer,
                                                   tmp_path: Path) -> None:
    repo, url = _served(git_http, tmp_path)
    assert url.startswith(f"http://127.0.0.1:{git_http.port}/")
    repos.git("clone", "--quiet", url, str(tmp_path / "clone"))
    assert repos.git("rev-parse", "HEAD", cwd=tmp_path / "clone") == repo.head()
    assert _calls(git_http) == [
        ("GET", "git-upload-pack", None),
        ("POST", "git-upload-pack", "ls-refs"),
        ("POST", "git-upload-pack", "fetch"),
    ]
    assert all(r.status == 200 for r in git_http.requests)


def test_fetch_of_an_unchanged_remote_does_only_the_ref_advertisement(
        git_http: GitHttpServer, tmp_path: Path) -> None:
    _, url = _served(git_http, tmp_path)
    repos.git("clone", "--quiet", url, str(tmp_path / "clone"))
    git_http.reset()
    repos.git("fetch", "--quiet", "origin", cwd=tmp_path / "clone")
    assert _calls(git_http) == [("GET", "git-upload-pack", None),
                                ("POST", "git-upload-pack", "ls-refs")]


def test_fetch_after_a_new_commit_downloads_it(git_http: GitHttpServer, tmp_path: Path) -> None:
    repo, url = _served(git_http, tmp_path)
    repos.git("clone", "--quiet", url, str(tmp_path / "clone"))
    new = repo.commit({"deploy.yaml": "kind: StatefulSet\n"})
    git_http.publish(repo)
    git_http.reset()
    repos.git("fetch", "--quiet", "origin", cwd=tmp_path / "clone")
    assert ("POST", "git-upload-pack", "fetch") in _calls(git_http)
    assert repos.git("rev-parse", "origin/main", cwd=tmp_path / "clone") == new


def test_push_over_http_updates_the_served_repository(git_http: GitHttpServer,
                                                      tmp_path: Path) -> None:
    _, url = _served(git_http, tmp_path)
    work = tmp_path / "work"
    repos.git("clone", "--quiet", url, str(work))
    pushed = repos.Repo(work, "main")
    new = pushed.commit({"image.yaml": "tag: v2\n"})
    git_http.reset()
    pushed.git("push", "--quiet", "origin", "main")
    assert repos.git("ls-remote", url, "refs/heads/main").split()[0] == new
    assert ("POST", "git-receive-pack", None) in _calls(git_http)


def test_push_of_a_pack_larger_than_the_post_buffer_arrives_chunked(
        git_http: GitHttpServer, tmp_path: Path) -> None:
    _, url = _served(git_http, tmp_path)
    work = tmp_path / "work"
    repos.git("clone", "--quiet", url, str(work))
    pushed = repos.Repo(work, "main")
    new = pushed.commit({"blob.bin": os.urandom(256 * 1024)})
    git_http.reset()
    pushed.git("-c", "http.postBuffer=65536", "push", "--quiet", "origin", "main")
    assert repos.git("ls-remote", url, "refs/heads/main").split()[0] == new
    # Before a chunked request git sends a small probe, so an auth challenge
    # never costs a streamed body.
    assert [r.chunked for r in git_http.requests if r.service == "git-receive-pack"
            and r.method == "POST"] == [False, True]


def test_large_fetch_request_arrives_gzipped_and_is_understood(git_http: GitHttpServer,
                                                               tmp_path: Path) -> None:
    repo, _ = _served(git_http, tmp_path)
    # 40 branches at distinct commits: 40 "want" lines make a request over
    # 1 KiB, the size from which git gzips it. One fast-import is quicker
    # than 40 commits.
    stream = "".join(
        f"commit refs/heads/branch-{n:02d}\ncommitter T <t@t> {repos.BASE_DATE} +0000\n"
        f"data {len(str(n))}\n{n}\nfrom refs/heads/main^0\n\n" for n in range(40))
    repos.git("fast-import", "--quiet", cwd=repo.path, input=stream.encode())
    url = git_http.publish(repo)
    repos.git("clone", "--quiet", "--mirror", url, str(tmp_path / "mirror"))
    fetches = [r for r in git_http.requests if r.command == "fetch"]
    assert [(r.gzipped, r.status) for r in fetches] == [(True, 200)]


def test_dropped_connection_makes_the_clone_fail(git_http: GitHttpServer, tmp_path: Path) -> None:
    _, url = _served(git_http, tmp_path, {"blob.bin": os.urandom(64 * 1024)})
    git_http.faults.drop_after_bytes = 4096
    result = repos.run("clone", url, str(tmp_path / "clone"))
    assert result.returncode != 0
    assert "transfer closed" in result.stderr or "early EOF" in result.stderr, result.stderr
    assert not (tmp_path / "clone").exists()
    assert git_http.requests[-1] == Request("POST", git_http.requests[-1].path,
                                            "git-upload-pack", "fetch", 200)


def test_delay_slows_every_response(git_http: GitHttpServer, tmp_path: Path) -> None:
    _, url = _served(git_http, tmp_path)
    git_http.faults.delay = 0.2
    started = time.monotonic()
    repos.git("ls-remote", url)
    assert time.monotonic() - started >= 0.4  # info/refs and ls-refs


def test_reset_clears_the_log_and_the_faults(git_http: GitHttpServer, tmp_path: Path) -> None:
    _, url = _served(git_http, tmp_path)
    git_http.faults.drop_after_bytes = 1
    git_http.faults.delay = 0.05
    repos.run("ls-remote", url)
    git_http.reset()
    assert git_http.requests == []
    assert git_http.faults == Faults()
    repos.git("ls-remote", url)
