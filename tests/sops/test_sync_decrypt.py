"""The sync pipeline's decrypt step (`fluxpy.sync.decrypt.decrypt_objects`) on objects sops encrypted.

Covers: an age-encrypted Secret and a PGP-encrypted Secret decrypt; in a Secret
that is not itself encrypted, a JSON, a dotenv and a binary ``data`` value
holding a sops document decrypt in place (byte-exact, re-encoded as base64)
while plain values stay, and so does a YAML ``values.yaml`` value (equal to
``sops --decrypt``, comments kept); unencrypted objects are returned as the same dicts in
the same order, and the count says how many changed; the ``decrypt: Disabled``
annotation leaves an object alone; without ``spec.decryption`` an encrypted
object is an error saying to set it (data values are left alone, as in Flux);
a wrong key, a missing key, a tampered value and a tampered MAC are one-line
errors naming the object and, when `origin` knows it, the file;
``verify_mac=False`` accepts kustomize's changes to unencrypted fields, as Flux
does; no error message contains a plaintext value or a key. `decrypt_sources`
decrypts secretGenerator envs/files (dotenv, JSON, binary) across resource
directories into an overlay the generators read, writing nothing; it follows a
given top kustomization, does nothing without decryption, names the file on a
wrong key; a YAML ``files`` source decrypts as sops prints it, and a tampered
YAML source or data value is a one-line error naming the file or the object.
"""

from __future__ import annotations

import base64
import copy
import os
from pathlib import Path
from typing import Any

import pytest

from fluxpy.errors import FluxpyError
from fluxpy.kustomize import generators
from fluxpy.kustomize.fs import Root
from fluxpy.kustomize.yaml_read import load_documents
from fluxpy.sops import AgeIdentity, DecryptionError, Keyring, PgpKey
from fluxpy.sync.decrypt import decrypt_objects, decrypt_sources
from tests.sops.conftest import EncryptBytes, PgpTestKey

PASSWORD = "pipeline-hunter2"
SECRET = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: apps
type: Opaque
stringData:
  password: {PASSWORD}
  port: 5432
