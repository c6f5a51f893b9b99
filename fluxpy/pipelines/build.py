"""Cluster sync step "build manifests", as kustomize-controller and `flux build` do it.

For a Kustomization object and a local source tree: Flux's generated
kustomization when `spec.path` has none, the object's overlay (target
namespace, prefix/suffix, patches, components, images), the kustomize build
(files anywhere in the source root, nothing outside it), `postBuild`
substitution, `commonMetadata`, then the ownership labels. `flux build`
prints the result with SOPS-encrypted Secrets masked; the sync pipeline will
decrypt them instead, between `build_manifests` and `post_build` (Flux's
order: decryption sees the objects as built, substitution sees plaintext).

`substitution_sources` is the only I/O: it reads the `substituteFrom`
ConfigMaps and Secrets through the cluster layer (skipped with --dry-run, as
`flux build --dry-run` does).
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxpy.kustomize.errors import BuildError

if TYPE_CHECKING:
    from fluxpy.kube.client import Kube
    from fluxpy.models.kustomize import Kustomization
    from fluxpy.sops.keys import Keyring


def substitution_sources(kube: Kube, ks: Kustomization) -> list[dict[str, str]]:
    """The data of each `substituteFrom` ConfigMap/Secret, in order (Secret data decoded).

    Raises:
        BuildError: a referenced object is missing and not optional.
    """
    from fluxpy.kube import errors as kerr
    from fluxpy.kube.resource import Resource

    post = ks.spec.post_build
    out: list[dict[str, str]] = []
    for ref in post.substitute_from if post else ():
        plural = "configmaps" if ref.kind == "ConfigMap" else "secrets"
        try:
            obj = kube.get(Resource("", "v1", ref.kind, plural, namespaced=True), ref.name, namespace=ks.namespace)
        except kerr.NotFoundError as err:
            if ref.optional:
                continue
            raise BuildError(f"substitute from '{ref.kind}/{ref.name}' error: {ref.kind.lower()}s \"{ref.name}\" "
                             "not found", hint="create it, or mark the reference optional: true") from err
        data = obj.get("data") or {}
        if ref.kind == "Secret":
            data = {k: base64.b64decode(v).decode("utf-8", errors="replace") for k, v in data.items()}
        out.append({str(k): str(v) for k, v in data.items()})
    return out


def build_kustomization(ks: Kustomization, *, root: Path, path: Path, sources: list[dict[str, str]],
                        strict: bool = False) -> list[dict[str, Any]]:
    """The objects Flux would apply for `ks`, built from the tree at `path` inside `root` (no decryption).

    `build_manifests` then `post_build`; the sync pipeline decrypts in between.

    Args:
        ks: the Kustomization object.
        root: the source root (nothing outside it is read).
        path: the directory to build (the Kustomization's `spec.path`).
        sources: `substituteFrom` data, in order.
        strict: fail on unset variables (StrictPostBuildSubstitutions).

    Raises:
        BuildError: the tree cannot be built or substituted.
    """
    return post_build(ks, build_manifests(ks, root=root, path=path), sources=sources, strict=strict)


def build_manifests(ks: Kustomization, *, root: Path, path: Path,
                    keyring: Keyring | None = None) -> list[dict[str, Any]]:
    """The kustomize build of `path` with Flux's generated kustomization and the Kustomization's overlay.

    Args:
        ks: the Kustomization object.
        root: the source root (nothing outside it is read).
        path: the directory to build.
        keyring: keys for sops-encrypted secretGenerator sources and patch
            files, read decrypted from memory (None: read as they are).

    Raises:
        BuildError: the tree cannot be built.
        fluxpy.sops.DecryptionError: an encrypted source cannot be decrypted.
    """
    from fluxpy.kustomize import build, flux, yamlio

    def decode(text: str, rel: str) -> object:
        return yamlio.load_documents(text, path=rel)

    generated = flux.generate(root, path, decode=decode)
    base = generated if generated is not None else _read_kustomization(path)
    kustomization = flux.overlay(base, ks.spec)
    overlay = None
    if keyring is not None:
        from fluxpy.sync.decrypt import decrypt_sources

        overlay = decrypt_sources(root, path, keyring, kustomization=kustomization)
    return [res.obj for res in build.build(root, path, kustomization=kustomization, restrict_to_dir=False,
                                           overlay=overlay)]


def post_build(ks: Kustomization, objs: list[dict[str, Any]], *, sources: list[dict[str, str]],
               strict: bool = False) -> list[dict[str, Any]]:
    """After the build (and decryption): postBuild substitution, then commonMetadata and ownership labels.

    Raises:
        BuildError: a variable name is invalid, or unset in strict mode.
    """
    return set_metadata(ks, substitute(ks, objs, sources=sources, strict=strict))


def substitute(ks: Kustomization, objs: list[dict[str, Any]], *, sources: list[dict[str, str]],
               strict: bool = False) -> list[dict[str, Any]]:
    """postBuild substitution (none without `spec.postBuild`).

    Raises:
        BuildError: a variable name is invalid, or unset in strict mode.
    """
    from fluxpy.kustomize import postbuild

    post = ks.spec.post_build
    if post is None:
        return objs
    variables = postbuild.collect(sources=sources, inline=post.substitute)
    return postbuild.substitute(objs, variables, strategy=post.substitute_strategy, strict=strict)


def set_metadata(ks: Kustomization, objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`commonMetadata`, then the ownership labels (in place; returns `objs`)."""
    from fluxpy.kustomize import ownership

    meta = ks.spec.common_metadata
    if meta is not None:
        ownership.set_common_metadata(objs, labels=meta.labels, annotations=meta.annotations)
    ownership.set_ownership(objs, name=ks.name, namespace=ks.namespace or "")
    return objs


def _read_kustomization(path: Path) -> dict[str, Any]:
    import yaml

    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        file = path / name
        if file.is_file():
            try:
                data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as err:
                raise BuildError(f"invalid Kustomization: {' '.join(str(err).split())}", path=str(file)) from err
            if not isinstance(data, dict):
                raise BuildError("invalid Kustomization: not a mapping", path=str(file))
            return data
    raise BuildError(f"no kustomization file in {path}")
