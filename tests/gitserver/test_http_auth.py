"""Authentication and TLS on the HTTP Git server, checked with the plain git CLI.

Covers: basic auth accepts the right username/password (after git's first,
anonymous request got 401) and refuses a wrong password or none; a 401
carries a `WWW-Authenticate` challenge; bearer auth accepts
`Authorization: Bearer <token>` and refuses a wrong token; pushes need the
credentials too; HTTPS works with the server's CA (`http.sslCAInfo`) and is
refused without it or with an unrelated CA.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.gitserver import repos
from tests.gitserver.certs import Certs
from tests.gitserver.http import GitHttpServer


def _url(server: GitHttpServer, tmp_path: Path) -> str:
    return server.publish(repos.make_repo(tmp_path / "app", {"a.yaml": "a: 1\n"}))


def _statuses(server: GitHttpServer) -> list[int]:
    return [r.status for r in server.requests]


def test_basic_auth_accepts_the_right_password(git_http_basic: GitHttpServer,
                                               tmp_path: Path) -> None:
    url = git_http_basic.url_with_credentials(_url(git_http_basic, tmp_path))
    repos.git("clone", "--quiet", url, str(tmp_path / "clone"))
    assert (tmp_path / "clone" / "a.yaml").exists()
    assert _statuses(git_http_basic) == [401, 200, 200, 200]


def test_basic_auth_refuses_a_wrong_password(git_http_basic: GitHttpServer,
                                             tmp_path: Path) -> None:
    url = git_http_basic.url_with_credentials(_url(git_http_basic, tmp_path), password="wrong")
    result = repos.run("clone", url, str(tmp_path / "clone"))
    assert result.returncode != 0
    assert "Authentication failed" in result.stderr
    assert set(_statuses(git_http_basic)) == {401}


def test_basic_auth_refuses_a_request_without_credentials(git_http_basic: GitHttpServer,
                                                          tmp_path: Path) -> None:
    result = repos.run("ls-remote", _url(git_http_basic, tmp_path))
    assert result.returncode != 0
    assert "could not read Username" in result.stderr


@pytest.mark.parametrize(("fixture", "scheme"), [("git_http_basic", "Basic"),
                                                 ("git_http_bearer", "Bearer")])
def test_refusal_is_401_with_a_challenge(fixture: str, scheme: str,
                                         request: pytest.FixtureRequest, tmp_path: Path) -> None:
    server: GitHttpServer = request.getfixturevalue(fixture)
    url = _url(server, tmp_path) + "/info/refs?service=git-upload-pack"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 401
    assert refused.value.headers["WWW-Authenticate"] == f'{scheme} realm="fluxpy-git"'


def test_bearer_token_is_accepted(git_http_bearer: GitHttpServer, tmp_path: Path) -> None:
    header = f"http.extraHeader=Authorization: {git_http_bearer.bearer_header()}"
    repos.git("-c", header, "clone", "--quiet", _url(git_http_bearer, tmp_path),
              str(tmp_path / "clone"))
    assert (tmp_path / "clone" / "a.yaml").exists()
    assert set(_statuses(git_http_bearer)) == {200}


def test_wrong_bearer_token_is_refused(git_http_bearer: GitHttpServer, tmp_path: Path) -> None:
    header = f"http.extraHeader=Authorization: {git_http_bearer.bearer_header('wrong')}"
    result = repos.run("-c", header, "ls-remote", _url(git_http_bearer, tmp_path))
    assert result.returncode != 0
    assert _statuses(git_http_bearer) == [401]


def test_basic_auth_password_does_not_pass_as_a_bearer_token(git_http_bearer: GitHttpServer,
                                                             tmp_path: Path) -> None:
    url = git_http_bearer.url_with_credentials(_url(git_http_bearer, tmp_path),
                                               password=git_http_bearer.token)
    assert repos.run("ls-remote", url).returncode != 0


def test_push_with_basic_auth_updates_the_served_repository(git_http_basic: GitHttpServer,
                                                            tmp_path: Path) -> None:
    url = git_http_basic.url_with_credentials(_url(git_http_basic, tmp_path))
    work = tmp_path / "work"
    repos.git("clone", "--quiet", url, str(work))
    new = repos.Repo(work, "main").commit({"b.yaml": "b: 2\n"})
    repos.git("push", "--quiet", "origin", "main", cwd=work)
    assert repos.git("ls-remote", url, "refs/heads/main").split()[0] == new


def test_https_with_the_server_ca_is_accepted(git_https: GitHttpServer, tmp_path: Path) -> None:
    assert git_https.tls is not None
    url = git_https.url_with_credentials(_url(git_https, tmp_path))
    assert url.startswith("https://")
    repos.git("-c", f"http.sslCAInfo={git_https.tls.ca_cert}", "clone", "--quiet", url,
              str(tmp_path / "clone"))
    assert (tmp_path / "clone" / "a.yaml").exists()


def test_https_without_the_server_ca_is_refused(git_https: GitHttpServer, tmp_path: Path) -> None:
    url = git_https.url_with_credentials(_url(git_https, tmp_path))
    result = repos.run("ls-remote", url)
    assert result.returncode != 0
    assert "certificate" in result.stderr
    assert git_https.requests == []


def test_https_with_an_unrelated_ca_is_refused(git_https: GitHttpServer,
                                               git_server_certs: Certs, tmp_path: Path) -> None:
    url = git_https.url_with_credentials(_url(git_https, tmp_path))
    result = repos.run("-c", f"http.sslCAInfo={git_server_certs.other_ca_cert}", "ls-remote", url)
    assert result.returncode != 0
    assert "certificate" in result.stderr
    assert git_https.requests == []
