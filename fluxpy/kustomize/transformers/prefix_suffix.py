"""The `namePrefix:` / `nameSuffix:` transformers (kustomize's PrefixTransformer, SuffixTransformer).

Fourth and fifth in a kustomization's transformer order, after namespace and
before labels. Every object's `metadata.name` gets the prefix (then, in a
separate pass, the suffix) except CustomResourceDefinitions, APIServices and
Namespaces, whose names are fixed by convention. Each rename is remembered
(previous id, plus the list of prefixes/suffixes applied) so that the name
reference pass at the end can rewrite references and tell apart same-named
objects from differently prefixed bases.
"""

from __future__ import annotations

from fluxpy.kustomize.resource import ResMap, Resource


_SKIP = (("", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService"), ("", "Namespace"))


def _skipped(res: Resource) -> bool:
    rid = res.original_id()
    return any((not group or group == rid.group) and kind == rid.kind for group, kind in _SKIP)


def add_prefix(resmap: ResMap, prefix: str) -> None:
    """Prefix every name that takes one."""
    if not prefix:
        return
    for res in resmap:
        if _skipped(res):
            continue
        res.previous.append(res.id())
        res.name_prefixes.append(prefix)
        name = res.meta.get("name")
        if name is not None:
            res.meta["name"] = prefix + str(name)


def add_suffix(resmap: ResMap, suffix: str) -> None:
    """Suffix every name that takes one."""
    if not suffix:
        return
    for res in resmap:
        if _skipped(res):
            continue
        res.previous.append(res.id())
        res.name_suffixes.append(suffix)
        name = res.meta.get("name")
        if name is not None:
            res.meta["name"] = str(name) + suffix



