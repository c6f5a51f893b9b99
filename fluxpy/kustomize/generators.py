"""configMapGenerator and secretGenerator, and the content hash in their names.

A generator entry becomes one ConfigMap or Secret (`generate`): ``literals``
(``key=value``; one pair of matching quotes around the value is dropped),
``files`` (``path`` or ``key=path``; the key defaults to the file's base name)
and ``envs`` (``.env`` files: leading blanks ignored, ``#`` comments and blank
lines skipped, ``KEY=value`` split at the first ``=``, a bare ``KEY`` takes its
value from the environment, as kustomize does). A ConfigMap keeps a file that
is not UTF-8 in ``binaryData``; a Secret's values are base64-encoded, and its
``type`` defaults to Opaque.

`merge_generated` adds the result to the build honouring ``behavior``
(create / merge / replace against a resource of the same id from a base), and
`apply_hashes` renames every resource still marked `needs_hash` to
``<name>-<hash>`` once the build's transformers have run, with kustomize's
hash: sha256 of the JSON of ``{kind, name, data[, binaryData]}`` (ConfigMap)
or ``{kind, name, type, data}`` (Secret), its first 10 hex digits with
0/1/3/a/e mapped to g/h/k/m/t so the suffix never reads as a number.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import posixpath
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.resource import ResMap, Resource

if TYPE_CHECKING:
    from fluxpy.kustomize.fs import Root

__all__ = ["generate", "merge_generated", "apply_hashes", "content_hash", "merge_options"]



def generate(kind: str, args: Mapping[str, Any], *, options: Mapping[str, Any] | None = None,
             read: Callable[[str], bytes] | None = None, namespace_default: str | None = None,
             root: Root | None = None, base_dir: Path | None = None,
             environ: Mapping[str, str] | None = None) -> Resource:
    """Build the ConfigMap or Secret of one generator entry.

    Args:
        kind: "ConfigMap"/"configmap" or "Secret"/"secret".
        args: the entry (name, namespace, behavior, literals, files, envs, type, options).
        options: the entry's options already merged with the kustomization's
            generatorOptions (see `merge_options`); None to use the entry's own.
        read: returns a file's bytes, path relative to the kustomization directory.
        namespace_default: namespace when the entry names none.
        root: alternatively to `read`, the confined filesystem ...
        base_dir: ... and the kustomization directory.
        environ: where bare ``KEY`` lines of env files look (default: the process environment).

    Returns:
        The resource, marked `generated_by`, `behavior` and `needs_hash`.

    Raises:
        BuildError: a malformed literal, an invalid or duplicate key, an unreadable file.
    """
    is_secret = kind.lower() == "secret"
    reader = read if read is not None else _root_reader(root, base_dir)
    env = os.environ if environ is None else environ
    opts = dict(args.get("options") or {}) if options is None else dict(options)
    name = str(args.get("name") or "")
    pairs: list[tuple[str, bytes]] = []
    for env_file in _strings(args, "envs") + ([args["env"]] if args.get("env") else []):
        pairs += _env_pairs(reader(env_file), env_file, env)
    literals = _strings(args, "literals")
    for literal in literals:
        try:
            pairs.append(_literal(literal))
        except BuildError as err:
            raise BuildError(f"loading KV pairs: literal sources [{' '.join(literals)}]: {err.message}") from err
    for source in _strings(args, "files"):
        pairs.append(_file(source, reader))
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    what = "Secret" if is_secret else "ConfigMap"
    for key, value in pairs:
        if key in data or key in binary:
            raise BuildError(f"{what.lower()} {name} illegally repeats the key `{key}`")
        if is_secret:
            data[key] = _b64(value)
        else:
            try:
                data[key] = value.decode("utf-8")
            except UnicodeDecodeError:
                binary[key] = _b64(value)
    meta: dict[str, Any] = {"name": name}
    namespace = args.get("namespace") or namespace_default
    if namespace:
        meta["namespace"] = str(namespace)
    if opts.get("labels"):
        meta["labels"] = {str(k): str(v) for k, v in opts["labels"].items()}
    if opts.get("annotations"):
        meta["annotations"] = {str(k): str(v) for k, v in opts["annotations"].items()}
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": what, "metadata": meta}
    if data or is_secret:
        obj["data"] = data
    if binary:
        obj["binaryData"] = binary
    if is_secret:
        obj["type"] = str(args.get("type") or "Opaque")
    if opts.get("immutable"):
        obj["immutable"] = True
    behavior = str(args.get("behavior") or "unspecified")
    if behavior not in ("create", "merge", "replace", "unspecified"):
        raise BuildError(f"invalid behavior {behavior!r} for {what} {name!r}; use create, merge or replace")
    return Resource(obj, generated_by="secret" if is_secret else "configmap",
                    needs_hash=not opts.get("disableNameSuffixHash"), behavior=behavior)


def merge_options(local: Mapping[str, Any] | None, global_: Mapping[str, Any] | None) -> dict[str, Any]:
    """kustomize's MergeGlobalOptionsIntoLocal: the entry's labels/annotations win; flags are or-ed."""
    out: dict[str, Any] = dict(local or {})
    for key in ("labels", "annotations"):
        if global_ and global_.get(key):
            merged = dict(global_[key])
            merged.update(out.get(key) or {})
            out[key] = merged
    for key in ("disableNameSuffixHash", "immutable"):
        if global_ and global_.get(key) and not out.get(key):
            out[key] = True
    return out


def merge_generated(resmap: ResMap, res: Resource) -> None:
    """Add a generated resource, honouring its behavior against one already there.

    Raises:
        BuildError: merge/replace with nothing to act on, create over an existing
            resource, or several candidates.
    """
    rid = res.id()
    matches = [old for old in resmap if any(_same(rid, i) for i in (*old.previous, old.id()))]
    if not matches:
        if res.behavior in ("merge", "replace"):
            raise BuildError(f"id {_go_id(rid)} does not exist; cannot merge or replace")
        resmap.append(res)
        return
    if len(matches) > 1:
        raise BuildError(f"found multiple objects that could accept merge of {_go_id(rid)}")
    old = matches[0]
    if res.behavior not in ("merge", "replace"):
        raise BuildError(f"id {_go_id(rid)} exists; can not use behavior: '{res.behavior}', "
                         "behavior must be merge or replace")
    old_meta, new_meta = old.meta, res.meta
    for field in ("labels", "annotations"):
        merged = dict(old_meta.get(field) or {})
        merged.update(new_meta.get(field) or {})
        if merged:
            new_meta[field] = merged
    new_meta["name"] = old_meta.get("name", new_meta.get("name"))
    if old.namespace:
        new_meta["namespace"] = old.namespace
    else:
        new_meta.pop("namespace", None)
    if res.behavior == "merge":
        for field in ("data", "binaryData"):
            merged = dict(old.obj.get(field) or {})
            merged.update(res.obj.get(field) or {})
            if merged or field in res.obj:
                res.obj[field] = merged
    res.previous = list(old.previous)
    res.origin = old.origin
    resmap.replace(old, res)


def content_hash(obj: Mapping[str, Any]) -> str:
    """kustomize's name hash of a ConfigMap or Secret (10 characters)."""
    # kustomize v5 hashes an empty name (renames never change the suffix), and
    # an empty ConfigMap's data as "" (its Secret counterpart as {}).
    encoded: dict[str, Any] = {"kind": obj.get("kind", ""), "name": ""}
    if obj.get("kind") == "Secret":
        encoded["type"] = obj.get("type", "")
        encoded["data"] = obj.get("data") or {}
    else:
        encoded["data"] = obj.get("data") or ""
        if obj.get("binaryData"):
            encoded["binaryData"] = obj["binaryData"]
    digest = hashlib.sha256(_go_json(encoded).encode("utf-8")).hexdigest()
    return digest[:10].translate(str.maketrans("013ae", "ghkmt"))


