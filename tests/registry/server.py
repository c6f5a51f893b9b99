"""A real OCI registry (CNCF distribution 2.8, Debian's `docker-registry`) on 127.0.0.1.

Each `RegistryServer` runs `docker-registry serve config.yml` as a child
process with its own storage directory and a config written here:

- `AuthMode.NONE`: anonymous pull and push.
- `AuthMode.BASIC`: an htpasswd file (bcrypt, made with apache2-utils'
  `htpasswd -B`; registry 2.8 reads bcrypt only) for `username`/`password`.
  A request without valid credentials gets `401` with
  `WWW-Authenticate: Basic realm="fluxpy-test-registry"`.
- `AuthMode.TOKEN`: `auth.token` pointing at a `TokenServer` (realm,
  service, issuer, rootcertbundle); requests need a bearer token from it.
- `tls`: serve HTTPS with the session's test certificate.

What distribution 2.8 does *not* do: it ignores `n` and `last` on
`GET /v2/<name>/tags/list` and always answers every tag in one page (tag
pagination came with distribution 3). Tests that need Link-header pagination
put a `RegistryProxy` (proxy.py) in front, which paginates as distribution 3
and the OCI distribution spec do.
"""

from __future__ import annotations

import base64
import shutil
import ssl
import subprocess
from enum import StrEnum
from pathlib import Path

import urllib3

from tests.gitserver.base import ServerStartError, free_port, wait_for
from tests.registry.certs import Certs
from tests.registry.tokenserver import ISSUER, TokenServer

BINARY = "docker-registry"


class AuthMode(StrEnum):
    """How the registry authenticates requests."""

    NONE = "none"
    BASIC = "basic"
    TOKEN = "token"


class RegistryServer:
    """One `docker-registry` process on 127.0.0.1.

    Attributes:
        root: the directory holding the config, logs and storage.
        auth: the authentication mode.
        username: the accepted user (basic and token auth).
        password: the accepted password.
        tls: the certificates when serving HTTPS, else None.
        tokens: the token server when `auth` is TOKEN, else None.
        port: the TCP port (set by `start()`).
    """

    def __init__(self, root: Path, *, auth: AuthMode = AuthMode.NONE, tls: Certs | None = None,
                 tokens: TokenServer | None = None, username: str = "fluxpy",
                 password: str = "s3cret-pass") -> None:
        if auth is AuthMode.TOKEN and tokens is None:
            raise ValueError("token auth needs a TokenServer")
        self.root = root
        self.auth = auth
        self.tls = tls
        self.tokens = tokens
        self.username = username
        self.password = password
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._http: urllib3.PoolManager | None = None
        root.mkdir(parents=True, exist_ok=True)
        if tokens is not None:
            tokens.users[username] = password

    @property
    def host(self) -> str:
        """`127.0.0.1:<port>`, the registry part of image names."""
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>` or `https://...`."""
        return f"{'https' if self.tls else 'http'}://{self.host}"

    @property
    def log_path(self) -> Path:
        """The registry's combined stdout/stderr."""
        return self.root / "registry.log"

    def image(self, repo: str) -> str:
        """The image name (no tag) of `repo` on this registry, e.g. `127.0.0.1:5000/app`."""
        return f"{self.host}/{repo}"

    def start(self) -> None:
        """Write the config, start the process and wait until `/v2/` answers.

        Raises:
            ServerStartError: the registry exited or did not answer (its log is attached).
        """
        if shutil.which(BINARY) is None:
            raise ServerStartError(f"{BINARY} not found; install the Debian package docker-registry (.ci/setup)")
        if self.auth is AuthMode.BASIC:
            self._write_htpasswd()
        last_log = ""
        for _ in range(3):  # another process may take the free port before the registry binds it
            self.port = free_port()
            (self.root / "config.yml").write_text(self._config())
            log = self.log_path.open("wb")
            self._proc = subprocess.Popen([BINARY, "serve", str(self.root / "config.yml")],
                                          stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            log.close()
            ready = wait_for(self._ready, timeout=15, interval=0.02)
            if ready and self._proc is not None and self._proc.poll() is None:
                return
            self._terminate()
            last_log = self.log_path.read_text(errors="replace")[-2000:]
        raise ServerStartError(f"docker-registry did not start:\n{last_log}")

    def stop(self) -> None:
        """Stop the registry process."""
        self._terminate()
        if self._http is not None:
            self._http.clear()

    def reset(self) -> None:
        """Nothing to clear: tests push to repositories of their own (see `client.unique_repo`)."""
        if self.tokens is not None:
            self.tokens.reset()

    def http(self) -> urllib3.PoolManager:
        """A connection pool that trusts this registry's CA (for the test helpers)."""
        if self._http is None:
            context = None
            if self.tls is not None:
                context = ssl.create_default_context(cafile=str(self.tls.ca_cert))
            self._http = urllib3.PoolManager(maxsize=16, ssl_context=context)
        return self._http

    def admin_headers(self, repo: str, actions: str = "pull,push") -> dict[str, str]:
        """The `Authorization` header test helpers use to push to `repo` (empty without auth)."""
        if self.auth is AuthMode.BASIC:
            raw = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            return {"Authorization": f"Basic {raw}"}
        if self.auth is AuthMode.TOKEN:
            assert self.tokens is not None
            return {"Authorization": f"Bearer {self.tokens.mint(self.username, [f'repository:{repo}:{actions}'])}"}
        return {}

    def _ready(self) -> bool:
        if self._proc is None or self._proc.poll() is not None:
            return True  # exited: stop waiting, start() sees it
        try:
            status = self.http().request("GET", f"{self.base_url}/v2/", retries=False, timeout=1.0).status
        except (urllib3.exceptions.HTTPError, OSError):
            return False
        return status in (200, 401)

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def _write_htpasswd(self) -> None:
        # Cost 4, bcrypt's minimum: the registry checks the hash on every request.
        out = subprocess.run(["htpasswd", "-nbBC", "4", self.username, self.password],
                             check=True, capture_output=True, text=True).stdout
        (self.root / "htpasswd").write_text(out.strip() + "\n")

    def _config(self) -> str:
        lines = [
            "version: 0.1",
            "log:",
            "  level: warn",
            "  accesslog:",
            "    disabled: true",
            "storage:",
            "  filesystem:",
            f"    rootdirectory: {self.root / 'storage'}",
            "  cache:",
            "    blobdescriptor: inmemory",
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "  delete:",
            "    enabled: true",
            "http:",
            f"  addr: 127.0.0.1:{self.port}",
            "  secret: fluxpy-test-registry-secret",
        ]
        if self.tls is not None:
            lines += ["  tls:", f"    certificate: {self.tls.server_cert}", f"    key: {self.tls.server_key}"]
        if self.auth is AuthMode.BASIC:
            lines += ["auth:", "  htpasswd:", "    realm: fluxpy-test-registry",
                      f"    path: {self.root / 'htpasswd'}"]
        elif self.auth is AuthMode.TOKEN:
            assert self.tokens is not None
            lines += ["auth:", "  token:", f"    realm: {self.tokens.realm}",
                      f"    service: {self.tokens.service}", f"    issuer: {ISSUER}",
                      f"    rootcertbundle: {self.tokens.certs.token_ca_cert}"]
        return "\n".join(lines) + "\n"
