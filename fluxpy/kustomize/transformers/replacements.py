"""The `replacements:` transformer (kustomize's ReplacementTransformer).

Last in a kustomization's transformer order, after images. Each replacement
reads one value from one source object (selected by group/version/kind,
name, namespace — earlier names count, so a base's name still works after a
prefix; default field `metadata.name`; optionally one `delimiter` part of
it) and writes it into fields of every target object its `select` matches
(name and namespace are anchored regular expressions; `reject` excludes;
label/annotation selectors filter). A scalar target keeps its type (an
integer field stays an integer); a map or list target is replaced whole.
Missing target fields are an error unless `options.create`.

Field paths are dot-separated; `[key=value]` picks list elements by a field,
`*` every element, a number one element, and `[a.b/c]` names a key that
holds dots.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from fluxpy.kustomize.errors import BuildError
from fluxpy.kustomize.resource import ResId, ResMap, Resource
from fluxpy.kustomize.transformers import shared


def split_path(path: str) -> list[str]:
    """kyaml's SmarterPathSplitter: split on '.', but not inside [...]."""
    out: list[str] = []
    cur = ""
    depth = 0
    for ch in path:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        if ch == "." and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def _ids(res: Resource) -> list[ResId]:
    return [res.id(), *res.previous]


def _ns_equal(a: str, b: str) -> bool:
    return (a or "default") == (b or "default")


def _source_selects(sel: Mapping[str, Any], rid: ResId) -> bool:
    return ((not sel.get("name") or sel.get("name") == rid.name)
            and (not sel.get("namespace") or _ns_equal(str(sel.get("namespace")), rid.namespace))
            and (not sel.get("group") or sel.get("group") == rid.group)
            and (not sel.get("version") or sel.get("version") == rid.version)
            and (not sel.get("kind") or sel.get("kind") == rid.kind))


def _anchored(value: Any) -> re.Pattern[str] | None:
    if not value:
        return None
    try:
        return re.compile(f"^(?:{value})$")
    except re.error as exc:
        raise BuildError(f"invalid regex in replacement selector '{value}': {exc}") from exc


def _regex_selects(sel: Mapping[str, Any], rid: ResId) -> bool:
    for field, actual in (("group", rid.group), ("version", rid.version), ("kind", rid.kind),
                          ("name", rid.name), ("namespace", rid.namespace)):
        pattern = _anchored(sel.get(field))
        if pattern is not None and not pattern.match(actual):
            return False
    return True


def _match_labels(selector: str, labels: Mapping[str, Any]) -> bool:
    """Equality-based selectors (`a=b,c!=d,e`) — enough for replacement targets."""
    for term in (t.strip() for t in selector.split(",") if t.strip()):
        if "!=" in term:
            key, value = (s.strip() for s in term.split("!=", 1))
            if str(labels.get(key)) == value and key in labels:
                return False
        elif "=" in term:
            key, value = (s.strip() for s in term.replace("==", "=").split("=", 1))
            if key not in labels or str(labels[key]) != value:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _retyped(text: str, like: Any) -> Any:
    """A scalar target keeps its YAML type: write `text` as that type when it reads as one."""
    if isinstance(like, bool):
        return {"true": True, "false": False}.get(text, text)
    if isinstance(like, int):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(like, float):
        try:
            return float(text)
        except ValueError:
            return text
    return text


class _Created:
    """Marks a scalar field created by `options.create`."""


_CREATED = _Created()


def _plain(text: str) -> Any:
    try:
        from fluxpy.kustomize.yaml_read import resolve_plain
    except ImportError:
        return text
    return resolve_plain(text)


def _lookup(node: Any, path: list[str], *, create: Any, found: list[tuple[Any, Any]]) -> None:
    """Collect (container, key) of every field `path` reaches; create missing ones when `create` is set."""
    if not path:
        return
    head, rest = path[0], path[1:]
    if isinstance(node, list):
        if head == "*":
            targets = list(range(len(node)))
        elif head.startswith("[") and head.endswith("]") and "=" in head:
            key, value = head[1:-1].split("=", 1)
            targets = [i for i, item in enumerate(node)
                       if (isinstance(item, dict) and key and _text(item.get(key)) == value and key in item)
                       or (not key and not isinstance(item, (dict, list)) and _text(item) == value)]
            if not targets and create is not None and key:
                node.append({key: value})
                targets = [len(node) - 1]
        elif head.lstrip("-").isdigit():
            index = int(head)
            targets = [index] if -len(node) <= index < len(node) else []
        else:
            return
        for i in targets:
            if rest:
                _lookup(node[i], rest, create=create, found=found)
            else:
                found.append((node, i))
        return
    if not isinstance(node, dict):
        return
    if head.startswith("[") and head.endswith("]") and "=" not in head:
        head = head[1:-1]  # `[a.b/c]`: a key holding dots
    if head not in node or node[head] is None:
        if create is None:
            return
        if rest:
            node[head] = [] if (rest[0].startswith("[") and "=" in rest[0]) or rest[0] == "*" else {}
        elif isinstance(create, (dict, list)):
            node[head] = copy.deepcopy(create)
        else:
            # kyaml creates an untagged scalar and copies only the text into it,
            # so the text is read again as a plain scalar ("5432" becomes 5432).
            node[head] = _CREATED
    if rest:
        _lookup(node[head], rest, create=create, found=found)
    else:
        found.append((node, head))