"""
DOTENV = b"# app settings\nAPI_TOKEN=dotenv-token-value\nEMPTY=\nMULTI=a\\nb\n"
JSON = b'{\n\t"client_secret": "json-secret-value",\n\t"retries": 3\n}\n'
BINARY = os.urandom(512) + b"binary-secret-value"
PLAINTEXTS = (PASSWORD, "dotenv-token-value", "json-secret-value", "binary-secret-value")


def _load(text: bytes | str) -> dict[str, Any]:
    return load_documents(text.decode() if isinstance(text, bytes) else text, path="db.yaml")[0]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _configmap() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "apps"},
            "data": {"a": "b"}}


def _generated_secret(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> dict[str, Any]:
    """A Secret as a secretGenerator makes it from sops-encrypted files (kustomize wraps long base64)."""
    def wrapped(data: bytes) -> str:
        text = _b64(data)
        return "".join(text[i:i + 70] + "\n" for i in range(0, len(text), 70))

    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "app-5h7k8m2g9t", "namespace": "apps"},
            "type": "Opaque", "data": {
                "app.env": wrapped(encrypt_bytes(DOTENV, name="app.env", age=[identity])),
                "creds.json": wrapped(encrypt_bytes(JSON, name="creds.json", age=[identity])),
                "blob": wrapped(encrypt_bytes(BINARY, name="blob.bin", age=[identity])),
                "plain.txt": _b64(b"not encrypted"),
                "not-base64": "%%%"}}


def test_age_secret_decrypts_and_others_are_untouched(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    secret = _load(encrypt_bytes(SECRET, name="db.yaml", age=[identity], args=("--encrypted-regex", "^stringData$")))
    cm = _configmap()
    objs, count = decrypt_objects([cm, secret], Keyring((identity,)), owner="flux-system/apps")
    assert count == 1
    assert objs[0] is cm
    assert objs[1] == _load(SECRET)
    assert "sops" in secret  # the input is not modified


def test_pgp_secret_decrypts(encrypt_bytes: EncryptBytes, pgp_key: PgpTestKey) -> None:
    secret = _load(encrypt_bytes(SECRET, name="db.yaml", pgp=pgp_key))
    ring = Keyring(pgp=(PgpKey("Secret flux-system/sops-gpg: key.asc", pgp_key.armored),))
    objs, count = decrypt_objects([secret, copy.deepcopy(secret)], ring, owner="flux-system/apps")
    assert count == 2 and objs == [_load(SECRET)] * 2


def test_data_values_decrypt_in_their_own_format(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    secret = _generated_secret(encrypt_bytes, identity)
    objs, count = decrypt_objects([secret], Keyring((identity,)), owner="flux-system/apps")
    assert count == 1
    data = objs[0]["data"]
    assert base64.b64decode(data["app.env"]) == DOTENV
    assert base64.b64decode(data["creds.json"]) == JSON
    assert base64.b64decode(data["blob"]) == BINARY
    assert data["plain.txt"] == secret["data"]["plain.txt"]
    assert data["not-base64"] == "%%%"
    assert list(data) == list(secret["data"])
    assert objs[0]["metadata"] == secret["metadata"]


def test_secret_without_encrypted_values_is_the_same_object(identity: AgeIdentity) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"a": _b64(b"x")}}
    objs, count = decrypt_objects([secret], Keyring((identity,)), owner="flux-system/apps")
    assert objs[0] is secret and count == 0


def test_disabled_annotation_leaves_the_object_alone(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    secret = _load(encrypt_bytes(SECRET, name="db.yaml", age=[identity], args=("--encrypted-regex", "^stringData$")))
    secret["metadata"]["annotations"] = {"kustomize.toolkit.fluxcd.io/decrypt": "disabled"}
    for ring in (Keyring((identity,)), None):
        objs, count = decrypt_objects([secret], ring, owner="flux-system/apps")
        assert objs[0] is secret and count == 0


def test_no_decryption_configured(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    secret = _load(encrypt_bytes(SECRET, name="db.yaml", age=[identity], args=("--encrypted-regex", "^stringData$")))
    with pytest.raises(DecryptionError) as info:
        decrypt_objects([_configmap(), secret], None, owner="flux-system/apps")
    assert str(info.value) == ("Secret/apps/db is SOPS encrypted, configuring decryption is required for this "
                               "secret to be reconciled")
    assert info.value.hint and "spec.decryption" in info.value.hint and "flux-system/apps" in info.value.hint
    assert isinstance(info.value, FluxpyError)
    # Encrypted data values are not an error without spec.decryption: Flux applies them as they are.
    generated = _generated_secret(encrypt_bytes, identity)
    objs, count = decrypt_objects([generated], None, owner="flux-system/apps")
    assert objs[0] is generated and count == 0


def test_wrong_key_names_object_and_file(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    secret = _load(encrypt_bytes(SECRET, name="db.yaml", age=[identity], args=("--encrypted-regex", "^stringData$")))
    with pytest.raises(DecryptionError) as info:
        decrypt_objects([secret], Keyring((AgeIdentity.generate(),)), owner="flux-system/apps",
                        origin=lambda obj: "apps/db.yaml")
    assert str(info.value) == (f"no age identity matches the recipients of Secret/apps/db in apps/db.yaml "
                               f"({identity.recipient})")


def test_missing_key_for_a_data_value(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    secret = _generated_secret(encrypt_bytes, identity)
    with pytest.raises(DecryptionError) as info:
        decrypt_objects([secret], Keyring(), owner="flux-system/apps")
    assert str(info.value) == (f"no age identity matches the recipients of Secret/apps/app-5h7k8m2g9t "
                               f"data key 'app.env' ({identity.recipient})")
    assert info.value.hint and ".agekey" in info.value.hint


def test_tampered_value(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    secret = _load(encrypt_bytes(SECRET, name="db.yaml", age=[identity], args=("--encrypted-regex", "^stringData$")))
    sd = secret["stringData"]
    sd["password"], sd["port"] = sd["port"], sd["password"]
    with pytest.raises(DecryptionError) as info:
        decrypt_objects([secret], Keyring((identity,)), owner="flux-system/apps", origin=lambda obj: None)
    assert str(info.value) == ("Secret/apps/db has a value at stringData.password that does not decrypt with its "
                               "data key (tampered value or moved key)")


def test_tampered_mac(encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> None:
    secret = _load(encrypt_bytes(SECRET, name="db.yaml", age=[identity], args=("--encrypted-regex", "^stringData$")))
    other = _load(encrypt_bytes(SECRET.replace("5432", "5433"), name="db.yaml", age=[identity],
                                args=("--encrypted-regex", "^stringData$")))
    secret["sops"]["mac"] = other["sops"]["mac"]
    with pytest.raises(DecryptionError, match=r"^Secret/apps/db in db.yaml has a MAC that does not decrypt"):
        decrypt_objects([secret], Keyring((identity,)), owner="flux-system/apps", origin=lambda obj: "db.yaml")


def test_changed_unencrypted_field_fails_mac_unless_verification_is_off(encrypt_bytes: EncryptBytes,
                                                                         identity: AgeIdentity) -> None:
    secret = _load(encrypt_bytes(SECRET, name="db.yaml", age=[identity], args=("--encrypted-regex", "^stringData$")))
    secret["metadata"]["namespace"] = "other"  # what kustomize's namespace transformer does
    with pytest.raises(DecryptionError) as info:
        decrypt_objects([secret], Keyring((identity,)), owner="flux-system/apps")
    assert str(info.value) == ("Secret/other/db failed MAC verification: the file was modified after it was "
                               "encrypted")
    assert info.value.hint and "--mac-only-encrypted" in info.value.hint
    objs, count = decrypt_objects([secret], Keyring((identity,)), owner="flux-system/apps", verify_mac=False)
    assert count == 1 and objs[0]["stringData"]["password"] == PASSWORD


def test_no_message_contains_plaintext_or_key(encrypt_bytes: EncryptBytes, identity: AgeIdentity,
                                              pgp_key: PgpTestKey) -> None:
    full = _load(encrypt_bytes(SECRET, name="db.yaml", age=[identity]))
    partial = _load(encrypt_bytes(SECRET, name="db.yaml", age=[identity], args=("--encrypted-regex", "^stringData$")))
    generated = _generated_secret(encrypt_bytes, identity)
    cases: list[tuple[list[dict[str, Any]], Keyring | None]] = [
        ([full], None), ([full], Keyring((AgeIdentity.generate(),))), ([generated], Keyring()),
        ([generated], Keyring(pgp=(PgpKey("k.asc", pgp_key.armored),))),
    ]
    tampered = copy.deepcopy(partial)
    tampered["stringData"]["port"] = tampered["stringData"]["password"]
    cases.append(([tampered], Keyring((identity,))))
    relabelled = copy.deepcopy(partial)
    relabelled["metadata"]["labels"] = {"app": "db"}
    cases.append(([relabelled], Keyring((identity,))))
    bad_dotenv = copy.deepcopy(generated)
    bad_dotenv["data"]["app.env"] = _b64(base64.b64decode(generated["data"]["app.env"]).replace(b"API_TOKEN=", b"X="))
    cases.append(([bad_dotenv], Keyring((identity,))))
    messages = []
    for objs, ring in cases:
        with pytest.raises(DecryptionError) as info:
            decrypt_objects(objs, ring, owner="flux-system/apps")
        assert "\n" not in str(info.value)
        messages.append(f"{info.value} {info.value.hint or ''}")
    for message in messages:
        for secret in (*PLAINTEXTS, identity.encode(), "AGE-SECRET-KEY", "PRIVATE KEY"):
            assert secret not in message, message


def _tree(tmp_path: Path, encrypt_bytes: EncryptBytes, identity: AgeIdentity) -> Path:
    root = tmp_path / "source"
    app = root / "apps" / "app"
    app.mkdir(parents=True)
    (app / "app.env").write_bytes(encrypt_bytes(DOTENV, name="app.env", age=[identity]))
    (app / "creds.json").write_bytes(encrypt_bytes(JSON, name="creds.json", age=[identity]))
    (app / "blob.bin").write_bytes(encrypt_bytes(BINARY, name="blob.bin", age=[identity]))
    (app / "plain.txt").write_text("plain\n")
    (app / "kustomization.yaml").write_text(
        "secretGenerator:\n- name: app\n  envs: [app.env]\n  files: [creds.json, blob=blob.bin, plain.txt]\n")
    (root / "apps" / "kustomization.yaml").write_text("resources: [app, https://example.com/x.yaml]\n")
    return root


def test_decrypt_sources_feeds_the_generators_from_memory(tmp_path: Path, encrypt_bytes: EncryptBytes,
                                                          identity: AgeIdentity) -> None:
    root = _tree(tmp_path, encrypt_bytes, identity)
    on_disk = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    overlay = decrypt_sources(root, root / "apps", Keyring((identity,)))
    app = (root / "apps" / "app").resolve()
    assert overlay == {app / "app.env": DOTENV, app / "creds.json": JSON, app / "blob.bin": BINARY}
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == on_disk  # nothing written
    fsroot = Root(root, restrict_to_dir=False, overlay=overlay)
    args = {"name": "app", "envs": ["app.env"], "files": ["creds.json", "blob=blob.bin", "plain.txt"]}
    secret = generators.generate("Secret", args, root=fsroot, base_dir=app).obj
    data = {k: base64.b64decode(v) for k, v in secret["data"].items()}
    assert data == {"API_TOKEN": b"dotenv-token-value", "EMPTY": b"", "MULTI": b"a\\nb", "creds.json": JSON,
                    "blob": BINARY, "plain.txt": b"plain\n"}


def test_decrypt_sources_uses_the_given_top_kustomization(tmp_path: Path, encrypt_bytes: EncryptBytes,
                                                          identity: AgeIdentity) -> None:
    root = _tree(tmp_path, encrypt_bytes, identity)
    (root / "apps" / "kustomization.yaml").unlink()  # Flux generates one in memory
    overlay = decrypt_sources(root, root / "apps", Keyring((identity,)), kustomization={"resources": ["app"]})
    assert len(overlay) == 3


def test_decrypt_sources_without_decryption_or_with_a_wrong_key(tmp_path: Path, encrypt_bytes: EncryptBytes,
                                                                 identity: AgeIdentity) -> None:
    root = _tree(tmp_path, encrypt_bytes, identity)
    assert decrypt_sources(root, root / "apps", None) == {}
    with pytest.raises(DecryptionError) as info:
        decrypt_sources(root, root / "apps", Keyring((AgeIdentity.generate(),)))
    assert str(info.value) == (f"no age identity matches the recipients of apps/app/creds.json "
                               f"({identity.recipient})")  # files before envs, as Flux


VALUES_YAML = """\
# chart values
image:
  tag: "1.2.3"  # pinned
