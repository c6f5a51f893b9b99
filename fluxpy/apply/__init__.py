"""Server-side apply, the pure parts: stage order, per-object policy, change sets.

`order` says in which stages and in which order objects are applied (and, in
reverse, pruned); `actions` holds the change-set values and the per-object
decisions Flux takes from `kustomize.toolkit.fluxcd.io/*` labels and
annotations. The requests themselves go through `kube/`.
"""
