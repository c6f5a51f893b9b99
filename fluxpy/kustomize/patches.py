"""kustomize's patch transformers: `patches`, `patchesStrategicMerge`, `patchesJson6902`.

A patch's text (inline, or read from a file next to the kustomization) is a
strategic merge patch when it parses as one or more resources (each document a
mapping with ``kind`` and ``metadata.name``), a JSON 6902 patch when it parses
as a list of operations; kustomize's PatchTransformer refuses text that is
neither (``unable to parse SM or JSON patch from [...]``).

* A strategic merge patch without ``target`` applies to the resource with its
  own id (group, version, kind, name and namespace; "" and "default" are one
  namespace, and ids a resource had before a rename count); no such resource
  is an error. With ``target`` it applies to every selected resource, keeping
  each one's apiVersion, kind, name and namespace (unless ``options``
  allowNameChange / allowKindChange); selecting nothing is not an error.
* A JSON patch needs a ``target``; selecting nothing is not an error.
* ``$patch: delete`` at the top of a strategic merge patch removes the resource.

patchesJson6902 entries go through the same path (kustomize v5 folds them into
`patches`); patchesStrategicMerge entries differ only in their error text, so a
`PatchSpec` built with ``legacy=True`` words a missing target as kustomize's
PatchStrategicMergeTransformer does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxpy.kustomize import json6902, smp, yaml_emit, yaml_read
from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.resource import ResId, ResMap, Resource
from fluxpy.kustomize.schema import for_resource
from fluxpy.kustomize.targets import Target, effective_namespace, kustomize_id
from fluxpy.kustomize.yamlio import load_documents

if TYPE_CHECKING:
    from fluxpy.kustomize.fs import Root

__all__ = ["PatchSpec", "Target", "apply_patches", "apply_patch"]

Reader = Callable[[str], str]


@dataclass(slots=True)
class PatchSpec:
    """One entry of `patches` (or of the legacy fields).

    Args:
        path: a patch file, relative to the kustomization directory.
        patch: the patch itself (inline).
        target: which resources to patch; a raw ``target:`` mapping is accepted.
        options: ``allowNameChange`` / ``allowKindChange``.
        legacy: the entry came from patchesStrategicMerge (only error wording differs).
    """

    path: str | None = None
    patch: str | None = None
    target: Target | Mapping[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    legacy: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.target, Mapping):
            self.target = Target.parse(self.target)
        self.options = dict(self.options or {})

    @property
    def selector(self) -> Target | None:
        return self.target if isinstance(self.target, Target) else None

    def describe(self) -> str:
        """The entry as kustomize quotes it in configuration errors."""
        if self.path:
            return f"path: {self.path}"
        return f"patch: {_go_quote((self.patch or '').strip())}"


def apply_patches(resmap: ResMap, patches: list[PatchSpec], *, read: Reader | None = None,
                  root: Root | None = None, base_dir: Path | None = None) -> None:
    """Apply patches in order, changing `resmap` in place.

    Args:
        resmap: the resources.
        patches: the entries, in kustomization order.
        read: returns the text of a patch file named relative to the kustomization.
        root: alternatively, the confined filesystem to read patch files from ...
        base_dir: ... relative to this directory (the kustomization's).

    Raises:
        BuildError: a patch cannot be read or parsed, a patch without target has
            no (unique) resource to apply to, or a patch does not apply.
    """
    reader = read if read is not None else _root_reader(root, base_dir)
    for spec in patches:
        apply_patch(resmap, spec, read=reader)


def apply_patch(resmap: ResMap, spec: PatchSpec, *, read: Reader) -> None:
    """Apply one entry (see `apply_patches`)."""
    if spec.patch is not None and not isinstance(spec.patch, str):
        raise BuildError(f"patch must be a string, got {type(spec.patch).__name__}")
    text = (spec.patch or "").strip()
    if text and spec.path:
        raise BuildError(f"patch and path can't be set at the same time\n{spec.describe()}")
    if spec.path:
        try:
            text = read(spec.path)
        except BuildError as err:
            raise BuildError(f"failed to get the patch file from path({spec.path}): {err.message}") from err
    elif not text:
        raise BuildError(f"must specify one of patch and path in {spec.describe()}")
    docs, ops = _parse(text, spec)
    target = spec.selector
    if ops is not None:
        if target is None:
            raise BuildError(f"must specify a target for JSON patch [{spec.describe()}]")
        for res in _select(resmap, target):
            before = res.id()
            res.obj = _reread(json6902.apply(_as_read(res.obj), ops))
            if res.id() != before:
                res.previous.append(before)
        return
    for doc in docs:
        if target is None:
            _apply_untargeted(resmap, doc, spec)
        else:
            for res in _select(resmap, target):
                patch = dict(doc)
                patch["apiVersion"] = res.obj.get("apiVersion", patch.get("apiVersion"))
                _apply_smp(resmap, res, patch, spec.options)


def _annotations(obj: dict[str, Any]) -> dict[str, Any] | None:
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    return annotations if isinstance(annotations, dict) else None


def _as_read(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as kustomize hands it to a JSON patch: annotations hold the values
    they were read as (``1.0`` the number, not the text `load_documents` keeps)."""
    annotations = _annotations(obj)
    if annotations is None:
        return obj
    values = {}
    for key in annotations:
        found = yaml_read.source_value(annotations, key)
        values[key] = found[1] if found is not None else annotations[key]
    return {**obj, "metadata": {**obj["metadata"], "annotations": values}}


def _reread(obj: dict[str, Any]) -> dict[str, Any]:
    """kustomize re-reads a JSON-patched object from JSON: plain values (empty YAML
    nulls are now plain nulls), and its annotations become the text go-yaml gives
    each value (numbers are float64 there: 1.0 is "1", 1000000 is "1e+06"; maps
    are ""), which is what kustomize prints them as."""
    out: dict[str, Any] = _plain(obj)
    annotations = _annotations(out)
    if annotations is not None:
        for key, value in annotations.items():
            annotations[key] = _yaml_text(value)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _yaml_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return yaml_emit.go_g(float(value))
    return ""


def _root_reader(root: Root | None, base_dir: Path | None) -> Reader:
    def read(path: str) -> str:
        if root is None or base_dir is None:
            raise BuildError(f"cannot read patch file {path!r}: no filesystem given")
        return root.load_file(base_dir, path)[1].decode("utf-8")
    return read


def _parse(text: str, spec: PatchSpec) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """(strategic merge documents, None) or ([], JSON operations), by kustomize's rules."""
    where = spec.path or "<inline patch>"
    try:
        return load_documents(text, path=where), None
    except BuildError as sm_err:
        ops = _json_ops(text, where)
        if ops is None:
            if spec.legacy:
                raise
            raise BuildError(f"unable to parse SM or JSON patch from [{spec.describe()}]") from sm_err
        return [], ops


def _json_ops(text: str, where: str) -> list[dict[str, Any]] | None:
    # load_documents wants a resource: carry the list in one, indented as a field.
    body = "\n".join("  " + line for line in text.splitlines())
    try:
        docs = load_documents(f"kind: JsonPatch\nmetadata: {{name: x}}\nops:\n{body}\n", path=where)
    except BuildError:
        return None
    ops = docs[0].get("ops") if docs else None
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        return None
    return ops


def _select(resmap: ResMap, target: Target) -> list[Resource]:
    return [res for res in resmap if target.matches(res)]


def _same(a: ResId, b: ResId) -> bool:
    """kustomize's ResId.Equals (namespaces "" and "default" are one)."""
    same_ns = a.namespace == b.namespace or (a.namespace in ("", "default") and b.namespace in ("", "default"))
    return same_ns and (a.group, a.version, a.kind, a.name) == (b.group, b.version, b.kind, b.name)


def _apply_untargeted(resmap: ResMap, doc: dict[str, Any], spec: PatchSpec) -> None:
    probe = Resource(doc)
    pid = probe.id()
    found = [res for res in resmap if any(_same(pid, rid) for rid in (*res.previous, res.id()))]
    shown = kustomize_id(pid)
    if len(found) != 1:
        what = "no matches" if not found else "multiple matches"
        message = f"{what} for Id {shown}; failed to find unique target for patch {shown}"
        if not spec.legacy:
            message = f'no resource matches strategic merge patch "{shown}": {message}'
        raise BuildError(message)
    _apply_smp(resmap, found[0], doc, spec.options)


def _apply_smp(resmap: ResMap, res: Resource, patch: dict[str, Any], options: Mapping[str, Any]) -> None:
    """kustomize's Resource.ApplySmPatch: merge, then restore what the patch may not change."""
    before = res.id()
    name, namespace, kind = res.name, res.namespace, res.kind
    merged = smp.merge(res.obj, patch, schema=for_resource(res.api_version, res.kind))
    if merged is None or not merged:
        resmap.remove(res)
        return
    res.obj = merged
    if not options.get("allowKindChange"):
        res.obj["kind"] = kind
    meta = res.obj.get("metadata")
    if not isinstance(meta, dict):
        meta = res.obj["metadata"] = {}
    if not options.get("allowNameChange"):
        meta["name"] = name
    if namespace:
        meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    if res.id() != before:
        res.previous.append(before)


def _go_quote(text: str) -> str:
    """Go's %q of a string (what kustomize shows of a patch)."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# re-exported for callers that format ids or namespaces the way patches match them
__all__ += ["effective_namespace"]


def legacy_strategic_merge(entry: str) -> PatchSpec:
    """A patchesStrategicMerge entry: the patch itself if it parses as resources, else a file path.

    kustomize's PatchStrategicMergeTransformer first tries the string as patch
    content ("for legacy reasons") and falls back to reading it as a path.
    """
    try:
        if load_documents(entry, path="<patchesStrategicMerge>"):
            return PatchSpec(patch=entry, legacy=True)
    except BuildError:
        pass
    return PatchSpec(path=entry.strip(), legacy=True)


__all__ += ["legacy_strategic_merge"]
