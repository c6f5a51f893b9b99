"""PGP recipients: data keys unwrapped by gpg in a throwaway GnuPG home.

Covers: a Secret encrypted by sops for a test-generated PGP key decrypts with
the armored key from a keyring (Secret ``.asc`` or ``--decryption-key-file``);
a file for both age and PGP decrypts with either; a PGP key that is not a
recipient is a one-line error naming the object, file and fingerprint; the
GnuPG home is created 0700 under /dev/shm and removed afterwards, also on
failure; no key material or message is passed in argv; a missing gpg is a
clear error saying to install gnupg; a PGP "key" gpg cannot import names its
source, never its content.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from fluxpy.kustomize.yaml_read import load_documents
from fluxpy.sops import (
    AgeIdentity,
    DecryptionError,
    GnuPG,
    Keyring,
    PgpKey,
    decrypt,
    from_environment,
)
from fluxpy.sops import pgp as pgp_module
from tests.sops.conftest import EncryptBytes, PgpTestKey

SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
stringData:
  password: pgp-protected-hunter2
  port: 5432
"""


def _load(text: bytes) -> dict[str, Any]:
    return load_documents(text.decode(), path="db.yaml")[0]


def _ring(key: PgpTestKey) -> Keyring:
    return Keyring(pgp=(PgpKey("test key", key.armored),))


def _homes() -> set[str]:
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    return {p for p in os.listdir(base)} if base else set()


def test_pgp_secret_decrypts(encrypt_bytes: EncryptBytes, pgp_key: PgpTestKey) -> None:
    obj = _load(encrypt_bytes(SECRET, name="db.yaml", pgp=pgp_key, args=("--encrypted-regex", "^stringData$")))
    assert obj["sops"]["pgp"][0]["fp"] == pgp_key.fingerprint
    assert decrypt(obj, keyring=_ring(pgp_key), path="db.yaml") == _load(SECRET.encode())


def test_pgp_key_from_a_key_file(encrypt_bytes: EncryptBytes, pgp_key: PgpTestKey, tmp_path: Path) -> None:
    obj = _load(encrypt_bytes(SECRET, name="db.yaml", pgp=pgp_key))
    key_file = tmp_path / "key.asc"
    key_file.write_text(pgp_key.armored)
    ring = from_environment({}, [key_file])
    assert decrypt(obj, keyring=ring, path="db.yaml") == _load(SECRET.encode())


def test_age_and_pgp_recipients_either_key_works(encrypt_bytes: EncryptBytes, pgp_key: PgpTestKey,
                                                 identity: AgeIdentity) -> None:
    obj = _load(encrypt_bytes(SECRET, name="db.yaml", pgp=pgp_key, age=[identity]))
    plain = _load(SECRET.encode())
    assert decrypt(obj, keyring=_ring(pgp_key), path="db.yaml") == plain
    assert decrypt(obj, keyring=Keyring((identity,)), path="db.yaml") == plain
    # A non-matching age identity falls through to PGP.
    assert decrypt(obj, keyring=Keyring((AgeIdentity.generate(),), _ring(pgp_key).pgp), path="db.yaml") == plain


def test_wrong_pgp_key_names_object_file_and_fingerprint(encrypt_bytes: EncryptBytes, pgp_key: PgpTestKey,
                                                         other_pgp_key: PgpTestKey) -> None:
    obj = _load(encrypt_bytes(SECRET, name="db.yaml", pgp=pgp_key, args=("--encrypted-regex", "^stringData$")))
    before = _homes()
    with pytest.raises(DecryptionError) as info:
        decrypt(obj, keyring=_ring(other_pgp_key), path="apps/db.yaml")
    assert str(info.value) == (f"no PGP key matches the recipients of Secret/apps/db in apps/db.yaml "
                               f"(PGP {pgp_key.fingerprint})")
    assert info.value.hint and ".asc" in info.value.hint
    assert _homes() == before  # the throwaway home is gone


