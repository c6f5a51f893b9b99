"""The `commonAnnotations:` transformer (kustomize's AnnotationsTransformer).

Seventh in a kustomization's transformer order, after labels and before
patchesJson6902: sets the annotations on every object's metadata and on the
pod templates of workload kinds (the `COMMON_ANNOTATIONS` table).
"""

from __future__ import annotations

from collections.abc import Mapping

from fluxpy.kustomize.resource import ResMap
from fluxpy.kustomize.transformers import fieldspecs
from fluxpy.kustomize.transformers.labels import set_metadata_map


def transform(resmap: ResMap, annotations: Mapping[str, str]) -> None:
    """Annotate every object of `resmap`."""
    set_metadata_map(resmap, annotations, fieldspecs.COMMON_ANNOTATIONS)
