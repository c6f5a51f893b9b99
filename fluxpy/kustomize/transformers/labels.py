"""The `labels:` and `commonLabels:` transformers (kustomize's LabelTransformer).

Sixth in a kustomization's transformer order, after namePrefix/nameSuffix and
before commonAnnotations. Each `labels:` entry runs first, in file order:
without `includeSelectors` it writes `metadata.labels` only (plus pod
templates with `includeTemplates`, plus its own `fields`); with it, it uses
the commonLabels field specs. `commonLabels:` runs last and writes labels,
selectors and templates (the `COMMON_LABELS` table). Missing label maps are
created where the spec says so; keys are set in sorted order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fluxpy.kustomize.kustfile import Label
from fluxpy.kustomize.resource import ResMap
from fluxpy.kustomize.transformers import fieldspecs, shared
from fluxpy.kustomize.transformers.fieldspecs import FieldSpec


def set_metadata_map(resmap: ResMap, values: Mapping[str, str], specs: Iterable[FieldSpec]) -> None:
    """Set `values` into the map at each selected field spec of every object (labels or annotations).

    As in kustomize, the fields created for one key in one object are one
    shared node (`shared`), and existing fields are written in place.
    """
    if not values:
        return
    spec_list = list(specs)
    items = sorted(values.items())
    for res in resmap:
        group, version, kind = fieldspecs.gvk_of(res.obj)
        selected = [fs for fs in spec_list if fs.selects(group, version, kind)]
        if not selected:
            continue
        for k, v in items:
            created: list[tuple[Any, Any]] = []

            def setter(parent: Any, key: Any, k: str = k, v: str = v, created: list[tuple[Any, Any]] = created
                       ) -> None:
                target = parent[key]
                if target is None:
                    target = parent[key] = {}
                if not isinstance(target, dict):
                    return
                if k in target:
                    if not any(c is target for c, _ in created):
                        shared.write(res, target, k, v)
                else:
                    target[k] = v
                    created.append((target, k))

            for fs in selected:
                fieldspecs.visit(res.obj, fs, setter, create_kind="map")
            shared.share(res, created, v)


def merge_specs(base: Iterable[FieldSpec], extra: Iterable[FieldSpec]) -> list[FieldSpec]:
    """kustomize's `FsSlice.MergeAll`: add specs not already there (same gvk and path)."""
    out = list(base)
    for fs in extra:
        if not any((o.group, o.version, o.kind, o.path) == (fs.group, fs.version, fs.kind, fs.path) for o in out):
            out.append(fs)
    return out


def transform(resmap: ResMap, *, labels: list[Label], common_labels: Mapping[str, str]) -> None:
    """Apply the `labels:` entries, then `commonLabels:`."""
    for label in labels:
        own = [FieldSpec(path=str(f.get("path") or ""), kind=str(f.get("kind") or ""),
                         group=str(f.get("group") or ""), version=str(f.get("version") or ""),
                         create=bool(f.get("create"))) for f in label.fields]
        if label.include_selectors:
            specs = merge_specs(own, fieldspecs.COMMON_LABELS)
        else:
            specs = merge_specs(own, [FieldSpec("metadata/labels", create=True)])
            if label.include_templates:
                specs = merge_specs(specs, fieldspecs.TEMPLATE_LABELS)
        set_metadata_map(resmap, label.pairs, specs)
    set_metadata_map(resmap, common_labels, fieldspecs.COMMON_LABELS)
