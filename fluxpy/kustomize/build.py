"""`kustomize build`: a kustomization tree in, the final objects out.

The order is kustomize v5's (api/internal/target/kusttarget.go). For one
kustomization (`_Target.accumulate`):

1. `resources`, in order: a file's objects, or a directory built as its own
   target first (its own generators, components and transformers applied)
   and then merged in; two objects with one id are an error.
   Then `crds` files add name references in custom kinds (`crds`). A
   kustomization's `openapi:` schema is set when its directory is loaded
   (`openapi`: first one wins, for the rest of the build).
2. `configMapGenerator`, then `secretGenerator` (merge/replace behaviours
   act on what is already there).
3. `components`, in order: each is applied to everything accumulated so far
   (its resources are added, then its generators and transformers run over
   the lot).
4. The transformers: patchesStrategicMerge, patches, namespace, namePrefix,
   nameSuffix, labels/commonLabels, commonAnnotations, patchesJson6902,
   replicas, images, replacements.

Once, for the whole build (`build`): generated names get their content hash,
name references are rewritten to follow every rename, objects annotated
`config.kubernetes.io/local-config: "true"` are dropped, and the result is
sorted (legacy order unless `sortOptions.order: fifo`).

Errors carry kustomize's own text and nesting (`accumulating resources:
accumulation err='…': recursed accumulation of path '…': …`), so they read
the same as `kustomize build`'s.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fluxpy.kustomize import crds, generators, kustfile, openapi, patches, schema, yamlio
from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.fs import Root, first_missing
from fluxpy.kustomize.kustfile import Kustomization
from fluxpy.kustomize.resource import ResMap, Resource
from fluxpy.kustomize.transformers import annotations as annotations_t
from fluxpy.kustomize.transformers import (images, labels, namereference, namespace, prefix_suffix,
                                           replacements, replicas, scope, sort_order)

LOCAL_CONFIG = "config.kubernetes.io/local-config"
_REMOTE_PREFIXES = ("http://", "https://", "git@", "ssh://", "git::", "github.com/", "gitlab.com/",
                    "bitbucket.org/")


def build(root: Path, path: Path | None = None, *, kustomization: Mapping[str, Any] | None = None,
          restrict_to_dir: bool = True, overlay: Mapping[Path, bytes] | None = None) -> ResMap:
    """Build the kustomization at `path` (default: `root`), reading nothing outside `root`.

    Args:
        root: the source root; no file or symlink outside it is read.
        path: the kustomization directory, absolute or relative to `root`.
        kustomization: build this kustomization (as data) for `path` instead
            of the directory's own file: Flux's generated or overlaid one.
        restrict_to_dir: kustomize's `RootOnly` load restrictor (its CLI
            default); Flux builds with it off (files anywhere in the root).
        overlay: file content to use instead of the disk's, by real path
            (decrypted generator sources; see `fs.Root`).

    Returns:
        The final objects, in output order.

    Raises:
        BuildError: the tree cannot be built; the message is kustomize's.
    """
    fsroot = Root(root, restrict_to_dir=restrict_to_dir, overlay=overlay)
    directory = fsroot.confine(path if path is not None else fsroot.path)
    target = _Target(fsroot, directory, chain=(), schemas=openapi.SchemaState())
    if kustomization is not None:
        # JSON is YAML: the same strict decoding as a file on disk.
        target.kustomization = kustfile.load(json.dumps(kustomization), path=str(directory / "kustomization.yaml"),
                                             directory=str(directory))
    k = target.kustomization or target.load()
    with schema.resolving(target.schemas.resolve):
        target.set_openapi(k, reset=True)
        acc = target.accumulate(_Acc(target.schemas))
    resmap = acc.resmap
    if any(res.needs_hash for res in resmap):
        generators.apply_hashes(resmap)
    namereference.transform(resmap, extra=acc.crds.name_references)
    kept = [res for res in resmap if str((res.obj.get("metadata") or {}).get("annotations", {}).get(
        LOCAL_CONFIG, "")) != "true"]
    sort_options = target.kustomization.sort_options if target.kustomization else None
    if sort_options and sort_options.get("order") == "fifo":
        ordered = kept
    else:
        legacy = (sort_options or {}).get("legacySortOptions") or {}
        ordered = sort_order.legacy_sort(kept, order_first=legacy.get("orderFirst") or sort_order.ORDER_FIRST,
                                         order_last=legacy.get("orderLast") or sort_order.ORDER_LAST)
    return ResMap.of_unique(ordered)


def build_text(root: Path, path: Path | None = None) -> str:
    """`kustomize build` output: the built objects as kustomize prints them."""
    from fluxpy.kustomize.yamlio import dump_resources

    return dump_resources([res.obj for res in build(root, path)])


def _go_quote(text: str) -> str:
    """Go's %q of a string."""
    return json.dumps(text, ensure_ascii=False)


