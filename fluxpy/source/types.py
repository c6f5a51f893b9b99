"""Values passed between the steps of the Git source pipeline.

Pure data. `GitFetchSpec` is what to fetch (from a GitRepository or from
command-line flags), `GitAuth` the credentials (kept in memory), `Checkout`
what the pull step produced, and `StoredArtifact` the tarball in the
artifact cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class GitRef:
    """`spec.ref`: at most one of these wins, by Flux's precedence commit > name > semver > tag > branch."""

    branch: str | None = None
    tag: str | None = None
    semver: str | None = None
    name: str | None = None
    commit: str | None = None


@dataclass(frozen=True, slots=True)
class GitFetchSpec:
    """What to fetch.

    Args:
        url: the repository URL (`https://`, `http://`, `ssh://`, and for
            cluster-free use also `git://` and `file://`).
        ref: the ref to check out; no ref means branch `master`, as Flux.
        recurse_submodules: also check out submodules.
        ignore: `spec.ignore`, gitignore lines appended to `.sourceignore` rules.
        timeout: seconds for each git operation.
    """

    url: str
    ref: GitRef = field(default_factory=GitRef)
    recurse_submodules: bool = False
    ignore: str | None = None
    timeout: float = 60.0


@dataclass(frozen=True, slots=True, repr=False)
class GitAuth:
    """Credentials for one fetch, as Flux reads them from `spec.secretRef`.

    Secrets stay in memory; the fetch step writes the ones git needs as files
    (SSH key, known_hosts, CA) to a private temporary directory it removes
    afterwards. `repr` never shows values.
    """

    username: str | None = None
    password: str | None = None
    bearer_token: str | None = None
    ca_pem: bytes | None = None
    client_cert_pem: bytes | None = None
    client_key_pem: bytes | None = None
    ssh_identity: bytes | None = None
    ssh_passphrase: str | None = None
    known_hosts: bytes | None = None

    def __repr__(self) -> str:
        present = [name for name in self.__slots__ if getattr(self, name) is not None]
        return f"GitAuth({', '.join(present)})"

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in output (for masking)."""
        values = (self.password, self.bearer_token, self.ssh_passphrase)
        return tuple(v for v in values if v)


@dataclass(frozen=True, slots=True)
class Checkout:
    """The pull step's result: a checked-out tree at one commit.

    Args:
        workdir: the checked-out tree (no `.git` inside is needed); the
            caller removes it.
        commit: the full commit hash.
        revision: Flux's revision string (`main@sha1:<hex>`, `v1.2.3@sha1:<hex>`,
            `refs/heads/main@sha1:<hex>`, `sha1:<hex>`).
        subject: the commit message's first line (for the NewArtifact event).
    """

    workdir: Path
    commit: str
    revision: str
    subject: str = ""


@dataclass(frozen=True, slots=True)
class StoredArtifact:
    """A tarball in the artifact cache.

    Args:
        path: the file on disk.
        rel_path: Flux's storage path, `gitrepository/<ns>/<name>/<commit>.tar.gz`.
        revision: the source revision it was built from.
        digest: `sha256:<hex>` of the file's bytes.
        size: the byte count.
    """

    path: Path
    rel_path: str
    revision: str
    digest: str
    size: int