database:
  password: values-yaml-secret
  port: 5432
replicas: [1, 2]
"""


def test_decrypt_sources_decrypts_yaml_files_as_sops_prints_them(tmp_path: Path, encrypt_bytes: EncryptBytes,
                                                                  sops_decrypt: Any, identity: AgeIdentity) -> None:
    root = _tree(tmp_path, encrypt_bytes, identity)
    app = root / "apps" / "app"
    enc = encrypt_bytes(VALUES_YAML, name="values.yaml", age=[identity])
    (app / "values.yaml").write_bytes(enc)
    (app / "kustomization.yaml").write_text("secretGenerator:\n- name: app\n  files: [values.yaml]\n")
    overlay = decrypt_sources(root, root / "apps", Keyring((identity,)))
    plain = overlay[app.resolve() / "values.yaml"]
    assert plain == sops_decrypt(enc, name="values.yaml", identity=identity)
    assert b"# chart values\n" in plain and b"values-yaml-secret" in plain
    assert (app / "values.yaml").read_bytes() == enc  # nothing written
    fsroot = Root(root, restrict_to_dir=False, overlay=overlay)
    secret = generators.generate("Secret", {"name": "app", "files": ["values.yaml"]}, root=fsroot,
                                 base_dir=app.resolve()).obj
    assert base64.b64decode(secret["data"]["values.yaml"]) == plain


def test_decrypt_sources_names_a_tampered_yaml_file(tmp_path: Path, encrypt_bytes: EncryptBytes,
                                                    identity: AgeIdentity) -> None:
    root = _tree(tmp_path, encrypt_bytes, identity)
    app = root / "apps" / "app"
    enc = encrypt_bytes(VALUES_YAML, name="values.yaml", age=[identity])
    (app / "values.yaml").write_bytes(b"\n".join(line for line in enc.split(b"\n")
                                                 if not line.lstrip().startswith(b"port:")))
    (app / "kustomization.yaml").write_text("secretGenerator:\n- name: app\n  files: [values.yaml]\n")
    with pytest.raises(DecryptionError) as info:
        decrypt_sources(root, root / "apps", Keyring((identity,)))
    assert str(info.value) == ("apps/app/values.yaml failed MAC verification: the file was modified after it "
                               "was encrypted")


def test_a_yaml_data_value_decrypts_as_sops_prints_it(encrypt_bytes: EncryptBytes, sops_decrypt: Any,
                                                      identity: AgeIdentity) -> None:
    enc = encrypt_bytes(VALUES_YAML, name="values.yaml", age=[identity])
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "chart", "namespace": "apps"},
              "data": {"values.yaml": _b64(enc), "plain.txt": _b64(b"plain")}}
    out, count = decrypt_objects([secret], Keyring((identity,)), owner="flux-system/apps",
                                 origin=lambda obj: "apps/chart.yaml")
    assert count == 1
    assert base64.b64decode(out[0]["data"]["values.yaml"]) == sops_decrypt(enc, name="values.yaml",
                                                                           identity=identity)
    assert out[0]["data"]["plain.txt"] == _b64(b"plain")


def test_a_tampered_yaml_data_value_or_wrong_key_is_one_line(encrypt_bytes: EncryptBytes,
                                                             identity: AgeIdentity) -> None:
    enc = encrypt_bytes(VALUES_YAML, name="values.yaml", age=[identity])
    other = encrypt_bytes(VALUES_YAML.replace("values-yaml-secret", "forged-secret"), name="values.yaml",
                          age=[identity])
    forged_line = next(line for line in other.split(b"\n") if line.lstrip().startswith(b"password:"))
    tampered = b"\n".join(forged_line if line.lstrip().startswith(b"password:") else line
                          for line in enc.split(b"\n"))

    def secret(data: bytes) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "chart", "namespace": "apps"},
                "data": {"values.yaml": _b64(data)}}

    where = "Secret/apps/chart data key 'values.yaml' in apps/chart.yaml"
    with pytest.raises(DecryptionError) as info:
        decrypt_objects([secret(tampered)], Keyring((identity,)), owner="flux-system/apps",
                        origin=lambda obj: "apps/chart.yaml")
    assert str(info.value) == (f"{where} has a value at database.password that does not decrypt with its data "
                               "key (tampered value or moved key)")
    with pytest.raises(DecryptionError) as info:
        decrypt_objects([secret(enc)], Keyring((AgeIdentity.generate(),)), owner="flux-system/apps",
                        origin=lambda obj: "apps/chart.yaml")
    assert str(info.value) == f"no age identity matches the recipients of {where} ({identity.recipient})"