def _is_remote(path: str) -> bool:
    return path.startswith(_REMOTE_PREFIXES) or "://" in path


class _Acc:
    """kustomize's ResAccumulator: resources in order, unique by id ("" and "default" namespaces are one)."""

    def __init__(self, schemas: openapi.SchemaState) -> None:
        self.resmap = ResMap()
        self._keys: set[tuple[str, str, str, str, str]] | None = set()
        self.schemas = schemas
        self.crds = crds.CrdConfig()

    @staticmethod
    def key(res: Resource) -> tuple[str, str, str, str, str]:
        rid = res.id()
        return (rid.group, rid.version, rid.kind, rid.name,
                scope.effective_namespace(res.api_version, rid.kind, rid.namespace))

    def touched(self) -> None:
        """Ids may have changed (a transformer ran): recompute the index when next needed."""
        self._keys = None

    def append_all(self, resources: list[Resource]) -> None:
        if self._keys is None:
            self._keys = {self.key(r) for r in self.resmap}
        for res in resources:
            k = self.key(res)
            if k in self._keys:
                raise BuildError(f"may not add resource with an already registered id: {res.id().kustomize_str()}")
            self._keys.add(k)
            self.schemas.touch(res.api_version, res.kind)
        self.resmap = ResMap.of_unique([*self.resmap, *resources])


