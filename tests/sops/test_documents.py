"""Decrypting whole sops documents (dotenv, JSON, binary) byte for byte as ``sops --decrypt`` prints them.

Covers: format detection by marker bytes and by name (Flux's table, with
``.dockerconfigjson``); a dotenv file with comments, an empty value, an
escaped newline and odd spacing; a JSON file in sops's own layout with Go's
escaping and number formats; random binary data; output equal to the original
file and to the real sops's output; a PGP-encrypted dotenv file; a dotenv file
emitted as binary; a tampered value, reordered or removed lines (MAC), a
value moved to another key, a tampered MAC, a wrong key; no message contains the plaintext. YAML documents
have their own module (test_yaml_documents.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from fluxpy.sops import (
    AgeIdentity,
    DecryptionError,
    Format,
    Keyring,
    PgpKey,
    decrypt_document,
    detect_format,
    format_for_path,
)
from tests.sops.conftest import EncryptBytes, PgpTestKey

DOTENV = (b"# database settings\nDB_USER=admin\nDB_PASSWORD=dotenv-s3cret\nEMPTY=\n"
          b"MULTI=line1\\nline2\n  SPACED = kept as is  \n#trailing comment\nPORT=5432\n")
JSON = ('{\n\t"user": "admin",\n\t"password": "json-s3cret \\u003c\\u0026\\u003e",\n\t"port": 5432,\n\t"ratio": 0.25,\n'
        '\t"tiny": 1e-7,\n\t"enabled": true,\n\t"nothing": null,\n\t"empty": {},\n\t"list": [\n\t\t1,\n'
        '\t\t"two",\n\t\t[]\n\t],\n\t"unicode": "caf\u00e9 \\u2028"\n}\n').encode()
SopsDecrypt = Callable[..., bytes]


@pytest.mark.parametrize(("name", "fmt"), [
    ("app.env", Format.DOTENV), ("config.json", Format.JSON), (".dockerconfigjson", Format.JSON),
    ("values.yaml", Format.YAML), ("values.yml", Format.YAML), ("settings.ini", Format.INI),
    ("id_rsa", Format.BINARY), ("cert.pem", Format.BINARY), ("app.env.bak", Format.BINARY),
])
def test_format_for_path(name: str, fmt: Format) -> None:
    assert format_for_path(name) == fmt


def test_detect_format(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    assert detect_format(encrypt_bytes(DOTENV, name="a.env", age=[identity])) == Format.DOTENV
    assert detect_format(encrypt_bytes(JSON, name="a.json", age=[identity])) == Format.JSON
    assert detect_format(encrypt_bytes(b"\x00\x01", name="a.bin", age=[identity])) == Format.JSON
    assert detect_format(encrypt_bytes("a: b\n", name="a.yaml", age=[identity])) == Format.YAML
    assert detect_format(b"KEY=value\n") is None
    assert detect_format(DOTENV) is None


def test_dotenv_byte_exact(encrypt_bytes: EncryptBytes, sops_decrypt: SopsDecrypt, identity: AgeIdentity) -> None:
    enc = encrypt_bytes(DOTENV, name="app.env", age=[identity])
    assert b"dotenv-s3cret" not in enc and b"database settings" not in enc
    plain = decrypt_document(enc, keyring=Keyring((identity,)), where="app.env", output_format=Format.DOTENV)
    assert plain == DOTENV
    assert plain == sops_decrypt(enc, name="app.env", identity=identity)


def test_json_byte_exact(encrypt_bytes: EncryptBytes, sops_decrypt: SopsDecrypt, identity: AgeIdentity) -> None:
    enc = encrypt_bytes(JSON, name="config.json", age=[identity])
    plain = decrypt_document(enc, keyring=Keyring((identity,)), where="config.json", output_format=Format.JSON)
    assert plain == sops_decrypt(enc, name="config.json", identity=identity)
    assert plain == JSON


def test_json_in_another_layout_is_reemitted_as_sops_does(encrypt_bytes: EncryptBytes, sops_decrypt: SopsDecrypt,
                                                          identity: AgeIdentity) -> None:
    text = b'{"a": 1.0, "b": 12345678901234567890, "c": 1e21, "d": -0.0, "e": "\\b\\f\\u0001\\u007f"}'
    enc = encrypt_bytes(text, name="x.json", age=[identity])
    plain = decrypt_document(enc, keyring=Keyring((identity,)), where="x.json", output_format=Format.JSON)
    assert plain == sops_decrypt(enc, name="x.json", identity=identity)


def test_binary_byte_exact(encrypt_bytes: EncryptBytes, sops_decrypt: SopsDecrypt, identity: AgeIdentity) -> None:
    data = os.urandom(3000) + b"\xff\xfe\x00binary-s3cret"
    enc = encrypt_bytes(data, name="blob.bin", age=[identity])
    plain = decrypt_document(enc, keyring=Keyring((identity,)), where="blob.bin", output_format=Format.BINARY)
    assert plain == data
    assert plain == sops_decrypt(enc, name="blob.bin", identity=identity)


def test_pgp_encrypted_dotenv(encrypt_bytes: EncryptBytes, pgp_key: PgpTestKey) -> None:
    enc = encrypt_bytes(DOTENV, name="app.env", pgp=pgp_key)
    ring = Keyring(pgp=(PgpKey("key.asc", pgp_key.armored),))
    assert decrypt_document(enc, keyring=ring, where="app.env", output_format=Format.DOTENV) == DOTENV


def test_dotenv_read_as_binary_output_needs_a_data_key(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    enc = encrypt_bytes(DOTENV, name="app.env", age=[identity])
    with pytest.raises(DecryptionError, match=r"^Secret/a/s data key 'app' has no binary data"):
        decrypt_document(enc, keyring=Keyring((identity,)), where="Secret/a/s data key 'app'",
                         output_format=Format.BINARY)


def _tamper_line(enc: bytes, prefix: bytes, new: bytes) -> bytes:
    lines = enc.split(b"\n")
    return b"\n".join(new if line.startswith(prefix) else line for line in lines)


def test_tampered_dotenv_value(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    enc = encrypt_bytes(DOTENV, name="app.env", age=[identity])
    other = encrypt_bytes(b"DB_PASSWORD=evil\n", name="other.env", age=[identity])
    forged = next(line for line in other.split(b"\n") if line.startswith(b"DB_PASSWORD="))
    with pytest.raises(DecryptionError) as info:
        decrypt_document(_tamper_line(enc, b"DB_PASSWORD=", forged), keyring=Keyring((identity,)),
                         where="app.env", output_format=Format.DOTENV)
    assert str(info.value) == ("app.env has a value at DB_PASSWORD that does not decrypt with its data key "
                               "(tampered value or moved key)")


def test_reordered_or_removed_dotenv_lines_fail_mac(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    enc = encrypt_bytes(b"A=1\nB=2\n", name="app.env", age=[identity])
    lines = enc.split(b"\n")
    lines[0], lines[1] = lines[1], lines[0]
    with pytest.raises(DecryptionError, match="^app.env failed MAC verification"):
        decrypt_document(b"\n".join(lines), keyring=Keyring((identity,)), where="app.env",
                         output_format=Format.DOTENV)
    removed = b"\n".join(line for line in enc.split(b"\n") if not line.startswith(b"B="))
    with pytest.raises(DecryptionError, match="^app.env failed MAC verification"):
        decrypt_document(removed, keyring=Keyring((identity,)), where="app.env", output_format=Format.DOTENV)
    # A value moved to another key does not even decrypt: the key path is its additional data.
    a_value = lines[1].partition(b"=")[2]
    moved = b"\n".join(b"B=" + a_value if line.startswith(b"B=") else line for line in enc.split(b"\n"))
    with pytest.raises(DecryptionError, match="value at B that does not decrypt"):
        decrypt_document(moved, keyring=Keyring((identity,)), where="app.env", output_format=Format.DOTENV)


def test_tampered_mac(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    enc = encrypt_bytes(DOTENV, name="app.env", age=[identity])
    forged = _tamper_line(enc, b"sops_lastmodified=", b"sops_lastmodified=2001-01-01T00:00:00Z")
    with pytest.raises(DecryptionError, match=r"^app.env has a MAC that does not decrypt"):
        decrypt_document(forged, keyring=Keyring((identity,)), where="app.env", output_format=Format.DOTENV)


def test_wrong_key_names_where_and_recipient(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    enc = encrypt_bytes(JSON, name="config.json", age=[identity])
    with pytest.raises(DecryptionError) as info:
        decrypt_document(enc, keyring=Keyring((AgeIdentity.generate(),)), where="Secret/a/s data key 'c.json'",
                         output_format=Format.JSON)
    assert str(info.value) == (f"no age identity matches the recipients of Secret/a/s data key 'c.json' "
                               f"({identity.recipient})")


def test_not_a_sops_document() -> None:
    with pytest.raises(DecryptionError, match="^x is not a sops-encrypted document"):
        decrypt_document(b"hello", keyring=Keyring(), where="x", output_format=Format.BINARY)
