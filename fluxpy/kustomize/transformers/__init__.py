"""kustomize's builtin transformers, one module each, run by `build` in kustomize's order.

Per kustomization (kusttarget.go `configureBuiltinTransformers`): patchesStrategicMerge,
patches, namespace, namePrefix, nameSuffix, labels/commonLabels, commonAnnotations,
patchesJson6902, replicas, images, replacements. Once, at the top of the build,
after generated names get their hash: name references (`namereference`), then
the legacy sort (`sort_order`).
"""
