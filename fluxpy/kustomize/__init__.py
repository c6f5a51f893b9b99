"""A kustomize v5 engine in Python: kustomization tree in, manifests out.

Pure build code: it reads files only through `fs.Root`, which never lets a
path or symlink escape the source root, and it never touches the cluster.
Its output must be byte-identical to `kustomize build` (v5.8.1); the parity
corpus in tests/kustomize/ checks that against real kustomize.
"""