def _source_value(resmap: ResMap, source: Mapping[str, Any]) -> Any:
    matches = [res for res in resmap if any(_source_selects(source, rid) for rid in _ids(res))]
    if not matches:
        raise BuildError(f"nothing selected by {_describe(source)}")
    if len(matches) > 1:
        raise BuildError(f"multiple matches for selector {_describe(source)}")
    field_path = str(source.get("fieldPath") or "metadata.name")
    found: list[tuple[Any, Any]] = []
    _lookup(matches[0].obj, split_path(field_path), create=None, found=found)
    value = found[0][0][found[0][1]] if found else None
    if value is None or value == "" or value == {} or value == []:
        raise BuildError(f"fieldPath `{field_path}` is missing for replacement source {_describe(source)}")
    options = source.get("options") or {}
    if options.get("delimiter"):
        if isinstance(value, (dict, list)):
            raise BuildError("delimiter option can only be used with scalar nodes")
        parts = _text(value).split(str(options["delimiter"]))
        index = int(options.get("index") or 0)
        if index >= len(parts) or index < 0:
            raise BuildError(f"options.index {index} is out of bounds for value {_text(value)}")
        return parts[index]
    return value


def _describe(sel: Mapping[str, Any]) -> str:
    gvk = f"{sel.get('kind') or '[noKind]'}.{sel.get('version') or '[noVer]'}.{sel.get('group') or '[noGrp]'}"
    return f"{gvk}/{sel.get('name') or '[noName]'}.{sel.get('namespace') or '[noNs]'}"


def _set(res: Resource, container: Any, key: Any, value: Any, options: Mapping[str, Any], *,
         in_annotations: bool) -> None:
    current = container[key]
    if options.get("delimiter"):
        if isinstance(current, (dict, list)):
            raise BuildError("delimiter option can only be used with scalar nodes")
        parts = _text(current).split(str(options["delimiter"]))
        index = int(options.get("index") or 0)
        if index < 0:
            parts.insert(0, _text(value))
        elif index >= len(parts):
            parts.append(_text(value))
        else:
            parts[index] = _text(value)
        value = str(options["delimiter"]).join(parts)
    if current is _CREATED:
        # Annotations are a map of strings to kustomize; anything else is re-read.
        container[key] = _text(value) if in_annotations else _plain(_text(value))
        return
    if current is not None and not isinstance(current, (dict, list)) and not isinstance(value, (dict, list)):
        shared.write(res, container, key, _retyped(_text(value), current))
    else:
        container[key] = copy.deepcopy(value)


def _apply_target(resmap: ResMap, target: Mapping[str, Any], value: Any) -> None:
    select = target.get("select")
    if not select:
        raise BuildError("target must specify resources to select")
    rejects = list(target.get("reject") or [])
    field_paths = list(target.get("fieldPaths") or ["metadata.name"])
    options = target.get("options") or {}
    for res in resmap:
        meta = res.obj.get("metadata") or {}
        if select.get("labelSelector") and not _match_labels(str(select["labelSelector"]), meta.get("labels") or {}):
            continue
        if select.get("annotationSelector") and not _match_labels(str(select["annotationSelector"]),
                                                                   meta.get("annotations") or {}):
            continue
        ids = _ids(res)
        if not any(_regex_selects(select, rid) for rid in ids):
            continue
        if any(_rejected(reject, res, ids) for reject in rejects):
            continue
        for field_path in field_paths:
            create = value if options.get("create") else None
            found: list[tuple[Any, Any]] = []
            _lookup(res.obj, split_path(str(field_path)), create=create, found=found)
            if not found:
                verb = "find or create" if options.get("create") else "find"
                raise BuildError(f'unable to {verb} field "{field_path}" in replacement target')
            in_annotations = str(field_path).startswith("metadata.annotations.")
            for container, key in found:
                _set(res, container, key, value, options, in_annotations=in_annotations)


def _rejected(reject: Mapping[str, Any], res: Resource, ids: list[ResId]) -> bool:
    meta = res.obj.get("metadata") or {}
    if reject.get("labelSelector") and not _match_labels(str(reject["labelSelector"]), meta.get("labels") or {}):
        return False
    if reject.get("annotationSelector") and not _match_labels(str(reject["annotationSelector"]),
                                                               meta.get("annotations") or {}):
        return False
    if not any(reject.get(f) for f in ("group", "version", "kind", "name", "namespace")):
        return bool(reject.get("labelSelector") or reject.get("annotationSelector"))
    return any(_regex_selects(reject, rid) for rid in ids)


def transform(resmap: ResMap, replacements: list[Mapping[str, Any]],
              *, read: Callable[[str], list[Mapping[str, Any]]]) -> None:
    """Apply the `replacements:` entries in order.

    Args:
        resmap: the objects.
        replacements: the entries; one with `path` names a file of replacements.
        read: loads the replacements in a file named relative to the kustomization.

    Raises:
        BuildError: no (or more than one) source, a missing source field, a
            missing target field without `create`, bad options.
    """
    entries: list[Mapping[str, Any]] = []
    for entry in replacements:
        if entry.get("path"):
            entries.extend(read(str(entry["path"])))
        else:
            entries.append(entry)
    for entry in entries:
        source, targets = entry.get("source"), entry.get("targets")
        if not source or not targets:
            raise BuildError("replacements must specify a source and at least one target")
        value = _source_value(resmap, source)
        for target in targets:
            _apply_target(resmap, target, value)