def test_gnupg_home_is_private_memory_backed_and_removed(encrypt_bytes: EncryptBytes, pgp_key: PgpTestKey,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    obj = _load(encrypt_bytes(SECRET, name="db.yaml", pgp=pgp_key))
    seen: list[tuple[str, int]] = []
    argv: list[list[str]] = []
    inputs: list[bytes] = []
    real_run = subprocess.run

    def spy(cmd: list[str], **kwargs: Any) -> Any:
        argv.append(list(cmd))
        inputs.append(kwargs.get("input") or b"")
        if "--homedir" in cmd:
            home = cmd[cmd.index("--homedir") + 1]
            if os.path.isdir(home):
                seen.append((home, os.stat(home).st_mode & 0o777))
        return real_run(cmd, **kwargs)

    monkeypatch.setattr(pgp_module.subprocess, "run", spy)
    with GnuPG(_ring(pgp_key).pgp) as session:
        assert decrypt(obj, keyring=_ring(pgp_key), path="db.yaml", gnupg=session) == _load(SECRET.encode())
    homes = {home for home, _ in seen}
    assert len(homes) == 1
    home = homes.pop()
    if os.path.isdir("/dev/shm"):
        assert home.startswith("/dev/shm/fluxpy-gnupg-")
    assert all(mode == 0o700 for _, mode in seen)
    assert not os.path.exists(home)
    flat = " ".join(" ".join(cmd) for cmd in argv)
    assert "PRIVATE KEY" not in flat and "PGP MESSAGE" not in flat
    assert pgp_key.armored.encode() in inputs  # the key went through stdin


def test_home_removed_when_import_fails(encrypt_bytes: EncryptBytes, pgp_key: PgpTestKey) -> None:
    obj = _load(encrypt_bytes(SECRET, name="db.yaml", pgp=pgp_key))
    broken = ("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nbm90IGEga2V5IGF0IGFsbA==\n=AAAA\n"
              "-----END PGP PRIVATE KEY BLOCK-----\n")
    before = _homes()
    with pytest.raises(DecryptionError) as info:
        decrypt(obj, keyring=Keyring(pgp=(PgpKey("Secret flux-system/sops-gpg: broken.asc", broken),)),
                path="db.yaml")
    assert str(info.value) == ("<encrypted>/<encrypted>/<encrypted> in db.yaml: "
                               "Secret flux-system/sops-gpg: broken.asc: gpg could not import it as a PGP private key")
    assert "bm90IGEga2V5" not in str(info.value)
    assert _homes() == before


def test_missing_gpg_says_to_install_gnupg(encrypt_bytes: EncryptBytes, pgp_key: PgpTestKey,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    obj = _load(encrypt_bytes(SECRET, name="db.yaml", pgp=pgp_key, args=("--encrypted-regex", "^stringData$")))
    real_which = shutil.which
    monkeypatch.setattr(pgp_module.shutil, "which", lambda name: None if name == "gpg" else real_which(name))
    with pytest.raises(DecryptionError) as info:
        decrypt(obj, keyring=_ring(pgp_key), path="db.yaml")
    assert str(info.value) == ("Secret/apps/db in db.yaml: cannot decrypt a PGP-encrypted data key: "
                               "the gpg binary is not installed")
    assert info.value.hint and "gnupg" in info.value.hint


def test_age_only_keyring_never_starts_gpg(encrypt_bytes: EncryptBytes, pgp_key: PgpTestKey,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    obj = _load(encrypt_bytes(SECRET, name="db.yaml", pgp=pgp_key, args=("--encrypted-regex", "^stringData$")))

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("gpg must not run without PGP keys")

    monkeypatch.setattr(pgp_module.subprocess, "run", boom)
    with pytest.raises(DecryptionError, match=r"^no PGP key matches the recipients of Secret/apps/db in db.yaml"):
        decrypt(obj, keyring=Keyring((AgeIdentity.generate(),)), path="db.yaml")
