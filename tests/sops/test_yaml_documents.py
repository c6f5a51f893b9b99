"""Decrypting whole sops YAML documents byte for byte as ``sops --decrypt`` prints them.

Covers, each against the real sops binary (encrypt, then compare with its own
``--decrypt``): nested maps with comments above, beside and below keys; lists
of maps and lists of lists; literal, keep and strip block strings and folded
strings (written back as sops writes them); strings that must be quoted
(numbers, booleans, ``yes``, ``<<``, indicators, leading or trailing spaces,
tabs, empty); ints, floats in every notation, booleans, null and empty values,
timestamps; unicode (accents, CJK, emoji, which go-yaml escapes); empty maps
and lists; several documents in one file; partially encrypted files
(``--encrypted-regex``, ``--unencrypted-suffix``, ``--mac-only-encrypted``)
whose plain comments stay on their lines; a YAML document written as JSON and
dotenv, and a JSON and a dotenv document written as YAML. Also: a tampered
value, a tampered or reordered document (MAC), a tampered comment and a wrong
key fail with one line naming where and never the plaintext; an INI document
is still refused, saying so.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fluxpy.sops import AgeIdentity, DecryptionError, Format, Keyring, decrypt_document
from tests.sops.conftest import EncryptBytes

SopsDecrypt = Callable[..., bytes]

NESTED = """\
# database settings
db:
  # the account
  user: admin  # who connects
  password: yaml-s3cret
  port: 5432

  # replicas follow
  replicas:
    east: db-east.internal
    west: db-west.internal
    # more regions later
# trailing note
"""

LISTS = """\
users:
  - name: alice  # first
    password: alice-pw
    roles: [admin, dev]
  # bob comes next
  - name: bob
    password: bob-pw
    roles: []
matrix:
  - [1, 2]
  - - 3
    - x
empty_map: {}
"""

BLOCKS = """\
cert: |
  -----BEGIN CERTIFICATE-----
  MIIBszCCAVmgAwIBAgIU
  -----END CERTIFICATE-----
keep: |+
  kept

strip: |-
  no newline
indented: |2
    leading spaces
  back
folded: >
  folded into
  one line
multi: "two\\nlines with trailing space \\nend"
"""

QUOTED = """\
number_text: "5432"
bool_text: "true"
yes_text: 'yes'
merge_text: "<<"
colon: "with: colon"
hash: "#not a comment"
dash: "- item"
empty: ""
lead: " leading"
trail: "trailing "
tab: "a\\tb"
single: 'it''s'
quote: 'say "hi"'
backslash: 'C:\\path'
star: "*star"
"""

SCALARS = """\
int: 42
negative: -7
hex: 0x1F
octal: 0o17
legacy_octal: 0755
float: 3.25
big_float: 1e6
small_float: 0.00001
exp: 1.5e-7
whole_float: 2.0
inf: .inf
true_value: true
false_value: False
null_value: null
tilde: ~
empty_value:
date: 2024-01-15
datetime: 2001-12-14 21:59:43.10
offset: 2001-12-14t21:59:43.120-05:00
"""

UNICODE = """\
greeting: héllo wörld
cjk: 日本語のテキスト
emoji: party 🎉
nbsp: "a\\u00a0b"
"""

MULTI = """\
first: 1
# about the second
---
second: two
nested:
  - a
