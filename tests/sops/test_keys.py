"""Building a `Keyring` from the decryption Secret and from the environment.

Covers: ``*.agekey`` values with one or several identities and comments,
``*.asc`` armored PGP keys, other keys (``sops.vault-token``, ``sops.aws-kms``,
``identity.txt``) ignored, keys read in name order; malformed values (not
base64, a bad identity line, an empty ``.agekey``, an ``.asc`` without armor)
name the Secret and the key but never the value. ``SOPS_AGE_KEY``,
``SOPS_AGE_KEY_FILE`` and ``--decryption-key-file`` (age or PGP, detected by
the armor line), a missing or malformed file; `merge` drops duplicates;
``empty``; ``repr`` never shows a key.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from fluxpy.errors import FluxpyError
from fluxpy.sops import (
    AgeIdentity,
    DecryptionError,
    Keyring,
    from_environment,
    from_secret,
)
from tests.sops.conftest import PgpTestKey


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _secret(**data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sops-keys", "namespace": "flux-system"},
            "data": {k.replace("_", "."): _b64(v) for k, v in data.items()}}


def test_from_secret_reads_agekey_and_asc_values(pgp_key: PgpTestKey) -> None:
    a, b, c = AgeIdentity.generate(), AgeIdentity.generate(), AgeIdentity.generate()
    secret = _secret(b_agekey=f"# created: now\n# public key: {a.recipient}\n{a.encode()}\n\n{b.encode()}\n",
                     a_agekey=c.encode(), gpg_asc=pgp_key.armored)
    ring = from_secret(secret, ref="flux-system/sops-keys")
    assert ring.age == (c, a, b)  # a.agekey before b.agekey
    assert len(ring.pgp) == 1 and ring.pgp[0].armored.startswith("-----BEGIN PGP PRIVATE KEY BLOCK-----")
    assert ring.pgp[0].source == "Secret flux-system/sops-keys: gpg.asc"
    assert Keyring.from_secret(secret, ref="flux-system/sops-keys") == ring


def test_from_secret_ignores_kms_vault_and_other_keys() -> None:
    secret = _secret(identity_txt="junk")
    for name, value in (("sops.vault-token", "s.token"), ("sops.aws-kms", "aws_access_key_id: x"),
                        ("sops.azure-kv", "tenantId: x"), ("sops.gcp-kms", "{}")):
        secret["data"][name] = _b64(value)
    assert from_secret(secret, ref="flux-system/sops-keys").empty


@pytest.mark.parametrize(("name", "value", "reason"), [
    ("key.agekey", "AGE-SECRET-KEY-1NOTAKEYATALLNOTAKEYATALL", "line 1 is not an age X25519 identity"),
    ("key.agekey", "# only a comment\n", "holds no age identity"),
    ("gpg.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQINBF...\n-----END PGP PUBLIC KEY BLOCK-----\n",
     "is not an ASCII-armored PGP private key"),
])
def test_from_secret_malformed_value_names_secret_and_key_not_value(name: str, value: str, reason: str) -> None:
    secret = _secret()
    secret["data"][name] = _b64(value)
    with pytest.raises(DecryptionError) as info:
        from_secret(secret, ref="flux-system/sops-keys")
    message = str(info.value)
    assert message.startswith(f"Secret flux-system/sops-keys: {name}")
    assert reason in message
    assert "NOTAKEY" not in message and "mQINBF" not in message
    assert info.value.hint and ".agekey" in info.value.hint
    assert isinstance(info.value, FluxpyError)


def test_from_secret_value_not_base64() -> None:
    secret = _secret()
    secret["data"]["key.agekey"] = "!!not base64!!"
    with pytest.raises(DecryptionError, match=r"^Secret flux-system/sops-keys: key.agekey is not base64-encoded"):
        from_secret(secret, ref="Secret flux-system/sops-keys")


def test_from_environment_reads_variable_file_and_key_files(tmp_path: Path, pgp_key: PgpTestKey) -> None:
    a, b, c = AgeIdentity.generate(), AgeIdentity.generate(), AgeIdentity.generate()
    key_file = tmp_path / "keys.txt"
    key_file.write_text(f"# public key: {b.recipient}\n{b.encode()}\n")
    extra_age = tmp_path / "extra.agekey"
    extra_age.write_text(c.encode() + "\n")
    extra_pgp = tmp_path / "private.asc"
    extra_pgp.write_text("exported by gpg\n" + pgp_key.armored)
    env = {"SOPS_AGE_KEY": a.encode(), "SOPS_AGE_KEY_FILE": str(key_file), "HOME": "/nowhere"}
    ring = from_environment(env, [extra_age, extra_pgp])
    assert ring.age == (a, b, c)
    assert [k.source for k in ring.pgp] == [f"--decryption-key-file {extra_pgp}"]
    assert ring.pgp[0].armored.startswith("-----BEGIN PGP PRIVATE KEY BLOCK-----")
    assert Keyring.from_environment(env, [extra_age, extra_pgp]) == ring


def test_from_environment_empty() -> None:
    ring = from_environment({"SOPS_AGE_KEY": "", "SOPS_AGE_KEY_FILE": ""}, [])
    assert ring.empty and ring == Keyring()


def test_from_environment_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(DecryptionError, match=r"^SOPS_AGE_KEY_FILE .*/missing.txt: cannot read it"):
        from_environment({"SOPS_AGE_KEY_FILE": str(tmp_path / "missing.txt")}, [])


def test_from_environment_malformed_key_file_never_echoes_it(tmp_path: Path) -> None:
    bad = tmp_path / "key.txt"
    bad.write_text("AGE-SECRET-KEY-1SUPERSECRETVALUE\n")
    with pytest.raises(DecryptionError) as info:
        from_environment({}, [bad])
    assert str(info.value) == f"--decryption-key-file {bad}: line 1 is not an age X25519 identity (AGE-SECRET-KEY-1...)"
    with pytest.raises(DecryptionError) as info:
        from_environment({"SOPS_AGE_KEY": "AGE-SECRET-KEY-1SUPERSECRETVALUE"}, [])
    assert str(info.value).startswith("SOPS_AGE_KEY: line 1 is not an age X25519 identity")
    assert "SUPERSECRET" not in str(info.value)


def test_merge_keeps_order_and_drops_duplicates(pgp_key: PgpTestKey) -> None:
    a, b = AgeIdentity.generate(), AgeIdentity.generate()
    first = Keyring((a,), from_environment({}, []).pgp)
    second = Keyring((b, a))
    merged = first.merge(second).merge(from_secret(_secret(k_asc=pgp_key.armored), ref="ns/s"))
    assert merged.age == (a, b)
    assert len(merged.pgp) == 1
    assert len(merged.merge(merged).pgp) == 1
    assert not merged.empty and Keyring().empty


def test_repr_shows_no_key_material(pgp_key: PgpTestKey) -> None:
    a = AgeIdentity.generate()
    ring = from_secret(_secret(k_agekey=a.encode(), k_asc=pgp_key.armored), ref="ns/s")
    text = repr(ring)
    assert a.encode() not in text and "AGE-SECRET-KEY" not in text
    assert "PGP PRIVATE KEY" not in text and pgp_key.armored[100:140] not in text
