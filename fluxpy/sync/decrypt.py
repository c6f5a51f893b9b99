"""Step 6 of a Kustomization sync: SOPS decryption of the built objects, in memory.

Follows kustomize-controller's ``DecryptResource``: an object that opts out
(``kustomize.toolkit.fluxcd.io/decrypt: Disabled``) is left alone; an object
with a top-level ``sops`` block is replaced by its plaintext; a Secret that is
not itself encrypted has each ``data`` value that holds a whole sops document
(detected by sops's marker bytes) decrypted in the format its key names
(``.env`` dotenv, ``.json`` JSON, ``.yaml``/``.yml`` YAML, anything else
binary) and re-encoded as base64. Without ``spec.decryption`` (no keyring) an
encrypted object is an error, as Flux refuses to apply one; encrypted data
values are then left as they are, as in Flux. All PGP work shares one throwaway GnuPG home, removed
when the step ends. Errors name the object, the data key and the file when
known, never a value.

Before the build, `decrypt_sources` does what Flux's ``DecryptSources`` does
on disk, in memory instead: it walks the kustomization tree (resources and
components) and decrypts every sops-encrypted secretGenerator ``files`` and
``envs`` source and ``patches`` file, returning the plaintext by path for
`fluxpy.kustomize.fs.Root`'s overlay, so the generators read the plaintext
and nothing decrypted is written.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from fluxpy import sops
from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.fs import Root
from fluxpy.sops.errors import DecryptionError
from fluxpy.sops.formats import Format
from fluxpy.sops.keys import Keyring

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.models.kustomize import Kustomization

__all__ = ["decrypt_objects", "decrypt_sources"]

# kustomize-controller's maxEncryptedFileSize.
_MAX_SOURCE_SIZE = 5 << 20
# sops's marker for each format (binary documents are JSON envelopes).
_MARKERS = {Format.BINARY: b'"mac": "ENC[', Format.JSON: b'"mac": "ENC[', Format.DOTENV: b"sops_mac=ENC[",
            Format.YAML: b"mac: ENC[", Format.INI: b"[sops]"}


def _no_decryption(obj: dict[str, Any], owner: str) -> DecryptionError:
    kind = "secret" if obj.get("kind") == "Secret" else "object"
    return DecryptionError(
        f"{sops.object_ref(obj)} is SOPS encrypted, configuring decryption is required for this {kind} "
        "to be reconciled",
        hint=f"set spec.decryption (provider: sops, secretRef: the Secret with the *.agekey or *.asc keys) on "
             f"Kustomization {owner}, or pass --decryption-key-file / SOPS_AGE_KEY_FILE for a local run")


def _decode(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        # Go's base64 decoder skips line breaks, which kustomize's generators insert.
        return base64.b64decode(value.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        return None  # left for the API server to reject, as Flux does


def _decrypt_data(obj: dict[str, Any], keyring: Keyring, path: str | None, gnupg: sops.GnuPG) -> dict[str, Any]:
    data = obj.get("data")
    if not isinstance(data, dict):
        return obj
    out: dict[str, Any] = {}
    changed = False
    for key, value in data.items():
        raw = _decode(value)
        fmt = sops.detect_format(raw) if raw is not None else None
        if raw is None or fmt is None:
            out[key] = value
            continue
        where = f"{sops.object_ref(obj)} data key {key!r}" + (f" in {path}" if path else "")
        plain = sops.decrypt_document(raw, keyring=keyring, where=where, input_format=fmt,
                                      output_format=sops.format_for_path(str(key)), gnupg=gnupg)
        out[key] = base64.b64encode(plain).decode("ascii")
        changed = True
    if not changed:
        return obj
    new = dict(obj)
    new["data"] = out
    return new


def decrypt_objects(objs: list[dict[str, Any]], keyring: Keyring | None, *, owner: str,
                    origin: Callable[[dict[str, Any]], str | None] | None = None,
                    verify_mac: bool = True) -> tuple[list[dict[str, Any]], int]:
    """Decrypt what needs decrypting among the built objects.

    Args:
        objs: the built objects, in build order (not modified).
        keyring: the keys from ``spec.decryption`` (and local key files); None
            when the Kustomization has no ``spec.decryption``.
        owner: ``namespace/name`` of the Kustomization, for hints.
        origin: the file an object came from, if known, for messages.
        verify_mac: check each encrypted object's MAC (sops does). Flux skips
            it for whole objects because kustomize transformers change fields
            the MAC covers; data values are always checked.

    Returns:
        The objects in the same order (decrypted ones replaced by new dicts,
        the others the very same dicts) and how many were decrypted.

    Raises:
        DecryptionError: an encrypted object without ``spec.decryption``, no
            key matches, a wrong key, a tampered value or MAC. One line naming
            the object (and data key and file when known); never plaintext.
    """
    out: list[dict[str, Any]] = []
    count = 0
    with sops.GnuPG(keyring.pgp if keyring is not None else ()) as gnupg:
        for obj in objs:
            if sops.decryption_disabled(obj):
                out.append(obj)
                continue
            if sops.has_sops_metadata(obj):
                if keyring is None:
                    raise _no_decryption(obj, owner)
                path = origin(obj) if origin is not None else None
                out.append(sops.decrypt(obj, keyring=keyring, path=path, verify_mac=verify_mac, gnupg=gnupg))
                count += 1
                continue
            if keyring is not None and obj.get("kind") == "Secret":
                path = origin(obj) if origin is not None else None
                new = _decrypt_data(obj, keyring, path, gnupg)
                count += new is not obj
                out.append(new)
                continue
            out.append(obj)
    return out, count


def _kustomization_at(fsroot: Root, directory: Path) -> Mapping[str, Any] | None:
    try:
        text = fsroot.read_text(fsroot.kustomization_file(directory))
        data = yaml.safe_load(text)
    except (BuildError, yaml.YAMLError, UnicodeDecodeError):
        return None  # the build reports it in kustomize's words
    return data if isinstance(data, Mapping) else None


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def decrypt_sources(root: Path, path: Path, keyring: Keyring | None, *,
                    kustomization: Mapping[str, Any] | None = None) -> dict[Path, bytes]:
    """The plaintext of every sops-encrypted generator source and patch file in the tree at `path`.

    Follows kustomize-controller's ``DecryptSources``: in each kustomization
    (the one at `path`, then those of its ``resources`` and ``components``
    directories), secretGenerator ``files`` (format from the data key, the
    part before ``=``), ``envs`` (format from the name, dotenv unless
    ``.json``/``.yaml``/``.ini``) and ``patches[].path`` files whose content
    carries the sops marker of that format are decrypted, the output in the
    same format. Paths outside `root`, missing files and remote URLs are left
    to the build to report.

    Args:
        root: the source root (nothing outside it is read).
        path: the directory built.
        keyring: the decryption keys; None (no ``spec.decryption``) decrypts nothing.
        kustomization: the kustomization to use for `path` instead of its file
            (Flux's generated or overlaid one).

    Returns:
        Plaintext by real path, for ``Root(root, overlay=...)``; empty when nothing is encrypted.

    Raises:
        DecryptionError: a source cannot be decrypted (no key, tampered, INI
            format, over 5 MiB); the message names the file relative to `root`.
    """
    overlay: dict[Path, bytes] = {}
    if keyring is None:
        return overlay
    fsroot = Root(root, restrict_to_dir=False)
    visited: set[Path] = set()

    def decrypt_file(directory: Path, ref: str, fmt: Format, gnupg: sops.GnuPG) -> None:
        if "://" in ref:
            return
        try:
            real = fsroot.confine(fsroot.join(directory, ref))
        except BuildError:
            return
        if real in overlay or not real.is_file():
            return
        rel = os.path.relpath(real, fsroot.path)
        if real.stat().st_size > _MAX_SOURCE_SIZE:
            raise DecryptionError(f"{rel}: cannot decrypt a file over {_MAX_SOURCE_SIZE >> 20} MiB")
        data = real.read_bytes()
        if _MARKERS[fmt] not in data:
            return
        overlay[real] = sops.decrypt_document(data, keyring=keyring, where=rel, input_format=fmt,
                                              output_format=fmt, gnupg=gnupg)

    def visit(directory: Path, kus: Mapping[str, Any] | None, gnupg: sops.GnuPG) -> None:
        try:
            real_dir = fsroot.confine(directory)
        except BuildError:
            return
        if real_dir in visited or not real_dir.is_dir():
            return
        visited.add(real_dir)
        kus = kus if kus is not None else _kustomization_at(fsroot, real_dir)
        if kus is None:
            return
        for gen in kus.get("secretGenerator") or []:
            if not isinstance(gen, Mapping):
                continue
            for source in _strings(gen.get("files")):
                key, _, file = source.partition("=")
                decrypt_file(real_dir, file or key, sops.format_for_path(key), gnupg)
            for env in _strings(gen.get("envs")):
                fmt = sops.format_for_path(env)
                decrypt_file(real_dir, env, Format.DOTENV if fmt is Format.BINARY else fmt, gnupg)
        for patch in kus.get("patches") or []:
            if isinstance(patch, Mapping) and isinstance(patch.get("path"), str) and patch["path"]:
                decrypt_file(real_dir, patch["path"], sops.format_for_path(patch["path"]), gnupg)
        for ref in (*_strings(kus.get("resources")), *_strings(kus.get("components"))):
            if "://" not in ref:
                visit(fsroot.join(real_dir, ref), None, gnupg)

    with sops.GnuPG(keyring.pgp) as gnupg:
        visit(path, kustomization, gnupg)
    return overlay


def read_keyring(kube: Kube, ks: Kustomization, *, environ: Mapping[str, str], key_files: Sequence[Path],
                 secret_optional: bool = False,
                 warn: Callable[[str], None] | None = None) -> Keyring | None:
    """The keys a Kustomization decrypts with; None when there are none at all.

    The Secret named by `spec.decryption.secretRef` (`*.agekey`, `*.asc`),
    merged with local keys (`SOPS_AGE_KEY`, `SOPS_AGE_KEY_FILE` in `environ`,
    and `key_files`). Without `spec.decryption`, local keys alone (a CLI run
    may decrypt what the cluster's controller could not).

    Args:
        kube: the cluster.
        ks: the Kustomization.
        environ: where the SOPS_* variables are read.
        key_files: `--decryption-key-file` paths.
        secret_optional: a Secret that cannot be read is reported through
            `warn` and the local keys are used (diff); else an error.
        warn: where that report goes.

    Raises:
        FluxpyError: the Secret is missing or unreadable (unless optional), or a key is malformed.
    """
    from fluxpy.errors import FluxpyError
    from fluxpy.kube import errors as kerr
    from fluxpy.kube.resource import Resource
    from fluxpy.sops import keys

    local = keys.from_environment(environ, key_files)
    decryption = ks.spec.decryption
    if decryption is not None and decryption.secret_ref is not None:
        secrets = Resource("", "v1", "Secret", "secrets", namespaced=True)
        ref = f"{ks.namespace}/{decryption.secret_ref.name}"
        try:
            secret = kube.get(secrets, decryption.secret_ref.name, namespace=ks.namespace)
        except (kerr.NotFoundError, kerr.ForbiddenError) as err:
            if not secret_optional:
                raise FluxpyError(f"cannot get decryption Secret '{ref}': {err.reason or err.status}",
                                  hint="create it with the age (*.agekey) or PGP (*.asc) keys") from err
            if warn is not None:
                warn(f"cannot read decryption Secret {ref} ({err.reason or err.status}): using local keys only")
        else:
            return keys.from_secret(secret, ref=f"Secret {ref}").merge(local)
    return None if local.empty else local
