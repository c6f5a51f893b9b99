"""Push test images and tags to a `RegistryServer` through the registry HTTP API.

The image-update tests need repositories with known tags (and, for digest
reflection, known manifest digests), sometimes thousands of them. `push`
uploads a tiny config blob and layer once per repository (monolithic
upload: `POST /v2/<repo>/blobs/uploads/`, then `PUT <location>?digest=`),
then `PUT`s the same manifest under every tag, from a few threads: about
250 tags a second against registry 2.8 on a laptop. With `distinct=True`
each tag gets its own config blob, hence its own manifest digest.
`push_index` tags an OCI image index over manifests already pushed.

Digests are `sha256:<hex>` of the exact bytes sent, which is what the
registry stores and returns in `Docker-Content-Digest`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from tests.registry.server import RegistryServer

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"

_counter = itertools.count(1)


class PushError(RuntimeError):
    """The registry refused an upload (status and body in the message)."""


def unique_repo(prefix: str = "app") -> str:
    """A repository name no other test uses, e.g. `fluxpy/app-3-1a2b3c4d`."""
    return f"fluxpy/{prefix}-{next(_counter)}-{uuid.uuid4().hex[:8]}"


def digest_of(data: bytes) -> str:
    """`sha256:<hex>` of `data`."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def upload_blob(registry: RegistryServer, repo: str, data: bytes) -> str:
    """Upload `data` as a blob of `repo` (skipped when it is already there) and return its digest.

    Raises:
        PushError: the registry refused the upload.
    """
    http = registry.http()
    auth = registry.admin_headers(repo)
    digest = digest_of(data)
    if http.request("HEAD", f"{registry.base_url}/v2/{repo}/blobs/{digest}", headers=auth).status == 200:
        return digest
    started = http.request("POST", f"{registry.base_url}/v2/{repo}/blobs/uploads/", headers=auth)
    if started.status != 202:
        raise PushError(f"POST blobs/uploads/ on {repo}: {started.status} {started.data[:300]!r}")
    location = started.headers["Location"]
    if location.startswith("/"):
        location = registry.base_url + location
    sep = "&" if "?" in location else "?"
    done = http.request("PUT", f"{location}{sep}digest={digest}", body=data,
                        headers={**auth, "Content-Type": "application/octet-stream"})
    if done.status != 201:
        raise PushError(f"PUT blob {digest} on {repo}: {done.status} {done.data[:300]!r}")
    return digest


def manifest_for(registry: RegistryServer, repo: str, *, label: str = "", docker: bool = False) -> bytes:
    """Upload a tiny config and layer to `repo` and return the manifest bytes (not yet tagged).

    Args:
        registry: where to upload.
        repo: the repository.
        label: goes into the config, so different labels give different digests.
        docker: a Docker v2 schema 2 manifest instead of an OCI one.
    """
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"fluxpy": label}},
                         "rootfs": {"type": "layers", "diff_ids": []}}, sort_keys=True).encode()
    layer = b"fluxpy test layer\n"
    config_digest = upload_blob(registry, repo, config)
    layer_digest = upload_blob(registry, repo, layer)
    manifest = {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST if docker else OCI_MANIFEST,
        "config": {"mediaType": DOCKER_CONFIG if docker else OCI_CONFIG, "digest": config_digest,
                   "size": len(config)},
        "layers": [{"mediaType": DOCKER_LAYER if docker else OCI_LAYER, "digest": layer_digest,
                    "size": len(layer)}],
    }
    return json.dumps(manifest, sort_keys=True).encode()


def put_manifest(registry: RegistryServer, repo: str, reference: str, manifest: bytes,
                 media_type: str = OCI_MANIFEST) -> str:
    """`PUT /v2/<repo>/manifests/<reference>` and return the manifest digest.

    Raises:
        PushError: the registry refused it.
    """
    r = registry.http().request("PUT", f"{registry.base_url}/v2/{repo}/manifests/{reference}", body=manifest,
                                headers={**registry.admin_headers(repo), "Content-Type": media_type})
    if r.status != 201:
        raise PushError(f"PUT manifest {repo}:{reference}: {r.status} {r.data[:300]!r}")
    return digest_of(manifest)


def push(registry: RegistryServer, repo: str, tags: Iterable[str], *, distinct: bool = False,
         docker: bool = False, workers: int = 8) -> dict[str, str]:
    """Create `repo` with the given tags.

    Args:
        registry: where to push.
        repo: the repository (see `unique_repo`).
        tags: the tags to create.
        distinct: give each tag its own manifest (and digest); otherwise all
            tags share one manifest, which is much faster for thousands of tags.
        docker: push Docker v2 manifests instead of OCI ones.
        workers: concurrent manifest PUTs.

    Returns:
        tag -> manifest digest.

    Raises:
        PushError: the registry refused an upload.
    """
    tags = list(tags)
    media_type = DOCKER_MANIFEST if docker else OCI_MANIFEST
    shared = None if distinct else manifest_for(registry, repo, docker=docker)

    def one(tag: str) -> tuple[str, str]:
        manifest = shared if shared is not None else manifest_for(registry, repo, label=tag, docker=docker)
        return tag, put_manifest(registry, repo, tag, manifest, media_type)

    if len(tags) <= 1 or workers <= 1:
        return dict(one(t) for t in tags)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(one, tags))


def push_index(registry: RegistryServer, repo: str, tag: str, children: Iterable[str]) -> str:
    """Tag an OCI image index over the manifests `children` (digests already in `repo`).

    Returns:
        The index digest.
    """
    http = registry.http()
    entries = []
    for i, child in enumerate(children):
        r = http.request("GET", f"{registry.base_url}/v2/{repo}/manifests/{child}",
                         headers={**registry.admin_headers(repo, "pull"), "Accept": OCI_MANIFEST})
        if r.status != 200:
            raise PushError(f"GET manifest {repo}@{child}: {r.status}")
        entries.append({"mediaType": OCI_MANIFEST, "digest": child, "size": len(r.data),
                        "platform": {"architecture": ("amd64", "arm64")[i % 2], "os": "linux"}})
    index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}, sort_keys=True).encode()
    return put_manifest(registry, repo, tag, index, OCI_INDEX)