class _Target:
    """One kustomization directory (kustomize's KustTarget).

    Args:
        fsroot: the confined filesystem.
        directory: the kustomization's directory, symlinks resolved.
        chain: the directories of the targets that led here, nearest last (cycle checks).
        schemas: the build's OpenAPI schema state (`openapi:` fields).
    """

    def __init__(self, fsroot: Root, directory: Path, *, chain: tuple[Path, ...],
                 schemas: openapi.SchemaState) -> None:
        self.fsroot = fsroot
        self.directory = directory
        self.chain = chain
        self.schemas = schemas
        self.kustomization: Kustomization | None = None

    # -- loading ---------------------------------------------------------------------------------
    def load(self) -> Kustomization:
        kfile = self.fsroot.kustomization_file(self.directory)
        text = kfile.read_bytes().decode("utf-8", errors="replace")
        self.kustomization = kustfile.load(text, path=str(kfile), directory=str(self.directory))
        return self.kustomization

    def new_dir(self, path: str) -> Path:
        """kustomize's `loader.New`: the directory of a base or component, or the reason it is not one."""
        if _is_remote(path):
            raise BuildError(f"remote resource '{path}' is not supported: fluxpy builds only from the source root")
        if not path:
            raise BuildError("new root cannot be empty")
        if os.path.isabs(path):
            raise BuildError(f"new root '{path}' cannot be absolute")
        joined = Path(os.path.normpath(os.path.join(self.directory, path)))
        missing = first_missing(joined)
        if missing is not None:
            raise BuildError("must build at directory: not a valid directory: evalsymlink failure on "
                             f"'{joined}' : lstat {missing}: no such file or directory")
        real = Path(os.path.realpath(joined))
        if not real.is_dir():
            raise BuildError(f"must build at directory: '{joined}': file is not directory")
        if not self.fsroot.contains(real):
            raise BuildError(f"security; file '{joined}' is not in or below '{self.fsroot.path}'")
        real_s = str(real).rstrip("/") + "/"
        for visited in (*self.chain, self.directory)[::-1]:
            if (str(visited).rstrip("/") + "/").startswith(real_s):
                raise BuildError(f"cycle detected: candidate root '{real}' contains visited root '{visited}'")
        return real

    def child(self, directory: Path) -> _Target:
        return _Target(self.fsroot, directory, chain=(*self.chain, self.directory), schemas=self.schemas)

    def set_openapi(self, k: Kustomization, *, reset: bool) -> None:
        """kustomize's `openapi.SetSchema` for this kustomization's `openapi:` field."""
        field = k.raw.get("openapi") or {}
        document = None
        if "path" in field:
            _, document = self.fsroot.load_file(self.directory, str(field["path"]))
        self.schemas.set_schema(field, document, reset=reset)

    def check_kind(self, *, component: bool) -> None:
        """A component must say `kind: Component`; a resource must not."""
        kind = self.kustomization.kind if self.kustomization else "Kustomization"
        if component and kind != "Component":
            raise BuildError(f"expected kind 'Component' for path '{self.directory}' but got '{kind}'")
        if not component and kind == "Component":
            raise BuildError(f"expected kind != 'Component' for path '{self.directory}'")

    # -- accumulation ----------------------------------------------------------------------------
    def accumulate(self, acc: _Acc, *, component: bool = False) -> _Acc:
        """Build this target into `acc` (a fresh one, or the parent's for a component)."""
        k = self.kustomization or self.load()
        self._refuse_unsupported(k)
        try:
            for path in k.resources:
                self._accumulate_resource(acc, path)
        except BuildError as exc:
            raise BuildError(f"accumulating resources: {exc.message}") from exc
        if k.crds:
            try:
                files = [(path, self.fsroot.load_file(self.directory, path)[1]) for path in k.crds]
                acc.crds = acc.crds.merge(crds.load(files))
            except BuildError as exc:
                raise BuildError(f"loading CRDs [{' '.join(k.crds)}]: {exc.message}") from exc
        self._run_generators(acc, k)
        try:
            for path in k.components:
                self._accumulate_component(acc, path)
        except BuildError as exc:
            raise BuildError(f"accumulating components: {exc.message}") from exc
        self._run_transformers(acc, k)
        return acc

    def _refuse_unsupported(self, k: Kustomization) -> None:
        raw = k.raw
        if raw.get("helmCharts") or raw.get("helmChartInflationGenerator"):
            raise BuildError("helmCharts: inflating Helm charts is not supported (kustomize needs --enable-helm); "
                             "use a HelmRelease instead")
        for name in ("generators", "transformers", "validators"):
            if raw.get(name):
                raise BuildError(f"{name}: kustomize plugins are not supported")
        for name in ("configurations", "vars"):
            if raw.get(name):
                raise BuildError(f"{name}: not supported yet")

    def _accumulate_resource(self, acc: _Acc, path: str) -> None:
        if _is_remote(path):
            raise BuildError(f"remote resource '{path}' is not supported: fluxpy builds only from the source root")
        err_file = self._accumulate_file(acc, path)
        if err_file is None:
            return
        message, malformed = err_file
        try:
            directory = self.new_dir(path)
        except BuildError as exc:
            if malformed:
                raise BuildError(message) from exc
            raise BuildError(f"accumulation err='{message}': {exc.message}") from exc
        sub = self.child(directory)
        try:
            sub.load()
        except BuildError as exc:
            raise BuildError(f"accumulation err='{message}': couldn't make target for path '{directory}': "
                             f"{exc.message}") from exc
        try:
            sub.set_openapi(sub.kustomization or sub.load(), reset=False)
            sub.check_kind(component=False)
        except BuildError as exc:
            raise BuildError(f"accumulation err='{message}': {exc.message}") from exc
        try:
            sub_acc = sub.accumulate(_Acc(self.schemas))
        except BuildError as exc:
            raise BuildError(f"accumulation err='{message}': recursed accumulation of path '{directory}': "
                             f"{exc.message}") from exc
        try:
            acc.append_all(list(sub_acc.resmap))
            acc.crds = acc.crds.merge(sub_acc.crds)
        except BuildError as exc:
            raise BuildError(f"accumulation err='{message}': recursed merging from path '{directory}': "
                             f"{exc.message}") from exc

    def _accumulate_file(self, acc: _Acc, path: str) -> tuple[str, bool] | None:
        """Add a file's objects; None, or the error (and whether it is malformed YAML)."""
        try:
            real, data = self.fsroot.load_file(self.directory, path)
        except BuildError as exc:
            return f"accumulating resources from '{path}': {exc.message}", False
        try:
            docs = yamlio.load_documents(data.decode("utf-8", errors="replace"), path=path)
        except BuildError as exc:
            text = exc.message
            malformed = "MalformedYAMLError: " in text
            if malformed:
                rest = text[text.index("MalformedYAMLError: ") + len("MalformedYAMLError: "):]
                text = f"MalformedYAMLError: {rest} in File: {path}"
            return f"accumulating resources from '{path}': {text}", malformed
        origin = os.path.relpath(real, self.fsroot.path)
        try:
            acc.append_all([Resource(obj=d, origin=origin) for d in docs])
        except BuildError as exc:
            return f"merging resources from '{path}': {exc.message}", False
        return None

    def _accumulate_component(self, acc: _Acc, path: str) -> None:
        try:
            directory = self.new_dir(path)
        except BuildError as exc:
            raise BuildError(f"loader.New {_go_quote(exc.message)}") from exc
        sub = self.child(directory)
        try:
            try:
                sub.load()
            except BuildError as exc:
                raise BuildError(f"couldn't make target for path '{directory}': {exc.message}") from exc
            sub.set_openapi(sub.kustomization or sub.load(), reset=False)
            sub.check_kind(component=True)
            try:
                sub.accumulate(acc, component=True)
            except BuildError as exc:
                raise BuildError(f"recursed accumulation of path '{directory}': {exc.message}") from exc
        except BuildError as exc:
            raise BuildError(f"accumulateDirectory: {_go_quote(exc.message)}") from exc

    def _run_generators(self, acc: _Acc, k: Kustomization) -> None:
        if not k.config_map_generator and not k.secret_generator:
            return
        for kind, entries in (("configmap", k.config_map_generator), ("secret", k.secret_generator)):
            for args in entries:
                options = generators.merge_options(args.get("options"), k.generator_options)
                res = generators.generate(kind, args, options=options, root=self.fsroot, base_dir=self.directory)
                generators.merge_generated(acc.resmap, res)
                acc.touched()

    def _run_transformers(self, acc: _Acc, k: Kustomization) -> None:
        steps: list[Callable[[ResMap], None]] = []
        if k.patches_strategic_merge:
            steps.append(lambda rm: self._patch(rm, [{**_psm_spec(p), "legacy": True}
                                                     for p in k.patches_strategic_merge]))
        if k.patches:
            steps.append(lambda rm: self._patch(rm, [dict(p) for p in k.patches]))
        steps.append(lambda rm: namespace.transform(rm, k.namespace))
        steps.append(lambda rm: prefix_suffix.add_prefix(rm, k.name_prefix))
        steps.append(lambda rm: prefix_suffix.add_suffix(rm, k.name_suffix))
        steps.append(lambda rm: labels.transform(rm, labels=k.labels, common_labels=k.common_labels))
        steps.append(lambda rm: annotations_t.transform(rm, k.common_annotations))
        if k.patches_json6902:
            steps.append(lambda rm: self._patch(rm, [dict(p) for p in k.patches_json6902]))
        for replica in k.replicas:
            steps.append(lambda rm, r=replica: replicas.transform(rm, r))  # type: ignore[misc]
        for image in k.images:
            steps.append(lambda rm, i=image: images.transform(rm, i))  # type: ignore[misc]
        if k.replacements:
            steps.append(lambda rm: replacements.transform(rm, k.replacements, read=self._read_replacements))
        for step in steps:
            step(acc.resmap)
            acc.touched()

    def _read_replacements(self, path: str) -> list[Mapping[str, Any]]:
        import yaml
        _, data = self.fsroot.load_file(self.directory, path)
        try:
            loaded = yaml.safe_load(data.decode("utf-8"))
        except yaml.YAMLError as exc:
            raise BuildError(f"{path}: {exc}") from exc
        items = loaded if isinstance(loaded, list) else [loaded] if isinstance(loaded, dict) else []
        return [dict(x) for x in items if isinstance(x, dict)]

    def _patch(self, resmap: ResMap, specs: list[dict[str, Any]]) -> None:
        built = [patches.PatchSpec(**spec) for spec in specs]
        patches.apply_patches(resmap, built, root=self.fsroot, base_dir=self.directory)


def _psm_spec(entry: str) -> dict[str, Any]:
    """A patchesStrategicMerge entry is a file path or, when it spans lines, the patch itself."""
    return {"patch": entry} if "\n" in entry.strip() else {"path": entry}
