"""YAML in and out of the build, exactly as kustomize v5 does it.

`load_documents` reads a manifest file into JSON-compatible objects the way
kustomize (kyaml, go-yaml v3, then a JSON round trip) sees them;
`dump_resources` prints objects byte for byte as ``kustomize build`` does
(JSON, then go-yaml v2's emitter). The details live in `yaml_read` and
`yaml_emit`; the corpus in tests/kustomize/data/yamlio_cases.yaml was
produced by real kustomize.
"""

from __future__ import annotations

from fluxpy.kustomize.yaml_emit import dump_resources
from fluxpy.kustomize.yaml_read import load_documents

__all__ = ["dump_resources", "load_documents"]