---
third: 3
"""

DOCUMENTS = {"nested": NESTED, "lists": LISTS, "blocks": BLOCKS, "quoted": QUOTED, "scalars": SCALARS,
             "unicode": UNICODE, "multi": MULTI}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_yaml_documents_decrypt_as_sops_prints_them(name: str, encrypt_bytes: EncryptBytes,
                                                    sops_decrypt: SopsDecrypt, identity: AgeIdentity) -> None:
    enc = encrypt_bytes(DOCUMENTS[name], name="values.yaml", age=[identity])
    plain = decrypt_document(enc, keyring=Keyring((identity,)), where="values.yaml", output_format=Format.YAML)
    assert plain == sops_decrypt(enc, name="values.yaml", identity=identity)


def test_sops_own_layout_comes_back_unchanged(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    text = ("# settings\ndb:\n    # the account\n    user: admin\n    password: yaml-s3cret\n    port: 5432\n"
            "users:\n    - name: alice\n      roles:\n        - admin\n")
    enc = encrypt_bytes(text, name="values.yaml", age=[identity])
    assert b"yaml-s3cret" not in enc and b"the account" not in enc
    plain = decrypt_document(enc, keyring=Keyring((identity,)), where="values.yaml", output_format=Format.YAML)
    assert plain == text.encode()


@pytest.mark.parametrize("args", [
    ("--encrypted-regex", "^(password|users)$"),
    ("--unencrypted-suffix", "_plain"),
    ("--encrypted-regex", "^password$", "--mac-only-encrypted"),
    ("--unencrypted-comment-regex", "public"),
])
def test_partially_encrypted_documents(args: tuple[str, ...], encrypt_bytes: EncryptBytes,
                                       sops_decrypt: SopsDecrypt, identity: AgeIdentity) -> None:
    text = ("# public header\nname_plain: web  # public inline\npassword: yaml-s3cret  # secret inline\n"
            "users:\n  - alice  # public item\n  - bob\nport: 8080\n")
    enc = encrypt_bytes(text, name="values.yaml", age=[identity], args=args)
    plain = decrypt_document(enc, keyring=Keyring((identity,)), where="values.yaml", output_format=Format.YAML)
    assert plain == sops_decrypt(enc, name="values.yaml", identity=identity)


@pytest.mark.parametrize(("source", "source_name", "output", "output_name"), [
    (NESTED, "values.yaml", Format.JSON, "values.json"),
    ("# c\nA: 1\nB: two words\nWHEN: 2001-01-01\n", "values.yaml", Format.DOTENV, "values.env"),
    ('{"a": 1, "b": 2.5, "c": [1, "x", {"d": null}], "e": {}, "big": 1e21, "n": 1234567}', "c.json",
     Format.YAML, "c.yaml"),
    ("# comment\nA=1\nB=two\n", "app.env", Format.YAML, "app.yaml"),
])
def test_documents_written_in_another_format(source: str, source_name: str, output: Format, output_name: str,
                                             encrypt_bytes: EncryptBytes, sops_decrypt: SopsDecrypt,
                                             identity: AgeIdentity) -> None:
    enc = encrypt_bytes(source, name=source_name, age=[identity])
    plain = decrypt_document(enc, keyring=Keyring((identity,)), where=output_name, output_format=output)
    assert plain == sops_decrypt(enc, name=source_name, identity=identity, output_type=output.value.lower())


def _replace_line(enc: bytes, prefix: bytes, new: bytes) -> bytes:
    return b"\n".join(new if line.lstrip().startswith(prefix) else line for line in enc.split(b"\n"))


def _line(enc: bytes, prefix: bytes) -> bytes:
    return next(line for line in enc.split(b"\n") if line.lstrip().startswith(prefix))


def test_tampering_and_wrong_keys_fail_in_one_line(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    enc = encrypt_bytes(NESTED, name="values.yaml", age=[identity])
    other = encrypt_bytes(NESTED.replace("yaml-s3cret", "evil-value"), name="values.yaml", age=[identity])
    where = "Secret/apps/db data key 'values.yaml'"
    ring = Keyring((identity,))

    def fails(data: bytes, keyring: Keyring = ring) -> str:
        with pytest.raises(DecryptionError) as info:
            decrypt_document(data, keyring=keyring, where=where, output_format=Format.YAML)
        message = str(info.value)
        assert "\n" not in message and message.startswith(("no age identity", where))
        for secret in ("yaml-s3cret", "evil-value", "the account", "who connects", identity.encode()):
            assert secret not in message
        return message

    forged = _replace_line(enc, b"password:", _line(other, b"password:"))
    assert fails(forged) == (f"{where} has a value at db.password that does not decrypt with its data key "
                             "(tampered value or moved key)")
    moved = _replace_line(enc, b"user:", _line(enc, b"password:").replace(b"password:", b"user:"))
    assert "value at db.user that does not decrypt" in fails(moved)
    dropped = b"\n".join(line for line in enc.split(b"\n") if not line.lstrip().startswith(b"port:"))
    assert fails(dropped) == f"{where} failed MAC verification: the file was modified after it was encrypted"
    stale = _replace_line(enc, b"lastmodified:", b'    lastmodified: "2001-01-01T00:00:00Z"')
    assert "has a MAC that does not decrypt" in fails(stale)
    assert fails(enc, Keyring((AgeIdentity.generate(),))) == (
        f"no age identity matches the recipients of {where} ({identity.recipient})")


def test_an_unreadable_document_names_where(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    enc = encrypt_bytes("a: 1\n", name="values.yaml", age=[identity])
    broken = enc.replace(b"a: ENC[", b"a: [ENC[", 1)
    with pytest.raises(DecryptionError, match=r"^values.yaml is not valid YAML \(line 1: "):
        decrypt_document(broken, keyring=Keyring((identity,)), where="values.yaml", output_format=Format.YAML)
    with pytest.raises(DecryptionError, match=r"^values.yaml has the key 'a' twice \(lines 1 and 2\)$"):
        decrypt_document(b"a: 1\n" + enc, keyring=Keyring((identity,)), where="values.yaml",
                         output_format=Format.YAML)


def test_ini_documents_are_refused(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    enc = encrypt_bytes("[db]\npassword = ini-s3cret\n", name="settings.ini", age=[identity])
    with pytest.raises(DecryptionError) as info:
        decrypt_document(enc, keyring=Keyring((identity,)), where="settings.ini", output_format=Format.INI)
    assert str(info.value) == ("settings.ini is a sops INI document; fluxpy decrypts binary, dotenv, JSON, "
                               "YAML documents")