def apply_hashes(resmap: ResMap) -> None:
    """Rename every resource marked `needs_hash` to ``<name>-<hash>`` (once)."""
    for res in resmap:
        if res.needs_hash:
            res.rename(name=f"{res.name}-{content_hash(res.obj)}")
            res.needs_hash = False


def _b64(value: bytes) -> str:
    """kyaml's encodeBase64: 70-column lines, each ending in a newline, once there are two or more."""
    encoded = base64.b64encode(value).decode("ascii")
    if len(encoded) < 70:
        return encoded
    return "".join(encoded[i:i + 70] + "\n" for i in range(0, len(encoded), 70))


def _go_json(value: Any) -> str:
    """encoding/json's output: sorted keys, no spaces, <, > and & escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _root_reader(root: Root | None, base_dir: Path | None) -> Callable[[str], bytes]:
    def read(path: str) -> bytes:
        if root is None or base_dir is None:
            raise BuildError(f"cannot read {path!r}: no filesystem given")
        return root.load_file(base_dir, path)[1]
    return read


def _strings(args: Mapping[str, Any], field: str) -> list[str]:
    value = args.get(field) or []
    if not isinstance(value, list):
        raise BuildError(f"{field} must be a list of strings")
    return [str(v) for v in value]


def _literal(source: str) -> tuple[str, bytes]:
    key, sep, value = source.partition("=")
    if not sep or not key:
        raise BuildError(f"invalid literal source {source}, expected key=value")
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return key, value.encode("utf-8")


def _file(source: str, read: Callable[[str], bytes]) -> tuple[str, bytes]:
    key, sep, path = source.partition("=")
    if not sep:
        key, path = posixpath.basename(source), source
    elif not key or not path:
        raise BuildError(f"key or file path is missing from file source {source}")
    return key, read(path)


def _env_pairs(raw: bytes, path: str, environ: Mapping[str, str]) -> list[tuple[str, bytes]]:
    pairs: list[tuple[str, bytes]] = []
    for number, line in enumerate(raw.split(b"\n")):
        line = line.removesuffix(b"\r")
        if number == 0:
            line = line.removeprefix(b"\xef\xbb\xbf")
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise BuildError(f"line {number + 1} has invalid utf8 bytes", path=path) from None
        text = text.lstrip()
        if not text or text.startswith("#"):
            continue
        key, sep, value = text.partition("=")
        pairs.append((key, (value if sep else environ.get(key, "")).encode("utf-8")))
    return pairs


def _same(a: Any, b: Any) -> bool:
    same_ns = a.namespace == b.namespace or (a.namespace in ("", "default") and b.namespace in ("", "default"))
    return bool(same_ns and (a.group, a.version, a.kind, a.name) == (b.group, b.version, b.kind, b.name))


def _go_id(rid: Any) -> str:
    """A ResId as Go's %#v prints it."""
    return (f'resid.ResId{{Gvk:resid.Gvk{{Group:"{rid.group}", Version:"{rid.version}", '
            f'Kind:"{rid.kind}", isClusterScoped:false}}, Name:"{rid.name}", Namespace:"{rid.namespace}"}}')
