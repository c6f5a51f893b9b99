"""Decrypting objects encrypted by the real sops binary with age recipients.

Covers: Secrets with data and stringData, nested maps, lists, ints, floats,
bools and empty strings round-trip; encrypted_regex and --mac-only-encrypted;
non-Secret objects; several recipients; a tampered value, a tampered
unencrypted field and a tampered MAC fail MAC or value authentication; a wrong
key names the object, file and recipients; KMS-only files and Shamir groups
are refused; no message contains plaintext; identity parsing skips comments
and blank lines.
"""

from __future__ import annotations

from typing import Any

import pytest

from fluxpy.errors import FluxpyError
from fluxpy.kustomize.yaml_read import load_documents
from fluxpy.sops import (
    AgeIdentity,
    DecryptionError,
    Keyring,
    decrypt,
    has_sops_metadata,
    parse_age_identities,
)
from tests.sops.conftest import Encrypt

SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
type: Opaque
data:
  password: aHVudGVyMg==
stringData:
  user: admin
  port: 5432
  ratio: 0.25
  big: 1.0e+20
  enabled: true
  disabled: false
  empty: ''
  nested:
    deeper:
      token: s3cr3t-value
    list: [one, 2, {k: v}]
"""


def _load(text: str) -> dict[str, Any]:
    return load_documents(text, path="secret.yaml")[0]


def _plain() -> dict[str, Any]:
    return _load(SECRET)


def test_secret_roundtrips_every_value_type(encrypt: Encrypt, identity: AgeIdentity) -> None:
    obj = _load(encrypt(SECRET, identity))
    assert has_sops_metadata(obj)
    assert "hunter" not in str(obj) and obj["stringData"]["user"].startswith("ENC[AES256_GCM,")
    assert decrypt(obj, keyring=Keyring((identity,)), path="secret.yaml") == _plain()


def test_encrypted_regex_leaves_other_fields_plain(encrypt: Encrypt, identity: AgeIdentity) -> None:
    obj = _load(encrypt(SECRET, identity, args=("--encrypted-regex", "^(data|stringData)$")))
    assert obj["metadata"]["name"] == "db"
    assert decrypt(obj, keyring=Keyring((identity,)), path="secret.yaml") == _plain()


def test_mac_only_encrypted(encrypt: Encrypt, identity: AgeIdentity) -> None:
    text = encrypt(SECRET, identity, args=("--encrypted-regex", "^data$", "--mac-only-encrypted"))
    obj = _load(text)
    assert obj["sops"]["mac_only_encrypted"] is True
    assert decrypt(obj, keyring=Keyring((identity,)), path="secret.yaml") == _plain()
    # Unencrypted fields are outside the MAC under mac_only_encrypted.
    obj["stringData"]["user"] = "root"
    assert decrypt(obj, keyring=Keyring((identity,)), path="secret.yaml")["stringData"]["user"] == "root"


def test_unencrypted_suffix_default(encrypt: Encrypt, identity: AgeIdentity) -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  a: x\n  note_unencrypted: visible\n"
    obj = _load(encrypt(text, identity))
    assert obj["stringData"]["note_unencrypted"] == "visible"
    assert decrypt(obj, keyring=Keyring((identity,)), path="s.yaml") == _load(text)


def test_non_secret_object_with_sops_metadata(encrypt: Encrypt, identity: AgeIdentity) -> None:
    text = ("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  replicas: 3\n"
            "  password: pw\n")
    obj = _load(encrypt(text, identity, args=("--encrypted-regex", "^spec$")))
    assert decrypt(obj, keyring=Keyring((identity,)), path="w.yaml") == _load(text)


def test_any_of_several_recipients_decrypts(encrypt: Encrypt, identity: AgeIdentity) -> None:
    other = AgeIdentity.generate()
    obj = _load(encrypt(SECRET, identity, other))
    assert decrypt(obj, keyring=Keyring((other,)), path="secret.yaml") == _plain()


def test_wrong_key_names_object_file_and_recipients(encrypt: Encrypt, identity: AgeIdentity) -> None:
    obj = _load(encrypt(SECRET, identity, args=("--encrypted-regex", "^(data|stringData)$")))
    with pytest.raises(DecryptionError) as info:
        decrypt(obj, keyring=Keyring((AgeIdentity.generate(),)), path="apps/secret.yaml")
    message = str(info.value)
    assert message.startswith("no age identity matches the recipients of Secret/apps/db in apps/secret.yaml")
    assert identity.recipient in message
    assert info.value.hint and "agekey" in info.value.hint
    assert isinstance(info.value, FluxpyError)


def test_fully_encrypted_object_is_named_without_ciphertext(encrypt: Encrypt, identity: AgeIdentity) -> None:
    obj = _load(encrypt(SECRET, identity))
    with pytest.raises(DecryptionError) as info:
        decrypt(obj, keyring=Keyring(), path="secret.yaml")
    assert str(info.value).startswith("no age identity matches the recipients of "
                                      "<encrypted>/<encrypted>/<encrypted> in secret.yaml (age1")
    assert "ENC[" not in str(info.value)


def test_tampered_unencrypted_field_fails_mac(encrypt: Encrypt, identity: AgeIdentity) -> None:
    obj = _load(encrypt(SECRET, identity, args=("--encrypted-regex", "^(data|stringData)$")))
    obj["metadata"]["name"] = "evil"
    with pytest.raises(DecryptionError) as info:
        decrypt(obj, keyring=Keyring((identity,)), path="secret.yaml")
    assert str(info.value) == ("Secret/apps/evil in secret.yaml failed MAC verification: "
                               "the file was modified after it was encrypted")


def test_swapped_values_fail_authentication(encrypt: Encrypt, identity: AgeIdentity) -> None:
    obj = _load(encrypt(SECRET, identity))
    sd = obj["stringData"]
    sd["user"], sd["nested"]["deeper"]["token"] = sd["nested"]["deeper"]["token"], sd["user"]
    with pytest.raises(DecryptionError, match=r"value at stringData.user that does not decrypt") as info:
        decrypt(obj, keyring=Keyring((identity,)), path="secret.yaml")
    assert "s3cr3t" not in str(info.value) and "admin" not in str(info.value)


def test_reordered_keys_fail_mac(encrypt: Encrypt, identity: AgeIdentity) -> None:
    obj = _load(encrypt(SECRET, identity))
    obj["stringData"] = dict(reversed(list(obj["stringData"].items())))
    with pytest.raises(DecryptionError, match="failed MAC verification"):
        decrypt(obj, keyring=Keyring((identity,)), path="secret.yaml")


def test_tampered_mac_or_lastmodified(encrypt: Encrypt, identity: AgeIdentity) -> None:
    obj = _load(encrypt(SECRET, identity))
    obj["sops"]["lastmodified"] = "2001-01-01T00:00:00Z"
    with pytest.raises(DecryptionError, match="MAC that does not decrypt"):
        decrypt(obj, keyring=Keyring((identity,)), path="secret.yaml")


def test_malformed_enc_value(encrypt: Encrypt, identity: AgeIdentity) -> None:
    obj = _load(encrypt(SECRET, identity))
    obj["stringData"]["user"] = "ENC[AES256_GCM,data:!!!,iv:x,tag:y,type:str]"
    with pytest.raises(DecryptionError, match="malformed encrypted value at stringData.user"):
        decrypt(obj, keyring=Keyring((identity,)), path="secret.yaml")
    obj["stringData"]["user"] = "plain text"
    with pytest.raises(DecryptionError, match="malformed encrypted value at stringData.user") as info:
        decrypt(obj, keyring=Keyring((identity,)), path="secret.yaml")
    assert "plain text" not in str(info.value)


def test_kms_only_is_reported_as_unsupported() -> None:
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
           "sops": {"kms": [{"arn": "arn:aws:kms:x", "enc": "x"}], "mac": "m", "lastmodified": "t"}}
    with pytest.raises(DecryptionError, match="encrypted only for kms; fluxpy decrypts age and PGP recipients only"):
        decrypt(obj, keyring=Keyring((AgeIdentity.generate(),)), path="s.yaml")


def test_shamir_key_groups_are_reported_as_unsupported() -> None:
    obj = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
           "sops": {"key_groups": [{"age": []}, {"age": []}], "mac": "m", "lastmodified": "t"}}
    with pytest.raises(DecryptionError, match="uses Shamir key groups"):
        decrypt(obj, keyring=Keyring((AgeIdentity.generate(),)), path="s.yaml")


def test_parse_age_identities_skips_comments_and_blank_lines() -> None:
    a, b = AgeIdentity.generate(), AgeIdentity.generate()
    text = f"# created: 2024-01-01\n# public key: {a.recipient}\n{a.encode()}\n\n  {b.encode()}  \n"
    assert parse_age_identities(text) == [a, b]
    assert a.encode().startswith("AGE-SECRET-KEY-1") and a.recipient.startswith("age1")
    assert "secret" not in repr(a).lower().replace("ageidentity", "")


def test_parse_age_identities_rejects_bad_line_without_echoing_it() -> None:
    with pytest.raises(DecryptionError) as info:
        parse_age_identities("# ok\nAGE-SECRET-KEY-1NOTAKEY\n", source="flux-system/sops-age: key.agekey")
    assert str(info.value) == ("flux-system/sops-age: key.agekey: line 2 is not an age X25519 identity "
                               "(AGE-SECRET-KEY-1...)")
    assert "NOTAKEY" not in str(info.value)
