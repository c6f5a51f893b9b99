"""The `images:` transformer (kustomize's ImageTagTransformer).

Tenth in a kustomization's transformer order, after replicas and before
replacements. Each entry rewrites matching image references: first in every
`containers`/`initContainers` list found anywhere in an object (kustomize's
legacy filter, which also reaches custom resources), then at the images
field specs (pod specs, templates, image volumes). An image matches when it
is the entry's name optionally followed by `:tag` and/or `@sha256:digest` —
the name is used as a regular expression, unescaped, as kustomize does, so
`nginx` does not match `docker.io/library/nginx`. `newTag` replaces tag and
digest; `digest` replaces both too; both together give `name:tag@digest`;
`tagSuffix` (only without the other two) appends to the tag once per pass.
"""

from __future__ import annotations

import re
from typing import Any

from fluxpy.kustomize.kustfile import Image
from fluxpy.kustomize.resource import ResMap
from fluxpy.kustomize.transformers import fieldspecs


def is_matched(value: str, name: str) -> bool:
    """kustomize's `image.IsImageMatched` (Go RE2 semantics: `$` is end of text)."""
    try:
        pattern = re.compile("^" + name + r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?\Z")
    except re.error:
        return False
    return pattern.match(value) is not None


def split(image: str) -> tuple[str, str, str]:
    """kustomize's `image.Split`: (name, tag, digest); a registry's port is not a tag."""
    search = image
    slash = image.find("/")
    if slash > 0:
        search = image[slash:]
    else:
        slash = 0
    at = search.find("@")
    colon = search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        at += slash
        return image[:at], "", image[at + 1:]
    if at >= 0 and colon >= 0:
        at += slash
        colon += slash
        return image[:colon], image[colon + 1:at], image[at + 1:]
    colon += slash
    return image[:colon], image[colon + 1:], ""


def updated(value: str, image: Image) -> str | None:
    """The new reference for `value`, or None when the entry does not match it."""
    if not is_matched(value, image.name):
        return None
    name, tag, digest = split(value)
    if image.new_name:
        name = image.new_name
    if image.new_tag and image.digest:
        tag, digest = image.new_tag, image.digest
    elif image.new_tag:
        tag, digest = image.new_tag, ""
    elif image.digest:
        tag, digest = "", image.digest
    elif image.tag_suffix:
        # Applied by both passes, as in kustomize: `nginx:1` becomes `nginx:1-s-s`.
        tag, digest = tag + image.tag_suffix, ""
    if tag:
        name += ":" + tag
    if digest:
        name += "@" + digest
    return name


def _set(parent: Any, key: Any, image: Image) -> None:
    value = parent.get(key) if isinstance(parent, dict) else None
    if isinstance(value, str):
        new = updated(value, image)
        if new is not None:
            parent[key] = new


def _legacy(node: Any, image: Image) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for container in value:
                    if isinstance(container, dict):
                        _set(container, "image", image)
            else:
                _legacy(value, image)
    elif isinstance(node, list):
        for item in node:
            _legacy(item, image)


def transform(resmap: ResMap, image: Image) -> None:
    """Rewrite the references matching one `images:` entry."""
    for res in resmap:
        _legacy(res.obj, image)
        group, version, kind = fieldspecs.gvk_of(res.obj)
        for fs in fieldspecs.IMAGES:
            if fs.selects(group, version, kind):
                fieldspecs.visit(res.obj, fs, lambda p, k: _set(p, k, image), create_kind=None)
